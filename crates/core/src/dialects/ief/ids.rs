//! IEF's uuids for deployments and pods, derived from the numeric ids and back.

use crate::model::{PodId, WorkloadId};

const DEPLOYMENT: u64 = 0x1ef0_d3a1_7c5b_4e29;
const POD: u64 = 0x5a8c_02f4_91d6_4b73;
const VARIANT: u64 = 0x8000_0000_0000_0000;
const ID_MASK: u64 = 0x3FFF_FFFF_FFFF_FFFF;

fn encode(high: u64, id: u64) -> String {
    uuid::Uuid::from_u64_pair(high, VARIANT | (id & ID_MASK)).to_string()
}

fn decode(high: u64, text: &str) -> Option<u64> {
    let (h, l) = uuid::Uuid::parse_str(text).ok()?.as_u64_pair();
    (h == high && l & !ID_MASK == VARIANT).then_some(l & ID_MASK)
}

/// The deployment id (uuid) of a workload.
pub fn deployment_uuid(id: WorkloadId) -> String {
    encode(DEPLOYMENT, id.0)
}

/// The workload a deployment id names, if it is one of ours.
pub fn deployment_of(text: &str) -> Option<WorkloadId> {
    decode(DEPLOYMENT, text).map(WorkloadId)
}

/// The uuid of a pod.
pub fn pod_uuid(id: PodId) -> String {
    encode(POD, id.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_round_trip_and_are_distinct() {
        for id in [1, 42, ID_MASK] {
            let text = deployment_uuid(WorkloadId(id));
            assert_eq!(deployment_of(&text), Some(WorkloadId(id)));
            assert_eq!(uuid::Uuid::parse_str(&text).unwrap().get_version_num(), 4);
        }
        assert_ne!(pod_uuid(PodId(1)), deployment_uuid(WorkloadId(1)));
        assert_eq!(deployment_of(&pod_uuid(PodId(1))), None);
        assert_eq!(deployment_of("a71077f0-a491-4e1c-a41a-7d6910da26cb"), None);
        assert_eq!(deployment_of("not-a-uuid"), None);
    }
}

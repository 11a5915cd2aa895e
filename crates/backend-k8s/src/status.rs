//! A workload's status, derived from its pods as the cluster reports them, with the
//! same meaning the simulator gives it.

use podgate_core::model::{
    ContainerState, Pod, PodPhase, Timestamp, WorkloadPhase, WorkloadStatus,
};

/// What a pod is doing, from the workload's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doing {
    Running,
    Starting,
    /// It cannot start: no node fits, or its image cannot be pulled.
    Failing,
    CrashLooping,
}

fn doing(pod: &Pod) -> Doing {
    let waiting = |pred: &dyn Fn(&str) -> bool| {
        pod.containers
            .iter()
            .any(|c| matches!(&c.state, ContainerState::Waiting { reason } if pred(reason)))
    };
    if pod.phase == PodPhase::Running && pod.containers.iter().all(|c| c.ready) {
        Doing::Running
    } else if pod.reason.as_deref() == Some("Unschedulable")
        || waiting(&|r| r.contains("Image") || r == "InvalidImageName")
    {
        Doing::Failing
    } else if waiting(&|r| r == "CrashLoopBackOff") {
        Doing::CrashLooping
    } else {
        Doing::Starting
    }
}

/// The status of a workload that wants `replicas` pods, was created at `created` and
/// last changed at `updated`, is being deleted or not, and has `pods`.
pub(crate) fn derive(
    replicas: u32,
    created: Timestamp,
    updated: Timestamp,
    deleting: bool,
    pods: &[Pod],
) -> WorkloadStatus {
    let doings: Vec<Doing> = pods.iter().map(doing).collect();
    let ready =
        u32::try_from(doings.iter().filter(|d| **d == Doing::Running).count()).unwrap_or(u32::MAX);
    let changed = updated > created;
    let (phase, message) = if ready >= replicas && doings.iter().all(|d| *d == Doing::Running) {
        (WorkloadPhase::Running, None)
    } else if let Some(at) = doings.iter().position(|d| *d == Doing::Failing) {
        let why = pods.get(at).and_then(|p| {
            if p.reason.as_deref() == Some("Unschedulable") {
                return Some("Unschedulable".to_owned());
            }
            p.containers.iter().find_map(|c| match &c.state {
                ContainerState::Waiting { reason } if reason.contains("Image") => {
                    Some(reason.clone())
                }
                _ => None,
            })
        });
        let restarted = pods
            .iter()
            .any(|p| p.containers.iter().any(|c| c.restart_count > 0));
        let phase = if changed || restarted {
            WorkloadPhase::Abnormal
        } else {
            WorkloadPhase::CreateFailed
        };
        (phase, why)
    } else if doings.contains(&Doing::CrashLooping) {
        (WorkloadPhase::Abnormal, Some("CrashLoopBackOff".to_owned()))
    } else if changed {
        (WorkloadPhase::Updating, None)
    } else {
        (WorkloadPhase::Creating, None)
    };
    WorkloadStatus {
        phase,
        pod_phase: match doings.first() {
            Some(Doing::Running) => PodPhase::Running,
            _ => PodPhase::Pending,
        },
        message,
        ready,
        pods: u32::try_from(pods.len()).unwrap_or(u32::MAX),
        pending: pods.is_empty() && replicas > 0,
        deleting,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use podgate_core::model::{ContainerId, ContainerStatus, PodId, TenantKey, WorkloadId};

    use super::*;

    fn pod(phase: PodPhase, state: ContainerState, ready: bool, restarts: u32) -> Pod {
        Pod {
            id: PodId(1),
            name: "w-1-0".to_owned(),
            tenant: TenantKey::System,
            workload: WorkloadId(1),
            node: Some("node-1".to_owned()),
            zone: None,
            ip: None,
            created_at: Timestamp(0),
            phase,
            reason: None,
            message: None,
            containers: vec![ContainerStatus {
                id: ContainerId(1),
                name: "app".to_owned(),
                image: "nginx".to_owned(),
                state,
                restart_count: restarts,
                ready,
            }],
            scheduled_at: None,
            started_at: None,
            group: None,
            claimed_by: None,
            template: Arc::default(),
        }
    }

    fn waiting(reason: &str) -> ContainerState {
        ContainerState::Waiting {
            reason: reason.to_owned(),
        }
    }

    #[test]
    fn statuses_follow_the_pods() {
        let running = ContainerState::Running {
            started_at: Timestamp(1),
        };
        let t = (Timestamp(1), Timestamp(1));
        let later = (Timestamp(1), Timestamp(2));
        let cases = [
            (t, vec![], WorkloadPhase::Creating, None),
            (
                t,
                vec![pod(
                    PodPhase::Pending,
                    waiting("ContainerCreating"),
                    false,
                    0,
                )],
                WorkloadPhase::Creating,
                None,
            ),
            (
                t,
                vec![pod(PodPhase::Running, running.clone(), true, 0)],
                WorkloadPhase::Running,
                None,
            ),
            (
                later,
                vec![pod(
                    PodPhase::Pending,
                    waiting("ContainerCreating"),
                    false,
                    0,
                )],
                WorkloadPhase::Updating,
                None,
            ),
            (
                t,
                vec![pod(
                    PodPhase::Pending,
                    waiting("ImagePullBackOff"),
                    false,
                    0,
                )],
                WorkloadPhase::CreateFailed,
                Some("ImagePullBackOff"),
            ),
            (
                later,
                vec![pod(PodPhase::Pending, waiting("ErrImagePull"), false, 0)],
                WorkloadPhase::Abnormal,
                Some("ErrImagePull"),
            ),
            (
                t,
                vec![pod(
                    PodPhase::Running,
                    waiting("CrashLoopBackOff"),
                    false,
                    3,
                )],
                WorkloadPhase::Abnormal,
                Some("CrashLoopBackOff"),
            ),
        ];
        for ((created, updated), pods, phase, message) in cases {
            let s = derive(1, created, updated, false, &pods);
            assert_eq!(
                (s.phase, s.message.as_deref()),
                (phase, message),
                "{pods:?}"
            );
        }
        let mut unschedulable = pod(PodPhase::Pending, waiting("ContainerCreating"), false, 0);
        unschedulable.reason = Some("Unschedulable".to_owned());
        let s = derive(1, Timestamp(1), Timestamp(1), false, &[unschedulable]);
        assert_eq!(s.phase, WorkloadPhase::CreateFailed);
        assert_eq!(s.message.as_deref(), Some("Unschedulable"));
        let s = derive(
            2,
            Timestamp(1),
            Timestamp(1),
            true,
            &[pod(PodPhase::Running, running, true, 0)],
        );
        assert_eq!(
            (s.phase, s.ready, s.pods, s.deleting),
            (WorkloadPhase::Creating, 1, 1, true)
        );
        assert_eq!(s.pod_phase, PodPhase::Running);
    }
}

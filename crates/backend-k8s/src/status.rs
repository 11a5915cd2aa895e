//! A workload's status, derived from its pods as the cluster reports them, with the
//! same meaning the simulator gives it.

use podgate_core::model::{ContainerState, Pod, PodPhase, WorkloadPhase, WorkloadStatus};

use crate::labels;
use crate::objects::{Stored, TEMPLATE_HASH};

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
    // A pod being deleted is going: its workload waits for the one replacing it.
    if pod.terminating {
        return Doing::Starting;
    }
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

/// What the workload's object says about it, next to its pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Wanted {
    /// The pods it keeps.
    pub(crate) replicas: u32,
    /// Its spec changed after it was created, or its pods were replaced on request.
    pub(crate) changed: bool,
    /// It is being deleted.
    pub(crate) deleting: bool,
    /// Its controller has not acted on the latest change yet.
    pub(crate) pending: bool,
    /// Some of its pods were made from an older template.
    pub(crate) outdated: bool,
}

impl Wanted {
    /// What `stored` wants, and whether any of `pods` (its raw pods) are outdated.
    pub(crate) fn of(stored: &Stored, pods: &[k8s_openapi::api::core::v1::Pod]) -> Self {
        Self {
            replicas: stored.spec.replicas,
            changed: stored.updated_at > stored.created_at || stored.recreated,
            deleting: stored.deleting,
            pending: stored.pending,
            outdated: pods.iter().any(|p| {
                labels::value(&p.metadata, TEMPLATE_HASH).is_some_and(|h| h != stored.template_hash)
            }),
        }
    }
}

/// The status of a workload that wants `wanted` and has `pods`.
pub(crate) fn derive(wanted: &Wanted, pods: &[Pod]) -> WorkloadStatus {
    let doings: Vec<Doing> = pods.iter().map(doing).collect();
    let ready =
        u32::try_from(doings.iter().filter(|d| **d == Doing::Running).count()).unwrap_or(u32::MAX);
    let (replicas, changed) = (wanted.replicas, wanted.changed);
    let (phase, message) =
        if ready >= replicas && !wanted.outdated && doings.iter().all(|d| *d == Doing::Running) {
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
        pending: wanted.pending,
        deleting: wanted.deleting,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use podgate_core::model::{
        ContainerId, ContainerStatus, PodId, TenantKey, Timestamp, WorkloadId,
    };

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
            init_containers: Vec::new(),
            terminating: false,
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
        let t = false;
        let later = true;
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
        let wanted = |replicas, changed| Wanted {
            replicas,
            changed,
            ..Wanted::default()
        };
        for (changed, pods, phase, message) in cases {
            let s = derive(&wanted(1, changed), &pods);
            assert_eq!(
                (s.phase, s.message.as_deref()),
                (phase, message),
                "{pods:?}"
            );
        }
        let mut unschedulable = pod(PodPhase::Pending, waiting("ContainerCreating"), false, 0);
        unschedulable.reason = Some("Unschedulable".to_owned());
        let s = derive(&wanted(1, false), &[unschedulable]);
        assert_eq!(s.phase, WorkloadPhase::CreateFailed);
        assert_eq!(s.message.as_deref(), Some("Unschedulable"));
        let leaving = Wanted {
            deleting: true,
            pending: true,
            ..wanted(2, false)
        };
        let s = derive(
            &leaving,
            &[pod(PodPhase::Running, running.clone(), true, 0)],
        );
        assert_eq!(
            (s.phase, s.ready, s.pods, s.deleting, s.pending),
            (WorkloadPhase::Creating, 1, 1, true, true)
        );
        assert_eq!(s.pod_phase, PodPhase::Running);
        let rolling = Wanted {
            outdated: true,
            ..wanted(1, true)
        };
        let s = derive(&rolling, &[pod(PodPhase::Running, running, true, 0)]);
        assert_eq!(
            s.phase,
            WorkloadPhase::Updating,
            "a pod of the old template runs until it is replaced"
        );
    }
}

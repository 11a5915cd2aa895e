//! Pod and workload status, derived from records and the clock when read: no
//! background task moves anything.

use podgate_core::model::{
    ContainerId, ContainerState, ContainerStatus, Pod, PodId, PodPhase, Timestamp, WorkloadPhase,
    WorkloadStatus,
};

use crate::config::Delays;
use crate::images::ImageCatalogue;
use crate::state::{NodeState, PodOrigin, PodRec, WorkloadRec};

/// Reads state at one instant.
pub(crate) struct Observer<'a> {
    pub(crate) now: Timestamp,
    pub(crate) delays: &'a Delays,
    pub(crate) images: &'a ImageCatalogue,
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A pod's IP, derived from its id: unique for the first 2^24 pods, then it wraps.
pub(crate) fn pod_ip(id: PodId) -> String {
    let n = id.0 & 0x00FF_FFFF;
    format!("10.{}.{}.{}", (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF)
}

impl Observer<'_> {
    /// When the pod's containers first start (after scheduling and creation).
    pub(crate) fn start_at(&self, pod: &PodRec) -> Timestamp {
        pod.bound_at.plus_millis(ms(self.delays.start))
    }

    /// The state of container `index` of `pod`, whose image is `image`.
    pub(crate) fn container_state(
        &self,
        pod: &PodRec,
        index: usize,
        image: &str,
    ) -> ContainerState {
        let waiting = |reason: &str| ContainerState::Waiting {
            reason: reason.to_owned(),
        };
        if pod.node.is_none() || self.now < pod.bound_at {
            return waiting("ContainerCreating");
        }
        let start = self.start_at(pod);
        if self.now < start {
            return waiting("ContainerCreating");
        }
        if !self.images.contains(image) {
            return if self.now < start.plus_millis(ms(self.delays.pull_backoff)) {
                waiting("ErrImagePull")
            } else {
                waiting("ImagePullBackOff")
            };
        }
        match pod.containers.get(index).and_then(|c| c.last_down) {
            Some((down, crashed)) => {
                let back = down.plus_millis(ms(if crashed {
                    self.delays.crash_backoff
                } else {
                    self.delays.restart
                }));
                if self.now < back {
                    waiting(if crashed {
                        "CrashLoopBackOff"
                    } else {
                        "Restarting"
                    })
                } else {
                    ContainerState::Running { started_at: back }
                }
            }
            None => ContainerState::Running { started_at: start },
        }
    }

    /// Whether every container of the pod runs now.
    pub(crate) fn pod_running(&self, pod: &PodRec, workload: &WorkloadRec) -> bool {
        workload
            .template
            .containers
            .iter()
            .enumerate()
            .all(|(i, c)| {
                matches!(
                    self.container_state(pod, i, &c.image),
                    ContainerState::Running { .. }
                )
            })
    }

    /// The pod as a client sees it.
    pub(crate) fn pod(
        &self,
        id: PodId,
        pod: &PodRec,
        workload: &WorkloadRec,
        nodes: &[NodeState],
    ) -> Pod {
        let containers: Vec<ContainerStatus> = workload
            .template
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let state = self.container_state(pod, i, &c.image);
                ContainerStatus {
                    id: ContainerId(pod.first_container.saturating_add(i as u64)),
                    name: c.name.clone(),
                    image: c.image.clone(),
                    ready: matches!(state, ContainerState::Running { .. }),
                    state,
                    restart_count: pod.containers.get(i).map_or(0, |r| r.restarts),
                }
            })
            .collect();
        let running = containers.iter().all(|c| c.ready);
        let bound = pod.node.is_some() && self.now >= pod.bound_at;
        let node = pod
            .node
            .filter(|_| bound)
            .and_then(|n| nodes.get(n as usize))
            .map(|n| &n.node);
        let (reason, message) = if pod.node.is_none() {
            (
                Some("Unschedulable".to_owned()),
                Some("no node has room for the pod and matches its placement".to_owned()),
            )
        } else {
            (None, None)
        };
        Pod {
            id,
            name: format!("{}-0", workload.name),
            tenant: workload.tenant.clone(),
            workload: pod.workload,
            node: node.map(|n| n.name.clone()),
            zone: node.map(|n| n.zone.clone()),
            ip: bound.then(|| pod_ip(id)),
            created_at: pod.created_at,
            phase: if running {
                PodPhase::Running
            } else {
                PodPhase::Pending
            },
            reason,
            message,
            containers,
        }
    }

    /// The workload's status, from its current pod.
    pub(crate) fn workload_status(
        &self,
        workload: &WorkloadRec,
        pod: Option<&PodRec>,
    ) -> WorkloadStatus {
        let Some(pod) = pod else {
            return WorkloadStatus {
                phase: WorkloadPhase::Creating,
                pod_phase: PodPhase::Pending,
                message: None,
            };
        };
        let states: Vec<ContainerState> = workload
            .template
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| self.container_state(pod, i, &c.image))
            .collect();
        let reason_is = |want: &[&str]| {
            states.iter().find_map(|s| match s {
                ContainerState::Waiting { reason } if want.contains(&reason.as_str()) => {
                    Some(reason.clone())
                }
                _ => None,
            })
        };
        let first_time = pod.origin == PodOrigin::Create && !workload.ran_before;
        let (phase, message) = if states
            .iter()
            .all(|s| matches!(s, ContainerState::Running { .. }))
        {
            (WorkloadPhase::Running, None)
        } else if pod.node.is_none() {
            let phase = if first_time {
                WorkloadPhase::CreateFailed
            } else {
                WorkloadPhase::Abnormal
            };
            (phase, Some("Unschedulable".to_owned()))
        } else if let Some(reason) = reason_is(&["ErrImagePull", "ImagePullBackOff"]) {
            let phase = if first_time {
                WorkloadPhase::CreateFailed
            } else {
                WorkloadPhase::Abnormal
            };
            (phase, Some(reason))
        } else if let Some(reason) = reason_is(&["CrashLoopBackOff"]) {
            (WorkloadPhase::Abnormal, Some(reason))
        } else if reason_is(&["Restarting"]).is_some() {
            (WorkloadPhase::Updating, None)
        } else {
            let phase = match pod.origin {
                PodOrigin::Create => WorkloadPhase::Creating,
                PodOrigin::Rollout => WorkloadPhase::Updating,
                PodOrigin::Recovery => WorkloadPhase::Abnormal,
            };
            (phase, None)
        };
        let pod_phase = if phase == WorkloadPhase::Running {
            PodPhase::Running
        } else {
            PodPhase::Pending
        };
        WorkloadStatus {
            phase,
            pod_phase,
            message,
        }
    }
}

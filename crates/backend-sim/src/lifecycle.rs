//! Pod and workload status, derived from records and the clock when read: no
//! background task moves anything.

use podgate_core::model::{
    ContainerId, ContainerState, ContainerStatus, Pod, PodId, PodPhase, PodTemplate, RestartPolicy,
    Timestamp, WorkloadKind, WorkloadPhase, WorkloadStatus,
};

use crate::config::Delays;
use crate::images::ImageCatalogue;
use crate::state::{Change, NodeState, PodOrigin, PodRec, State, WorkloadRec};

/// Reads state at one instant.
pub(crate) struct Observer<'a> {
    pub(crate) now: Timestamp,
    pub(crate) delays: &'a Delays,
    pub(crate) images: &'a ImageCatalogue,
}

pub(crate) fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A pod's IP, derived from its id: unique for the first 2^24 pods, then it wraps.
pub(crate) fn pod_ip(id: PodId) -> String {
    let n = id.0 & 0x00FF_FFFF;
    format!("10.{}.{}.{}", (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF)
}

/// A node's IP, derived from its index.
pub(crate) fn node_ip(index: u32) -> String {
    format!("172.16.{}.{}", (index >> 8) & 0xFF, (index & 0xFF) + 1)
}

const ALPHABET: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";

/// `len` characters of Kubernetes' name-suffix alphabet, derived from `seed`.
pub(crate) fn suffix(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D;
    (0..len)
        .map(|_| {
            let c = ALPHABET.get((x % 27) as usize).copied().unwrap_or(b'x');
            x /= 27;
            char::from(c)
        })
        .collect()
}

/// A pod's name: `<name>-<ordinal>` for stateful pods, `<name>-<hash>-<suffix>` for
/// the others, where `<name>` is the workload's object name (its name unless its spec
/// gives one).
pub(crate) fn pod_name(
    workload: &WorkloadRec,
    id: PodId,
    ordinal: u32,
    template_hash: u64,
) -> String {
    let name = workload.object_name.as_deref().unwrap_or(&workload.name);
    match workload.kind {
        WorkloadKind::Stateful => format!("{name}-{ordinal}"),
        WorkloadKind::Deployment | WorkloadKind::Pool | WorkloadKind::Single => {
            format!("{name}-{}-{}", suffix(template_hash, 10), suffix(id.0, 5))
        }
    }
}

/// The phase of a pod whose main containers are in `states`: `Unknown` while its
/// node is lost, `Failed` once every container ended, `Running` once every one runs or
/// ended, `Pending` before.
fn phase_of<'s>(
    lost: bool,
    mut states: impl Iterator<Item = &'s ContainerState> + Clone,
) -> PodPhase {
    let terminated = |s: &ContainerState| matches!(s, ContainerState::Terminated { .. });
    if lost {
        PodPhase::Unknown
    } else if states.clone().next().is_some() && states.clone().all(terminated) {
        PodPhase::Failed
    } else if states.all(|s| matches!(s, ContainerState::Running { .. }) || terminated(s)) {
        PodPhase::Running
    } else {
        PodPhase::Pending
    }
}

/// What the event feed shows of a pod: a new feed entry is due when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    pub(crate) phase: PodPhase,
    /// Why it is not running, if it is not.
    pub(crate) reason: Option<String>,
    /// Restarts of all its containers.
    pub(crate) restarts: u32,
    /// The node it is bound to, by index.
    pub(crate) node: Option<u32>,
}

/// What one pod is doing, summarised for the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PodCondition {
    Running,
    Starting,
    Restarting,
    CrashLooping,
    Failing,
    /// Bound to a node that is lost.
    Lost,
}

impl Observer<'_> {
    /// When the pod's containers first start (after scheduling and creation).
    pub(crate) fn start_at(&self, pod: &PodRec) -> Timestamp {
        pod.bound_at.plus_millis(ms(self.delays.start))
    }

    /// Where a container whose image is `image` stands before it can run: `None`
    /// once the pod has started and the image is there.
    fn pull_state(&self, pod: &PodRec, image: &str) -> Option<ContainerState> {
        let waiting = |reason: &str| {
            Some(ContainerState::Waiting {
                reason: reason.to_owned(),
            })
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
        None
    }

    /// The state of init container `index` of `pod`: it runs to completion as the pod
    /// starts, once its image is there.
    pub(crate) fn init_state(
        &self,
        pod: &PodRec,
        template: &PodTemplate,
        index: usize,
    ) -> ContainerState {
        let image = template
            .init_containers
            .get(index)
            .map_or("", |c| c.image.as_str());
        self.pull_state(pod, image)
            .unwrap_or_else(|| ContainerState::Terminated {
                reason: "Completed".to_owned(),
                exit_code: 0,
            })
    }

    /// Whether an init container cannot complete (its image is missing).
    fn init_blocked(&self, template: &PodTemplate) -> bool {
        template
            .init_containers
            .iter()
            .any(|c| !self.images.contains(&c.image))
    }

    /// The state of container `index` of `pod`, made from `template`.
    pub(crate) fn container_state(
        &self,
        pod: &PodRec,
        template: &PodTemplate,
        index: usize,
    ) -> ContainerState {
        let image = template
            .containers
            .get(index)
            .map_or("", |c| c.image.as_str());
        if let Some(waiting) = self.pull_state(pod, image) {
            return waiting;
        }
        if self.init_blocked(template) {
            return ContainerState::Waiting {
                reason: "PodInitializing".to_owned(),
            };
        }
        let waiting = |reason: &str| ContainerState::Waiting {
            reason: reason.to_owned(),
        };
        let start = self.start_at(pod);
        match pod.containers.get(index).and_then(|c| c.last_down) {
            // A crashed container that may not restart stays terminated.
            Some((_, true)) if template.restart_policy == RestartPolicy::Never => {
                ContainerState::Terminated {
                    reason: "Error".to_owned(),
                    exit_code: 1,
                }
            }
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

    fn states(&self, pod: &PodRec, workload: &WorkloadRec) -> Vec<ContainerState> {
        (0..workload.template.containers.len())
            .map(|i| self.container_state(pod, &workload.template, i))
            .collect()
    }

    fn condition(&self, pod: &PodRec, workload: &WorkloadRec) -> PodCondition {
        // One pass over the containers' states, kept nowhere: this runs for every pod
        // of every workload read.
        let (mut running, mut pulling, mut crashing, mut restarting) = (true, false, false, false);
        for i in 0..workload.template.containers.len() {
            match self.container_state(pod, &workload.template, i) {
                ContainerState::Running { .. } => {}
                ContainerState::Waiting { reason } => {
                    running = false;
                    match reason.as_str() {
                        "ErrImagePull" | "ImagePullBackOff" | "PodInitializing" => pulling = true,
                        "CrashLoopBackOff" => crashing = true,
                        "Restarting" => restarting = true,
                        _ => {}
                    }
                }
                // A container that ended for good fails the pod.
                ContainerState::Terminated { .. } => {
                    running = false;
                    pulling = true;
                }
            }
        }
        if pod.lost {
            PodCondition::Lost
        } else if running {
            PodCondition::Running
        } else if pod.node.is_none() || pulling {
            PodCondition::Failing
        } else if crashing {
            PodCondition::CrashLooping
        } else if restarting {
            PodCondition::Restarting
        } else {
            PodCondition::Starting
        }
    }

    /// Whether every container of the pod runs now.
    pub(crate) fn pod_running(&self, pod: &PodRec, workload: &WorkloadRec) -> bool {
        self.condition(pod, workload) == PodCondition::Running
    }

    /// The pod as a client sees it.
    pub(crate) fn pod(
        &self,
        state: &State,
        id: PodId,
        pod: &PodRec,
        workload: &WorkloadRec,
        template_hash: u64,
    ) -> Pod {
        let containers: Vec<ContainerStatus> = workload
            .template
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let state = self.container_state(pod, &workload.template, i);
                ContainerStatus {
                    id: ContainerId(pod.first_container.saturating_add(i as u64)),
                    name: c.name.clone(),
                    image: c.image.clone(),
                    ready: !pod.lost && matches!(state, ContainerState::Running { .. }),
                    state,
                    restart_count: pod.containers.get(i).map_or(0, |r| r.restarts),
                }
            })
            .collect();
        let main = workload.template.containers.len() as u64;
        let init_containers = workload
            .template
            .init_containers
            .iter()
            .enumerate()
            .map(|(i, c)| ContainerStatus {
                id: ContainerId(
                    pod.first_container
                        .saturating_add(main)
                        .saturating_add(i as u64),
                ),
                name: c.name.clone(),
                image: c.image.clone(),
                ready: false,
                state: self.init_state(pod, &workload.template, i),
                restart_count: 0,
            })
            .collect();
        let phase = phase_of(pod.lost, containers.iter().map(|c| &c.state));
        let bound = pod.node.is_some() && self.now >= pod.bound_at;
        let node = pod
            .node
            .filter(|_| bound)
            .and_then(|n| state.nodes.get(n as usize))
            .map(|n: &NodeState| &n.node);
        let (reason, message) = if pod.node.is_none() {
            (
                Some("Unschedulable".to_owned()),
                Some("no node has room for the pod and matches its placement".to_owned()),
            )
        } else if pod.lost {
            (
                Some("NodeLost".to_owned()),
                Some("the node the pod runs on is not answering".to_owned()),
            )
        } else {
            (None, None)
        };
        let start = self.start_at(pod);
        Pod {
            id,
            name: pod_name(workload, id, pod.ordinal, template_hash),
            tenant: workload.tenant.clone(),
            workload: pod.workload,
            node: node.map(|n| n.name.clone()),
            zone: node.map(|n| n.zone.clone()),
            group: node.and_then(|n| n.group.clone()),
            ip: bound.then(|| pod_ip(id)),
            created_at: pod.created_at,
            phase,
            reason,
            message,
            containers,
            init_containers,
            terminating: false,
            scheduled_at: bound.then_some(pod.bound_at),
            started_at: (bound && self.now >= start).then_some(start),
            claimed_by: pod.claimed.as_deref().map(str::to_owned),
            template: workload.template.clone(),
        }
    }

    /// What the event feed shows of `pod` now.
    pub(crate) fn shown(&self, pod: &PodRec, workload: &WorkloadRec) -> Shown {
        let template = &workload.template;
        let states: Vec<ContainerState> = (0..template.containers.len())
            .map(|i| self.container_state(pod, template, i))
            .collect();
        let waiting = |state: &ContainerState| state.trouble().map(str::to_owned);
        let reason = if pod.node.is_none() {
            Some("Unschedulable".to_owned())
        } else if pod.lost {
            Some("NodeLost".to_owned())
        } else {
            (0..template.init_containers.len())
                .find_map(|i| waiting(&self.init_state(pod, template, i)))
                .or_else(|| states.iter().find_map(waiting))
        };
        Shown {
            phase: phase_of(pod.lost, states.iter()),
            reason,
            restarts: pod
                .containers
                .iter()
                .fold(0_u32, |n, c| n.saturating_add(c.restarts)),
            node: pod.node.filter(|_| self.now >= pod.bound_at),
        }
    }

    /// The next instant after now at which what [`Observer::shown`] shows of `pod`
    /// may change by time alone: binding, start, pull back-off, a container back up.
    pub(crate) fn next_change(&self, pod: &PodRec) -> Option<Timestamp> {
        let start = self.start_at(pod);
        let steps = pod.node.map(|_| {
            [
                pod.bound_at,
                start,
                start.plus_millis(ms(self.delays.pull_backoff)),
            ]
        });
        let back_up = pod.containers.iter().filter_map(|c| {
            c.last_down.map(|(down, crashed)| {
                down.plus_millis(ms(if crashed {
                    self.delays.crash_backoff
                } else {
                    self.delays.restart
                }))
            })
        });
        steps
            .into_iter()
            .flatten()
            .chain(back_up)
            .filter(|t| *t > self.now)
            .min()
    }

    /// The workload's status, from its member pods.
    pub(crate) fn workload_status(&self, state: &State, workload: &WorkloadRec) -> WorkloadStatus {
        let pods = || workload.pods.iter().filter_map(|p| state.pods.get(p));
        // One pass, kept nowhere (this runs on every read of the workload): how many
        // pods, how many run, which conditions occur, the first pod's.
        let (mut count, mut ready, mut first) = (0_u32, 0_u32, None);
        let (mut failing, mut crashing, mut restarting, mut lost) = (false, false, false, false);
        let mut all_created = true;
        for pod in pods() {
            let condition = self.condition(pod, workload);
            count = count.saturating_add(1);
            match condition {
                PodCondition::Running => ready = ready.saturating_add(1),
                PodCondition::Failing => failing = true,
                PodCondition::Lost => lost = true,
                PodCondition::CrashLooping => crashing = true,
                PodCondition::Restarting => restarting = true,
                PodCondition::Starting => {}
            }
            first.get_or_insert(condition);
            all_created &= pod.origin == PodOrigin::Create;
        }
        let first_time = !workload.ran_before && all_created;
        let failed = if first_time {
            WorkloadPhase::CreateFailed
        } else {
            WorkloadPhase::Abnormal
        };
        let updating = workload.last_change.0 == Change::Updated;
        let (phase, message) = if ready >= workload.replicas && ready == count {
            (WorkloadPhase::Running, None)
        } else if failing {
            let why = pods().find_map(|p| {
                if p.node.is_none() {
                    return Some("Unschedulable".to_owned());
                }
                self.states(p, workload).into_iter().find_map(|s| match s {
                    ContainerState::Waiting { reason } if reason.contains("Image") => Some(reason),
                    _ => None,
                })
            });
            (failed, why)
        } else if lost {
            (WorkloadPhase::Abnormal, Some("NodeLost".to_owned()))
        } else if crashing {
            (WorkloadPhase::Abnormal, Some("CrashLoopBackOff".to_owned()))
        } else if restarting {
            (WorkloadPhase::Updating, None)
        } else {
            let newest = pods()
                .rev()
                .find(|p| !self.pod_running(p, workload))
                .map(|p| p.origin);
            let phase = match newest {
                Some(PodOrigin::Rollout) => WorkloadPhase::Updating,
                Some(PodOrigin::Recovery) if !updating && workload.ran_before => {
                    WorkloadPhase::Abnormal
                }
                _ if updating => WorkloadPhase::Updating,
                _ if workload.ran_before => WorkloadPhase::Abnormal,
                _ => WorkloadPhase::Creating,
            };
            (phase, None)
        };
        let pod_phase = match first {
            Some(PodCondition::Running) => PodPhase::Running,
            _ => PodPhase::Pending,
        };
        WorkloadStatus {
            phase,
            pod_phase,
            message,
            ready,
            pods: count,
            pending: self.now < workload.last_change.1.plus_millis(ms(self.delays.schedule)),
            deleting: workload.deleting_until.is_some(),
        }
    }
}

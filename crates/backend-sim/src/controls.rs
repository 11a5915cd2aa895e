//! The simulator's own controls: the clock, images, faults.

use std::time::Duration;

use podgate_core::feed::{Feed, FeedEvent};
use podgate_core::model::{
    ContainerState, NodeLossPolicy, PodId, RestartPolicy, Timestamp, WorkloadId,
};
use podgate_core::{Error, Result};

use crate::backend::SimBackend;
use crate::pods;
use crate::state::{Event, PodOrigin};

impl SimBackend {
    /// Simulated now.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves simulated time forward; pods move on through their lifecycle accordingly.
    /// Returns the new now. A persistent simulator stores the clock before answering.
    pub fn advance(&self, by: Duration) -> Result<Timestamp> {
        let now = self.mutate(|_| Ok(self.clock.advance(by)))?;
        // A second write does the work the new time brings and records the pods'
        // changes at their instants, then the move itself, at the new now.
        self.mutate(|view| {
            let paused = self.clock.paused();
            view.state.feed.emit(view.now, || FeedEvent::Clock {
                advanced_ms: u64::try_from(by.as_millis()).unwrap_or(u64::MAX),
                paused,
            });
            Ok(())
        })?;
        Ok(now)
    }

    /// Pauses a wall clock, or lets it run on from where it stands (a manual clock
    /// always stands still). Returns now.
    pub fn set_paused(&self, paused: bool) -> Result<Timestamp> {
        self.mutate(|view| {
            let was = self.clock.paused();
            let now = self.clock.set_paused(paused);
            let paused = self.clock.paused();
            if paused != was {
                view.state.feed.emit(now, || FeedEvent::Clock {
                    advanced_ms: 0,
                    paused,
                });
            }
            Ok(now)
        })
    }

    /// Does the work that is due (pool recycling, purges, pods observed for the event
    /// feed) and stores feed entries not yet written. On a wall clock, whoever serves
    /// the simulator calls this every second or so, so that the feed shows what time
    /// alone changes as it happens.
    pub fn tick(&self) -> Result<()> {
        let now = self.clock.now();
        let due = self.read_untimed()?.due(now);
        let unsaved = self.persistent() && self.feed.as_ref().is_some_and(|f| f.has_unsaved());
        if due || unsaved {
            self.mutate(|_| Ok(()))?;
        }
        Ok(())
    }

    /// Adds an image to the simulated registry; pods waiting for it start on their
    /// next pull.
    pub fn add_image(&self, reference: &str) -> Result<()> {
        self.change_image(reference, true)
    }

    /// Fault: removes an image from the simulated registry. Pods that start after this
    /// cannot pull it (`ErrImagePull`, then `ImagePullBackOff`) until it is added
    /// again; running containers go on. A persistent simulator remembers the removal,
    /// also of an image its configured catalogue lists.
    pub fn remove_image(&self, reference: &str) -> Result<()> {
        if !self.has_image(reference) {
            return Err(Error::not_found("image", reference));
        }
        self.change_image(reference, false)
    }

    fn change_image(&self, reference: &str, present: bool) -> Result<()> {
        // The catalogue changes before the write: not on a simulator that refuses them.
        self.check_healthy()?;
        {
            let mut images = self
                .images
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if present {
                images.insert(reference);
            } else {
                images.remove(reference);
            }
        }
        self.mutate(|view| {
            let now = view.now;
            let state = &mut *view.state;
            let image = crate::images::normalize_image(reference);
            state.feed.emit(now, || {
                if present {
                    FeedEvent::ImageAdded {
                        image: image.clone(),
                    }
                } else {
                    FeedEvent::ImageRemoved {
                        image: image.clone(),
                    }
                }
            });
            if present {
                state.images_added.push(image);
            } else {
                state.images_removed.push(image);
            }
            // Any pod may use the image: look at each again.
            state.watch_pods(now, |_| true);
            Ok(())
        })
    }

    /// Whether the simulated registry holds `reference`.
    pub fn has_image(&self, reference: &str) -> bool {
        self.images().contains(reference)
    }

    /// Fault: the named container of a pod crashes. Its restart count grows and it
    /// waits in `CrashLoopBackOff` for the crash back-off before it runs again.
    pub fn crash_container(&self, pod: PodId, container: &str) -> Result<()> {
        self.take_down(pod, container, true)
    }

    pub(crate) fn take_down(&self, pod_id: PodId, container: &str, crashed: bool) -> Result<()> {
        self.mutate(|view| {
            let now = view.now;
            let (state, observer) = view.parts();
            let pod = state
                .pods
                .get(&pod_id)
                .ok_or_else(|| Error::not_found("pod", pod_id))?;
            let workload = state
                .workloads
                .get(&pod.workload)
                .ok_or_else(|| Error::not_found("pod", pod_id))?;
            let (index, _) = workload.container(container)?;
            if pod.lost
                || !matches!(
                    observer.container_state(pod, &workload.template, index),
                    ContainerState::Running { .. }
                )
            {
                return Err(Error::IncorrectState(format!(
                    "container {container} is not running"
                )));
            }
            // A crash under `Never` ends the container for good: no restart to count.
            let restarts = !crashed || workload.template.restart_policy != RestartPolicy::Never;
            let (tenant, workload) = (workload.tenant.clone(), pod.workload.0);
            if let Some(rec) = state
                .pods
                .get_mut(&pod_id)
                .and_then(|p| p.containers.get_mut(index))
            {
                if restarts {
                    rec.restarts = rec.restarts.saturating_add(1);
                }
                rec.last_down = Some((now, crashed));
            }
            if crashed {
                state.feed.emit(now, || FeedEvent::ContainerCrashed {
                    tenant,
                    workload,
                    pod: pod_id.0,
                    container: container.to_owned(),
                });
            }
            state.feed.watch(now, pod_id);
            Ok(())
        })
    }

    /// Fault: a node is lost. Its pods are replaced by new ones placed elsewhere (they
    /// stay `Unschedulable` while no other node has room), at once or after the time
    /// their template's [`NodeLossPolicy`] tolerates; a pod whose policy is to stay
    /// shows phase `Unknown` until the node is back.
    pub fn lose_node(&self, name: &str) -> Result<()> {
        self.mutate(|view| {
            let now = view.now;
            let (state, observer) = view.parts();
            let index = Some(
                state
                    .set_node_ready(name, false)
                    .ok_or_else(|| Error::not_found("node", name))?,
            );
            state.feed.emit(now, || FeedEvent::NodeLost {
                node: name.to_owned(),
            });
            state.watch_pods(now, |p| p.node == index);
            let victims: Vec<(PodId, WorkloadId, bool)> = state
                .pods
                .iter()
                .filter(|(_, p)| p.node == index)
                .map(|(id, p)| (*id, p.workload, p.claimed.is_some()))
                .collect();
            for (pod, workload, claimed) in victims {
                let (member, policy) = state
                    .workloads
                    .get(&workload)
                    .map_or((false, NodeLossPolicy::ClusterDefault), |w| {
                        (w.pods.contains(&pod), w.template.placement.node_loss)
                    });
                let wait = match policy {
                    NodeLossPolicy::ClusterDefault | NodeLossPolicy::EvictAfter(0) => None,
                    NodeLossPolicy::EvictAfter(s) => Some(Some(s)),
                    NodeLossPolicy::Stay => Some(None),
                };
                if member
                    && !claimed
                    && let Some(wait) = wait
                {
                    if let Some(p) = state.pods.get_mut(&pod) {
                        p.lost = true;
                    }
                    if let Some(seconds) = wait {
                        state.schedule(
                            now.plus_millis(i64::from(seconds).saturating_mul(1000)),
                            Event::Evict(pod),
                        );
                    }
                } else if member && !claimed {
                    pods::replace_pod(state, &observer, workload, pod, PodOrigin::Recovery);
                } else {
                    // A claimed pod dies with its node; its pool keeps its size.
                    pods::remove_pod(state, &observer, pod);
                    pods::scale(state, &observer, workload, PodOrigin::Recovery, false);
                }
            }
            Ok(())
        })
    }

    /// Brings a lost node back; pods waiting for room are placed again.
    pub fn restore_node(&self, name: &str) -> Result<()> {
        self.mutate(|view| {
            let now = view.now;
            let (state, observer) = view.parts();
            let index = state
                .set_node_ready(name, true)
                .ok_or_else(|| Error::not_found("node", name))?;
            state.feed.emit(now, || FeedEvent::NodeRestored {
                node: name.to_owned(),
            });
            state.watch_pods(now, |p| p.node == Some(index));
            let back: Vec<PodId> = state
                .pods
                .iter()
                .filter(|(_, p)| p.lost && p.node == Some(index))
                .map(|(id, _)| *id)
                .collect();
            for id in back {
                if let Some(p) = state.pods.get_mut(&id) {
                    p.lost = false;
                }
            }
            pods::retry_unschedulable(state, now, &observer);
            Ok(())
        })
    }

    /// Moves the workload id counter forward so that the next workload gets at least
    /// `next` (never backward, so ids stay unique). Lets a test reproduce a vendor
    /// example that names a particular id.
    pub fn skip_workload_ids_to(&self, next: WorkloadId) -> Result<()> {
        self.mutate(|view| {
            view.state.next.workload = view.state.next.workload.max(next.0);
            Ok(())
        })
    }

    /// How many distinct pod templates are stored (identical ones are shared).
    pub fn stored_templates(&self) -> Result<usize> {
        Ok(self.read()?.state.templates.len())
    }

    /// How many times the scheduler has looked for a node for a pod since the simulator
    /// started: a pod placed at once counts one, a waiting pod one more each time room
    /// is looked for again. Lets a test hold the cost of an operation to the pods it
    /// touches.
    pub fn placements_tried(&self) -> Result<u64> {
        Ok(self.read()?.state.placements_tried)
    }
}

impl podgate_core::SimulatorControls for SimBackend {
    fn now(&self) -> Timestamp {
        SimBackend::now(self)
    }

    fn advance(&self, by: Duration) -> Result<Timestamp> {
        SimBackend::advance(self, by)
    }

    fn add_image(&self, reference: &str) -> Result<()> {
        SimBackend::add_image(self, reference)
    }

    fn crash_container(&self, pod: PodId, container: &str) -> Result<()> {
        SimBackend::crash_container(self, pod, container)
    }

    fn lose_node(&self, name: &str) -> Result<()> {
        SimBackend::lose_node(self, name)
    }

    fn restore_node(&self, name: &str) -> Result<()> {
        SimBackend::restore_node(self, name)
    }

    fn remove_image(&self, reference: &str) -> Result<()> {
        SimBackend::remove_image(self, reference)
    }

    fn set_paused(&self, paused: bool) -> Result<Timestamp> {
        SimBackend::set_paused(self, paused)
    }

    fn paused(&self) -> bool {
        self.clock.paused()
    }

    fn tick(&self) -> Result<()> {
        SimBackend::tick(self)
    }

    fn feed(&self) -> Option<std::sync::Arc<Feed>> {
        SimBackend::feed(self)
    }
}

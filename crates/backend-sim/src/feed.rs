//! The simulator's side of the event feed: what a change records, and pods watched
//! for what they show.
//!
//! A pod's status is derived when read (see `lifecycle`), so nothing happens when it
//! turns Running on the clock alone. The feed therefore keeps, for each pod, what it
//! last showed and the next instant that may change ([`Observer::next_change`]); every
//! write of the state first observes the pods whose instant has come, at that instant,
//! so their entries are in time order. A change made by a call (a crash, a lost node,
//! an image) asks for its pods to be observed at once.
//!
//! Entries are gathered in the state while it is written and handed to the
//! [`Feed`](podgate_core::feed::Feed) when the write is done. None of this is stored:
//! a reopened simulator observes every pod afresh and records no entry for what it
//! finds.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use podgate_core::feed::FeedEvent;
use std::sync::Arc;

use podgate_core::model::{PodId, TenantKey, Timestamp, WorkloadId};

use crate::lifecycle::{Observer, Shown};
use crate::state::State;

/// What the feed needs of the state.
#[derive(Debug, Default)]
pub(crate) struct FeedState {
    /// Whether a feed listens (nothing is gathered otherwise).
    pub(crate) on: bool,
    /// Entries gathered during the current write.
    pub(crate) out: Vec<(Timestamp, FeedEvent)>,
    /// What each live pod last showed (a fast hasher: the keys are our own ids).
    shown: foldhash::HashMap<PodId, Shown>,
    /// Pods to observe, by when.
    /// Earliest first. A heap keeps its memory between writes, where an ordered set
    /// allocated and freed a node for each pod created (docs/benchmarks.md).
    watch: BinaryHeap<Reverse<(Timestamp, PodId)>>,
}

impl FeedState {
    /// Gathers the entry `event` makes, at `at`.
    pub(crate) fn emit(&mut self, at: Timestamp, event: impl FnOnce() -> FeedEvent) {
        if self.on {
            self.out.push((at, event()));
        }
    }

    /// Observes `pod` at `at` (at once, when `at` is now).
    pub(crate) fn watch(&mut self, at: Timestamp, pod: PodId) {
        if self.on {
            self.watch.push(Reverse((at, pod)));
        }
    }

    /// Whether some pod is due to be observed at `now`.
    pub(crate) fn due(&self, now: Timestamp) -> bool {
        self.watch.peek().is_some_and(|Reverse((at, _))| *at <= now)
    }

    /// Forgets a pod that is gone.
    pub(crate) fn forget(&mut self, pod: PodId) {
        self.shown.remove(&pod);
    }

    /// Takes the entries gathered so far (the list keeps its memory for the next
    /// write).
    pub(crate) fn take(&mut self) -> std::vec::Drain<'_, (Timestamp, FeedEvent)> {
        self.out.drain(..)
    }
}

impl State {
    /// Observes every pod, recording nothing: what a freshly opened simulator shows.
    #[cfg(feature = "sqlite")]
    pub(crate) fn watch_all_quietly(&mut self, obs: &Observer<'_>) {
        if !self.feed.on {
            return;
        }
        let mut shown =
            foldhash::HashMap::with_capacity_and_hasher(self.pods.len(), Default::default());
        for (id, pod) in self.pods.iter() {
            if let Some(workload) = self.workloads.get(&pod.workload) {
                shown.insert(*id, obs.shown(pod, workload));
                if let Some(next) = obs.next_change(pod) {
                    self.feed.watch.push(Reverse((next, *id)));
                }
            }
        }
        self.feed.shown = shown;
    }

    /// Observes each pod due by `obs.now`, at its instant: records what changed and
    /// watches it again at its next change.
    pub(crate) fn observe_pods(&mut self, obs: &Observer<'_>) {
        while let Some(&Reverse((at, id))) = self.feed.watch.peek() {
            if at > obs.now {
                break;
            }
            // A pod watched twice for one instant is observed once.
            while self.feed.watch.peek() == Some(&Reverse((at, id))) {
                self.feed.watch.pop();
            }
            let then = Observer {
                now: at,
                delays: obs.delays,
                images: obs.images,
            };
            let Some(pod) = self.pods.get(&id) else {
                continue;
            };
            let Some(workload) = self.workloads.get(&pod.workload) else {
                continue;
            };
            let shown = then.shown(pod, workload);
            if let Some(next) = then.next_change(pod) {
                self.feed.watch.push(Reverse((next, id)));
            }
            if self.feed.shown.get(&id) == Some(&shown) {
                continue;
            }
            let event = FeedEvent::Pod {
                tenant: workload.tenant.clone(),
                workload: pod.workload.0,
                pod: id.0,
                phase: shown.phase.as_str().into(),
                reason: shown.reason.clone(),
                restarts: shown.restarts,
                node: shown
                    .node
                    .and_then(|n| self.nodes.get(n as usize))
                    .map(|n| n.name.clone()),
            };
            self.feed.out.push((at, event));
            self.feed.shown.insert(id, shown);
        }
    }

    /// Records what `make` says of workload `id` (from its tenant, id and name).
    pub(crate) fn workload_event(
        &mut self,
        at: Timestamp,
        id: WorkloadId,
        make: fn(TenantKey, u64, Arc<str>) -> FeedEvent,
    ) {
        if !self.feed.on {
            return;
        }
        if let Some(rec) = self.workloads.get(&id) {
            let event = make(rec.tenant.clone(), id.0, rec.name.clone());
            self.feed.out.push((at, event));
        }
    }

    /// Observes every pod for which `pick` holds, at once.
    pub(crate) fn watch_pods(
        &mut self,
        at: Timestamp,
        pick: impl Fn(&crate::state::PodRec) -> bool,
    ) {
        if !self.feed.on {
            return;
        }
        for (id, pod) in self.pods.iter() {
            if pick(pod) {
                self.feed.watch.push(Reverse((at, *id)));
            }
        }
    }

    /// Records that pod `id` of `workload` is gone.
    pub(crate) fn pod_gone(&mut self, at: Timestamp, id: PodId, workload: WorkloadId) {
        if !self.feed.on {
            return;
        }
        self.feed.forget(id);
        let Some(tenant) = self.workloads.get(&workload).map(|w| w.tenant.clone()) else {
            return;
        };
        self.feed.out.push((
            at,
            FeedEvent::PodRemoved {
                tenant,
                workload: workload.0,
                pod: id.0,
            },
        ));
    }
}

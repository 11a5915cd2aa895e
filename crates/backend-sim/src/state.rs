//! The simulator's state and its indexes. Records are kept compact: a pod's name, IP and
//! container runtime ids are derived from ids when read, and identical pod templates are
//! stored once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use podgate_core::model::{
    Eip, Node, PodId, PodTemplate, PoolPolicy, Resources, Tenant, TenantKey, TenantKind, Timestamp,
    WorkloadId, WorkloadKind,
};
use podgate_core::secret::TokenHash;

/// Ids in ascending order: O(1) access by position, so an offset page costs O(page).
/// New ids are always the largest, so inserting is a push.
#[derive(Debug, Default, Clone)]
pub(crate) struct IdList(Vec<u64>);

impl IdList {
    pub(crate) fn insert(&mut self, id: u64) {
        match self.0.last() {
            Some(&last) if last >= id => {
                if let Err(at) = self.0.binary_search(&id) {
                    self.0.insert(at, id);
                }
            }
            _ => self.0.push(id),
        }
    }

    pub(crate) fn remove(&mut self, id: u64) {
        if let Ok(at) = self.0.binary_search(&id) {
            self.0.remove(at);
        }
    }

    pub(crate) fn as_slice(&self) -> &[u64] {
        &self.0
    }
}

/// One node and what is placed on it.
#[derive(Debug)]
pub(crate) struct NodeState {
    pub(crate) node: Node,
    pub(crate) used: Resources,
    pub(crate) pods: u32,
    /// Host port → how many pods bind it here.
    pub(crate) host_ports: HashMap<u16, u32>,
}

/// Why a pod exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodOrigin {
    /// Made when the workload was created.
    Create,
    /// A replacement or addition asked for: new spec, scale, redeploy or restart.
    Rollout,
    /// A replacement after a failure (node lost) or by a pool keeping its size.
    Recovery,
}

/// The last change a caller made to a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Created,
    Updated,
}

/// A stored workload.
#[derive(Debug)]
pub(crate) struct WorkloadRec {
    pub(crate) tenant: TenantKey,
    pub(crate) name: Box<str>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) template: Arc<PodTemplate>,
    /// Kubernetes' pod-template-hash of `template`, kept with it.
    pub(crate) template_hash: u64,
    pub(crate) kind: WorkloadKind,
    pub(crate) replicas: u32,
    pub(crate) pool: Option<PoolPolicy>,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    pub(crate) last_change: (Change, Timestamp),
    pub(crate) eip: Option<Box<str>>,
    /// Member pods, oldest first.
    pub(crate) pods: Vec<PodId>,
    /// Pods claimed out of a `reuse: false` pool: no longer members, alive until
    /// released.
    pub(crate) claimed_out: Vec<PodId>,
    /// A pod of this workload ran before the current ones.
    pub(crate) ran_before: bool,
    /// Set once deletion began: the workload goes when this time passes.
    pub(crate) deleting_until: Option<Timestamp>,
}

impl WorkloadRec {
    /// The index and spec of the container named `name`, or `NotFound`.
    pub(crate) fn container(
        &self,
        name: &str,
    ) -> podgate_core::Result<(usize, &podgate_core::model::ContainerSpec)> {
        self.template
            .containers
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == name)
            .ok_or_else(|| podgate_core::Error::not_found("container", name))
    }

    /// Whether deletion has completed by `now` (it is then invisible).
    pub(crate) fn gone(&self, now: Timestamp) -> bool {
        self.deleting_until.is_some_and(|t| t <= now)
    }
}

/// A container's runtime history.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ContainerRec {
    pub(crate) restarts: u32,
    /// When it last went down, and whether by crash (else by a restart request).
    pub(crate) last_down: Option<(Timestamp, bool)>,
}

/// A stored pod. Its containers' ids are `first_container ..` in template order.
#[derive(Debug)]
pub(crate) struct PodRec {
    pub(crate) workload: WorkloadId,
    pub(crate) origin: PodOrigin,
    /// Stable ordinal (stateful pods are named by it).
    pub(crate) ordinal: u32,
    /// Index into `State::nodes`; `None` while unschedulable.
    pub(crate) node: Option<u32>,
    pub(crate) created_at: Timestamp,
    /// When it is bound (after the schedule delay); set when placed.
    pub(crate) bound_at: Timestamp,
    pub(crate) first_container: u64,
    pub(crate) containers: Box<[ContainerRec]>,
    /// The instance that claimed it (pools).
    pub(crate) claimed: Option<Box<str>>,
}

/// Next ids, one counter per kind; never decremented.
#[derive(Debug)]
pub(crate) struct Counters {
    pub(crate) namespace: u64,
    pub(crate) workload: u64,
    pub(crate) pod: u64,
    pub(crate) container: u64,
    pub(crate) event: u64,
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            namespace: 1,
            workload: 1,
            pod: 1,
            container: 1,
            event: 1,
        }
    }
}

/// Something the simulator must do at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Event {
    /// A deleted workload's grace period is over.
    Purge(WorkloadId),
    /// A pool pod's idle time may be up.
    IdleCheck(PodId),
}

/// Everything the simulator knows.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) next: Counters,
    pub(crate) tenants: BTreeMap<TenantKey, Tenant>,
    pub(crate) tokens: HashMap<(TenantKind, TokenHash), TenantKey>,
    pub(crate) workloads: BTreeMap<WorkloadId, WorkloadRec>,
    pub(crate) names: HashMap<(TenantKey, Box<str>), WorkloadId>,
    pub(crate) all_workloads: IdList,
    pub(crate) kind_workloads: HashMap<TenantKind, IdList>,
    pub(crate) tenant_workloads: HashMap<TenantKey, IdList>,
    pub(crate) pods: BTreeMap<PodId, PodRec>,
    /// A tenant's placed pods per node index.
    pub(crate) node_pods: HashMap<(TenantKey, u32), IdList>,
    /// A tenant's placed pods per node group.
    pub(crate) group_pods: HashMap<(TenantKey, Box<str>), IdList>,
    /// Pods waiting for room on some node, by id.
    pub(crate) unschedulable: BTreeSet<PodId>,
    pub(crate) nodes: Vec<NodeState>,
    pub(crate) templates: HashSet<Arc<PodTemplate>>,
    pub(crate) eips: BTreeMap<String, Eip>,
    /// Timed work, earliest first.
    pub(crate) events: BTreeSet<(Timestamp, u64, Event)>,
}

impl State {
    /// The stored copy of an equal template, or this one, stored.
    pub(crate) fn intern(&mut self, template: Arc<PodTemplate>) -> Arc<PodTemplate> {
        if let Some(existing) = self.templates.get(&template) {
            return existing.clone();
        }
        self.templates.insert(template.clone());
        template
    }

    /// Forgets a template no workload uses any more.
    pub(crate) fn release(&mut self, template: &Arc<PodTemplate>) {
        // One reference in the set, one held by the caller.
        if Arc::strong_count(template) <= 2 {
            self.templates.remove(template);
        }
    }

    /// Schedules `event` at `at`.
    pub(crate) fn schedule(&mut self, at: Timestamp, event: Event) {
        let seq = self.next.event;
        self.next.event = self.next.event.saturating_add(1);
        self.events.insert((at, seq, event));
    }

    /// Whether timed work is due at `now`.
    pub(crate) fn due(&self, now: Timestamp) -> bool {
        self.events.first().is_some_and(|(at, _, _)| *at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_list_stays_sorted() {
        let mut list = IdList::default();
        for id in [1, 2, 5, 9] {
            list.insert(id);
        }
        list.insert(4);
        list.insert(5);
        assert_eq!(list.as_slice(), &[1, 2, 4, 5, 9]);
        list.remove(2);
        list.remove(7);
        assert_eq!(list.as_slice(), &[1, 4, 5, 9]);
    }
}

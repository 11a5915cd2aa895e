//! The simulator's state and its indexes. Records are kept compact: a pod's name, IP and
//! container runtime ids are derived from ids when read, and identical pod templates are
//! stored once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use podgate_core::model::{
    Autoscaler, ConfigKind, ConfigObject, Eip, Node, PodId, PodTemplate, PoolPolicy, Resources,
    Tenant, TenantKey, TenantKind, Timestamp, WorkloadId, WorkloadKind,
};
use podgate_core::secret::TokenHash;

use crate::feed::FeedState;

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

/// A map that can remember which keys were changed since it was last asked, so a store
/// writes exactly those. Reads go through `Deref`; every change goes through a method
/// here, so none can be missed.
#[derive(Debug)]
pub(crate) struct Tracked<K, V> {
    map: BTreeMap<K, V>,
    /// Changed keys, when tracking is on.
    changed: Option<BTreeSet<K>>,
}

impl<K, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Self {
            map: BTreeMap::new(),
            changed: None,
        }
    }
}

impl<K: Ord + Clone, V> Tracked<K, V> {
    /// Starts remembering changed keys.
    #[cfg(feature = "sqlite")]
    pub(crate) fn track(&mut self) {
        self.changed.get_or_insert_with(BTreeSet::new);
    }

    fn touch(&mut self, key: &K) {
        if let Some(changed) = &mut self.changed {
            changed.insert(key.clone());
        }
    }

    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.touch(&key);
        self.map.insert(key, value)
    }

    pub(crate) fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        let (key, old) = self.map.remove_entry(key)?;
        self.touch(&key);
        Some(old)
    }

    pub(crate) fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
    {
        if let Some(changed) = &mut self.changed
            && let Some((key, _)) = self.map.get_key_value(key)
        {
            changed.insert(key.clone());
        }
        self.map.get_mut(key)
    }

    /// Whether changes go unrecorded (an in-memory simulator).
    #[cfg(all(test, feature = "sqlite"))]
    pub(crate) fn changed_is_off(&self) -> bool {
        self.changed.is_none()
    }

    /// The keys changed since the last call (none when not tracking).
    #[cfg(feature = "sqlite")]
    pub(crate) fn take_changed(&mut self) -> BTreeSet<K> {
        self.changed
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

impl<K, V> Deref for Tracked<K, V> {
    type Target = BTreeMap<K, V>;

    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

/// One node and what is placed on it.
#[derive(Debug)]
pub(crate) struct NodeState {
    pub(crate) node: Node,
    /// Its name, shared with the event feed's entries.
    pub(crate) name: Arc<str>,
    pub(crate) used: Resources,
    pub(crate) pods: u32,
    /// Host port → how many pods bind it here.
    pub(crate) host_ports: HashMap<u16, u32>,
    /// Extended resources held by the pods placed here.
    pub(crate) extended_used: BTreeMap<String, u64>,
}

impl NodeState {
    /// A node with nothing placed on it.
    pub(crate) fn empty(node: Node) -> Self {
        Self {
            name: Arc::from(node.name.as_str()),
            node,
            used: Resources::default(),
            pods: 0,
            host_ports: HashMap::new(),
            extended_used: BTreeMap::new(),
        }
    }
}

/// Why a pod exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PodOrigin {
    /// Made when the workload was created.
    Create,
    /// A replacement or addition asked for: new spec, scale, redeploy or restart.
    Rollout,
    /// A replacement after a failure (node lost) or by a pool keeping its size.
    Recovery,
}

/// The last change a caller made to a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Change {
    Created,
    Updated,
}

/// A stored workload. Its template is stored beside it (shared templates are stored
/// once in memory), its hash is derived from it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WorkloadRec {
    pub(crate) tenant: TenantKey,
    /// Shared with the name index and the event feed's entries.
    pub(crate) name: Arc<str>,
    pub(crate) labels: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) annotations: BTreeMap<String, String>,
    #[serde(skip)]
    pub(crate) template: Arc<PodTemplate>,
    /// Kubernetes' pod-template-hash of `template`, kept with it.
    #[serde(skip)]
    pub(crate) template_hash: u64,
    pub(crate) kind: WorkloadKind,
    pub(crate) replicas: u32,
    pub(crate) pool: Option<PoolPolicy>,
    /// Kept, not acted on: the simulator has no autoscaler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) autoscaler: Option<Box<Autoscaler>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) object_name: Option<Box<str>>,
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
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(crate) struct ContainerRec {
    pub(crate) restarts: u32,
    /// When it last went down, and whether by crash (else by a restart request).
    pub(crate) last_down: Option<(Timestamp, bool)>,
}

/// A stored pod. Its containers' ids are `first_container ..` in template order.
#[derive(Debug, Serialize, Deserialize)]
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
    /// Its node is lost and it stays bound to it (its workload tolerates the loss).
    #[serde(default)]
    pub(crate) lost: bool,
}

/// Next ids, one counter per kind; never decremented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Counters {
    pub(crate) namespace: u64,
    pub(crate) workload: u64,
    pub(crate) pod: u64,
    pub(crate) container: u64,
    pub(crate) event: u64,
    /// Files written before config objects existed have no counter: start at 1.
    #[serde(default = "first")]
    pub(crate) config: u64,
}

fn first() -> u64 {
    1
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            namespace: 1,
            workload: 1,
            pod: 1,
            container: 1,
            event: 1,
            config: 1,
        }
    }
}

/// Something the simulator must do at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum Event {
    /// A deleted workload's grace period is over.
    Purge(WorkloadId),
    /// A pool pod's idle time may be up.
    IdleCheck(PodId),
    /// A pod's node has been lost for as long as the pod tolerates.
    Evict(PodId),
}

/// A stored config map or secret, with its place in creation order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ConfigRec {
    pub(crate) seq: u64,
    pub(crate) object: ConfigObject,
}

/// Everything the simulator knows.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) next: Counters,
    pub(crate) tenants: Tracked<TenantKey, Tenant>,
    /// Looked up on every authenticated request; the keys are SHA-256 digests, so a
    /// fast hasher is as safe here as SipHash.
    pub(crate) tokens: foldhash::HashMap<(TenantKind, TokenHash), TenantKey>,
    pub(crate) workloads: Tracked<WorkloadId, WorkloadRec>,
    pub(crate) names: HashMap<(TenantKey, Arc<str>), WorkloadId>,
    pub(crate) all_workloads: IdList,
    pub(crate) kind_workloads: HashMap<TenantKind, IdList>,
    pub(crate) tenant_workloads: HashMap<TenantKey, IdList>,
    pub(crate) pods: Tracked<PodId, PodRec>,
    /// A tenant's placed pods per node index.
    pub(crate) node_pods: HashMap<(TenantKey, u32), IdList>,
    /// A tenant's placed pods per node group.
    pub(crate) group_pods: HashMap<(TenantKey, Box<str>), IdList>,
    /// Pods waiting for room on some node, by id.
    pub(crate) unschedulable: BTreeSet<PodId>,
    pub(crate) nodes: Vec<NodeState>,
    /// A node's readiness changed since the store last wrote the nodes.
    pub(crate) nodes_changed: bool,
    /// Images added since the store last wrote them.
    pub(crate) images_added: Vec<String>,
    /// Images removed since the store last wrote them.
    pub(crate) images_removed: Vec<String>,
    pub(crate) templates: HashSet<Arc<PodTemplate>>,
    pub(crate) eips: Tracked<String, Eip>,
    /// Config maps and secrets by id.
    pub(crate) configs: Tracked<String, ConfigRec>,
    /// A tenant's config objects of one kind: creation sequence → id, and name → id.
    pub(crate) tenant_configs: HashMap<(TenantKey, ConfigKind), BTreeMap<u64, String>>,
    pub(crate) config_names: HashMap<(TenantKey, ConfigKind, Box<str>), String>,
    /// Timed work, earliest first.
    pub(crate) events: Tracked<(Timestamp, u64, Event), ()>,
    /// How many times a node was looked for for a pod, since the simulator started
    /// (not stored).
    pub(crate) placements_tried: u64,
    /// What the event feed gathers while the state is written (not stored).
    pub(crate) feed: FeedState,
}

impl State {
    /// A node with room for a pod of `template`, taken for it, if there is one: the
    /// scheduler's answer, counted.
    pub(crate) fn place(&mut self, template: &PodTemplate) -> Option<u32> {
        self.placements_tried = self.placements_tried.saturating_add(1);
        crate::scheduler::place(&mut self.nodes, template)
    }

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

    /// Starts remembering which records change, for a store to write.
    #[cfg(feature = "sqlite")]
    pub(crate) fn track(&mut self) {
        self.tenants.track();
        self.workloads.track();
        self.pods.track();
        self.eips.track();
        self.configs.track();
        self.events.track();
    }

    /// Marks the node `name` ready or lost, noting the change for the store; its index,
    /// or `None` for an unknown node.
    pub(crate) fn set_node_ready(&mut self, name: &str, ready: bool) -> Option<u32> {
        let index = self.nodes.iter().position(|n| n.node.name == name)?;
        if let Some(node) = self.nodes.get_mut(index) {
            node.node.ready = ready;
            self.nodes_changed = true;
        }
        u32::try_from(index).ok()
    }

    /// Adds a stored workload to the name, kind and tenant indexes.
    pub(crate) fn index_workload(&mut self, id: WorkloadId) {
        let Some(rec) = self.workloads.get(&id) else {
            return;
        };
        let (tenant, name) = (rec.tenant.clone(), rec.name.clone());
        self.all_workloads.insert(id.0);
        self.kind_workloads
            .entry(tenant.kind())
            .or_default()
            .insert(id.0);
        self.tenant_workloads
            .entry(tenant.clone())
            .or_default()
            .insert(id.0);
        self.names.insert((tenant, name), id);
    }

    /// Adds a stored config object to the tenant and name indexes.
    pub(crate) fn index_config(&mut self, id: &str) {
        let Some(rec) = self.configs.get(id) else {
            return;
        };
        let o = &rec.object;
        let (tenant, kind) = (o.tenant.clone(), o.config.kind);
        let name: Box<str> = o.config.name.as_str().into();
        let seq = rec.seq;
        self.tenant_configs
            .entry((tenant.clone(), kind))
            .or_default()
            .insert(seq, id.to_owned());
        self.config_names
            .insert((tenant, kind, name), id.to_owned());
    }

    /// Schedules `event` at `at`.
    pub(crate) fn schedule(&mut self, at: Timestamp, event: Event) {
        let seq = self.next.event;
        self.next.event = self.next.event.saturating_add(1);
        self.events.insert((at, seq, event), ());
    }

    /// Whether timed work, or a pod the feed watches, is due at `now`.
    pub(crate) fn due(&self, now: Timestamp) -> bool {
        self.events
            .first_key_value()
            .is_some_and(|((at, _, _), ())| *at <= now)
            || self.feed.due(now)
    }
}

#[cfg(all(test, feature = "sqlite"))]
impl State {
    /// Every record and index in a fixed order, for comparing two states.
    pub(crate) fn digest(&self) -> String {
        fn sorted<T: std::fmt::Debug + Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
            let mut items: Vec<T> = items.collect();
            items.sort();
            items
        }
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .map(|n| {
                format!(
                    "{:?} used={:?} {:?} pods={} ports={:?}",
                    n.node,
                    n.used,
                    n.extended_used,
                    n.pods,
                    sorted(n.host_ports.iter())
                )
            })
            .collect();
        let lists = |l: &IdList| l.as_slice().to_vec();
        format!(
            "next={:?}\ntenants={:?}\ntokens={:?}\nhashes={:?}\nworkloads={:?}\nnames={:?}\nall={:?}\n\
             kinds={:?}\nby_tenant={:?}\npods={:?}\nnode_pods={:?}\ngroup_pods={:?}\n\
             unschedulable={:?}\nnodes={nodes:?}\ntemplates={}\neips={:?}\nevents={:?}\n\
             configs={:?}\nconfig_index={:?}",
            self.next,
            *self.tenants,
            sorted(self.tokens.iter()),
            sorted(
                self.tokens
                    .keys()
                    .map(|(kind, hash)| (*kind, hash.as_bytes()))
                    .chain(
                        self.tenants
                            .values()
                            .map(|t| (t.key.kind(), t.token_hash.as_bytes()))
                    )
            ),
            *self.workloads,
            sorted(self.names.iter()),
            lists(&self.all_workloads),
            sorted(self.kind_workloads.iter().map(|(k, l)| (k, lists(l)))),
            sorted(self.tenant_workloads.iter().map(|(k, l)| (k, lists(l)))),
            *self.pods,
            sorted(self.node_pods.iter().map(|(k, l)| (k, lists(l)))),
            sorted(self.group_pods.iter().map(|(k, l)| (k, lists(l)))),
            self.unschedulable,
            self.templates.len(),
            *self.eips,
            self.events.keys().collect::<Vec<_>>(),
            *self.configs,
            (
                sorted(self.tenant_configs.iter()),
                sorted(self.config_names.iter())
            ),
        )
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

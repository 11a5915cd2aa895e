//! The workload controller: making, placing, replacing and removing pods, and keeping
//! the per-node and per-group indexes in step.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use podgate_core::model::{PodId, PodTemplate, TenantKey, Timestamp, WorkloadId};

use crate::lifecycle::{Observer, ms};
use crate::scheduler;
use crate::state::{ContainerRec, Event, PodOrigin, PodRec, State};

/// A stable hash of a template (Kubernetes' pod-template-hash).
pub(crate) fn template_hash(template: &PodTemplate) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    template.hash(&mut hasher);
    hasher.finish()
}

/// The tenant of `workload` and the group of `node`: the keys of a placed pod in the
/// per-node and per-group indexes.
fn index_keys(
    state: &State,
    node: u32,
    workload: WorkloadId,
) -> Option<(TenantKey, Option<Box<str>>)> {
    let tenant = state.workloads.get(&workload)?.tenant.clone();
    let group = state
        .nodes
        .get(node as usize)
        .and_then(|n| n.node.group.as_deref())
        .map(Box::<str>::from);
    Some((tenant, group))
}

fn index_placed(state: &mut State, id: PodId, node: u32, workload: WorkloadId) {
    let Some((tenant, group)) = index_keys(state, node, workload) else {
        return;
    };
    if let Some(group) = group {
        state
            .group_pods
            .entry((tenant.clone(), group))
            .or_default()
            .insert(id.0);
    }
    state
        .node_pods
        .entry((tenant, node))
        .or_default()
        .insert(id.0);
}

/// Takes `id` out of the list at `key`, dropping the list once empty.
fn unindex<K: std::hash::Hash + Eq>(
    lists: &mut std::collections::HashMap<K, crate::state::IdList>,
    key: &K,
    id: PodId,
) {
    if let Some(list) = lists.get_mut(key) {
        list.remove(id.0);
        if list.as_slice().is_empty() {
            lists.remove(key);
        }
    }
}

fn unindex_placed(state: &mut State, id: PodId, node: u32, workload: WorkloadId) {
    let Some((tenant, group)) = index_keys(state, node, workload) else {
        return;
    };
    if let Some(group) = group {
        unindex(&mut state.group_pods, &(tenant.clone(), group), id);
    }
    unindex(&mut state.node_pods, &(tenant, node), id);
}

/// Accounts for a stored pod as it is: its node's usage and the per-node and per-group
/// indexes when placed, the waiting list when not. Used when state is loaded.
#[cfg(feature = "sqlite")]
pub(crate) fn index_pod(state: &mut State, id: PodId) {
    let Some(pod) = state.pods.get(&id) else {
        return;
    };
    let (node, workload) = (pod.node, pod.workload);
    let Some(node) = node else {
        state.unschedulable.insert(id);
        return;
    };
    let template = state.workloads.get(&workload).map(|w| w.template.clone());
    if let (Some(template), Some(n)) = (template, state.nodes.get_mut(node as usize)) {
        scheduler::occupy(n, &template);
    }
    index_placed(state, id, node, workload);
}

/// Makes a member pod for `workload` and places it if it can.
pub(crate) fn start_pod(
    state: &mut State,
    obs: &Observer<'_>,
    workload: WorkloadId,
    origin: PodOrigin,
    ordinal: u32,
) -> Option<PodId> {
    let rec = state.workloads.get(&workload)?;
    let template = rec.template.clone();
    let pool = rec.pool;
    let id = PodId(state.next.pod);
    state.next.pod = state.next.pod.saturating_add(1);
    let count = template.containers.len();
    // Main containers take the first ids, init containers the ones after them.
    let first_container = state.next.container;
    state.next.container = state
        .next
        .container
        .saturating_add((count + template.init_containers.len()) as u64);
    let node = state.place(&template);
    let bound_at = obs.now.plus_millis(ms(obs.delays.schedule));
    state.pods.insert(
        id,
        PodRec {
            workload,
            origin,
            ordinal,
            node,
            created_at: obs.now,
            bound_at,
            first_container,
            containers: vec![ContainerRec::default(); count].into_boxed_slice(),
            claimed: None,
            lost: false,
        },
    );
    match node {
        Some(n) => index_placed(state, id, n, workload),
        None => {
            state.unschedulable.insert(id);
        }
    }
    state.feed.watch(obs.now, id);
    if let Some(rec) = state.workloads.get_mut(&workload) {
        rec.pods.push(id);
    }
    if let Some(policy) = pool {
        let wait = [policy.idle_reserved_seconds, policy.idle_scaled_seconds]
            .into_iter()
            .filter(|s| *s > 0)
            .min();
        if let Some(seconds) = wait {
            let ready_at = bound_at.plus_millis(ms(obs.delays.start));
            state.schedule(
                ready_at.plus_millis(seconds.saturating_mul(1000)),
                Event::IdleCheck(id),
            );
        }
    }
    Some(id)
}

/// Removes a pod (member or claimed out), gives back what it held, and places waiting
/// pods.
pub(crate) fn remove_pod(state: &mut State, obs: &Observer<'_>, id: PodId) {
    remove_pods(state, obs, [id]);
}

/// Removes the pods `ids`, then places pods that were waiting for the room they
/// freed: once for all of them (a scale-down of many pods would otherwise go over
/// every waiting pod once per pod removed).
pub(crate) fn remove_pods(
    state: &mut State,
    obs: &Observer<'_>,
    ids: impl IntoIterator<Item = PodId>,
) {
    let mut gone: BTreeMap<WorkloadId, BTreeSet<PodId>> = BTreeMap::new();
    for id in ids {
        if let Some(workload) = unplace(state, id) {
            state.pod_gone(obs.now, id, workload);
            gone.entry(workload).or_default().insert(id);
        }
    }
    for (workload, ids) in gone {
        if let Some(rec) = state.workloads.get_mut(&workload) {
            rec.pods.retain(|p| !ids.contains(p));
            rec.claimed_out.retain(|p| !ids.contains(p));
        }
    }
    retry_unschedulable(state, obs.now, obs);
}

/// Takes pod `id` off its node and out of the pods; answers its workload (whose
/// lists the caller updates).
fn unplace(state: &mut State, id: PodId) -> Option<WorkloadId> {
    let pod = state.pods.remove(&id)?;
    state.unschedulable.remove(&id);
    let template = state
        .workloads
        .get(&pod.workload)
        .map(|w| w.template.clone());
    if let Some(node) = pod.node {
        unindex_placed(state, id, node, pod.workload);
        if let (Some(template), Some(n)) = (template, state.nodes.get_mut(node as usize)) {
            scheduler::release(n, &template);
        }
    }
    Some(pod.workload)
}

/// Places pods that were waiting for room, oldest first.
pub(crate) fn retry_unschedulable(state: &mut State, now: Timestamp, obs: &Observer<'_>) {
    let waiting: Vec<PodId> = state.unschedulable.iter().copied().collect();
    for id in waiting {
        let Some(workload) = state.pods.get(&id).map(|p| p.workload) else {
            state.unschedulable.remove(&id);
            continue;
        };
        let Some(template) = state.workloads.get(&workload).map(|w| w.template.clone()) else {
            continue;
        };
        if let Some(node) = state.place(&template) {
            state.unschedulable.remove(&id);
            if let Some(pod) = state.pods.get_mut(&id) {
                pod.node = Some(node);
                pod.bound_at = now.plus_millis(ms(obs.delays.schedule));
            }
            index_placed(state, id, node, workload);
            state.feed.watch(now, id);
        }
    }
}

/// Ordinals for `count` new members of `workload`: the smallest not in use for
/// stateful workloads (their pods are named by it); for others, where it names
/// nothing, the next positions.
fn free_ordinals(state: &State, workload: WorkloadId, count: usize) -> Vec<u32> {
    let Some(rec) = state.workloads.get(&workload) else {
        return Vec::new();
    };
    let start = u32::try_from(rec.pods.len()).unwrap_or(u32::MAX);
    if rec.kind != podgate_core::model::WorkloadKind::Stateful {
        return (0..count)
            .map(|i| start.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
    }
    let used: std::collections::BTreeSet<u32> = rec
        .pods
        .iter()
        .filter_map(|p| state.pods.get(p))
        .map(|p| p.ordinal)
        .collect();
    (0..).filter(|o| !used.contains(o)).take(count).collect()
}

/// Replaces one member pod by a new one with the same ordinal, remembering whether the
/// old one ran.
pub(crate) fn replace_pod(
    state: &mut State,
    obs: &Observer<'_>,
    workload: WorkloadId,
    old: PodId,
    origin: PodOrigin,
) {
    replace_pods(state, obs, workload, vec![old], origin);
}

/// Replaces every member pod.
pub(crate) fn replace_all(
    state: &mut State,
    obs: &Observer<'_>,
    workload: WorkloadId,
    origin: PodOrigin,
) {
    let members = state
        .workloads
        .get(&workload)
        .map(|w| w.pods.clone())
        .unwrap_or_default();
    replace_pods(state, obs, workload, members, origin);
}

/// Replaces the member pods `olds` by new ones with the same ordinals, remembering
/// whether any old one ran. Every old pod goes first, then every replacement starts:
/// the waiting pods are gone over once for all of them. Once per pod went over them
/// once per member: 16 s to change the template of a pool of 5 000 pods that mostly
/// wait (found by the `yuanrong_pools` fuzz target).
fn replace_pods(
    state: &mut State,
    obs: &Observer<'_>,
    workload: WorkloadId,
    olds: Vec<PodId>,
    origin: PodOrigin,
) {
    let mut ordinals = Vec::with_capacity(olds.len());
    for old in &olds {
        let (Some(rec), Some(pod)) = (state.workloads.get(&workload), state.pods.get(old)) else {
            continue;
        };
        let ran = obs.pod_running(pod, rec);
        ordinals.push(pod.ordinal);
        if let Some(rec) = state.workloads.get_mut(&workload) {
            rec.ran_before |= ran;
        }
    }
    if ordinals.is_empty() {
        return;
    }
    remove_pods(state, obs, olds);
    for ordinal in ordinals {
        start_pod(state, obs, workload, origin, ordinal);
    }
}

/// Adds member pods until the workload has `replicas`; with `shrink`, also removes idle
/// ones (newest first) above it.
pub(crate) fn scale(
    state: &mut State,
    obs: &Observer<'_>,
    workload: WorkloadId,
    origin: PodOrigin,
    shrink: bool,
) {
    let Some(rec) = state.workloads.get(&workload) else {
        return;
    };
    let want = rec.replicas as usize;
    let have = rec.pods.len();
    if have < want {
        for ordinal in free_ordinals(state, workload, want - have) {
            start_pod(state, obs, workload, origin, ordinal);
        }
    } else if shrink && have > want {
        // Pool pods above the size are removed by idle recycling when it is set
        // (`scaled` > 0) and kept when it says never (-1).
        if let Some(policy) = rec.pool
            && policy.idle_scaled_seconds != 0
        {
            return;
        }
        let removable: Vec<PodId> = rec
            .pods
            .iter()
            .rev()
            .filter(|p| state.pods.get(p).is_some_and(|p| p.claimed.is_none()))
            .take(have - want)
            .copied()
            .collect();
        remove_pods(state, obs, removable);
    }
}

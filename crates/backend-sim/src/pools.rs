//! The pool controller: claims, releases, idle recycling, and timed work (graceful
//! deletion, idle checks).

use podgate_core::feed::FeedEvent;
use podgate_core::model::{PodId, WorkloadId};
use podgate_core::{Error, Result};

use crate::lifecycle::Observer;
use crate::pods;
use crate::state::{Event, PodOrigin, State};

/// Binds a pod of `pool` to `instance`; see `ClusterBackend::claim_pool_pod`.
pub(crate) fn claim(
    state: &mut State,
    obs: &Observer<'_>,
    pool: WorkloadId,
    instance: &str,
) -> Result<PodId> {
    let rec = state
        .workloads
        .get(&pool)
        .ok_or_else(|| Error::not_found("workload", pool))?;
    let policy = rec
        .pool
        .ok_or_else(|| Error::IncorrectState(format!("workload {pool} is not a pool")))?;
    if rec.deleting_until.is_some() {
        return Err(Error::IncorrectState(format!(
            "pool {} is being deleted",
            rec.name
        )));
    }
    let idle: Vec<PodId> = rec
        .pods
        .iter()
        .copied()
        .filter(|p| state.pods.get(p).is_some_and(|p| p.claimed.is_none()))
        .collect();
    let running = idle.iter().copied().find(|p| {
        state
            .pods
            .get(p)
            .is_some_and(|pod| obs.pod_running(pod, rec))
    });
    let members = rec.pods.len();
    let chosen = match running.or_else(|| idle.first().copied()) {
        Some(pod) => pod,
        None if members < policy.max_size as usize => {
            let ordinal = u32::try_from(members).unwrap_or(u32::MAX);
            pods::start_pod(state, obs, pool, PodOrigin::Rollout, ordinal)
                .ok_or_else(|| Error::not_found("workload", pool))?
        }
        None => {
            return Err(Error::IncorrectState(format!(
                "pool has no idle pod and is at its max_size {}",
                policy.max_size
            )));
        }
    };
    if let Some(pod) = state.pods.get_mut(&chosen) {
        pod.claimed = Some(instance.into());
    }
    state.feed.emit(obs.now, || FeedEvent::PoolClaimed {
        pool: pool.0,
        pod: chosen.0,
        instance: instance.to_owned(),
    });
    if !policy.reuse {
        // The pod leaves the pool, which replaces it at once.
        if let Some(rec) = state.workloads.get_mut(&pool) {
            rec.pods.retain(|p| *p != chosen);
            rec.claimed_out.push(chosen);
        }
        pods::scale(state, obs, pool, PodOrigin::Recovery, false);
    }
    Ok(chosen)
}

/// Destroys a claimed pod of `pool`; see `ClusterBackend::release_pool_pod`.
pub(crate) fn release(
    state: &mut State,
    obs: &Observer<'_>,
    pool: WorkloadId,
    pod: PodId,
) -> Result<()> {
    let rec = state
        .workloads
        .get(&pool)
        .ok_or_else(|| Error::not_found("workload", pool))?;
    let belongs = rec.pods.contains(&pod) || rec.claimed_out.contains(&pod);
    let claimed = state.pods.get(&pod).is_some_and(|p| p.claimed.is_some());
    if !belongs || !claimed {
        return Err(Error::not_found("pod", pod));
    }
    state.feed.emit(obs.now, || FeedEvent::PoolReleased {
        pool: pool.0,
        pod: pod.0,
    });
    pods::remove_pod(state, obs, pod);
    if state
        .workloads
        .get(&pool)
        .is_some_and(|w| w.deleting_until.is_none())
    {
        pods::scale(state, obs, pool, PodOrigin::Recovery, false);
    }
    Ok(())
}

/// Removes a workload for good: its pods, indexes, name and EIP.
pub(crate) fn purge(state: &mut State, obs: &Observer<'_>, id: WorkloadId) {
    let Some(rec) = state.workloads.get(&id) else {
        return;
    };
    let all: Vec<PodId> = rec
        .pods
        .iter()
        .chain(rec.claimed_out.iter())
        .copied()
        .collect();
    pods::remove_pods(state, obs, all);
    let Some(rec) = state.workloads.remove(&id) else {
        return;
    };
    state.names.remove(&(rec.tenant.clone(), rec.name.clone()));
    state.all_workloads.remove(id.0);
    if let Some(list) = state.kind_workloads.get_mut(&rec.tenant.kind()) {
        list.remove(id.0);
    }
    if let Some(list) = state.tenant_workloads.get_mut(&rec.tenant) {
        list.remove(id.0);
    }
    if let Some(eip) = rec.eip.as_deref()
        && let Some(eip) = state.eips.get_mut(eip)
    {
        eip.holder = None;
    }
    state.release(&rec.template);
}

/// Does every piece of timed work that is due.
pub(crate) fn reconcile(state: &mut State, obs: &Observer<'_>) {
    while let Some((&(at, seq, event), ())) = state.events.first_key_value() {
        if at > obs.now {
            break;
        }
        state.events.remove(&(at, seq, event));
        // Work happens at its due time, so what it starts has been running since then.
        let then = Observer {
            now: at,
            delays: obs.delays,
            images: obs.images,
        };
        match event {
            Event::Purge(id) => {
                if state
                    .workloads
                    .get(&id)
                    .is_some_and(|w| w.deleting_until.is_some_and(|t| t <= at))
                {
                    purge(state, &then, id);
                }
            }
            Event::IdleCheck(pod) => idle_check(state, &then, pod),
            Event::Evict(pod) => {
                if let Some(p) = state.pods.get(&pod)
                    && p.lost
                {
                    let workload = p.workload;
                    pods::replace_pod(state, &then, workload, pod, PodOrigin::Recovery);
                }
            }
        }
    }
}

/// Recycles an idle pool pod whose idle time is up: a pod above the pool's size is
/// removed, one within it replaced by a fresh pod.
fn idle_check(state: &mut State, obs: &Observer<'_>, pod_id: PodId) {
    let Some(pod) = state.pods.get(&pod_id) else {
        return;
    };
    if pod.claimed.is_some() {
        return;
    }
    let workload = pod.workload;
    let Some(rec) = state.workloads.get(&workload) else {
        return;
    };
    let (Some(policy), None) = (rec.pool, rec.deleting_until) else {
        return;
    };
    if !rec.pods.contains(&pod_id) {
        return;
    }
    let scaled = rec.pods.len() > policy.size as usize;
    let (seconds, other) = if scaled {
        (policy.idle_scaled_seconds, policy.idle_reserved_seconds)
    } else {
        (policy.idle_reserved_seconds, policy.idle_scaled_seconds)
    };
    if seconds <= 0 {
        // Nothing to do in this role; look again later in case the pod changes role
        // (the pool is resized).
        if other > 0 {
            state.schedule(
                obs.now.plus_millis(other.saturating_mul(1000)),
                Event::IdleCheck(pod_id),
            );
        }
        return;
    }
    let idle_since = obs.start_at(pod);
    let due = idle_since.plus_millis(seconds.saturating_mul(1000));
    if due > obs.now {
        state.schedule(due, Event::IdleCheck(pod_id));
        return;
    }
    if scaled {
        pods::remove_pod(state, obs, pod_id);
    } else {
        pods::replace_pod(state, obs, workload, pod_id, PodOrigin::Recovery);
    }
}

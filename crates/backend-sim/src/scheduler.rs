//! Placement: the node a pod runs on.

use podgate_core::model::{PodTemplate, Resources};

use crate::state::NodeState;

/// Whether `node` can take a pod of `template` now.
fn fits(node: &NodeState, template: &PodTemplate, requests: Resources) -> bool {
    let p = &template.placement;
    let label = |key: &str| node.node.label(key);
    node.node.ready
        && (p.zones.is_empty() || p.zones.contains(&node.node.zone))
        && p.region.as_ref().is_none_or(|r| *r == node.node.region)
        && p.group
            .as_ref()
            .is_none_or(|g| node.node.group.as_ref() == Some(g))
        && p.node.as_ref().is_none_or(|n| *n == node.node.name)
        && p.node_selector
            .iter()
            .all(|(k, v)| node.node.label(k) == Some(v.as_str()))
        && p.node_affinity
            .as_ref()
            .is_none_or(|a| a.required.is_empty() || a.required.iter().any(|t| t.matches(label)))
        && node.pods < node.node.max_pods
        && requests.plus(node.used).fits_in(node.node.capacity)
        && template.extended_requests().iter().all(|(name, amount)| {
            let used = node.extended_used.get(name).copied().unwrap_or(0);
            let offered = node.node.extended.get(name).copied().unwrap_or(0);
            used.saturating_add(*amount) <= offered
        })
        && template
            .host_ports()
            .all(|port| !node.host_ports.contains_key(&port))
}

/// The sum of the weights of the preferred node-affinity terms `node` matches.
fn preference(node: &NodeState, template: &PodTemplate) -> i64 {
    let label = |key: &str| node.node.label(key);
    template.placement.node_affinity.as_ref().map_or(0, |a| {
        a.preferred
            .iter()
            .filter(|w| w.term.matches(label))
            .map(|w| i64::from(w.weight))
            .sum()
    })
}

/// Picks the fitting node the pod prefers most (node-affinity weights), then the one
/// with the most free CPU (then memory), spreading pods; reserves the pod's requests
/// and host ports on it.
pub(crate) fn place(nodes: &mut [NodeState], template: &PodTemplate) -> Option<u32> {
    let requests = template.requests();
    let (index, node) = nodes
        .iter_mut()
        .enumerate()
        .filter(|(_, n)| fits(n, template, requests))
        .max_by_key(|(i, n)| {
            let free = n.node.capacity.minus(n.used);
            (
                preference(n, template),
                free.cpu_millis,
                free.memory_mib,
                std::cmp::Reverse(*i),
            )
        })?;
    occupy(node, template);
    u32::try_from(index).ok()
}

/// Reserves a pod of `template`'s requests and host ports on `node`.
pub(crate) fn occupy(node: &mut NodeState, template: &PodTemplate) {
    node.used = node.used.plus(template.requests());
    node.pods = node.pods.saturating_add(1);
    for port in template.host_ports() {
        *node.host_ports.entry(port).or_default() += 1;
    }
    for (name, amount) in template.extended_requests() {
        let slot = node.extended_used.entry(name).or_default();
        *slot = slot.saturating_add(amount);
    }
}

/// Gives back what a pod of `template` held on `node`.
pub(crate) fn release(node: &mut NodeState, template: &PodTemplate) {
    node.used = node.used.minus(template.requests());
    node.pods = node.pods.saturating_sub(1);
    for port in template.host_ports() {
        if let Some(count) = node.host_ports.get_mut(&port) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                node.host_ports.remove(&port);
            }
        }
    }
    for (name, amount) in template.extended_requests() {
        if let Some(used) = node.extended_used.get_mut(&name) {
            *used = used.saturating_sub(amount);
            if *used == 0 {
                node.extended_used.remove(&name);
            }
        }
    }
}

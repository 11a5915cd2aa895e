//! Placement: the node a pod runs on.

use podgate_core::model::{PodTemplate, Resources};

use crate::state::NodeState;

/// Whether `node` can take a pod of `template` now.
fn fits(node: &NodeState, template: &PodTemplate, requests: Resources) -> bool {
    let p = &template.placement;
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
        && node.pods < node.node.max_pods
        && requests.plus(node.used).fits_in(node.node.capacity)
        && template
            .host_ports()
            .all(|port| !node.host_ports.contains_key(&port))
}

/// Picks the fitting node with the most free CPU (then memory), spreading pods; reserves
/// the pod's requests and host ports on it.
pub(crate) fn place(nodes: &mut [NodeState], template: &PodTemplate) -> Option<u32> {
    let requests = template.requests();
    let (index, node) = nodes
        .iter_mut()
        .enumerate()
        .filter(|(_, n)| fits(n, template, requests))
        .max_by_key(|(i, n)| {
            let free = n.node.capacity.minus(n.used);
            (free.cpu_millis, free.memory_mib, std::cmp::Reverse(*i))
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
}

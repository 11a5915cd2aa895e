//! Placement: the node a pod runs on.

use podgate_core::model::{PodTemplate, Resources};

use crate::state::NodeState;

fn host_ports(template: &PodTemplate) -> impl Iterator<Item = u16> + '_ {
    template
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().filter_map(|p| p.host_port))
}

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
        && node.pods < node.node.max_pods
        && requests.fits_in(node.node.capacity.minus(node.used))
        && requests.plus(node.used).fits_in(node.node.capacity)
        && host_ports(template).all(|port| !node.host_ports.contains(&port))
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
    node.used = node.used.plus(requests);
    node.pods = node.pods.saturating_add(1);
    node.host_ports.extend(host_ports(template));
    u32::try_from(index).ok()
}

/// Gives back what a pod of `template` held on `node`.
pub(crate) fn release(node: &mut NodeState, template: &PodTemplate) {
    node.used = node.used.minus(template.requests());
    node.pods = node.pods.saturating_sub(1);
    for port in host_ports(template) {
        node.host_ports.remove(&port);
    }
}

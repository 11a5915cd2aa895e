//! The cluster's shape: nodes with their region, zone, group and capacity.

use serde::{Deserialize, Serialize};

use super::Resources;

/// One node of the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The node's name (IEF's `node_id`).
    pub name: String,
    /// The region it is in (V-Kube's region).
    pub region: String,
    /// The zone it is in (NCS's `ZoneId`).
    pub zone: String,
    /// The node group it belongs to (IEF's `group_id`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// What it can hold.
    pub capacity: Resources,
    /// The extended resources it offers (device plugins' resources, by their
    /// Kubernetes name); a pod asking for one it lacks cannot run here.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub extended: std::collections::BTreeMap<String, u64>,
    /// Most pods it can run.
    #[serde(default = "default_max_pods")]
    pub max_pods: u32,
    /// Further node labels.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Whether it is up: a lost node runs nothing.
    #[serde(default = "default_ready")]
    pub ready: bool,
}

fn default_max_pods() -> u32 {
    110
}

fn default_ready() -> bool {
    true
}

/// Every node of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Topology {
    /// The nodes, in a stable order.
    pub nodes: Vec<Node>,
}

impl Node {
    /// The node's value for a label key, counting its region, zone and group as the
    /// labels `region`, `zone`, `group`, `topology.kubernetes.io/region` and
    /// `topology.kubernetes.io/zone`.
    pub fn label(&self, key: &str) -> Option<&str> {
        match key {
            "region" | "topology.kubernetes.io/region" => Some(&self.region),
            "zone" | "topology.kubernetes.io/zone" => Some(&self.zone),
            "group" => self.group.as_deref(),
            other => self.labels.get(other).map(String::as_str),
        }
    }
}

impl Topology {
    /// The distinct regions, sorted.
    pub fn regions(&self) -> Vec<String> {
        let set: std::collections::BTreeSet<&str> =
            self.nodes.iter().map(|n| n.region.as_str()).collect();
        set.into_iter().map(str::to_owned).collect()
    }

    /// The distinct zones, sorted.
    pub fn zones(&self) -> Vec<String> {
        let set: std::collections::BTreeSet<&str> =
            self.nodes.iter().map(|n| n.zone.as_str()).collect();
        set.into_iter().map(str::to_owned).collect()
    }
}

//! Where podgate keeps its objects, how it reads the cluster's topology, and where it
//! looks images up.

use crate::registry::RegistryConfig;

/// The Kubernetes backend's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct K8sConfig {
    /// The namespace for what belongs to no tenant: id counters, EIPs, pools.
    pub system_namespace: String,
    /// The node label that names a node's region.
    pub region_label: String,
    /// The node label that names a node's zone.
    pub zone_label: String,
    /// The node label that names a node's group (IEF node groups).
    pub group_label: String,
    /// Where images are looked up (`None`: no lookups; `image_exists` is then
    /// `Unsupported`).
    pub registry: Option<RegistryConfig>,
}

impl Default for K8sConfig {
    /// `podgate-system`, the well-known topology labels with `podgate.io/node-group`
    /// for groups, and image lookups in Docker Hub's registry.
    fn default() -> Self {
        Self {
            system_namespace: "podgate-system".to_owned(),
            region_label: "topology.kubernetes.io/region".to_owned(),
            zone_label: "topology.kubernetes.io/zone".to_owned(),
            group_label: "podgate.io/node-group".to_owned(),
            registry: Some(RegistryConfig::default()),
        }
    }
}

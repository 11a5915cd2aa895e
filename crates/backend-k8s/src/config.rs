//! Where podgate keeps its objects, how it reads the cluster's topology, and where it
//! looks images up.

use std::collections::BTreeMap;

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
    /// The StorageClass of each disk class a template asks for (NCS's `DiskType`);
    /// a class not listed gets its name in kebab case (`CloudSsd` → `cloud-ssd`).
    pub storage_classes: BTreeMap<String, String>,
    /// The ClusterRole podgate binds to itself in each tenant namespace it makes (a
    /// RoleBinding named `podgate`), so that its own permissions can stay within its
    /// namespaces (`deploy/`); `None` when its permissions reach every namespace
    /// already (a kubeconfig with wider rights).
    pub tenant_role: Option<String>,
    /// How long a claim (a workload's name, a host port) may stand without its
    /// workload before it counts as left behind by a create or delete that was cut
    /// off, and a create or the sweep may remove it. Longer than any create takes;
    /// default [`crate::STALE_CLAIMS_AFTER`].
    pub stale_claims_after: std::time::Duration,
    /// How often [`ClusterBackend::reconcile`](podgate_core::ClusterBackend::reconcile)
    /// also sweeps claims left behind ([`crate::K8sBackend::sweep`]); default a minute.
    pub sweep_every: std::time::Duration,
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
            storage_classes: BTreeMap::new(),
            tenant_role: None,
            stale_claims_after: crate::STALE_CLAIMS_AFTER,
            sweep_every: std::time::Duration::from_secs(60),
        }
    }
}

impl K8sConfig {
    /// The StorageClass a disk of `class` is claimed from: the configured one, else the
    /// class's name in kebab case (a valid object name: `CloudHighPerformanceSsd` →
    /// `cloud-high-performance-ssd`).
    pub fn storage_class(&self, class: &str) -> String {
        if let Some(configured) = self.storage_classes.get(class) {
            return configured.clone();
        }
        let mut name = String::with_capacity(class.len() + 4);
        for c in class.chars() {
            if c.is_ascii_uppercase() && !name.is_empty() && !name.ends_with('-') {
                name.push('-');
            }
            if c.is_ascii_alphanumeric() {
                name.push(c.to_ascii_lowercase());
            } else if !name.is_empty() && !name.ends_with('-') {
                name.push('-');
            }
        }
        name.trim_end_matches('-').to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn disk_classes_become_storage_class_names() {
        let mut config = super::K8sConfig::default();
        for (class, want) in [
            ("CloudSsd", "cloud-ssd"),
            ("CloudHighPerformanceSsd", "cloud-high-performance-ssd"),
            ("CloudLocal", "cloud-local"),
            ("fast_disk", "fast-disk"),
        ] {
            assert_eq!(config.storage_class(class), want);
        }
        config
            .storage_classes
            .insert("CloudSsd".to_owned(), "premium".to_owned());
        assert_eq!(config.storage_class("CloudSsd"), "premium");
    }
}

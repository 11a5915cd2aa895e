//! podgate-backend-k8s: podgate on a real Kubernetes cluster through kube and
//! k8s-openapi, with every bit of state kept in the cluster so that several podgate
//! replicas can run side by side.
//!
//! ```
//! use podgate_backend_k8s::K8sConfig;
//!
//! let config = K8sConfig::default();
//! assert_eq!(config.system_namespace, "podgate-system");
//! assert_eq!(config.zone_label, "topology.kubernetes.io/zone");
//! ```
//!
//! `docs/k8s-mapping.md` lays out how each dialect's objects map onto Kubernetes
//! resources, and says which parts are built. The pieces here — error mapping,
//! retries, id counters, tenants — are what the `ClusterBackend` implementation stands
//! on; until it is complete the crate exports only its configuration.

#![cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the ClusterBackend implementation that uses these parts is being built"
    )
)]

#[cfg(test)]
mod cluster_double;
mod config;
mod eips;
mod error;
mod ids;
mod labels;
mod nodes;
mod objects;
mod pods;
mod ports;
mod retry;
mod status;
mod tenants;
#[cfg(test)]
mod testing;
mod workloads;

pub use config::K8sConfig;

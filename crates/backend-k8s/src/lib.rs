//! podgate-backend-k8s: podgate on a real Kubernetes cluster through kube and
//! k8s-openapi, with every bit of state kept in the cluster so that several podgate
//! replicas can run side by side.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use podgate_backend_k8s::{K8sBackend, K8sConfig};
//! use podgate_core::ClusterBackend;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // The cluster of the kubeconfig (or the pod's service account).
//! let backend = K8sBackend::infer(K8sConfig::default()).await?;
//! backend.ping().await?;
//! let nodes = backend.list_nodes().await?;
//! println!("{} nodes", nodes.len());
//! // The backend has work to do between calls (pools, pod ids, the sweep): run its
//! // reconcile pass as often as its capabilities ask.
//! if let Some(every) = backend.capabilities().reconcile_every {
//!     let pass = backend.clone();
//!     tokio::spawn(async move {
//!         loop {
//!             let _ = pass.reconcile().await;
//!             tokio::time::sleep(every).await;
//!         }
//!     });
//! }
//! let shared: Arc<dyn ClusterBackend> = Arc::new(backend);
//! # drop(shared);
//! # Ok(())
//! # }
//! ```
//!
//! `docs/k8s-mapping.md` lays out how each dialect's objects map onto Kubernetes
//! resources; [`K8sBackend`] documents what Kubernetes cannot do.

mod backend;
mod claims;
mod clock;
mod config;
mod configs;
#[cfg(test)]
mod conformance;
mod eips;
mod error;
#[cfg(test)]
mod faults;
mod hpa;
mod ids;
mod labels;
mod lists;
mod namespaces;
mod nodes;
mod objects;
mod pods;
mod pools;
mod ports;
mod registry;
mod retry;
mod status;
mod sweep;
mod tenants;
#[cfg(test)]
mod testing;
mod topology;
mod workloads;

pub use backend::K8sBackend;
pub use claims::STALE as STALE_CLAIMS_AFTER;
pub use config::K8sConfig;
pub use registry::RegistryConfig;
pub use sweep::Swept;

//! podgate: four vendor container-management APIs — openYuanrong pod pools, Huawei IEF
//! edge pods, the V-Kube container marketplace and NetEase NCS stateful workloads —
//! served over one core, on a real Kubernetes cluster or an in-memory simulator.
//!
//! This umbrella crate re-exports the pieces: [`core`] (the model, the
//! [`ClusterBackend`](core::ClusterBackend) trait and the dialects) and, with the
//! default `sim` feature, [`sim`] (the simulator).
//!
//! ```
//! use std::sync::Arc;
//! use podgate::core::dialects::ncs::{NcsConfig, NcsService};
//! use podgate::sim::{SimBackend, SimConfig};
//!
//! let backend = Arc::new(SimBackend::new(SimConfig::default()));
//! let ncs = NcsService::new(backend, NcsConfig::default());
//! assert!(ncs.config().spec_types.contains_key("ncs.n1.medium2"));
//! ```

#[cfg(feature = "sim")]
pub use podgate_backend_sim as sim;
pub use podgate_core as core;

/// The README's examples run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

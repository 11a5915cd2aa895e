//! podgate-core: the domain model, validation, the [`ClusterBackend`] trait, the vendor
//! dialects and the backend conformance suite.
//!
//! A control plane links this crate, picks a backend, and calls a dialect's service:
//!
//! ```
//! use std::sync::Arc;
//! use podgate_core::dialects::ncs::{wire, NcsCaller, NcsConfig, NcsService};
//! use podgate_backend_sim::{SimBackend, SimConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Arc::new(SimBackend::new(SimConfig::default()));
//! let ncs = NcsService::new(sim.clone(), NcsConfig::default());
//! let (namespace, token) = ncs.create_namespace(None, false).await?;
//! let caller = ncs.authenticate(token.expose()).await?;
//!
//! let request: wire::CreateRequest = serde_json::from_value(serde_json::json!({
//!     "NamespaceId": namespace.0, "Name": "web", "SpecType": "ncs.n1.small1",
//!     "ContainerType": "Standard", "Placement": {"ZoneId": ["cn-east-1a"]},
//!     "VirtualPrivateCloud": {"VpcId": "vpc-1", "SubnetId": "None"},
//!     "Containers": [{"Name": "app", "Image": "nginx:stable"}]
//! }))?;
//! let created = ncs.create(&caller, &request).await?;
//!
//! sim.advance(std::time::Duration::from_secs(60))?;
//! let info = ncs
//!     .describe_info(&caller, &wire::WorkloadParams {
//!         NamespaceId: Some(namespace.0.into()),
//!         StatefulWorkloadId: Some(created.StatefulWorkloadId.into()),
//!         ..Default::default()
//!     })
//!     .await?;
//! assert_eq!(info.info().Status, "Running");
//! # Ok(())
//! # }
//! ```

pub mod backend;
mod controls;
pub mod dialects;
mod error;
pub mod feed;
pub mod model;
pub mod pod_spec;
pub mod secret;
#[cfg(feature = "testing")]
pub mod testing;
pub mod validate;

pub use backend::{Capabilities, ClusterBackend, ClusterBackendExt};
pub use controls::SimulatorControls;
pub use error::{Error, Result};

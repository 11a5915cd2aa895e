//! podgate-backend-sim: an in-memory, KWOK-like cluster for podgate.
//!
//! It schedules pods onto a topology (zones, selectors, capacity, host ports), runs a
//! workload controller, moves pods through Pending → ContainerCreating → Running on a
//! clock the caller controls, pulls images from a configurable catalogue, injects faults
//! (container crashes, node loss) and writes synthetic logs. Every list the dialects make
//! is served from an index, so a page costs O(page).
//!
//! With the feature `sqlite`, `SimBackend::open(config, path)` keeps it in a SQLite file:
//! every change is on disk before the operation that made it returns, and reopening the
//! file restores everything (see its docs).
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use podgate_backend_sim::{Delays, SimBackend, SimConfig};
//! use podgate_core::dialects::ncs::{wire, NcsCaller, NcsConfig, NcsService};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Arc::new(SimBackend::new(SimConfig {
//!     delays: Delays::REALISTIC,
//!     ..SimConfig::default()
//! }));
//! let ncs = NcsService::new(sim.clone(), NcsConfig::default());
//! let (namespace, _token) = ncs.create_namespace(None, false).await?;
//! let created = ncs
//!     .create(&NcsCaller::Operator, &serde_json::from_value(serde_json::json!({
//!         "NamespaceId": namespace.0, "Name": "db", "SpecType": "ncs.n1.small1",
//!         "ContainerType": "Standard", "Placement": {"ZoneId": []},
//!         "VirtualPrivateCloud": {}, "Containers": [{"Name": "db", "Image": "redis:7"}]
//!     }))?)
//!     .await?;
//! let params = wire::WorkloadParams {
//!     NamespaceId: Some(namespace.0.into()),
//!     StatefulWorkloadId: Some(created.StatefulWorkloadId.into()),
//!     ..Default::default()
//! };
//! assert_eq!(ncs.describe_info(&NcsCaller::Operator, &params).await?.info().Status, "Creating");
//! sim.advance(Duration::from_secs(5))?;
//! assert_eq!(ncs.describe_info(&NcsCaller::Operator, &params).await?.info().Status, "Running");
//! # Ok(())
//! # }
//! ```

mod backend;
mod clock;
mod config;
mod configs;
mod controls;
mod error;
mod feed;
mod images;
mod lifecycle;
mod logs;
mod pods;
mod pools;
mod raw_pod;
mod scheduler;
mod state;
#[cfg(feature = "sqlite")]
mod store;

pub use backend::SimBackend;
pub use clock::{ClockMode, SimClock};
pub use config::{Delays, Durability, SimConfig, default_topology, validate_topology};
pub use error::SimError;
pub use images::{ImageCatalogue, normalize_image};

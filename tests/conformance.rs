//! The conformance suite once more, through the umbrella crate's facade, with the
//! simulator behind `Arc<dyn ClusterBackend>` and realistic lifecycle delays.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use podgate::core::ClusterBackend;
use podgate::core::testing::Fixture;
use podgate::sim::{Delays, SimBackend, SimConfig};

struct Facade {
    sim: Arc<SimBackend>,
    backend: Arc<dyn ClusterBackend>,
}

#[async_trait]
impl Fixture for Facade {
    fn backend(&self) -> Arc<dyn ClusterBackend> {
        self.backend.clone()
    }

    async fn settle(&self) {
        self.sim.advance(Duration::from_secs(120)).unwrap();
    }
}

fn facade() -> Facade {
    let sim = Arc::new(SimBackend::new(SimConfig {
        delays: Delays::REALISTIC,
        ..SimConfig::default()
    }));
    let backend: Arc<dyn ClusterBackend> = sim.clone();
    Facade { sim, backend }
}

podgate_core::conformance!(facade());

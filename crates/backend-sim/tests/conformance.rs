//! The conformance suite on the simulator, with one-second lifecycle steps so that
//! intermediate states (Creating, Updating) are observable before `settle`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use podgate_backend_sim::{Delays, SimBackend, SimConfig};
use podgate_core::ClusterBackend;
use podgate_core::testing::Fixture;

struct Sim(Arc<SimBackend>);

#[async_trait]
impl Fixture for Sim {
    fn backend(&self) -> Arc<dyn ClusterBackend> {
        self.0.clone()
    }

    async fn settle(&self) {
        self.0.advance(Duration::from_secs(60)).unwrap();
    }
}

fn sim() -> Sim {
    Sim(Arc::new(SimBackend::new(SimConfig {
        delays: Delays::fixed(Duration::from_secs(1)),
        ..SimConfig::default()
    })))
}

podgate_core::conformance!(sim());

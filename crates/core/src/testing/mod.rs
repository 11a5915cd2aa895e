//! The backend conformance suite: the same scenarios, written once, run against every
//! backend. A backend crate's `tests/conformance.rs` provides a [`Fixture`] and expands
//! [`ncs_conformance!`](crate::ncs_conformance) to get one test per scenario:
//!
//! ```ignore
//! podgate_core::ncs_conformance!(my_fixture());
//! ```
//!
//! Scenarios are plain async functions that panic on failure; each works in namespaces
//! of its own, so they can run side by side on one shared cluster.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::sync::Arc;

use async_trait::async_trait;

use crate::ClusterBackend;

pub mod ncs;

/// What the suite needs from a backend under test.
#[async_trait]
pub trait Fixture: Send + Sync {
    /// The backend, shared as a trait object.
    fn backend(&self) -> Arc<dyn ClusterBackend>;

    /// Lets enough (simulated or real) time pass for pods to reach a steady state:
    /// running, or failed for good.
    async fn settle(&self);

    /// An image reference the backend's registry does not hold.
    fn missing_image(&self) -> &str {
        "registry.invalid/podgate/missing:never"
    }
}

/// Expands to one `#[tokio::test]` per NCS scenario, each with a fresh fixture from
/// `$fixture` (an expression evaluated per test). Add `ignore = "reason"` to mark them
/// ignored (for suites that need a real cluster).
#[macro_export]
macro_rules! ncs_conformance {
    ($fixture:expr) => {
        $crate::ncs_conformance!(@tests $fixture, []);
    };
    ($fixture:expr, ignore = $why:literal) => {
        $crate::ncs_conformance!(@tests $fixture, [ignore = $why]);
    };
    (@tests $fixture:expr, $attrs:tt) => {
        $crate::ncs_conformance!(@each $fixture, $attrs,
            create_happy_path,
            create_missing_parameters,
            create_invalid_values,
            invalid_format,
            no_private,
            duplicate_names,
            modify_full_replace,
            modify_errors,
            reset_spec_type,
            delete,
            redeploy_and_restart_instance,
            restart_container,
            eips,
            ids_never_reused,
            paging_edges,
            tenant_isolation,
            concurrent_creates,
            authentication,
            image_pull_failure,
            version_and_action
        );
    };
    (@each $fixture:expr, $attrs:tt, $($name:ident),*) => {
        $( $crate::ncs_conformance!(@one $fixture, $attrs, $name); )*
    };
    (@one $fixture:expr, [$($attr:meta)*], $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn $name() {
            let fixture = $fixture;
            $crate::testing::ncs::$name(&fixture).await;
        }
    };
}

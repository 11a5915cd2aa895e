//! The backend conformance suite: the same scenarios, written once, run against every
//! backend. A backend crate's `tests/conformance.rs` provides a [`Fixture`] and expands
//! [`conformance!`](crate::conformance) to get one test per scenario:
//!
//! ```ignore
//! podgate_core::conformance!(my_fixture());
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

pub mod contract;
pub mod ief;
pub mod ncs;
pub mod vkube;
pub mod yuanrong;

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

    /// Whether a state the controllers leave on their own (a pool that is New, or
    /// whose update is pending) stays until [`Fixture::settle`]: true where time only
    /// moves when the test moves it, false on a real cluster, whose controllers act
    /// within milliseconds.
    fn holds_transient_states(&self) -> bool {
        true
    }
}

/// Expands to one `#[tokio::test]` per scenario of every dialect, each with a fresh
/// fixture from `$fixture` (an expression evaluated per test). Add `ignore = "reason"`
/// to mark them ignored (for suites that need a real cluster).
#[macro_export]
macro_rules! conformance {
    ($fixture:expr) => {
        $crate::conformance!(@all $fixture, []);
    };
    ($fixture:expr, ignore = $why:literal) => {
        $crate::conformance!(@all $fixture, [ignore = $why]);
    };
    (@all $fixture:expr, $attrs:tt) => {
        mod contract {
            #[allow(unused_imports)]
            use super::*;
            $crate::conformance!(@each $fixture, $attrs, contract,
                order_and_paging, names_are_unique, tenancy_and_not_found, ids_never_reused,
                failed_calls_change_nothing, same_spec_update_changes_nothing);
        }
        mod ncs {
            #[allow(unused_imports)]
            use super::*;
            $crate::conformance!(@each $fixture, $attrs, ncs,
                create_happy_path, create_missing_parameters, create_invalid_values,
                invalid_format, no_private, duplicate_names, modify_full_replace,
                modify_errors, reset_spec_type, delete, redeploy_and_restart_instance,
                restart_container, eips, ids_never_reused, paging_edges, tenant_isolation,
                concurrent_creates, authentication, image_pull_failure, version_and_action);
        }
        mod ief {
            #[allow(unused_imports)]
            use super::*;
            $crate::conformance!(@each $fixture, $attrs, ief,
                deployment_lifecycle, list_deployments_filters, list_pods_filters_and_paging,
                validation, group_deployment, nodes_and_groups, configmaps_and_secrets,
                tenant_isolation, authentication, name_conflict, one_host_port_per_node);
        }
        mod vkube {
            #[allow(unused_imports)]
            use super::*;
            $crate::conformance!(@each $fixture, $attrs, vkube,
                deploy_status_and_log, errors_change_nothing, tenant_isolation,
                quota_and_replace, checks);
        }
        mod yuanrong {
            #[allow(unused_imports)]
            use super::*;
            $crate::conformance!(@each $fixture, $attrs, yuanrong,
                lifecycle, validation, query_paging, claim_and_release, idle_recycle,
                delete_by_group, autoscaler);
        }
    };
    (@each $fixture:expr, $attrs:tt, $dialect:ident, $($name:ident),*) => {
        $( $crate::conformance!(@one $fixture, $attrs, $dialect, $name); )*
    };
    (@one $fixture:expr, [$($attr:meta)*], $dialect:ident, $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn $name() {
            let fixture = $fixture;
            $crate::testing::$dialect::$name(&fixture).await;
        }
    };
}

//! The conformance suite (every scenario of every dialect) on this backend: against
//! the Kubernetes test double, with the cluster's own parts played between steps, and
//! against a real cluster (ignored unless asked for: `KUBECONFIG=... cargo test -p
//! podgate-backend-k8s -- --ignored on_a_cluster`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use k8s_openapi::api::core::v1 as core;
use podgate_core::ClusterBackend;
use podgate_core::testing::Fixture;

use crate::K8sBackend;
use crate::cluster_double::{self, MISSING_IMAGE};
use crate::config::K8sConfig;
use crate::nodes::tests::topology_node;
use crate::registry::RegistryConfig;
use crate::registry::tests::stand_in_registry;
use crate::testing::{Plan, fake_with, quick};

/// The backend on a fresh test double with six nodes in three regions, looking images
/// up in a stand-in registry on loopback.
pub(crate) struct OnTheDouble {
    pub(crate) backend: Arc<K8sBackend>,
    pub(crate) plan: Arc<Plan>,
    nodes: Vec<core::Node>,
}

impl OnTheDouble {
    pub(crate) async fn new() -> Self {
        Self::with(kube_fake_client::ClientBuilder::new()).await
    }

    /// The same on the double `builder` makes (with interceptors, say).
    pub(crate) async fn with(builder: kube_fake_client::ClientBuilder) -> Self {
        let (client, plan) = fake_with(builder).await;
        let nodes = vec![
            topology_node("node-1", "region1", "cn-east-1a", Some("group-a")),
            topology_node("node-2", "region1", "cn-east-1b", Some("group-a")),
            topology_node("node-3", "region2", "cn-east-1a", Some("group-b")),
            topology_node("node-4", "region2", "cn-east-1b", Some("group-b")),
            topology_node("node-5", "region3", "cn-east-1a", Some("group-c")),
            topology_node("node-6", "region3", "cn-east-1b", None),
        ];
        for node in &nodes {
            plan.add_node(serde_json::to_value(node).unwrap());
        }
        let registry = stand_in_registry();
        let config = K8sConfig {
            registry: Some(RegistryConfig {
                default_registry: registry.clone(),
                plain_http: vec![registry],
            }),
            ..K8sConfig::default()
        };
        let backend = Arc::new(K8sBackend::with_backoff(client, config, quick()));
        Self {
            backend,
            plan,
            nodes,
        }
    }
}

#[async_trait]
impl Fixture for OnTheDouble {
    fn backend(&self) -> Arc<dyn ClusterBackend> {
        self.backend.clone()
    }

    /// Two minutes pass: podgate's pool controller runs, then the cluster's
    /// controllers, scheduler and kubelets; running containers have logged a few lines.
    async fn settle(&self) {
        self.backend.clock.advance(120_000);
        self.backend.reconcile_pools().await.unwrap();
        let client = &self.backend.client;
        cluster_double::settle(client, &self.nodes, self.backend.clock.now()).await;
        let pods: kube::Api<core::Pod> = kube::Api::all(client.clone());
        for pod in pods.list(&Default::default()).await.unwrap().items {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            for c in pod.spec.iter().flat_map(|s| &s.containers) {
                let text = format!(
                    "pulled {}\nstarted {}\nready\n",
                    c.image.as_deref().unwrap_or(""),
                    c.name
                );
                self.plan.set_log(&ns, &name, &c.name, &text);
            }
        }
    }

    fn missing_image(&self) -> &str {
        MISSING_IMAGE
    }
}

podgate_core::conformance!(OnTheDouble::new().await);

/// The backend on the cluster `KUBECONFIG` names.
struct OnACluster {
    backend: Arc<K8sBackend>,
}

impl OnACluster {
    async fn new() -> Self {
        let backend = K8sBackend::infer(K8sConfig::default()).await.unwrap();
        Self {
            backend: Arc::new(backend),
        }
    }
}

#[async_trait]
impl Fixture for OnACluster {
    fn backend(&self) -> Arc<dyn ClusterBackend> {
        self.backend.clone()
    }

    /// Long enough for pods to start or fail to pull, and for the scenarios' idle
    /// times (30 s) to run out; the pool controller runs in between.
    async fn settle(&self) {
        tokio::time::sleep(Duration::from_secs(35)).await;
        self.backend.reconcile_pools().await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
}

mod on_a_cluster {
    use super::*;

    podgate_core::conformance!(
        OnACluster::new().await,
        ignore = "needs cluster (KUBECONFIG)"
    );
}

//! The conformance suite (every scenario of every dialect) on this backend, on a real
//! control plane (`scripts/cluster.sh start DIR`; ignored unless asked for:
//! `KUBECONFIG=DIR/kubeconfig cargo test -p podgate-backend-k8s --lib -- --ignored
//! --test-threads=1 on_a_cluster`, as `.ci/run` does).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

/// The backend on the cluster `KUBECONFIG` names (`scripts/cluster.sh start DIR`
/// makes one), looking images up in a stand-in registry on loopback. Each scenario
/// starts on a cluster emptied of what earlier ones made (so that their pods do not
/// fill the nodes): run them one at a time (`--test-threads=1`).
struct OnACluster {
    backend: Arc<K8sBackend>,
}

/// Deletes every tenant namespace podgate made and every pool, and waits until their
/// pods are gone.
async fn empty(client: &kube::Client, system: &str) {
    use k8s_openapi::api::apps::v1::Deployment;
    use kube::api::{DeleteParams, ListParams};
    let managed = ListParams::default().labels(&crate::labels::selector(&[]));
    let namespaces: kube::Api<core::Namespace> = kube::Api::all(client.clone());
    for ns in namespaces.list(&managed).await.unwrap().items {
        let name = ns.metadata.name.unwrap_or_default();
        if name != system {
            let _ = namespaces.delete(&name, &DeleteParams::background()).await;
        }
    }
    let pools: kube::Api<Deployment> = kube::Api::namespaced(client.clone(), system);
    let _ = pools
        .delete_collection(&DeleteParams::background(), &managed)
        .await;
    let pods: kube::Api<core::Pod> = kube::Api::namespaced(client.clone(), system);
    let _ = pods
        .delete_collection(&DeleteParams::background(), &managed)
        .await;
    let all: kube::Api<core::Pod> = kube::Api::all(client.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if all.list(&managed).await.is_ok_and(|l| l.items.is_empty()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the cluster's podgate pods did not go within two minutes");
}

impl OnACluster {
    async fn new() -> Self {
        let registry = stand_in_registry();
        let config = K8sConfig {
            registry: Some(RegistryConfig {
                default_registry: registry.clone(),
                plain_http: vec![registry],
            }),
            ..K8sConfig::default()
        };
        let backend = K8sBackend::infer(config)
            .await
            .expect("a cluster: KUBECONFIG names one (scripts/cluster.sh start DIR)");
        empty(&backend.client, &backend.config.system_namespace).await;
        Self {
            backend: Arc::new(backend),
        }
    }
}

/// Whether a pod has reached a steady state: running, waiting for good (an image that
/// cannot be pulled, a crash loop, a missing config), or unschedulable.
fn pod_settled(pod: &core::Pod) -> bool {
    if pod.metadata.deletion_timestamp.is_some() {
        return false;
    }
    let Some(status) = &pod.status else {
        return false;
    };
    let stuck = |s: &core::ContainerStatus| {
        s.state
            .as_ref()
            .and_then(|st| st.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .is_some_and(|r| {
                [
                    "ErrImagePull",
                    "ImagePullBackOff",
                    "CrashLoopBackOff",
                    "CreateContainerConfigError",
                    "InvalidImageName",
                ]
                .contains(&r)
            })
    };
    let statuses = status.container_statuses.as_deref().unwrap_or_default();
    let unschedulable = status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "PodScheduled" && c.status == "False");
    match status.phase.as_deref() {
        Some("Running") => statuses.iter().all(|s| s.ready || stuck(s)),
        Some("Succeeded" | "Failed") => true,
        _ => unschedulable || statuses.iter().any(stuck),
    }
}

/// Whether the controllers are done with every podgate workload: each has seen its
/// latest spec and runs exactly its replicas, all from its latest template.
async fn cluster_settled(client: &kube::Client) -> bool {
    use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
    let params = kube::api::ListParams::default().labels(&crate::labels::selector(&[]));
    let deployments: kube::Api<Deployment> = kube::Api::all(client.clone());
    let sets: kube::Api<StatefulSet> = kube::Api::all(client.clone());
    let pods: kube::Api<core::Pod> = kube::Api::all(client.clone());
    let (Ok(deployments), Ok(sets), Ok(pods)) = (
        deployments.list(&params).await,
        sets.list(&params).await,
        pods.list(&params).await,
    ) else {
        return false;
    };
    let done = |generation: Option<i64>,
                observed: Option<i64>,
                want: Option<i32>,
                have: Option<i32>,
                updated: Option<i32>| {
        let want = want.unwrap_or(1);
        observed >= generation && have.unwrap_or(0) == want && updated.unwrap_or(0) == want
    };
    deployments.items.iter().all(|d| {
        let s = d.status.clone().unwrap_or_default();
        d.metadata.deletion_timestamp.is_some()
            || done(
                d.metadata.generation,
                s.observed_generation,
                d.spec.as_ref().and_then(|s| s.replicas),
                s.replicas,
                s.updated_replicas,
            )
    }) && sets.items.iter().all(|d| {
        let s = d.status.clone().unwrap_or_default();
        d.metadata.deletion_timestamp.is_some()
            || done(
                d.metadata.generation,
                s.observed_generation,
                d.spec.as_ref().and_then(|s| s.replicas),
                Some(s.replicas),
                s.updated_replicas,
            )
    }) && pods.items.iter().all(pod_settled)
}

#[async_trait]
impl Fixture for OnACluster {
    fn backend(&self) -> Arc<dyn ClusterBackend> {
        self.backend.clone()
    }

    fn holds_transient_states(&self) -> bool {
        false
    }

    /// Two minutes pass on podgate's clock (idle pool pods run out their time) and the
    /// pool controller runs; then the cluster is watched until its controllers,
    /// scheduler and kubelets are done (or a minute passes: what has not settled by
    /// then is for the scenario to judge), twice, so that what the first round made
    /// settles too.
    async fn settle(&self) {
        self.backend.clock.advance(120_000);
        for _ in 0..2 {
            self.backend.reconcile_pools().await.unwrap();
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            let mut calm = 0;
            while calm < 2 && std::time::Instant::now() < deadline {
                calm = if cluster_settled(&self.backend.client).await {
                    calm + 1
                } else {
                    0
                };
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
}

mod on_a_cluster {
    use super::*;

    podgate_core::conformance!(
        OnACluster::new().await,
        ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"
    );
}

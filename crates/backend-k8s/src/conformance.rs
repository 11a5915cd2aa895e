//! The conformance suite (every scenario of every dialect) on this backend, on a real
//! control plane (`scripts/cluster.sh start DIR`; ignored unless asked for:
//! `KUBECONFIG=DIR/kubeconfig cargo test -p podgate-backend-k8s --lib -- --ignored
//! --test-threads=1`, as `.ci/run` does), and what every test on that cluster shares:
//! [`OnACluster`], waiting until the cluster has settled ([`settled`]) or has reached
//! the state a test needs ([`until`]), and names of a test's own ([`unique`]).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use k8s_openapi::api::core::v1 as core;
use podgate_core::ClusterBackend;
use podgate_core::testing::Fixture;

use crate::K8sBackend;
use crate::config::K8sConfig;
use crate::registry::RegistryConfig;
use crate::registry::tests::stand_in_registry;
use crate::retry::Backoff;
use crate::testing::{Plan, on_cluster, quick};

/// How long a test waits for the cluster to reach a state it needs.
const WAIT: Duration = Duration::from_secs(60);

/// The backend on the cluster `KUBECONFIG` names (`scripts/cluster.sh start DIR`
/// makes one) behind [`crate::testing::Faulty`] (its requests counted, faults
/// injectable through `plan`), looking images up in a stand-in registry on loopback.
/// Each test starts on a cluster emptied of what earlier ones made (so that their pods
/// do not fill the nodes): run them one at a time (`--test-threads=1`).
pub(crate) struct OnACluster {
    pub(crate) backend: Arc<K8sBackend>,
    pub(crate) plan: Arc<Plan>,
}

impl OnACluster {
    /// For the conformance suite: retries as in production.
    async fn new() -> Self {
        Self::with(Backoff::default()).await
    }

    /// For a part's own tests: retries with short waits ([`quick`]), so that injected
    /// faults cost little.
    pub(crate) async fn quick() -> Self {
        Self::with(quick()).await
    }

    async fn with(backoff: Backoff) -> Self {
        let (client, plan) = on_cluster().await;
        let registry = stand_in_registry();
        let config = K8sConfig {
            registry: Some(RegistryConfig {
                default_registry: registry.clone(),
                plain_http: vec![registry],
            }),
            ..K8sConfig::default()
        };
        empty(&client, &config.system_namespace).await;
        let backend = Arc::new(K8sBackend::with_backoff(client, config, backoff));
        Self { backend, plan }
    }

    /// The API requests `op` makes, counted by [`crate::testing::Faulty`], and what it
    /// answers.
    pub(crate) async fn requests<T>(&self, op: impl Future<Output = T>) -> (T, usize) {
        let before = self.plan.requests();
        let out = op.await;
        (out, self.plan.requests() - before)
    }

    /// The API requests `op` makes, each as `METHOD path?query`, and what it answers.
    pub(crate) async fn sent<T>(&self, op: impl Future<Output = T>) -> (T, Vec<String>) {
        let before = self.plan.seen().len();
        let out = op.await;
        (out, self.plan.seen().split_off(before))
    }
}

/// `prefix`, a dash and eight hex digits, new each time: the name of something of a
/// test's own on a cluster that earlier tests (and earlier runs) used too.
pub(crate) fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Polls `check` (every 250 ms) until it gives a value: the state of the cluster a
/// test needs, reached. Panics, saying `what` was waited for, after a minute.
pub(crate) async fn until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(reached) = check().await {
            return reached;
        }
        assert!(
            Instant::now() < deadline,
            "waited {WAIT:?} in vain for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Deletes every tenant namespace podgate made, every pool and every claim in the
/// system namespace, and waits until their pods are gone.
pub(crate) async fn empty(client: &kube::Client, system: &str) {
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
    // The system namespace's claims (host ports, pools' names) went with what held them.
    let claims: kube::Api<core::ConfigMap> = kube::Api::namespaced(client.clone(), system);
    let claimed = ListParams::default().labels(crate::claims::CLAIM);
    let _ = claims
        .delete_collection(&DeleteParams::background(), &claimed)
        .await;
    let all: kube::Api<core::Pod> = kube::Api::all(client.clone());
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if all.list(&managed).await.is_ok_and(|l| l.items.is_empty()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the cluster's podgate pods did not go within two minutes");
}

/// Whether a pod has reached a steady state: running, waiting for good (an image that
/// cannot be pulled, a crash loop, a missing config), or unschedulable (not merely
/// waiting for its claims to be bound).
pub(crate) fn pod_settled(pod: &core::Pod) -> bool {
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
    let unschedulable = status.conditions.iter().flatten().any(|c| {
        c.type_ == "PodScheduled"
            && c.status == "False"
            && !crate::pods::waits_for_claims(c, podgate_core::model::Timestamp::now())
    });
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

/// Waits until the cluster's controllers, scheduler and kubelets are done with every
/// podgate workload (settled on two looks in a row, a quarter second apart), or a
/// minute passes: what has not settled by then is for the caller to judge.
pub(crate) async fn settled(client: &kube::Client) {
    let deadline = Instant::now() + WAIT;
    let mut calm = 0;
    while calm < 2 && Instant::now() < deadline {
        calm = if cluster_settled(client).await {
            calm + 1
        } else {
            0
        };
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
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
    /// pool controller runs; then the cluster is watched until it has [`settled`],
    /// twice, so that what the first round made settles too.
    async fn settle(&self) {
        self.backend.clock.advance(120_000);
        for _ in 0..2 {
            self.backend.reconcile_pools().await.unwrap();
            settled(&self.backend.client).await;
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

//! podgate's replicas on a real API server: NCS creates per second through one and
//! through three replicas (each its own `K8sBackend` and HTTP app, requests spread
//! over them round robin), against raw kube-rs creating the same objects (a name
//! claim and a StatefulSet, as podgate makes for a create) at the same concurrency, in
//! the same run; then the p50 and p99 of a create, a describe and a page of the list
//! through podgate.
//!
//! `KUBECONFIG=DIR/kubeconfig cargo bench --bench replicas` on a cluster of
//! `PODGATE_CLUSTER_NODE_PODS=250 scripts/cluster.sh start DIR` (every create's pod
//! needs a place). `PODGATE_BENCH_CREATES` (per run, default 200) and
//! `PODGATE_BENCH_CONCURRENCY` (requests in flight, default 16) tune it. Without
//! `KUBECONFIG` it says so and stops. Each run works in an NCS namespace of its own and
//! deletes it afterwards (not timed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{ConfigMap, Container, Namespace, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use podgate::core::ClusterBackend;
use podgate::core::model::{NamespaceId, NewTenant, TenantKey};
use podgate::core::secret::TokenHash;
use podgate_backend_k8s::{K8sBackend, K8sConfig};
use podgate_http::{AppState, HttpConfig, app};
use serde_json::Value;
use tower::ServiceExt;

const NCS: &str = "/ncs?Version=2017-11-16&Action=";

/// One replica: its backend and its HTTP app.
struct Replica {
    backend: Arc<K8sBackend>,
    router: Router,
}

async fn replica() -> Replica {
    let config = K8sConfig {
        registry: None,
        ..K8sConfig::default()
    };
    let backend = Arc::new(K8sBackend::infer(config).await.unwrap());
    let state = AppState::new(backend.clone(), None, HttpConfig::new("bench-admin"));
    Replica {
        backend,
        router: app(state),
    }
}

/// One request through `router`: its status, its JSON reply, how long it took.
async fn call(
    router: &Router,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value, Duration) {
    let started = Instant::now();
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "bench")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(
            body.map(|b| b.to_string()).unwrap_or_default(),
        ))
        .unwrap();
    let reply = router.clone().oneshot(request).await.unwrap();
    let status = reply.status().as_u16();
    let bytes = reply.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value, started.elapsed())
}

/// Runs `n` calls of `one(i)`, `concurrency` at a time; answers each one's latency
/// and the whole run's wall time.
async fn run<F, Fut>(n: usize, concurrency: usize, one: F) -> (Vec<Duration>, Duration)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Duration> + Send,
{
    let one = Arc::new(one);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (one, next) = (one.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= n {
                    return latencies;
                }
                latencies.push(one(i).await);
            }
        });
    }
    let mut all: Vec<Duration> = workers.join_all().await.concat();
    let wall = started.elapsed();
    all.sort_unstable();
    (all, wall)
}

fn pick(sorted: &[Duration], percent: usize) -> Duration {
    sorted[(sorted.len() * percent / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A new NCS namespace through the first replica's backend, and its token.
async fn namespace(backend: &K8sBackend) -> (u64, String) {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let made = backend
        .create_tenant(NewTenant {
            key: TenantKey::Namespace(NamespaceId(0)),
            token_hash: TokenHash::of(&token),
            privileged: false,
            attributes: Value::Null,
        })
        .await
        .unwrap();
    let TenantKey::Namespace(NamespaceId(id)) = made.key else {
        panic!("an NCS namespace");
    };
    (id, token)
}

/// Deletes Namespace `name` (what a run made in it goes with it), not timed.
async fn drop_namespace(client: &kube::Client, name: &str) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let _ = namespaces.delete(name, &DeleteParams::background()).await;
}

/// What one run measured.
struct Measured {
    rate: f64,
    create: Vec<Duration>,
}

/// `n` NCS creates through `replicas`, spread round robin, `concurrency` at a time.
async fn creates_through(
    client: &kube::Client,
    replicas: &[Replica],
    n: usize,
    concurrency: usize,
) -> Measured {
    let (ns, token) = namespace(&replicas[0].backend).await;
    let routers: Arc<Vec<Router>> = Arc::new(replicas.iter().map(|r| r.router.clone()).collect());
    let body = move |i: usize| common::ncs_create_body(NamespaceId(ns), &format!("w{i}"));
    let token2 = token.clone();
    let (create, wall) = run(n, concurrency, move |i| {
        let (routers, token, body) = (routers.clone(), token2.clone(), body(i));
        async move {
            let router = &routers[i % routers.len()];
            let path = format!("{NCS}CreateStatefulWorkload");
            let (status, reply, took) = call(router, "POST", &path, &token, Some(&body)).await;
            assert_eq!(status, 200, "{reply}");
            took
        }
    })
    .await;
    drop_namespace(client, &format!("podgate-namespace-{ns}")).await;
    Measured {
        rate: n as f64 / wall.as_secs_f64(),
        create,
    }
}

/// `n` creates of a name claim and a StatefulSet straight through kube-rs, in a
/// namespace of their own, `concurrency` at a time.
async fn raw_creates(client: &kube::Client, n: usize, concurrency: usize) -> f64 {
    let ns = format!(
        "bench-raw-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: ObjectMeta {
                    name: Some(ns.clone()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            },
        )
        .await
        .unwrap();
    let claims: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let (_, wall) = run(n, concurrency, move |i| {
        let (claims, sets) = (claims.clone(), sets.clone());
        async move {
            let started = Instant::now();
            let name = format!("w{i}");
            let claim = ConfigMap {
                metadata: ObjectMeta {
                    name: Some(format!("name-{i}")),
                    ..ObjectMeta::default()
                },
                data: Some(BTreeMap::from([("name".to_owned(), name.clone())])),
                ..ConfigMap::default()
            };
            claims.create(&PostParams::default(), &claim).await.unwrap();
            let labels = BTreeMap::from([("app".to_owned(), name.clone())]);
            let set = StatefulSet {
                metadata: ObjectMeta {
                    name: Some(name),
                    labels: Some(labels.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(StatefulSetSpec {
                    replicas: Some(1),
                    selector: LabelSelector {
                        match_labels: Some(labels.clone()),
                        ..LabelSelector::default()
                    },
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(labels),
                            ..ObjectMeta::default()
                        }),
                        spec: Some(PodSpec {
                            containers: vec![Container {
                                name: "app".to_owned(),
                                image: Some("nginx:stable".to_owned()),
                                ..Container::default()
                            }],
                            ..PodSpec::default()
                        }),
                    },
                    ..StatefulSetSpec::default()
                }),
                ..StatefulSet::default()
            };
            sets.create(&PostParams::default(), &set).await.unwrap();
            started.elapsed()
        }
    })
    .await;
    drop_namespace(client, &ns).await;
    n as f64 / wall.as_secs_f64()
}

/// Describes and list pages through one replica: their latencies.
async fn reads(
    client: &kube::Client,
    replica: &Replica,
    n: usize,
    concurrency: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let (ns, token) = namespace(&replica.backend).await;
    let router = replica.router.clone();
    let mut ids = Vec::new();
    for i in 0..20 {
        let body = common::ncs_create_body(NamespaceId(ns), &format!("r{i}"));
        let path = format!("{NCS}CreateStatefulWorkload");
        let (status, reply, _) = call(&router, "POST", &path, &token, Some(&body)).await;
        assert_eq!(status, 200, "{reply}");
        ids.push(reply["StatefulWorkloadId"].as_u64().unwrap());
    }
    // Every pod numbered first: a read then makes no write.
    replica.backend.number_pods().await.unwrap();
    let ids = Arc::new(ids);
    let (r, t, i2) = (router.clone(), token.clone(), ids.clone());
    let (describe, _) = run(n, concurrency, move |i| {
        let (router, token, ids) = (r.clone(), t.clone(), i2.clone());
        async move {
            let path = format!(
                "{NCS}DescribeStatefulWorkloadInfo&NamespaceId={ns}&StatefulWorkloadId={}",
                ids[i % ids.len()]
            );
            let (status, reply, took) = call(&router, "GET", &path, &token, None).await;
            assert_eq!(status, 200, "{reply}");
            took
        }
    })
    .await;
    let (r, t) = (router.clone(), token.clone());
    let (list, _) = run(n, concurrency, move |i| {
        let (router, token) = (r.clone(), t.clone());
        async move {
            let path = format!(
                "{NCS}DescribeStatefulWorkloads&NamespaceId={ns}&Limit=10&Offset={}",
                (i % 2) * 10
            );
            let (status, reply, took) = call(&router, "GET", &path, &token, None).await;
            assert_eq!(status, 200, "{reply}");
            took
        }
    })
    .await;
    drop_namespace(client, &format!("podgate-namespace-{ns}")).await;
    (describe, list)
}

fn main() {
    if std::env::var_os("KUBECONFIG").is_none_or(|k| k.is_empty()) {
        println!(
            "replicas: KUBECONFIG is not set: start a cluster with `scripts/cluster.sh start DIR` \
             and run with KUBECONFIG=DIR/kubeconfig"
        );
        return;
    }
    let n: usize = std::env::var("PODGATE_BENCH_CREATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let concurrency: usize = std::env::var("PODGATE_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let three = vec![replica().await, replica().await, replica().await];
        // After the replicas: their `infer` installed the TLS provider.
        let client = kube::Client::try_default().await.unwrap();
        println!("{n} creates, {concurrency} in flight");
        let raw = raw_creates(&client, n, concurrency).await;
        let one = creates_through(&client, &three[..1], n, concurrency).await;
        let all = creates_through(&client, &three, n, concurrency).await;
        let raw_again = raw_creates(&client, n, concurrency).await;
        let raw = (raw + raw_again) / 2.0;
        println!(
            "raw kube-rs (claim + StatefulSet): {raw:.1} creates/s (mean of a run before and after)"
        );
        for (name, m) in [("1 replica", &one), ("3 replicas", &all)] {
            println!(
                "{name}: {:.1} creates/s = {:.2} of raw; create p50 {:.1} ms, p99 {:.1} ms",
                m.rate,
                m.rate / raw,
                ms(pick(&m.create, 50)),
                ms(pick(&m.create, 99))
            );
        }
        let (describe, list) = reads(&client, &three[0], n, concurrency).await;
        println!(
            "describe p50 {:.1} ms, p99 {:.1} ms; list page (10) p50 {:.1} ms, p99 {:.1} ms",
            ms(pick(&describe, 50)),
            ms(pick(&describe, 99)),
            ms(pick(&list, 50)),
            ms(pick(&list, 99))
        );
    });
}

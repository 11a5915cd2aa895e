//! One scenario on both backends in one run: create N pods (N single-pod workloads of
//! one V-Kube order: on Kubernetes each is a Pod made at once), get each (its workload
//! with the status its pod gives it), list them (one page of every pod). The simulator
//! in memory against `podgate-backend-k8s` over the Kubernetes API test double
//! (`kube-fake-client`, in process): both through `Arc<dyn ClusterBackend>`.
//!
//! `cargo bench --bench sim_vs_k8s`; `PODGATE_BENCH_SIZES` (default `100,1000`) sets N.
//! Prints each phase's time per backend and the ratio (the simulator should be at
//! least 50× faster).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use podgate::core::ClusterBackend;
use podgate::core::model::{
    ContainerSpec, NewTenant, PageRequest, PodQuery, PodTemplate, TenantKey, WorkloadId,
    WorkloadKind, WorkloadSpec,
};
use podgate::core::secret::TokenHash;
use podgate_backend_k8s::{K8sBackend, K8sConfig};

/// The time each phase took.
struct Phases {
    create: Duration,
    get: Duration,
    list: Duration,
}

impl Phases {
    fn total(&self) -> Duration {
        self.create + self.get + self.list
    }
}

async fn scenario(backend: Arc<dyn ClusterBackend>, n: u64) -> Phases {
    let tenant = TenantKey::Order("bench-order".to_owned());
    backend
        .create_tenant(NewTenant {
            key: tenant.clone(),
            token_hash: TokenHash::of("bench"),
            privileged: false,
            attributes: serde_json::Value::Null,
        })
        .await
        .unwrap();
    let template = Arc::new(PodTemplate {
        containers: vec![ContainerSpec {
            name: "app".to_owned(),
            image: "nginx:stable".to_owned(),
            ..Default::default()
        }],
        ..Default::default()
    });
    let start = Instant::now();
    let mut ids: Vec<WorkloadId> = Vec::new();
    for i in 0..n {
        let spec = WorkloadSpec {
            kind: WorkloadKind::Deployment,
            ..WorkloadSpec::stateful(format!("pod-{i}"), template.clone())
        };
        ids.push(backend.create_workload(&tenant, spec).await.unwrap().id);
    }
    let create = start.elapsed();
    let start = Instant::now();
    for id in &ids {
        let got = backend.get_workload(&tenant, *id).await.unwrap();
        assert_eq!(got.status.pods, 1, "each workload has its pod");
    }
    let get = start.elapsed();
    let start = Instant::now();
    let listed = backend
        .list_pods(&PodQuery::Workloads(tenant, ids), PageRequest::ALL)
        .await
        .unwrap();
    assert_eq!(listed.total, n);
    let list = start.elapsed();
    Phases { create, get, list }
}

fn per_op(d: Duration, n: u64) -> String {
    format!("{:>10.1} µs", d.as_secs_f64() * 1e6 / n as f64)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "{:>6}  {:<10} {:>13} {:>13} {:>13} {:>12}",
        "N", "backend", "create/pod", "get/pod", "list (all)", "total"
    );
    for n in common::sizes(&[100, 1000]) {
        let sim: Arc<dyn ClusterBackend> = common::roomy_sim();
        let sim = runtime.block_on(scenario(sim, n));
        let k8s: Arc<dyn ClusterBackend> =
            Arc::new(runtime.block_on(K8sBackend::on_test_double(K8sConfig::default())));
        let k8s = runtime.block_on(scenario(k8s, n));
        for (name, p) in [("simulator", &sim), ("k8s-fake", &k8s)] {
            println!(
                "{n:>6}  {name:<10} {} {} {:>10.2} ms {:>9.1} ms",
                per_op(p.create, n),
                per_op(p.get, n),
                p.list.as_secs_f64() * 1e3,
                p.total().as_secs_f64() * 1e3
            );
        }
        println!(
            "{n:>6}  simulator faster by {:.0}x (create {:.0}x, get {:.0}x, list {:.0}x)",
            k8s.total().as_secs_f64() / sim.total().as_secs_f64(),
            k8s.create.as_secs_f64() / sim.create.as_secs_f64(),
            k8s.get.as_secs_f64() / sim.get.as_secs_f64(),
            k8s.list.as_secs_f64() / sim.list.as_secs_f64()
        );
    }
}

//! One scenario on both backends in one run: create N pods (N single-pod workloads of
//! one V-Kube order: on Kubernetes each is a Pod made at once), wait until every pod
//! runs (list them until each is `Running`), get each (its workload with the status its
//! pod gives it), list them (one page of every pod). The simulator
//! in memory against `podgate-backend-k8s` on the real Kubernetes control plane
//! `KUBECONFIG` names (`scripts/cluster.sh start DIR` makes one): both through
//! `Arc<dyn ClusterBackend>`. Each run works in a V-Kube order of its own and deletes
//! its workloads afterwards (not timed).
//!
//! `KUBECONFIG=DIR/kubeconfig cargo bench --bench sim_vs_k8s`; `PODGATE_BENCH_SIZES`
//! (default `100,1000`) sets N. Prints each phase's time per backend and the ratio (the
//! simulator should be at least 50× faster). Without `KUBECONFIG` the Kubernetes half
//! is skipped, and the output says so.

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
    ContainerSpec, NewTenant, PageRequest, PodPhase, PodQuery, PodTemplate, TenantKey, WorkloadId,
    WorkloadKind, WorkloadSpec,
};
use podgate::core::secret::TokenHash;
use podgate_backend_k8s::{K8sBackend, K8sConfig};

/// The time each phase took.
struct Phases {
    create: Duration,
    run: Duration,
    get: Duration,
    list: Duration,
}

impl Phases {
    fn total(&self) -> Duration {
        self.create + self.run + self.get + self.list
    }
}

/// Runs the scenario with `n` pods in a new V-Kube order; answers the time of each
/// phase, the order and its workloads.
async fn scenario(
    backend: Arc<dyn ClusterBackend>,
    n: u64,
) -> (Phases, TenantKey, Vec<WorkloadId>) {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let tenant = TenantKey::Order(format!("bench-{}-{n}", &run[..8]));
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
    let query = PodQuery::Workloads(tenant.clone(), ids.clone());
    let start = Instant::now();
    until_running(backend.as_ref(), &query, n).await;
    let run = start.elapsed();
    let start = Instant::now();
    for id in &ids {
        let got = backend.get_workload(&tenant, *id).await.unwrap();
        assert_eq!(got.status.pods, 1, "each workload has its pod");
    }
    let get = start.elapsed();
    let start = Instant::now();
    let listed = backend.list_pods(&query, PageRequest::ALL).await.unwrap();
    assert_eq!(listed.total, n);
    let list = start.elapsed();
    (
        Phases {
            create,
            run,
            get,
            list,
        },
        tenant,
        ids,
    )
}

/// Lists the pods until all `n` of them run; polls every 50 ms, for at most ten minutes.
async fn until_running(backend: &dyn ClusterBackend, query: &PodQuery, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let pods = backend.list_pods(query, PageRequest::ALL).await.unwrap();
        let running = pods
            .items
            .iter()
            .filter(|p| p.phase == PodPhase::Running && !p.terminating)
            .count() as u64;
        if running == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{running} of {n} pods run after ten minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Deletes the workloads a run made, so that the cluster's nodes stay free.
async fn clean_up(backend: &dyn ClusterBackend, tenant: &TenantKey, ids: &[WorkloadId]) {
    for id in ids {
        backend.delete_workload(tenant, *id).await.unwrap();
    }
}

/// The backend on the cluster `KUBECONFIG` names, or why there is none.
fn cluster(runtime: &tokio::runtime::Runtime) -> Result<Arc<dyn ClusterBackend>, String> {
    if std::env::var_os("KUBECONFIG").is_none_or(|k| k.is_empty()) {
        return Err("KUBECONFIG is not set".to_owned());
    }
    let backend = runtime
        .block_on(K8sBackend::infer(K8sConfig::default()))
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(backend.ping())
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(backend))
}

fn print(n: u64, name: &str, p: &Phases) {
    println!(
        "{n:>6}  {name:<10} {} {:>10.1} ms {} {:>10.2} ms {:>9.1} ms",
        per_op(p.create, n),
        p.run.as_secs_f64() * 1e3,
        per_op(p.get, n),
        p.list.as_secs_f64() * 1e3,
        p.total().as_secs_f64() * 1e3
    );
}

fn per_op(d: Duration, n: u64) -> String {
    format!("{:>10.1} µs", d.as_secs_f64() * 1e6 / n as f64)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let k8s = cluster(&runtime);
    if let Err(why) = &k8s {
        println!(
            "Kubernetes half skipped ({why}): start a cluster with `scripts/cluster.sh start DIR` \
             and run with KUBECONFIG=DIR/kubeconfig; the simulator runs alone."
        );
    }
    println!(
        "{:>6}  {:<10} {:>13} {:>13} {:>13} {:>13} {:>12}",
        "N", "backend", "create/pod", "until run", "get/pod", "list (all)", "total"
    );
    for n in common::sizes(&[100, 1000]) {
        let sim: Arc<dyn ClusterBackend> = common::roomy_sim();
        let (sim, _, _) = runtime.block_on(scenario(sim, n));
        print(n, "simulator", &sim);
        let Ok(backend) = &k8s else {
            continue;
        };
        let (k8s, tenant, ids) = runtime.block_on(scenario(backend.clone(), n));
        print(n, "k8s", &k8s);
        println!(
            "{n:>6}  simulator faster by {:.0}x (create {:.0}x, until run {:.0}x, get {:.0}x, list {:.0}x)",
            k8s.total().as_secs_f64() / sim.total().as_secs_f64(),
            k8s.create.as_secs_f64() / sim.create.as_secs_f64(),
            k8s.run.as_secs_f64() / sim.run.as_secs_f64(),
            k8s.get.as_secs_f64() / sim.get.as_secs_f64(),
            k8s.list.as_secs_f64() / sim.list.as_secs_f64()
        );
        runtime.block_on(clean_up(backend.as_ref(), &tenant, &ids));
    }
}

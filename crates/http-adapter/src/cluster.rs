//! `GET /admin/v1/cluster`: what the cluster holds, in one read: nodes with capacity,
//! use and readiness, every workload and every pod, and the clock. The web console
//! starts from it and follows the event feed from there. Nothing in it names a token,
//! a secret's data or a container's environment.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use podgate_core::model::{
    PageRequest, Pod, PodQuery, Resources, TenantKey, Timestamp, Workload, WorkloadQuery,
};
use podgate_core::{ClusterBackend, Result};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::{AdminErrors, AdminFailure, Operator};
use crate::state::AppState;

/// How many workloads or pods one backend call lists.
const BATCH: u64 = 500;

/// The cluster route, documented where it is handled.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(cluster))
}

/// The cluster as the console shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = admin::Cluster)]
struct Cluster {
    /// `simulator` or `kubernetes`.
    backend: String,
    /// Whether the simulator's controls (clock, faults) are there.
    simulated: bool,
    /// Now on the backend's clock.
    clock: Clock,
    /// The newest sequence number of the event feed (0: none, or the feed is off):
    /// follow the feed from here.
    feed_last: u64,
    nodes: Vec<NodeView>,
    workloads: Vec<WorkloadView>,
    pods: Vec<PodView>,
}

/// The clock.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = admin::Clock)]
pub(crate) struct Clock {
    /// Now, ISO 8601.
    pub(crate) now: String,
    /// Now, milliseconds since the Unix epoch.
    pub(crate) unix_ms: i64,
    /// Whether it stands still (a simulator's manual or paused clock).
    pub(crate) paused: bool,
}

impl Clock {
    /// The clock at `now`, standing still or not.
    pub(crate) fn at(now: Timestamp, paused: bool) -> Self {
        Self {
            now: now.to_iso8601(),
            unix_ms: now.0,
            paused,
        }
    }
}

/// Amounts of a node's resources.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(as = admin::Amounts)]
struct Amounts {
    cpu_millis: u64,
    memory_mib: u64,
    gpu: u64,
    pods: u64,
}

/// A node, with what its pods ask of it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = admin::NodeView)]
struct NodeView {
    name: String,
    region: String,
    zone: String,
    group: Option<String>,
    ready: bool,
    capacity: Amounts,
    /// What the pods bound to it request (main containers).
    used: Amounts,
}

/// A workload.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = admin::WorkloadView)]
struct WorkloadView {
    id: u64,
    /// `namespace 7`, `project p1`, `order o1` or `system`.
    tenant: String,
    /// `ncs`, `ief`, `vkube` or `yuanrong`.
    dialect: String,
    name: String,
    /// `Stateful`, `Deployment`, `Pool` or `Single`.
    kind: String,
    /// podgate's workload phase (`Creating`, `Running`, `Abnormal`, ...).
    phase: String,
    replicas: u32,
    ready: u32,
}

/// A pod.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = admin::PodView)]
struct PodView {
    id: u64,
    tenant: String,
    dialect: String,
    workload: u64,
    name: String,
    node: Option<String>,
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    phase: String,
    /// Why it is not running, if it is not.
    reason: Option<String>,
    /// Restarts of all its containers.
    restarts: u32,
    /// Its containers' names.
    containers: Vec<String>,
}

/// Why `pod` is not running: its own reason, else the first container's trouble.
fn reason(pod: &Pod) -> Option<String> {
    pod.reason.clone().or_else(|| {
        pod.init_containers
            .iter()
            .chain(&pod.containers)
            .find_map(|c| c.state.trouble().map(str::to_owned))
    })
}

#[utoipa::path(get, path = "/admin/v1/cluster", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "Nodes with capacity and use, workloads, pods and the clock", body = Cluster),
        AdminErrors))]
async fn cluster(State(s): State<AppState>, _: Operator) -> Result<Json<Cluster>, AdminFailure> {
    let backend = s.inner.backend.as_ref();
    let workloads = all_workloads(backend).await?;
    let pods = all_pods(backend, &workloads).await?;
    let mut used: BTreeMap<&str, Amounts> = BTreeMap::new();
    for pod in &pods {
        if let Some(node) = &pod.node {
            let on = used.entry(node.as_str()).or_default();
            let asked = pod
                .template
                .containers
                .iter()
                .fold(Resources::default(), |sum, c| Resources {
                    cpu_millis: sum
                        .cpu_millis
                        .saturating_add(c.resources.requests.cpu_millis),
                    memory_mib: sum
                        .memory_mib
                        .saturating_add(c.resources.requests.memory_mib),
                    gpu: sum.gpu.saturating_add(c.resources.requests.gpu),
                });
            on.cpu_millis = on.cpu_millis.saturating_add(asked.cpu_millis);
            on.memory_mib = on.memory_mib.saturating_add(asked.memory_mib);
            on.gpu = on.gpu.saturating_add(u64::from(asked.gpu));
            on.pods = on.pods.saturating_add(1);
        }
    }
    let nodes = backend
        .list_nodes()
        .await?
        .into_iter()
        .map(|n| NodeView {
            used: used.remove(n.name.as_str()).unwrap_or_default(),
            capacity: Amounts {
                cpu_millis: n.capacity.cpu_millis,
                memory_mib: n.capacity.memory_mib,
                gpu: u64::from(n.capacity.gpu),
                pods: u64::from(n.max_pods),
            },
            name: n.name,
            region: n.region,
            zone: n.zone,
            group: n.group,
            ready: n.ready,
        })
        .collect();
    let now = s.now();
    Ok(Json(Cluster {
        backend: backend.to_string(),
        simulated: s.inner.sim.is_some(),
        clock: Clock::at(now, s.inner.sim.as_ref().is_some_and(|sim| sim.paused())),
        feed_last: s.inner.feed.as_ref().map_or(0, |f| f.last()),
        nodes,
        workloads: workloads
            .iter()
            .map(|w| WorkloadView {
                id: w.id.0,
                tenant: w.tenant.to_string(),
                dialect: w.tenant.kind().dialect().to_owned(),
                name: w.spec.name.clone(),
                kind: format!("{:?}", w.spec.kind),
                phase: format!("{:?}", w.status.phase),
                replicas: w.spec.replicas,
                ready: w.status.ready,
            })
            .collect(),
        pods: pods
            .iter()
            .map(|p| PodView {
                id: p.id.0,
                tenant: p.tenant.to_string(),
                dialect: p.tenant.kind().dialect().to_owned(),
                workload: p.workload.0,
                name: p.name.clone(),
                node: p.node.clone(),
                phase: p.phase.as_str().to_owned(),
                reason: reason(p),
                restarts: p
                    .containers
                    .iter()
                    .fold(0_u32, |n, c| n.saturating_add(c.restart_count)),
                containers: p.containers.iter().map(|c| c.name.clone()).collect(),
            })
            .collect(),
    }))
}

/// Every workload of every tenant, by id.
async fn all_workloads(backend: &dyn ClusterBackend) -> Result<Vec<Workload>> {
    let mut all = Vec::new();
    loop {
        let page = backend
            .list_workloads(
                &WorkloadQuery::default(),
                PageRequest::new(all.len() as u64, BATCH),
            )
            .await?;
        let done =
            page.items.is_empty() || all.len() as u64 + page.items.len() as u64 >= page.total;
        all.extend(page.items);
        if done {
            return Ok(all);
        }
    }
}

/// Every pod of `workloads`, tenant by tenant.
async fn all_pods(backend: &dyn ClusterBackend, workloads: &[Workload]) -> Result<Vec<Pod>> {
    let mut by_tenant: BTreeMap<&TenantKey, Vec<_>> = BTreeMap::new();
    for w in workloads {
        by_tenant.entry(&w.tenant).or_default().push(w.id);
    }
    let mut all = Vec::new();
    for (tenant, ids) in by_tenant {
        let query = PodQuery::Workloads(tenant.clone(), ids);
        let mut read = 0_u64;
        loop {
            let page = backend
                .list_pods(&query, PageRequest::new(read, BATCH))
                .await?;
            read += page.items.len() as u64;
            let done = page.items.is_empty() || read >= page.total;
            all.extend(page.items);
            if done {
                break;
            }
        }
    }
    Ok(all)
}

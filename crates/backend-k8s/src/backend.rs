//! `K8sBackend`: the `ClusterBackend` on a Kubernetes cluster, put together from the
//! parts of this crate.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use k8s_openapi::api::core::v1 as core;
use kube::api::ListParams;
use podgate_core::model::{
    ConfigKind, ConfigObject, ConfigQuery, ContainerId, Eip, NewConfig, NewTenant, Node, Page,
    PageRequest, Pod, PodId, PodQuery, RestartPolicy, Tenant, TenantKey, TenantKind, Workload,
    WorkloadId, WorkloadOrder, WorkloadQuery, WorkloadSpec,
};
use podgate_core::secret::TokenHash;
use podgate_core::{Capabilities, ClusterBackend, Error, Result};

use crate::clock::Clock;
use crate::config::K8sConfig;
use crate::configs::Configs;
use crate::eips::Eips;
use crate::ids::Ids;
use crate::labels;
use crate::objects::{self, Stored, WORKLOAD_ID, WorkloadObject};
use crate::pods::{self, Pods};
use crate::registry::Registries;
use crate::retry::Backoff;
use crate::status::{Wanted, derive};
use crate::tenants::Tenants;
use crate::topology::Topology;
use crate::workloads::Workloads;

/// podgate on a Kubernetes cluster: every operation made of API requests, every bit of
/// state kept in the cluster, so several instances can serve one cluster side by side.
///
/// Restarting one container in place is something Kubernetes does not offer:
/// [`Capabilities`] says so and the operation answers `Unsupported`. Images are looked
/// up in their OCI registries (`K8sConfig::registry`).
/// Pools recycle idle pods, and pods the cluster's controllers make get their ids,
/// between calls: [`Capabilities::reconcile_every`] asks for
/// [`ClusterBackend::reconcile`] every 5 s (the `podgate` server calls it).
#[derive(Clone)]
pub struct K8sBackend {
    pub(crate) client: kube::Client,
    pub(crate) config: K8sConfig,
    pub(crate) backoff: Backoff,
    pub(crate) clock: Clock,
    pub(crate) tenants: Tenants,
    pub(crate) workloads: Workloads,
    pub(crate) pods: Pods,
    pub(crate) eips: Eips,
    pub(crate) topology: Topology,
    configs: Configs,
    registries: Option<Registries>,
    /// When `reconcile` last swept.
    last_sweep: Arc<Mutex<Option<Instant>>>,
}

impl fmt::Debug for K8sBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("K8sBackend")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for K8sBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("kubernetes")
    }
}

impl K8sBackend {
    /// A backend on the cluster `client` talks to.
    pub fn new(client: kube::Client, config: K8sConfig) -> Self {
        Self::with_backoff(client, config, Backoff::default())
    }

    /// A backend on the cluster kube's `Config::infer` finds: the kubeconfig
    /// (`KUBECONFIG`, `~/.kube/config`), else the pod's service account. TLS uses
    /// rustls with ring, installed as the process's crypto provider unless the program
    /// installed one first.
    pub async fn infer(config: K8sConfig) -> std::result::Result<Self, kube::Error> {
        // An error here means a provider is installed already, which is what is needed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = kube::Client::try_default().await?;
        Ok(Self::new(client, config))
    }

    pub(crate) fn with_backoff(client: kube::Client, config: K8sConfig, backoff: Backoff) -> Self {
        let ids = Ids::new(client.clone(), &config.system_namespace, backoff);
        let tenants = Tenants::new(
            client.clone(),
            &config.system_namespace,
            ids.clone(),
            config.tenant_role.clone(),
            backoff,
        );
        let registries = config.registry.clone().and_then(|r| {
            Registries::new(r)
                .map_err(
                    |e| tracing::warn!(error = %e, "no registry client: images are not looked up"),
                )
                .ok()
        });
        Self {
            registries,
            last_sweep: Arc::default(),
            workloads: Workloads::new(
                client.clone(),
                config.clone(),
                ids.clone(),
                tenants.clone(),
                backoff,
            ),
            pods: Pods::new(client.clone(), ids, backoff),
            eips: Eips::new(client.clone(), &config.system_namespace, backoff),
            topology: Topology::new(client.clone(), config.clone(), backoff),
            configs: Configs::new(client.clone(), backoff),
            tenants,
            client,
            config,
            backoff,
            clock: Clock::default(),
        }
    }

    /// Whether the API server answers (its `/version`).
    pub async fn ping(&self) -> Result<()> {
        self.client
            .apiserver_version()
            .await
            .map(|_| ())
            .map_err(|e| crate::error::to_core(e, "cluster", "version"))
    }

    /// The workload as shown, read with its member pods.
    async fn shown(&self, stored: Stored) -> Result<Workload> {
        let ns = self.workloads.namespace(&stored.tenant);
        // Boxed: a list of pods, each numbered, several API calls deep.
        let members = Box::pin(self.pods.of_workload(&ns, stored.id)).await?;
        Ok(show(stored, &members))
    }

    /// After a workload is written: its autoscaler as its spec asks (`created`: there
    /// is none to remove). The workload is written either way; an autoscaler that
    /// cannot be made now is made by the controller's next pass, for a pool, or the
    /// workload's next update.
    async fn after_write(&self, stored: &Stored, created: bool) {
        if created && stored.spec.autoscaler.is_none() {
            return;
        }
        let synced = match self.workloads.get(&stored.tenant, stored.id).await {
            Ok((_, object)) => self.sync_hpa(stored, &object).await,
            Err(e) => Err(e),
        };
        if let Err(e) = synced {
            tracing::warn!(error = %e, workload = %stored.spec.name, "its autoscaler is behind");
        }
    }

    /// Pods as shown, with their zone and group, one page of them by id.
    async fn pod_page(
        &self,
        tenant: &TenantKey,
        raw: &[core::Pod],
        page: PageRequest,
    ) -> Result<Page<Pod>> {
        let mut all = pods::to_pods(raw, tenant, None);
        all.sort_by_key(|p| p.id);
        let mut page = Page::from_vec(all, page);
        self.topology.place(&mut page.items).await?;
        Ok(page)
    }
}

/// A workload as shown: its stored spec and the status its member pods give it.
fn show(stored: Stored, members: &[core::Pod]) -> Workload {
    let known = (stored.template_hash.as_str(), &stored.spec.template);
    let shown = pods::to_pods(members, &stored.tenant, Some(known));
    let status = derive(&Wanted::of(&stored, members), &shown);
    Workload {
        tenant: stored.tenant,
        id: stored.id,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        eip: stored.eip,
        spec: stored.spec,
        status,
    }
}

/// Whether Kubernetes can run `spec` as asked: the controllers of replicated
/// workloads (Deployments, StatefulSets) restart containers always.
fn supported(spec: &WorkloadSpec) -> Result<()> {
    spec.check()?;
    if spec.template.restart_policy != RestartPolicy::Always && !objects::single_pod(spec) {
        return Err(Error::Unsupported {
            operation: "a restart policy other than Always for a replicated workload",
            backend: "kubernetes",
        });
    }
    Ok(())
}

/// Whether a workload matches the parts of a query the API server cannot select on.
fn matches(query: &WorkloadQuery, stored: &Stored) -> bool {
    query
        .tenants
        .as_ref()
        .is_none_or(|t| t.contains(&stored.tenant))
        && query.tenant_kind.is_none_or(|k| stored.tenant.kind() == k)
        && query.name.as_ref().is_none_or(|n| *n == stored.spec.name)
        && query
            .name_contains
            .as_ref()
            .is_none_or(|n| stored.spec.name.contains(n.as_str()))
        && query
            .label
            .as_ref()
            .is_none_or(|(k, v)| stored.spec.labels.get(k) == Some(v))
}

/// How often the backend asks for its reconcile pass.
const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

#[async_trait]
impl ClusterBackend for K8sBackend {
    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.logs = true;
        caps.image_lookup = self.registries.is_some();
        caps.autoscaling = true;
        caps.reconcile_every = Some(RECONCILE_EVERY);
        caps
    }

    async fn reconcile(&self) -> Result<()> {
        let pools = self.reconcile_pools().await;
        let numbered = self.number_pods().await.map(drop);
        let due = self.last_sweep.lock().map_or(true, |mut last| {
            let due = last.is_none_or(|at| at.elapsed() >= self.config.sweep_every);
            if due {
                *last = Some(Instant::now());
            }
            due
        });
        let swept = if due {
            self.sweep().await.map(drop)
        } else {
            Ok(())
        };
        pools.and(numbered).and(swept)
    }

    async fn list_nodes(&self) -> Result<Vec<Node>> {
        Ok(self
            .topology
            .within(crate::topology::LISTED)
            .await?
            .as_ref()
            .clone())
    }

    async fn create_tenant(&self, tenant: NewTenant) -> Result<Tenant> {
        self.tenants.create(tenant).await
    }

    async fn get_tenant(&self, key: &TenantKey) -> Result<Tenant> {
        self.tenants.get(key).await
    }

    async fn find_tenant_by_token(&self, kind: TenantKind, token: &TokenHash) -> Result<Tenant> {
        self.tenants.find_by_token(kind, token).await
    }

    async fn create_workload(&self, tenant: &TenantKey, spec: WorkloadSpec) -> Result<Workload> {
        supported(&spec)?;
        let stored = self
            .workloads
            .create(tenant, &spec, self.clock.now())
            .await?;
        self.after_write(&stored, true).await;
        Ok(show(stored, &[]))
    }

    async fn get_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<Workload> {
        match self.workloads.get(tenant, id).await? {
            // A single pod is its own object: one request.
            (stored, WorkloadObject::Pod(pod)) => Ok(show(stored, &[pod])),
            (stored, _) => self.shown(stored).await,
        }
    }

    async fn list_workloads(
        &self,
        query: &WorkloadQuery,
        page: PageRequest,
    ) -> Result<Page<Workload>> {
        let mut found = Vec::new();
        match (query.tenants.as_deref(), query.name.as_deref()) {
            // One name of one tenant: its name claim says which object.
            (Some([tenant]), Some(name)) => match self.workloads.find(tenant, name).await {
                Ok((stored, _)) => found.push(stored),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            },
            (Some(tenants), _) => {
                for tenant in tenants {
                    let ns = self.workloads.namespace(tenant);
                    found.extend(
                        self.workloads
                            .list(Some(&ns), &labels::selector(&[]))
                            .await?,
                    );
                }
            }
            (None, _) => {
                let selector = match query.tenant_kind.map(podgate_core::model::TenantKind::name) {
                    Some(kind) => labels::selector(&[(labels::TENANT_KIND, kind)]),
                    None => labels::selector(&[]),
                };
                found.extend(self.workloads.list(None, &selector).await?);
            }
        }
        found.retain(|s| matches(query, s));
        match query.order {
            WorkloadOrder::UpdatedDesc => {
                found.sort_by_key(|s| std::cmp::Reverse((s.updated_at, s.id)));
            }
            WorkloadOrder::IdDesc => found.sort_by_key(|s| std::cmp::Reverse(s.id)),
            _ => found.sort_by_key(|s| s.id),
        }
        let Page { total, items } = Page::from_vec(found, page);
        // The page's pods: one request for every namespace it spans.
        let mut by_namespace: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for stored in &items {
            by_namespace
                .entry(self.workloads.namespace(&stored.tenant))
                .or_default()
                .push(stored.id.0.to_string());
        }
        let mut members: BTreeMap<String, Vec<core::Pod>> = BTreeMap::new();
        for (ns, ids) in by_namespace {
            let selector = format!(
                "{},{WORKLOAD_ID} in ({})",
                labels::selector(&[]),
                ids.join(",")
            );
            let api: kube::Api<core::Pod> = kube::Api::namespaced(self.client.clone(), &ns);
            let params = ListParams::default().labels(&selector);
            let raw = crate::lists::all(&api, &params, &self.backoff)
                .await
                .map_err(|e| crate::error::to_core(e, "workload", "list"))?;
            for pod in raw {
                if let Some(id) = labels::value(&pod.metadata, WORKLOAD_ID) {
                    members.entry(id.to_owned()).or_default().push(pod);
                }
            }
        }
        let mut shown = Vec::with_capacity(items.len());
        for stored in items {
            let raw = members.remove(&stored.id.0.to_string()).unwrap_or_default();
            let ns = self.workloads.namespace(&stored.tenant);
            let numbered = Box::pin(self.pods.numbered_all(&ns, raw)).await?;
            shown.push(show(stored, &numbered));
        }
        Ok(Page {
            total,
            items: shown,
        })
    }

    async fn update_workload(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        spec: WorkloadSpec,
    ) -> Result<Workload> {
        supported(&spec)?;
        let moved = Box::pin(self.before_pool_update(tenant, id, &spec)).await?;
        let now = self.clock.now();
        let stored = match self.workloads.update(tenant, id, &spec, now).await {
            Ok(stored) => stored,
            Err(e) => {
                let ns = self.workloads.namespace(tenant);
                self.restore_members(&ns, moved).await;
                return Err(e);
            }
        };
        if stored.spec.kind == podgate_core::model::WorkloadKind::Stateful {
            let ns = self.workloads.namespace(tenant);
            self.pods.unstick(&ns, id, &stored.template_hash).await?;
        }
        self.after_write(&stored, false).await;
        self.shown(stored).await
    }

    async fn delete_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<()> {
        let (stored, _) = self.workloads.get(tenant, id).await?;
        let ns = self.workloads.namespace(tenant);
        // The EIP first: a failure here leaves the workload whole, to delete again.
        if let Some(eip) = &stored.eip {
            match self.eips.unassociate(tenant, &ns, id, eip).await {
                Ok(()) | Err(Error::NotFound { .. } | Error::IncorrectState(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.workloads.delete(tenant, id).await?;
        if stored.spec.kind == podgate_core::model::WorkloadKind::Pool {
            self.delete_pool_pods(&ns, id).await?;
        }
        Ok(())
    }

    async fn recreate_pods(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        only: Option<PodId>,
    ) -> Result<()> {
        let (stored, object) = self.workloads.get(tenant, id).await?;
        if let WorkloadObject::Pod(pod) = &object {
            // No controller makes a single pod again: podgate replaces it.
            if only.is_some_and(|only| pods::pod_id(pod) != Some(only)) {
                return Err(Error::not_found("pod", only.map_or(0, |p| p.0)));
            }
            let now = self.clock.now();
            self.workloads.update(tenant, id, &stored.spec, now).await?;
            return Ok(());
        }
        let ns = self.workloads.namespace(tenant);
        // Marked first, so the workload shows it is being replaced once its pods go.
        let now = self.clock.now().0.to_string();
        self.workloads
            .annotate(tenant, id, objects::RECREATED_AT, Some(&now))
            .await?;
        self.pods.recreate(&ns, id, only).await
    }

    async fn claim_pool_pod(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        instance: &str,
    ) -> Result<Pod> {
        Box::pin(self.claim(tenant, pool, instance)).await
    }

    async fn release_pool_pod(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        pod: PodId,
    ) -> Result<()> {
        self.release(tenant, pool, pod).await
    }

    async fn occupied_host_ports(
        &self,
        region: &str,
        ports: &[u16],
        ignore: Option<(&TenantKey, WorkloadId)>,
    ) -> Result<Vec<u16>> {
        let nodes = self.topology.read().await?;
        if !nodes.iter().any(|n| n.region == region) {
            return Err(Error::not_found("region", region));
        }
        self.workloads.ports.occupied(region, ports, ignore).await
    }

    async fn image_exists(&self, reference: &str) -> Result<bool> {
        match &self.registries {
            Some(registries) => registries.exists(reference).await,
            None => Err(Error::Unsupported {
                operation: "image lookup",
                backend: "kubernetes",
            }),
        }
    }

    async fn raw_pod(&self, tenant: &TenantKey, pod: PodId) -> Result<core::Pod> {
        self.pods
            .by_id(&self.workloads.namespace(tenant), pod)
            .await
    }

    async fn restart_container(
        &self,
        _tenant: &TenantKey,
        _workload: WorkloadId,
        _container: ContainerId,
    ) -> Result<()> {
        Err(Error::Unsupported {
            operation: "restarting one container in place",
            backend: "kubernetes",
        })
    }

    async fn list_pods(&self, query: &PodQuery, page: PageRequest) -> Result<Page<Pod>> {
        match query {
            PodQuery::Workload(tenant, id) => {
                let ns = self.workloads.namespace(tenant);
                let raw = self.pods.made_for(&ns, &[*id]).await?;
                if raw.is_empty() {
                    // No pods, or no such workload: only the latter is an error.
                    self.workloads.get(tenant, *id).await?;
                }
                self.pod_page(tenant, &raw, page).await
            }
            PodQuery::Workloads(tenant, ids) => {
                let ns = self.workloads.namespace(tenant);
                let raw = self.pods.made_for(&ns, ids).await?;
                self.pod_page(tenant, &raw, page).await
            }
            PodQuery::Node(tenant, node) => {
                let ns = self.workloads.namespace(tenant);
                let raw = self.pods.on_node(&ns, node).await?;
                self.pod_page(tenant, &raw, page).await
            }
            PodQuery::Group(tenant, group) => {
                let nodes = self.topology.recent().await?;
                let in_group: Vec<&str> = nodes
                    .iter()
                    .filter(|n| n.group.as_deref() == Some(group.as_str()))
                    .map(|n| n.name.as_str())
                    .collect();
                let ns = self.workloads.namespace(tenant);
                let mut raw = self.pods.in_namespace(&ns).await?;
                raw.retain(|p| {
                    p.spec
                        .as_ref()
                        .and_then(|s| s.node_name.as_deref())
                        .is_some_and(|n| in_group.contains(&n))
                });
                self.pod_page(tenant, &raw, page).await
            }
            _ => Err(Error::Unsupported {
                operation: "this pod query",
                backend: "kubernetes",
            }),
        }
    }

    async fn container_log(
        &self,
        tenant: &TenantKey,
        pod: PodId,
        container: &str,
        tail_lines: Option<u64>,
    ) -> Result<String> {
        let ns = self.workloads.namespace(tenant);
        let raw = self.pods.by_id(&ns, pod).await?;
        let known = raw
            .spec
            .as_ref()
            .is_some_and(|s| s.containers.iter().any(|c| c.name == container));
        if !known {
            return Err(Error::not_found("container", container));
        }
        let name = raw.metadata.name.clone().unwrap_or_default();
        self.pods.log(&ns, &name, container, tail_lines).await
    }

    async fn create_eip(&self, id: &str, address: &str) -> Result<Eip> {
        self.eips.create(id, address).await
    }

    async fn list_eips(&self) -> Result<Vec<Eip>> {
        self.eips.list().await
    }

    async fn associate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()> {
        let (stored, _) = self.workloads.get(tenant, workload).await?;
        let ns = self.workloads.namespace(tenant);
        let ports: Vec<u16> = stored
            .spec
            .template
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().map(|p| p.container_port))
            .collect();
        self.eips
            .associate(tenant, &ns, workload, &ports, eip)
            .await?;
        if let Err(e) = self
            .workloads
            .annotate(tenant, workload, objects::EIP, Some(eip))
            .await
        {
            // Give the EIP back: the workload must not hold what it does not show.
            if let Err(back) = self.eips.unassociate(tenant, &ns, workload, eip).await {
                tracing::warn!(error = %back, eip, "an EIP could not be given back");
            }
            return Err(e);
        }
        Ok(())
    }

    async fn unassociate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()> {
        self.workloads.get(tenant, workload).await?;
        let ns = self.workloads.namespace(tenant);
        self.eips.unassociate(tenant, &ns, workload, eip).await?;
        self.workloads
            .annotate(tenant, workload, objects::EIP, None)
            .await
    }

    async fn create_config(&self, tenant: &TenantKey, config: NewConfig) -> Result<ConfigObject> {
        self.tenants.get(tenant).await?;
        let ns = self.workloads.namespace(tenant);
        self.tenants
            .ensure_namespace(&ns)
            .await
            .map_err(|e| crate::error::to_core(e, "namespace", &ns))?;
        self.configs
            .create(&ns, tenant, &config, self.clock.now())
            .await
    }

    async fn get_config(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
    ) -> Result<ConfigObject> {
        let ns = self.workloads.namespace(tenant);
        self.configs.get(&ns, tenant, kind, id).await
    }

    async fn list_configs(&self, query: &ConfigQuery) -> Result<Vec<ConfigObject>> {
        let ns = self.workloads.namespace(&query.tenant);
        self.configs.list(&ns, query).await
    }

    async fn update_config(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
        data: BTreeMap<String, String>,
        attributes: BTreeMap<String, String>,
    ) -> Result<ConfigObject> {
        let ns = self.workloads.namespace(tenant);
        self.configs
            .update(
                &ns,
                tenant,
                kind,
                id,
                (&data, &attributes),
                self.clock.now(),
            )
            .await
    }

    /// Refuses while a workload of the tenant reads it. Checked, then deleted: a
    /// workload made in between that names it starts with the object gone (its pods
    /// wait in `CreateContainerConfigError`), as Kubernetes allows.
    async fn delete_config(&self, tenant: &TenantKey, kind: ConfigKind, id: &str) -> Result<()> {
        let ns = self.workloads.namespace(tenant);
        let found = self.configs.get(&ns, tenant, kind, id).await?;
        let name = found.config.name.as_str();
        let readers = self
            .workloads
            .list(Some(&ns), &labels::selector(&[]))
            .await?;
        if readers
            .iter()
            .any(|w| !w.deleting && w.spec.template.config_refs().contains(&(kind, name)))
        {
            return Err(Error::IncorrectState(format!(
                "{} {name} is used by a workload",
                kind.name()
            )));
        }
        self.configs.delete(&ns, kind, id).await
    }
}

//! The `ClusterBackend` trait: the primitives that differ between a simulator and a
//! real cluster, in domain terms.

use std::fmt::{Debug, Display};
use std::time::Duration;

use async_trait::async_trait;

use crate::Result;
use crate::model::{
    ConfigKind, ConfigObject, ConfigQuery, ContainerId, Eip, NewConfig, NewTenant, Node, Page,
    PageRequest, Pod, PodId, PodQuery, Tenant, TenantKey, TenantKind, Workload, WorkloadId,
    WorkloadQuery, WorkloadSpec,
};
use crate::secret::TokenHash;

/// What a backend can do beyond the operations every backend has.
///
/// A backend reports a missing capability as [`crate::Error::Unsupported`] when the
/// operation is called; the conformance suite skips what a backend lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// Restarting one container without replacing its pod.
    pub restart_container: bool,
    /// Reading container logs.
    pub logs: bool,
    /// Knowing whether an image exists before pulling it.
    pub image_lookup: bool,
    /// Acting on a workload's [`crate::model::Autoscaler`] (a backend without it keeps
    /// the autoscaler and shows it back, and the replica count stays as asked).
    pub autoscaling: bool,
    /// `Some(period)`: the backend has work to do between calls (see
    /// [`ClusterBackend::reconcile`]) and needs `reconcile` called about this often
    /// while it serves; `None`: it does that work by itself.
    pub reconcile_every: Option<Duration>,
}

impl Capabilities {
    /// Every capability, with no reconcile pass to run.
    pub const ALL: Self = Self {
        restart_container: true,
        logs: true,
        image_lookup: true,
        autoscaling: true,
        reconcile_every: None,
    };
}

/// A cluster that runs workloads for tenants: the simulator, or real Kubernetes.
///
/// # Contract
///
/// - **Tenancy.** Every workload, pod, config object and held EIP belongs to one tenant. A call that
///   names a tenant reaches only that tenant's objects; an object of another tenant
///   answers exactly like one that does not exist ([`crate::Error::NotFound`]).
/// - **Ids.** Workload, pod and container ids are positive, unique across the backend
///   and never reused, also after deletion. Allocated namespace ids likewise.
/// - **Names.** A workload's name is unique among its tenant's live workloads; a
///   second create with the same name fails with [`crate::Error::AlreadyExists`], also
///   when both run at the same time (exactly one wins).
/// - **Atomicity.** A call that fails changes nothing.
/// - **Idempotence.** An update to the spec a workload already has changes nothing: its
///   `updated_at` stays and no pod is replaced.
/// - **Order and paging.** Lists are ordered by id, ascending, unless the query asks
///   otherwise. `total` counts every
///   match before paging. A page costs in proportion to its size where the backend can
///   index the query.
/// - **Status.** Workload and pod status are observations, derived when read; they move
///   on by themselves (scheduling, image pulls, crashes) between calls.
/// - **Errors.** Backend failures are [`crate::Error::Backend`]; a missing capability is
///   [`crate::Error::Unsupported`].
/// - **Work between calls.** Pools recycle idle pods, and status moves on, without a
///   call. A backend that needs to be driven for that says so in
///   [`Capabilities::reconcile_every`], and whoever runs it calls
///   [`ClusterBackend::reconcile`] that often (the `podgate` server does).
#[async_trait]
pub trait ClusterBackend: Send + Sync + Debug + Display + 'static {
    /// What this backend can do beyond the common operations.
    fn capabilities(&self) -> Capabilities;

    /// One pass of the work the backend does between calls; on Kubernetes: idle pool
    /// pods recycled, pods the cluster's controllers made given their ids, and, when it
    /// is due, claims that cut-off calls left behind swept. Safe to run from several
    /// instances at once. A backend whose [`Capabilities::reconcile_every`] is `None`
    /// has nothing to do here (the default).
    async fn reconcile(&self) -> Result<()> {
        Ok(())
    }

    /// Every node of the cluster, in a stable order.
    async fn list_nodes(&self) -> Result<Vec<Node>>;

    /// Creates a tenant. A namespace key with id 0 gets the next free id; a given id
    /// that exists already fails with `AlreadyExists`.
    async fn create_tenant(&self, tenant: NewTenant) -> Result<Tenant>;

    /// The tenant with this key, or `NotFound`.
    async fn get_tenant(&self, key: &TenantKey) -> Result<Tenant>;

    /// The tenant of this kind whose token hashes to `token`, or `NotFound`.
    async fn find_tenant_by_token(&self, kind: TenantKind, token: &TokenHash) -> Result<Tenant>;

    /// Creates a workload and starts its pod. The tenant must exist (`NotFound`); the
    /// name must be free (`AlreadyExists`).
    async fn create_workload(&self, tenant: &TenantKey, spec: WorkloadSpec) -> Result<Workload>;

    /// One workload of a tenant.
    async fn get_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<Workload>;

    /// The workloads matching `query`, one page of them, by id. A query for one name
    /// of one tenant is a lookup by name: it costs one workload, whatever the tenant
    /// holds (see [`ClusterBackendExt::find_workload`]).
    async fn list_workloads(
        &self,
        query: &WorkloadQuery,
        page: PageRequest,
    ) -> Result<Page<Workload>>;

    /// Replaces a workload's spec. The name cannot change (`Invalid`). When the pod
    /// template changes the pod is replaced by one from the new template (the workload
    /// shows `Updating` until it runs); a change of labels alone replaces nothing.
    async fn update_workload(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        spec: WorkloadSpec,
    ) -> Result<Workload>;

    /// Deletes a workload and its pods and releases its EIP. A pool is deleted
    /// gracefully: it stays visible (`status.deleting`) until its pods are gone, and its
    /// name stays taken until then.
    async fn delete_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<()>;

    /// Replaces the workload's pods (or only `only`, one of them) with new ones (new pod
    /// and container ids) made from the current spec. A pod not of this workload is
    /// `NotFound` (kind "pod").
    async fn recreate_pods(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        only: Option<PodId>,
    ) -> Result<()>;

    /// Binds one of a pool's pods to a function instance, preferring running idle pods,
    /// then idle pods still starting, then a new pod when the pool may scale (up to its
    /// `max_size`); a pool with nothing to give is `IncorrectState`. With `reuse` false
    /// the pod leaves the pool, which replaces it at once; with `reuse` true it stays a
    /// member until released.
    async fn claim_pool_pod(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        instance: &str,
    ) -> Result<Pod>;

    /// Destroys a claimed pool pod (the instance is done with it); with `reuse` true the
    /// pool then replaces it. A pod not claimed from this pool is `NotFound` (kind
    /// "pod").
    async fn release_pool_pod(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        pod: PodId,
    ) -> Result<()>;

    /// Which of `ports` are bound on some node of `region`, not counting the pods of
    /// `ignore`. An unknown region is `NotFound` (kind "region").
    async fn occupied_host_ports(
        &self,
        region: &str,
        ports: &[u16],
        ignore: Option<(&TenantKey, WorkloadId)>,
    ) -> Result<Vec<u16>>;

    /// Whether the image exists in the registry the cluster pulls from.
    /// Needs [`Capabilities::image_lookup`].
    async fn image_exists(&self, reference: &str) -> Result<bool>;

    /// The pod as a Kubernetes API server shows it: the real object on a cluster, one
    /// with the server's defaults filled in on the simulator.
    async fn raw_pod(
        &self,
        tenant: &TenantKey,
        pod: PodId,
    ) -> Result<k8s_openapi::api::core::v1::Pod>;

    /// Restarts one container in place: same pod, `restart_count` + 1.
    /// Needs [`Capabilities::restart_container`].
    async fn restart_container(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        container: ContainerId,
    ) -> Result<()>;

    /// The pods matching `query`, one page of them, by id.
    async fn list_pods(&self, query: &PodQuery, page: PageRequest) -> Result<Page<Pod>>;

    /// The log of one container of a pod, the last `tail_lines` lines when given.
    /// Needs [`Capabilities::logs`].
    async fn container_log(
        &self,
        tenant: &TenantKey,
        pod: PodId,
        container: &str,
        tail_lines: Option<u64>,
    ) -> Result<String>;

    /// Adds an EIP to the inventory; its id must be new (`AlreadyExists`).
    async fn create_eip(&self, id: &str, address: &str) -> Result<Eip>;

    /// Every EIP of the inventory, by id.
    async fn list_eips(&self) -> Result<Vec<Eip>>;

    /// Gives the EIP `eip` to a workload. Unknown EIP → `NotFound` (kind "eip");
    /// held by another workload, or the workload holds one already →
    /// `IncorrectState`.
    async fn associate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()>;

    /// Takes the EIP `eip` back from a workload. Unknown EIP → `NotFound` (kind "eip");
    /// not held by this workload → `IncorrectState`.
    async fn unassociate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()>;

    /// Creates a config map or secret of a tenant and gives it a new id. The tenant
    /// must exist (`NotFound`); the name must be free among the tenant's objects of
    /// that kind (`AlreadyExists`, also when two creates race).
    async fn create_config(&self, tenant: &TenantKey, config: NewConfig) -> Result<ConfigObject>;

    /// One config object of a tenant by kind and id; `NotFound` (kind "configmap" or
    /// "secret") otherwise.
    async fn get_config(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
    ) -> Result<ConfigObject>;

    /// Every config object matching `query`, oldest first (ties by id). A tenant holds
    /// few of them, so the list is not paged.
    async fn list_configs(&self, query: &ConfigQuery) -> Result<Vec<ConfigObject>>;

    /// Replaces a config object's data and attributes (its name and kind stay). Pods
    /// that mount it see the new data as the cluster refreshes mounted volumes.
    async fn update_config(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
        data: std::collections::BTreeMap<String, String>,
        attributes: std::collections::BTreeMap<String, String>,
    ) -> Result<ConfigObject>;

    /// Deletes a config object. One that a live workload of the tenant reads (a volume
    /// or an env var names it) is `IncorrectState` and stays.
    async fn delete_config(&self, tenant: &TenantKey, kind: ConfigKind, id: &str) -> Result<()>;
}

/// Conveniences every [`ClusterBackend`] has, written once over its calls.
#[async_trait]
pub trait ClusterBackendExt: ClusterBackend {
    /// The tenant's live workload named `name`, or `NotFound`: a list of that one name.
    async fn find_workload(&self, tenant: &TenantKey, name: &str) -> Result<Workload> {
        let query = WorkloadQuery {
            tenants: Some(vec![tenant.clone()]),
            name: Some(name.to_owned()),
            ..WorkloadQuery::default()
        };
        self.list_workloads(&query, PageRequest::new(0, 1))
            .await?
            .items
            .into_iter()
            .next()
            .ok_or_else(|| crate::Error::not_found("workload", name))
    }
}

impl<B: ClusterBackend + ?Sized> ClusterBackendExt for B {}

//! Workloads on the cluster: a name claim, an id, and the object that runs them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{self as core, ConfigMap};
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams, Preconditions, PropagationPolicy};
use podgate_core::model::{TenantKey, Timestamp, WorkloadId, WorkloadKind, WorkloadSpec};
use podgate_core::{Error, Result};

use crate::claims::{self, Claimed, StaleBefore};
use crate::config::K8sConfig;
use crate::error::to_core;
use crate::ids::{IdKind, Ids};
use crate::labels;
use crate::lists;
use crate::objects::{self, SINGLE_POD, Stored, Times, WORKLOAD_ID, WorkloadObject};
use crate::ports::{self, Ports};
use crate::retry::Backoff;
use crate::tenants::{Tenants, namespace_of};

/// A namespaced Kubernetes type podgate reads and writes whole (a workload's object).
trait Kind:
    kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
    + Clone
    + serde::de::DeserializeOwned
    + serde::Serialize
    + std::fmt::Debug
{
}

impl<K> Kind for K where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + serde::Serialize
        + std::fmt::Debug
{
}

/// The Kubernetes types a workload's object can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    StatefulSet,
    Deployment,
    Pod,
}

impl Shape {
    /// The object type a workload of `kind` is run by.
    fn of(kind: WorkloadKind) -> Self {
        match kind {
            WorkloadKind::Stateful => Self::StatefulSet,
            WorkloadKind::Deployment | WorkloadKind::Pool => Self::Deployment,
            WorkloadKind::Single => Self::Pod,
        }
    }
}

/// The most tenants whose last workload's object type is remembered; past it the
/// memory starts again.
const REMEMBERED: usize = 65_536;

/// The object type each tenant's workload was last found in or made as: a tenant's
/// workloads are mostly of one type, so looking there first makes a lookup one
/// request. A hint only, kept per instance: a wrong or missing one costs requests,
/// never an answer.
#[derive(Debug, Clone, Default)]
struct ShapeHints(Arc<Mutex<HashMap<TenantKey, Shape>>>);

impl ShapeHints {
    /// The object types to look in, the tenant's hinted one first.
    fn order(&self, tenant: &TenantKey) -> [Shape; 3] {
        let first = self
            .0
            .lock()
            .ok()
            .and_then(|h| h.get(tenant).copied())
            .unwrap_or(Shape::StatefulSet);
        let mut order = [Shape::StatefulSet, Shape::Deployment, Shape::Pod];
        order.sort_by_key(|s| *s != first);
        order
    }

    fn remember(&self, tenant: &TenantKey, shape: Shape) {
        if let Ok(mut hints) = self.0.lock() {
            if hints.len() >= REMEMBERED {
                hints.clear();
            }
            hints.insert(tenant.clone(), shape);
        }
    }
}

/// The name claim's object name: a digest of the workload's name.
pub(crate) fn claim_name(name: &str) -> String {
    format!("name-{}", labels::digest(name))
}

/// How long finding a workload by name waits for the object of a create under way.
const UNDER_WAY: std::time::Duration = std::time::Duration::from_secs(3);

/// The name claim's data key for the name it claims.
pub(crate) const NAME: &str = "name";

/// The claims a create is taking (its name, its host ports), before its object is
/// made. Dropped armed (the create's future was dropped: its request was cancelled),
/// it gives them back from a task of its own, unless the object was made after all;
/// what that misses (a reply in flight) the sweep repairs.
struct PendingClaims {
    armed: Option<(Workloads, TenantKey, WorkloadSpec, WorkloadId)>,
}

impl PendingClaims {
    /// The create got to its end: nothing to give back here.
    fn disarm(mut self) {
        self.armed = None;
    }
}

impl Drop for PendingClaims {
    fn drop(&mut self) {
        let Some((workloads, tenant, spec, id)) = self.armed.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            if let Err(Error::NotFound { .. }) = workloads.get(&tenant, id).await {
                workloads.give_back(&tenant, &spec, id).await;
            }
        });
    }
}

/// The workload operations that touch only workload objects.
#[derive(Clone)]
pub(crate) struct Workloads {
    client: kube::Client,
    config: K8sConfig,
    ids: Ids,
    tenants: Tenants,
    pub(crate) ports: Ports,
    backoff: Backoff,
    hints: ShapeHints,
}

impl Workloads {
    pub(crate) fn new(
        client: kube::Client,
        config: K8sConfig,
        ids: Ids,
        tenants: Tenants,
        backoff: Backoff,
    ) -> Self {
        Self {
            ports: Ports::new(client.clone(), &config.system_namespace, backoff),
            client,
            config,
            ids,
            tenants,
            backoff,
            hints: ShapeHints::default(),
        }
    }

    /// The namespace a tenant's workloads and pods are in.
    pub(crate) fn namespace(&self, tenant: &TenantKey) -> String {
        match tenant {
            TenantKey::System => self.config.system_namespace.clone(),
            other => namespace_of(other),
        }
    }

    /// Creates a workload: takes an id, claims its name in the tenant (a second claim
    /// of the name is `AlreadyExists`), and creates its object. If the object cannot be
    /// made, the claim is given back.
    pub(crate) async fn create(
        &self,
        tenant: &TenantKey,
        spec: &WorkloadSpec,
        now: Timestamp,
    ) -> Result<Stored> {
        let ns = self.namespace(tenant);
        let id = WorkloadId(
            self.ids
                .allocate(IdKind::Workload, 1)
                .await
                .map_err(|e| to_core(e, "workload", "new"))?,
        );
        let pending = PendingClaims {
            armed: Some((self.clone(), tenant.clone(), spec.clone(), id)),
        };
        if let Err(e) = self.claim(tenant, &ns, &spec.name, id, now).await {
            pending.disarm();
            return Err(e);
        }
        if let Some((region, wanted)) = ports::wanted(spec) {
            let held = |found| self.binds(found);
            let taken = self
                .ports
                .take(tenant, id, region, &wanted, self.stale_before(now), held)
                .await;
            if let Err(e) = taken {
                pending.disarm();
                self.release_claim(&ns, &spec.name, id).await;
                return Err(e);
            }
        }
        let times = Times {
            created: now,
            updated: now,
        };
        self.hints.remember(tenant, Shape::of(spec.kind));
        let mut object = objects::render(id, tenant, spec, times, None, &self.config);
        let made = self.write_new(&ns, &mut object).await;
        pending.disarm();
        if let Err(e) = made {
            self.give_back(tenant, spec, id).await;
            return Err(e);
        }
        object
            .stored()
            .ok_or_else(|| Error::not_found("workload", id))
    }

    /// Claims `name` for workload `id` (see [`crate::claims`]): the first write of a
    /// create into the tenant's namespace. The namespace is made with the tenant, so
    /// when it is missing the tenant is unknown (`NotFound`) or its namespace was lost
    /// (a fresh cluster's system namespace, one deleted by hand): then it is made and
    /// the claim tried once more. One request when the name is free.
    async fn claim(
        &self,
        tenant: &TenantKey,
        ns: &str,
        name: &str,
        id: WorkloadId,
        now: Timestamp,
    ) -> Result<()> {
        let api = self.api::<ConfigMap>(Some(ns));
        let claim = claims::new(
            Claimed::Name,
            claim_name(name),
            tenant,
            id,
            BTreeMap::from([(NAME.to_owned(), name.to_owned())]),
        );
        // Held while its workload's object is there.
        let held = |found: ConfigMap| async move {
            match claims::holder(&found) {
                Some((tenant, id)) => {
                    !matches!(self.get(&tenant, id).await, Err(Error::NotFound { .. }))
                }
                None => true,
            }
        };
        let stale_before = self.stale_before(now);
        let try_claim = || claims::take(&api, &self.backoff, &claim, stale_before, held);
        let made = match try_claim().await {
            Err(e) if crate::namespaces::missing(&e) => {
                if *tenant != TenantKey::System {
                    self.tenants.get(tenant).await?;
                }
                self.tenants
                    .ensure_namespace(ns)
                    .await
                    .map_err(|e| to_core(e, "namespace", ns))?;
                try_claim().await
            }
            other => other,
        }
        .map_err(|e| to_core(e, "workload", name))?;
        if made {
            Ok(())
        } else {
            Err(Error::already_exists("workload", name))
        }
    }

    /// Claims made by this time may have been left behind.
    pub(crate) fn stale_before(&self, now: Timestamp) -> StaleBefore {
        StaleBefore::at(now, self.config.stale_claims_after)
    }

    /// Gives back what workload `id` of `spec` claims (its name, its host ports), where
    /// it still holds them.
    async fn give_back(&self, tenant: &TenantKey, spec: &WorkloadSpec, id: WorkloadId) {
        self.release_claim(&self.namespace(tenant), &spec.name, id)
            .await;
        if let Some((region, wanted)) = ports::wanted(spec) {
            self.ports.release(id, region, wanted).await;
        }
    }

    /// Whether the holder of a host port claim still binds the port in its region (its
    /// object is there and its template has the port); when that cannot be read, it
    /// counts as bound.
    pub(crate) async fn binds(&self, claim: ConfigMap) -> bool {
        let Some((tenant, id)) = claims::holder(&claim) else {
            return true;
        };
        match self.get(&tenant, id).await {
            Ok((stored, _)) => {
                let claimed = ports::claimed(&claim);
                ports::wanted(&stored.spec).is_some_and(|(region, wanted)| {
                    claimed.is_some_and(|(r, port)| r == region && wanted.contains(&port))
                })
            }
            Err(Error::NotFound { .. }) => false,
            Err(_) => true,
        }
    }

    /// Gives the name back, if workload `id` still holds it (a later workload of that
    /// name keeps its claim).
    pub(crate) async fn release_claim(&self, ns: &str, name: &str, id: WorkloadId) {
        let api = self.api::<ConfigMap>(Some(ns));
        if let Err(e) = claims::release(&api, &self.backoff, &claim_name(name), id).await {
            tracing::warn!(error = %e, name, "a workload name claim was left behind");
        }
    }

    /// Creates a new object; a single pod gets its ids and its full name first.
    async fn write_new(&self, ns: &str, object: &mut WorkloadObject) -> Result<()> {
        if let WorkloadObject::Pod(pod) = object {
            crate::pods::give_ids(&self.ids, pod).await?;
            let id = crate::pods::pod_id(pod).map_or(0, |p| p.0);
            if let Some(name) = pod.metadata.name.as_mut() {
                name.push_str(&format!("-{id}"));
            }
        }
        self.create_object(ns, object).await
    }

    /// Replaces `object` (named `name`) with the version it holds.
    async fn replace(
        &self,
        ns: &str,
        name: &str,
        object: &WorkloadObject,
    ) -> std::result::Result<(), kube::Error> {
        match object {
            WorkloadObject::StatefulSet(s) => self.replace_as(ns, name, s).await,
            WorkloadObject::Deployment(d) => self.replace_as(ns, name, d).await,
            WorkloadObject::Pod(p) => self.replace_as(ns, name, p).await,
        }
    }

    async fn replace_as<K: Kind>(
        &self,
        ns: &str,
        name: &str,
        object: &K,
    ) -> std::result::Result<(), kube::Error> {
        let (api, post) = (self.api::<K>(Some(ns)), PostParams::default());
        self.backoff
            .call(|| api.replace(name, &post, object))
            .await?;
        Ok(())
    }

    /// Deletes `object`; one already gone counts as deleted. A pool's object stays
    /// (foreground deletion) until its pods are gone, as a pool shows itself being
    /// deleted (`status.deleting`); any other goes at once and the garbage collector takes its pods after
    /// it (background deletion), so its name is free when the call answers.
    async fn delete_object(&self, ns: &str, object: &WorkloadObject) -> Result<()> {
        let name = object.metadata().name.clone().unwrap_or_default();
        let propagation = if object.kind() == WorkloadKind::Pool {
            PropagationPolicy::Foreground
        } else {
            PropagationPolicy::Background
        };
        let params = DeleteParams {
            propagation_policy: Some(propagation),
            preconditions: object.metadata().uid.clone().map(|uid| Preconditions {
                uid: Some(uid),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        let gone = match object {
            WorkloadObject::StatefulSet(_) => {
                self.delete_as::<StatefulSet>(ns, &name, &params).await
            }
            WorkloadObject::Deployment(_) => self.delete_as::<Deployment>(ns, &name, &params).await,
            WorkloadObject::Pod(_) => self.delete_as::<core::Pod>(ns, &name, &params).await,
        };
        gone.map_err(|e| to_core(e, "workload", &name))
    }

    /// The API of `K` objects in namespace `ns`, or in every namespace.
    fn api<K: Kind>(&self, ns: Option<&str>) -> Api<K> {
        match ns {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    async fn delete_as<K: Kind>(
        &self,
        ns: &str,
        name: &str,
        params: &DeleteParams,
    ) -> std::result::Result<(), kube::Error> {
        self.backoff
            .delete(&self.api::<K>(Some(ns)), name, params)
            .await
    }

    /// Creates `object` once; an object of its name made for the same workload id is
    /// a try whose reply was lost (one of another id is a pool of that name still
    /// being deleted).
    async fn create_as<K: Kind>(
        &self,
        ns: &str,
        object: &K,
    ) -> std::result::Result<bool, kube::Error> {
        let api = self.api::<K>(Some(ns));
        let same = |a: &K, b: &K| {
            labels::value(a.meta(), WORKLOAD_ID) == labels::value(b.meta(), WORKLOAD_ID)
        };
        self.backoff.create_once(&api, object, same).await
    }

    async fn create_object(&self, ns: &str, object: &WorkloadObject) -> Result<()> {
        let name = object.metadata().name.clone().unwrap_or_default();
        let made = match object {
            WorkloadObject::StatefulSet(s) => self.create_as(ns, s).await,
            WorkloadObject::Deployment(d) => self.create_as(ns, d).await,
            WorkloadObject::Pod(p) => self.create_as(ns, p).await,
        };
        match made {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::already_exists("workload", &name)),
            Err(e) => Err(to_core(e, "workload", &name)),
        }
    }

    /// The workload `id` of `tenant` and its object: one request when it is of the
    /// type the tenant's workload last was ([`ShapeHints`]).
    pub(crate) async fn get(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
    ) -> Result<(Stored, WorkloadObject)> {
        let ns = self.namespace(tenant);
        let order = self.hints.order(tenant);
        for shape in order {
            if let Some(object) = self.find_object(&ns, shape, id).await? {
                // Only a hint that was wrong is written: a right one costs no lock.
                if shape != order[0] {
                    self.hints.remember(tenant, shape);
                }
                let stored = object
                    .stored()
                    .ok_or_else(|| Error::not_found("workload", id))?;
                return Ok((stored, object));
            }
        }
        Err(Error::not_found("workload", id))
    }

    async fn find_object(
        &self,
        ns: &str,
        shape: Shape,
        id: WorkloadId,
    ) -> Result<Option<WorkloadObject>> {
        let id_text = id.0.to_string();
        let found = match shape {
            Shape::StatefulSet => {
                let selector = labels::selector(&[(WORKLOAD_ID, &id_text)]);
                let params = ListParams::default().labels(&selector);
                self.first::<StatefulSet>(ns, &params)
                    .await
                    .map(|o| o.map(WorkloadObject::StatefulSet))
            }
            Shape::Deployment => {
                let selector = labels::selector(&[(WORKLOAD_ID, &id_text)]);
                let params = ListParams::default().labels(&selector);
                self.first::<Deployment>(ns, &params)
                    .await
                    .map(|o| o.map(WorkloadObject::Deployment))
            }
            Shape::Pod => self
                .single_pods(ns, id)
                .await
                .map(|pods| pods.into_iter().last().map(WorkloadObject::Pod)),
        };
        found.map_err(|e| to_core(e, "workload", &id_text))
    }

    /// A single-pod workload's live pods, oldest first ([`objects::newness`]): one, or
    /// for a moment after a replacement (or several at once) more, of which the newest
    /// is the workload's.
    /// Pods being deleted are gone already as far as podgate is concerned.
    async fn single_pods(
        &self,
        ns: &str,
        id: WorkloadId,
    ) -> std::result::Result<Vec<core::Pod>, kube::Error> {
        let selector = labels::selector(&[(WORKLOAD_ID, &id.0.to_string()), (SINGLE_POD, "true")]);
        let api = self.api::<core::Pod>(Some(ns));
        let params = ListParams::default().labels(&selector);
        let mut pods = self.backoff.call(|| api.list(&params)).await?.items;
        pods.retain(|p| p.metadata.deletion_timestamp.is_none());
        pods.sort_by_key(objects::newness);
        Ok(pods)
    }

    /// The first object of type `K` in `ns` that `params` selects.
    async fn first<K: Kind>(
        &self,
        ns: &str,
        params: &ListParams,
    ) -> std::result::Result<Option<K>, kube::Error> {
        let api = self.api::<K>(Some(ns));
        let list = self.backoff.call(|| api.list(params)).await?;
        Ok(list.items.into_iter().next())
    }

    /// The tenant's workload named `name`: its claim gives the id.
    pub(crate) async fn find(
        &self,
        tenant: &TenantKey,
        name: &str,
    ) -> Result<(Stored, WorkloadObject)> {
        let api = self.api::<ConfigMap>(Some(&self.namespace(tenant)));
        let claimed = claim_name(name);
        let claim = self
            .backoff
            .call(|| api.get_opt(&claimed))
            .await
            .map_err(|e| to_core(e, "workload", name))?
            .ok_or_else(|| Error::not_found("workload", name))?;
        let id = claims::holder_id(&claim)
            .filter(|_| claims::value(&claim, NAME) == Some(name))
            .ok_or_else(|| Error::not_found("workload", name))?;
        // A claim without its object yet is a create under way (or one cut off): its
        // object is waited for a moment, as the create answers within one.
        let wait_until = std::time::Instant::now() + UNDER_WAY;
        loop {
            match self.get(tenant, id).await {
                Err(Error::NotFound { .. })
                    if std::time::Instant::now() < wait_until
                        && !claims::old(&claim, self.stale_before(Timestamp::now())) =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(Error::NotFound { .. }) => return Err(Error::not_found("workload", name)),
                other => return other,
            }
        }
    }

    /// Replaces a workload's spec, conditionally on the version read (a concurrent
    /// update makes it read again). The name and kind cannot change. A new template
    /// makes the controller roll the pods; labels alone change only the metadata.
    pub(crate) async fn update(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        spec: &WorkloadSpec,
        now: Timestamp,
    ) -> Result<Stored> {
        let ns = self.namespace(tenant);
        let id_text = id.0.to_string();
        // The attempt answers Ok(Err(..)) for a refusal no re-read can change. Boxed:
        // a read, a render and a write, several API calls deep.
        Box::pin(self.backoff.conditional(16, || async {
            let (stored, current) = match self.get(tenant, id).await {
                Ok(found) => found,
                Err(e) => return Ok(Err(e)),
            };
            let was = &stored.spec;
            if let Err(e) = spec.check_replacing(&was.name, was.kind, was.object_name.as_deref()) {
                return Ok(Err(e));
            }
            // A StatefulSet's claim templates are fixed once made.
            if matches!(current, WorkloadObject::StatefulSet(_))
                && objects::disks(&stored.spec.template).ne(objects::disks(&spec.template))
            {
                return Ok(Err(Error::invalid(
                    "volumes",
                    "a stateful workload's disks cannot change on Kubernetes",
                )));
            }
            let updated = if stored.spec == *spec {
                stored.updated_at
            } else {
                now
            };
            let times = Times {
                created: stored.created_at,
                updated,
            };
            // Host ports the new spec binds alone in its region are taken first; those
            // it no longer binds are given back once it is written.
            let before = ports::wanted(&stored.spec);
            let after = ports::wanted(spec);
            if let Some((region, wanted)) = &after {
                let fresh: BTreeSet<u16> = match &before {
                    Some((was, had)) if was == region => wanted - had,
                    _ => wanted.clone(),
                };
                let held = |found| self.binds(found);
                if let Err(e) = self
                    .ports
                    .take(tenant, id, region, &fresh, self.stale_before(now), held)
                    .await
                {
                    return Ok(Err(e));
                }
            }
            let eip = stored.eip.as_deref();
            let mut next = objects::render(id, tenant, spec, times, eip, &self.config);
            next.metadata_mut().namespace = Some(ns.clone());
            if let WorkloadObject::Pod(pod) = &mut next {
                // A pod cannot change: a new one replaces it, a generation after the
                // newest. Then every pod below the newest one now there goes (its own
                // too, if a replacement made at once is newer): of replacements at
                // once, whichever pod made last sees the others and removes them.
                let generation = match &current {
                    WorkloadObject::Pod(live) => objects::newness(live).0 + 1,
                    _ => 1,
                };
                pod.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(objects::GENERATION.to_owned(), generation.to_string());
                if let Err(e) = self.write_new(&ns, &mut next).await {
                    return Ok(Err(e));
                }
                let mut live = self.single_pods(&ns, id).await?;
                live.pop();
                for old in live {
                    if let Err(e) = self.delete_object(&ns, &WorkloadObject::Pod(old)).await {
                        return Ok(Err(e));
                    }
                }
            } else {
                next.metadata_mut().resource_version = current.metadata().resource_version.clone();
                let name = current.metadata().name.clone().unwrap_or_default();
                self.replace(&ns, &name, &next).await?;
            }
            if let Some((was, had)) = before {
                let kept = after.as_ref().filter(|(region, _)| *region == was);
                let dropped = had
                    .into_iter()
                    .filter(|p| kept.is_none_or(|(_, wanted)| !wanted.contains(p)));
                self.ports.release(id, was, dropped).await;
            }
            Ok(next
                .stored()
                .ok_or_else(|| Error::not_found("workload", id)))
        }))
        .await
        .map_err(|e| to_core(e, "workload", &id_text))?
    }

    /// Every workload in namespace `ns` (every namespace for `None`) whose object
    /// `selector` picks: StatefulSets and Deployments, each read whole with
    /// `limit`/`continue` (one request each up to [`lists::CHUNK`]).
    pub(crate) async fn list(&self, ns: Option<&str>, selector: &str) -> Result<Vec<Stored>> {
        let params = ListParams::default().labels(selector);
        let fail = |e| to_core(e, "workload", "list");
        let sets = lists::all(&self.api::<StatefulSet>(ns), &params, &self.backoff)
            .await
            .map_err(fail)?;
        let deployments = lists::all(&self.api::<Deployment>(ns), &params, &self.backoff)
            .await
            .map_err(fail)?;
        let single = ListParams::default().labels(&format!("{selector},{SINGLE_POD}=true"));
        let mut pods = lists::all(&self.api::<core::Pod>(ns), &single, &self.backoff)
            .await
            .map_err(fail)?;
        // One per workload: the newest live one (see `single_pods`).
        pods.retain(|p| p.metadata.deletion_timestamp.is_none());
        pods.sort_by_key(|p| std::cmp::Reverse(objects::newness(p)));
        let mut seen = std::collections::BTreeSet::new();
        pods.retain(|p| seen.insert(crate::pods::owner(p)));
        Ok(sets
            .into_iter()
            .map(WorkloadObject::StatefulSet)
            .chain(deployments.into_iter().map(WorkloadObject::Deployment))
            .chain(pods.into_iter().map(WorkloadObject::Pod))
            .filter_map(|o| o.stored())
            .collect())
    }

    /// Sets (or, for `None`, removes) the annotation `key` on the workload's object,
    /// conditionally on the version read.
    pub(crate) async fn annotate(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        key: &str,
        value: Option<&str>,
    ) -> Result<()> {
        let ns = self.namespace(tenant);
        self.backoff
            .conditional(16, || async {
                let (_, mut object) = match self.get(tenant, id).await {
                    Ok(found) => found,
                    Err(e) => return Ok(Err(e)),
                };
                let name = object.metadata().name.clone().unwrap_or_default();
                let notes = object
                    .metadata_mut()
                    .annotations
                    .get_or_insert_with(BTreeMap::new);
                match value {
                    Some(value) => notes.insert(key.to_owned(), value.to_owned()),
                    None => notes.remove(key),
                };
                self.replace(&ns, &name, &object).await?;
                Ok(Ok(()))
            })
            .await
            .map_err(|e| to_core(e, "workload", &id.0.to_string()))?
    }

    /// Deletes the workload's object (its pods go with it) and then its name claim.
    pub(crate) async fn delete(&self, tenant: &TenantKey, id: WorkloadId) -> Result<()> {
        let (stored, object) = self.get(tenant, id).await?;
        let ns = self.namespace(tenant);
        self.delete_object(&ns, &object).await?;
        self.give_back(tenant, &stored.spec, id).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Arc;

    use podgate_core::model::{ContainerSpec, NamespaceId, PodTemplate};

    use super::*;
    use crate::testing::{Fault, fake, quick};

    async fn setup() -> (Workloads, TenantKey, Arc<crate::testing::Plan>) {
        let (client, plan) = fake().await;
        let ids = Ids::new(client.clone(), "podgate-system", quick());
        let tenants = Tenants::new(client.clone(), "podgate-system", ids.clone(), None, quick());
        let tenant = tenants
            .create(crate::testing::new_tenant(
                TenantKey::Namespace(NamespaceId(0)),
                "t",
            ))
            .await
            .unwrap()
            .key;
        let workloads = Workloads::new(client, K8sConfig::default(), ids, tenants, quick());
        (workloads, tenant, plan)
    }

    fn spec(name: &str) -> WorkloadSpec {
        WorkloadSpec::stateful(
            name,
            Arc::new(PodTemplate {
                containers: vec![ContainerSpec {
                    name: "app".to_owned(),
                    image: "nginx:stable".to_owned(),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        )
    }

    #[tokio::test]
    async fn created_read_refused_twice_deleted_and_free_again() {
        let (w, tenant, plan) = setup().await;
        let made = w.create(&tenant, &spec("web"), Timestamp(5)).await.unwrap();
        let before = plan.requests();
        let (read, _) = w.get(&tenant, made.id).await.unwrap();
        assert_eq!(
            plan.requests() - before,
            1,
            "a read of the usual kind is one request"
        );
        assert_eq!(read.spec, spec("web"));
        assert_eq!(read.created_at, Timestamp(5));
        assert!(matches!(
            w.create(&tenant, &spec("web"), Timestamp(6)).await,
            Err(Error::AlreadyExists { .. })
        ));
        let other = TenantKey::Namespace(NamespaceId(99));
        assert!(matches!(
            w.get(&other, made.id).await,
            Err(Error::NotFound { .. })
        ));
        w.delete(&tenant, made.id).await.unwrap();
        assert!(matches!(
            w.get(&tenant, made.id).await,
            Err(Error::NotFound { .. })
        ));
        let again = w.create(&tenant, &spec("web"), Timestamp(7)).await.unwrap();
        assert!(again.id.0 > made.id.0, "ids are never reused");
    }

    #[tokio::test]
    async fn found_by_name_and_updated_conditionally() {
        let (w, tenant, plan) = setup().await;
        let made = w.create(&tenant, &spec("web"), Timestamp(1)).await.unwrap();
        assert_eq!(w.find(&tenant, "web").await.unwrap().0.id, made.id);
        assert!(matches!(
            w.find(&tenant, "nope").await,
            Err(Error::NotFound { .. })
        ));

        let mut changed = spec("web");
        changed.labels.insert("tier".to_owned(), "front".to_owned());
        // Another writer gets in first once: the update reads again and still lands.
        plan.inject("PUT", "/statefulsets/", Fault::Status(409, "Conflict"));
        let updated = w
            .update(&tenant, made.id, &changed, Timestamp(9))
            .await
            .unwrap();
        assert_eq!(updated.spec, changed);
        assert_eq!(
            (updated.created_at, updated.updated_at),
            (Timestamp(1), Timestamp(9))
        );
        let (read, _) = w.get(&tenant, made.id).await.unwrap();
        assert_eq!(read.spec, changed);
        let unchanged = w
            .update(&tenant, made.id, &changed, Timestamp(20))
            .await
            .unwrap();
        assert_eq!(
            unchanged.updated_at,
            Timestamp(9),
            "nothing changed, no new time"
        );

        let mut renamed = changed.clone();
        renamed.name = "other".to_owned();
        assert!(matches!(
            w.update(&tenant, made.id, &renamed, Timestamp(30)).await,
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            w.update(&tenant, WorkloadId(999), &changed, Timestamp(30))
                .await,
            Err(Error::NotFound { .. })
        ));
    }

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn on_a_settled_cluster_a_workload_runs_or_says_why_not() {
        use podgate_core::ClusterBackend;
        use podgate_core::model::{WorkloadPhase, WorkloadStatus};
        use podgate_core::testing::Fixture;

        use crate::conformance::{OnACluster, until};
        use crate::pods::to_pod;
        use crate::status::{Wanted, derive};

        let f = OnACluster::quick().await;
        let (w, pods) = (&f.backend.workloads, &f.backend.pods);
        let tenant = f
            .backend
            .create_tenant(crate::testing::new_tenant(
                TenantKey::Namespace(NamespaceId(0)),
                "t",
            ))
            .await
            .unwrap()
            .key;
        let status = |stored: &Stored| {
            let (stored, tenant) = (stored.clone(), tenant.clone());
            async move {
                let ns = namespace_of(&tenant);
                let found = pods.of_workload(&ns, stored.id).await.unwrap();
                let shown: Vec<_> = found.iter().filter_map(|p| to_pod(p, &tenant)).collect();
                derive(&Wanted::of(&stored, &found), &shown)
            }
        };
        let web = w.create(&tenant, &spec("web"), Timestamp(1)).await.unwrap();
        let mut broken = spec("broken");
        Arc::make_mut(&mut broken.template).containers[0].image = f.missing_image().to_owned();
        let broken = w.create(&tenant, &broken, Timestamp(1)).await.unwrap();
        let mut nowhere = spec("nowhere");
        Arc::make_mut(&mut nowhere.template).placement.zones = vec!["cn-west-9z".to_owned()];
        let nowhere = w.create(&tenant, &nowhere, Timestamp(1)).await.unwrap();
        assert_eq!(Box::pin(status(&web)).await.phase, WorkloadPhase::Creating);

        // Each reaches its state (and its reason, where given) as the controllers, the scheduler and the kubelets act.
        let reaches = |stored: &Stored, phase: WorkloadPhase, message: Option<&'static str>| {
            let stored = stored.clone();
            let what = format!("{} {phase:?} ({message:?})", stored.spec.name);
            async move {
                until(&what, || async {
                    let s: WorkloadStatus = Box::pin(status(&stored)).await;
                    (s.phase == phase && message.is_none_or(|m| s.message.as_deref() == Some(m)))
                        .then_some(())
                })
                .await;
            }
        };
        reaches(&web, WorkloadPhase::Running, None).await;
        reaches(
            &broken,
            WorkloadPhase::CreateFailed,
            Some("ImagePullBackOff"),
        )
        .await;
        reaches(&nowhere, WorkloadPhase::CreateFailed, Some("Unschedulable")).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_creates_of_one_name_make_exactly_one() {
        let (w, tenant, _) = setup().await;
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (w, tenant) = (w.clone(), tenant.clone());
                tokio::spawn(async move { w.create(&tenant, &spec("same"), Timestamp(1)).await })
            })
            .collect();
        let mut won = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => won += 1,
                Err(Error::AlreadyExists { .. }) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(won, 1);
        let sets: Api<StatefulSet> = Api::namespaced(w.client.clone(), &namespace_of(&tenant));
        assert_eq!(
            sets.list(&ListParams::default()).await.unwrap().items.len(),
            1
        );
    }

    #[tokio::test]
    async fn faults_on_each_write_are_retried_without_duplicates() {
        let (w, tenant, plan) = setup().await;
        plan.inject("POST", "/configmaps", Fault::LostReply);
        plan.inject("POST", "/statefulsets", Fault::Status(500, "InternalError"));
        plan.inject("POST", "/statefulsets", Fault::LostReply);
        let made = w.create(&tenant, &spec("a"), Timestamp(1)).await.unwrap();
        assert_eq!(w.get(&tenant, made.id).await.unwrap().0.spec.name, "a");
        plan.inject(
            "DELETE",
            "/statefulsets",
            Fault::Status(429, "TooManyRequests"),
        );
        w.delete(&tenant, made.id).await.unwrap();
        assert!(matches!(
            w.get(&tenant, made.id).await,
            Err(Error::NotFound { .. })
        ));
        // An object that cannot be made gives its name back.
        for _ in 0..5 {
            plan.inject(
                "POST",
                "/statefulsets",
                Fault::Status(503, "ServiceUnavailable"),
            );
        }
        assert!(matches!(
            w.create(&tenant, &spec("b"), Timestamp(1)).await,
            Err(Error::Backend {
                temporary: true,
                ..
            })
        ));
        w.create(&tenant, &spec("b"), Timestamp(2)).await.unwrap();
        let sets: Api<StatefulSet> = Api::namespaced(w.client.clone(), &namespace_of(&tenant));
        assert_eq!(
            sets.list(&ListParams::default()).await.unwrap().items.len(),
            1
        );
    }
}

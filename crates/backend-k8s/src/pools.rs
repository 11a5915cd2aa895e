//! Pod pools on the cluster: claims, releases, resizing and idle recycling.
//!
//! A pool is a Deployment whose ReplicaSet keeps `size` pods (members labelled
//! `pod-template-hash`, its selector). podgate adds what a ReplicaSet cannot:
//!
//! - a claim marks an idle member (annotation `podgate.io/claimed-by`, label
//!   `podgate.io/claimed`), conditionally on the pod's version, so two claims never
//!   get one pod; with `reuse: false` the pod also loses `podgate.io/workload-id`, part
//!   of the ReplicaSet's selector, so the ReplicaSet replaces it at once;
//! - a scalable pool with no idle pod gets an extra pod made by podgate itself: same
//!   template, owned by the Deployment (deleted with it), without `pod-template-hash`
//!   (no ReplicaSet counts it);
//! - shrinking a pool whose scaled pods are recycled when idle (or never) turns the
//!   surplus members into extras before the ReplicaSet is scaled down, so they stay
//!   until their idle time is up;
//! - [`K8sBackend::reconcile_pools`], run every few seconds, deletes idle pods whose
//!   time is up: an extra past `idle_scaled_seconds` is gone, a member past
//!   `idle_reserved_seconds` is replaced by its ReplicaSet; and brings each pool's
//!   autoscaler in line with its definition.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams, Preconditions};
use podgate_core::model::{
    Pod, PodId, PoolPolicy, TenantKey, Timestamp, WorkloadId, WorkloadKind, WorkloadSpec,
};
use podgate_core::{Error, Result};

use crate::backend::K8sBackend;
use crate::error::to_core;
use crate::labels;
use crate::objects::{
    OWNER, POD_TEMPLATE_HASH, Stored, WORKLOAD_ID, WorkloadObject, owned_by_deployment,
};
use crate::pods::{self, CLAIMED, CLAIMED_BY};

/// The annotation a ReplicaSet ranks pods by when it scales down (lowest goes first).
const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";
/// A claimed pod's deletion cost: the last a ReplicaSet would remove.
const CLAIMED_COST: &str = "1000000";

/// How often a claim starts over after another writer changed the pod it chose.
const CONFLICTS: u32 = 16;

fn claimed(pod: &core::Pod) -> bool {
    labels::value(&pod.metadata, CLAIMED).is_some()
}

/// A member the pool's ReplicaSet keeps (not an extra podgate made).
fn kept(pod: &core::Pod) -> bool {
    labels::value(&pod.metadata, POD_TEMPLATE_HASH).is_some()
}

fn running(pod: &core::Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Since when a pod has been idle: since it became ready (or was made).
fn idle_since(pod: &core::Pod) -> Option<Timestamp> {
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready" && c.status == "True"))
        .and_then(|c| c.last_transition_time.as_ref());
    ready
        .or(pod.metadata.creation_timestamp.as_ref())
        .map(|t| Timestamp(t.0.as_millisecond()))
}

/// What a deletion must find unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exactly {
    /// The pod (its uid).
    Pod,
    /// The pod as read (its uid and version).
    AsRead,
}

fn policy(stored: &Stored) -> Result<PoolPolicy> {
    stored
        .spec
        .pool
        .ok_or_else(|| Error::IncorrectState(format!("workload {} is not a pool", stored.id)))
}

impl K8sBackend {
    /// Binds a pool pod to `instance`; see `ClusterBackend::claim_pool_pod`.
    pub(crate) async fn claim(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        instance: &str,
    ) -> Result<Pod> {
        let ns = self.workloads.namespace(tenant);
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), &ns);
        for _ in 0..=CONFLICTS {
            let (stored, object) = self.workloads.get(tenant, pool).await?;
            let policy = policy(&stored)?;
            if stored.deleting {
                return Err(Error::IncorrectState(format!(
                    "pool {} is being deleted",
                    stored.spec.name
                )));
            }
            let members = self.pods.of_workload(&ns, pool).await?;
            let idle: Vec<&core::Pod> = members
                .iter()
                .filter(|p| !claimed(p) && p.metadata.deletion_timestamp.is_none())
                .collect();
            let chosen = idle.iter().find(|p| running(p)).or(idle.first());
            let mut pod = match chosen {
                Some(pod) => (*pod).clone(),
                None if members.len() < policy.max_size as usize => {
                    self.extra_pod(&object, &stored).await?
                }
                None => {
                    return Err(Error::IncorrectState(format!(
                        "pool has no idle pod and is at its max_size {}",
                        policy.max_size
                    )));
                }
            };
            pod.metadata
                .labels
                .get_or_insert_with(BTreeMap::new)
                .insert(CLAIMED.to_owned(), "true".to_owned());
            let notes = pod.metadata.annotations.get_or_insert_with(BTreeMap::new);
            notes.insert(CLAIMED_BY.to_owned(), instance.to_owned());
            // A ReplicaSet scaling down (an autoscaler, a shrink) takes idle pods first.
            notes.insert(DELETION_COST.to_owned(), CLAIMED_COST.to_owned());
            if !policy.reuse {
                // Out of the ReplicaSet's selector: it leaves the pool, which replaces it.
                if let Some(l) = pod.metadata.labels.as_mut() {
                    l.remove(WORKLOAD_ID);
                }
            }
            let name = pod.metadata.name.clone().unwrap_or_default();
            let post = PostParams::default();
            let written = if pod.metadata.resource_version.is_none() {
                // A new pod: one whose reply was lost is found by its id.
                let same = |a: &core::Pod, b: &core::Pod| pods::pod_id(a) == pods::pod_id(b);
                match self.backoff.create_once(&api, &pod, same).await {
                    Ok(true) => self.backoff.call(|| api.get(&name)).await,
                    Ok(false) => return Err(Error::already_exists("pod", &name)),
                    Err(e) => Err(e),
                }
            } else {
                self.backoff.call(|| api.replace(&name, &post, &pod)).await
            };
            match written {
                Ok(pod) => {
                    let mut shown =
                        pods::to_pod(&pod, tenant).ok_or_else(|| Error::not_found("pod", &name))?;
                    self.topology
                        .place(std::slice::from_mut(&mut shown))
                        .await?;
                    return Ok(shown);
                }
                // Another claim (or the kubelet) wrote the pod first: choose again.
                Err(kube::Error::Api(s)) if s.is_conflict() => {}
                Err(e) => return Err(to_core(e, "pod", &name)),
            }
        }
        Err(Error::Conflict(format!(
            "pool {pool} is claimed from concurrently"
        )))
    }

    /// A pod for a scalable pool beyond what its ReplicaSet keeps: the Deployment's
    /// template, owned by the Deployment, numbered, not yet written.
    async fn extra_pod(&self, object: &WorkloadObject, stored: &Stored) -> Result<core::Pod> {
        let WorkloadObject::Deployment(deployment) = object else {
            return Err(Error::IncorrectState(format!(
                "workload {} is not a pool",
                stored.id
            )));
        };
        let template = deployment
            .spec
            .as_ref()
            .map(|s| s.template.clone())
            .unwrap_or_default();
        let meta = template.metadata.unwrap_or_default();
        let owner = &deployment.metadata;
        let mut pod = core::Pod {
            metadata: ObjectMeta {
                labels: meta.labels,
                annotations: meta.annotations,
                owner_references: Some(vec![owned_by_deployment(owner)]),
                ..ObjectMeta::default()
            },
            spec: template.spec,
            status: None,
        };
        pods::give_ids(&self.pods.ids, &mut pod).await?;
        let id = pods::pod_id(&pod).map_or(0, |p| p.0);
        pod.metadata.name = Some(format!("{}-x{id}", owner.name.as_deref().unwrap_or("pool")));
        Ok(pod)
    }

    /// Destroys a claimed pod of `pool`; see `ClusterBackend::release_pool_pod`.
    pub(crate) async fn release(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        pod: PodId,
    ) -> Result<()> {
        self.workloads.get(tenant, pool).await?;
        let ns = self.workloads.namespace(tenant);
        let raw = self.pods.by_id(&ns, pod).await?;
        let of_pool = labels::value(&raw.metadata, OWNER) == Some(pool.0.to_string().as_str());
        // A pod already being deleted was released before: it is gone.
        if !of_pool || !claimed(&raw) || raw.metadata.deletion_timestamp.is_some() {
            return Err(Error::not_found("pod", pod));
        }
        self.delete_pod(&ns, &raw, Exactly::Pod).await
    }

    /// Deletes `pod`: that very pod (not a later one of its name), and with
    /// [`Exactly::AsRead`] only if unchanged since it was read (a claim that got to it
    /// meanwhile keeps it; the next pass looks again).
    async fn delete_pod(&self, ns: &str, pod: &core::Pod, exactly: Exactly) -> Result<()> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        let name = pod.metadata.name.clone().unwrap_or_default();
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: pod.metadata.uid.clone(),
                resource_version: match exactly {
                    Exactly::AsRead => pod.metadata.resource_version.clone(),
                    Exactly::Pod => None,
                },
            }),
            ..DeleteParams::default()
        };
        match self.backoff.delete(&api, &name, &params).await {
            Ok(()) => Ok(()),
            Err(kube::Error::Api(s)) if s.is_conflict() && exactly == Exactly::AsRead => Ok(()),
            Err(e) => Err(to_core(e, "pod", &name)),
        }
    }

    /// Deletes every pod made for pool `id` that is left once its Deployment is gone:
    /// pods claimed out of it and extras a ReplicaSet let go of.
    pub(crate) async fn delete_pool_pods(&self, ns: &str, id: WorkloadId) -> Result<()> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        let selector = labels::selector(&[(OWNER, &id.0.to_string())]);
        let params = ListParams::default().labels(&selector);
        let left = self
            .backoff
            .call(|| api.list(&params))
            .await
            .map_err(|e| to_core(e, "workload", &id.0.to_string()))?;
        for pod in &left.items {
            self.delete_pod(ns, pod, Exactly::Pod).await?;
        }
        Ok(())
    }

    /// Before a pool shrinks: when its scaled pods are recycled when idle (or kept),
    /// the surplus idle members become extras (out of the ReplicaSet's selector, owned
    /// by the Deployment), so the ReplicaSet's scale-down leaves them be. Answers the
    /// pods moved and their `pod-template-hash`, for [`Self::restore_members`] should
    /// the update fail.
    pub(crate) async fn before_pool_update(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        spec: &WorkloadSpec,
    ) -> Result<Vec<(String, String)>> {
        let Some(policy) = spec.pool.filter(|_| spec.kind == WorkloadKind::Pool) else {
            return Ok(Vec::new());
        };
        if policy.idle_scaled_seconds == 0 {
            return Ok(Vec::new());
        }
        // An update that will be refused must change nothing.
        let (stored, object) = self.workloads.get(tenant, id).await?;
        if stored.spec.name != spec.name || stored.spec.kind != spec.kind {
            return Ok(Vec::new());
        }
        let owner = object.metadata();
        let ns = self.workloads.namespace(tenant);
        let members = self.pods.of_workload(&ns, id).await?;
        let kept_now: Vec<&core::Pod> = members.iter().filter(|p| kept(p)).collect();
        let surplus = kept_now.len().saturating_sub(spec.replicas as usize);
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), &ns);
        let post = PostParams::default();
        let mut moved = Vec::new();
        for pod in kept_now.iter().rev().filter(|p| !claimed(p)).take(surplus) {
            let mut extra = (*pod).clone();
            let hash = extra
                .metadata
                .labels
                .as_mut()
                .and_then(|l| l.remove(POD_TEMPLATE_HASH))
                .unwrap_or_default();
            extra.metadata.owner_references = Some(vec![owned_by_deployment(owner)]);
            let name = extra.metadata.name.clone().unwrap_or_default();
            match self
                .backoff
                .call(|| api.replace(&name, &post, &extra))
                .await
            {
                Ok(_) => moved.push((name, hash)),
                // Claimed or gone meanwhile: the ReplicaSet decides about it.
                Err(kube::Error::Api(s)) if s.is_conflict() || s.is_not_found() => {}
                Err(e) => {
                    self.restore_members(&ns, moved).await;
                    return Err(to_core(e, "pod", &name));
                }
            }
        }
        Ok(moved)
    }

    /// Puts pods moved out of a pool's ReplicaSet back (an update that moved them
    /// failed); best effort: a pod that cannot be put back stays an extra.
    pub(crate) async fn restore_members(&self, ns: &str, moved: Vec<(String, String)>) {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        let post = PostParams::default();
        for (name, hash) in moved {
            let put_back = async {
                let mut pod = self.backoff.call(|| api.get(&name)).await?;
                pod.metadata
                    .labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert(POD_TEMPLATE_HASH.to_owned(), hash.clone());
                self.backoff.call(|| api.replace(&name, &post, &pod)).await
            };
            if let Err(e) = put_back.await {
                tracing::warn!(error = %e, pod = %name, "a pool pod stays an extra");
            }
        }
    }

    /// The pool controller's pass: deletes every idle pool pod whose idle time is up
    /// (see the module's notes). Safe to run from several instances at once: each
    /// deletion is conditional on the pod being as read.
    pub async fn reconcile_pools(&self) -> Result<()> {
        // Boxed: the pass's state (several API calls deep) is large to keep inline.
        Box::pin(self.pools_pass()).await
    }

    async fn pools_pass(&self) -> Result<()> {
        let ns = self.config.system_namespace.clone();
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), &ns);
        let params = ListParams::default().labels(&labels::selector(&[]));
        let pools = crate::lists::all(&api, &params, &self.backoff)
            .await
            .map_err(|e| to_core(e, "pool", "all"))?;
        let now = self.clock.now();
        for object in pools.into_iter().map(WorkloadObject::Deployment) {
            let Some(stored) = object.stored() else {
                continue;
            };
            let (Some(policy), false) = (stored.spec.pool, stored.deleting) else {
                continue;
            };
            if let Err(e) = self.sync_hpa(&stored, &object).await {
                tracing::warn!(error = %e, pool = %stored.spec.name, "the pool's autoscaler is behind");
            }
            let members = self.pods.of_workload(&ns, stored.id).await?;
            for pod in members.iter().filter(|p| !claimed(p)) {
                let seconds = if kept(pod) {
                    policy.idle_reserved_seconds
                } else {
                    policy.idle_scaled_seconds
                };
                let due = idle_since(pod)
                    .map(|t| t.plus_millis(seconds.saturating_mul(1000)))
                    .is_some_and(|due| due <= now);
                if seconds > 0 && due {
                    self.delete_pod(&ns, pod, Exactly::AsRead).await?;
                }
            }
        }
        Ok(())
    }
}

//! The openYuanrong pod-pool use-cases: create, query, update, delete, and the claim
//! and release of a pool's pods by function instances.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::definition::{GROUP_LABEL, POOL_LABEL, PoolDefinition};
use super::error::YrError;
use super::request;
use super::wire::{
    CreatePoolsRequest, CreateResult, DeleteParams, FailedPool, PoolInfo, QueryParams, QueryResult,
    UpdatePoolRequest,
};
use crate::backend::{ClusterBackend, ClusterBackendExt};
use crate::model::{
    PageRequest, Pod, PodId, PoolPolicy, TenantKey, Workload, WorkloadKind, WorkloadOrder,
    WorkloadPhase, WorkloadQuery, WorkloadSpec,
};
use crate::secret::TokenHash;

type Reply<T> = Result<T, YrError>;

/// The image of the runtime-manager container when a pool names none.
pub const DEFAULT_IMAGE: &str = "cd-docker-hub.szxy5.artifactory.cd-cloud-artifact.tools.xxx.com/yuanrong_euleros_x86/runtime-manager:201.2.0.B992.20240301163827-zyw-1";

/// Settings of the pool service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YrConfig {
    /// The runtime-manager image of pools that name none.
    pub default_image: String,
}

impl Default for YrConfig {
    fn default() -> Self {
        Self {
            default_image: DEFAULT_IMAGE.to_owned(),
        }
    }
}

/// The pool status codes 0–6 and their messages.
pub fn status_of(workload: &Workload) -> (i32, String) {
    let s = &workload.status;
    if s.deleting {
        return (6, "Deleted".to_owned());
    }
    if s.phase == WorkloadPhase::CreateFailed {
        return (
            5,
            s.message
                .clone()
                .unwrap_or_else(|| "create failed".to_owned()),
        );
    }
    let updated = workload.updated_at > workload.created_at;
    if s.pending {
        return if updated {
            (2, "Update".to_owned())
        } else {
            (0, "New".to_owned())
        };
    }
    if s.ready >= workload.spec.replicas && s.phase != WorkloadPhase::Updating {
        return (4, "Running".to_owned());
    }
    if s.phase == WorkloadPhase::Updating {
        (3, "Updating".to_owned())
    } else {
        (1, "Creating".to_owned())
    }
}

/// The pod-pool service over any [`ClusterBackend`].
#[derive(Debug, Clone)]
pub struct YuanrongService {
    backend: Arc<dyn ClusterBackend>,
    config: YrConfig,
    token: Option<TokenHash>,
}

impl YuanrongService {
    /// A service over `backend`; `token`, when set, is the bearer token every call
    /// must present.
    pub fn new(backend: Arc<dyn ClusterBackend>, config: YrConfig, token: Option<&str>) -> Self {
        Self {
            backend,
            config,
            token: token.map(TokenHash::of),
        }
    }

    /// Checks the optional bearer token.
    pub fn authorize(&self, presented: Option<&str>) -> Reply<()> {
        match (&self.token, presented) {
            (None, _) => Ok(()),
            (Some(hash), Some(p)) if hash.verify(p) => Ok(()),
            _ => Err(YrError::unauthorized()),
        }
    }

    fn spec(
        id: &str,
        size: u32,
        policy: PoolPolicy,
        definition: &PoolDefinition,
    ) -> crate::Result<WorkloadSpec> {
        let mut labels = definition.labels.clone();
        labels.insert(POOL_LABEL.to_owned(), id.to_owned());
        labels.insert(GROUP_LABEL.to_owned(), definition.group.clone());
        let mut template = definition.to_template()?;
        Arc::make_mut(&mut template)
            .labels
            .insert(POOL_LABEL.to_owned(), id.to_owned());
        Ok(WorkloadSpec {
            name: id.to_owned(),
            labels,
            annotations: std::collections::BTreeMap::new(),
            template,
            kind: WorkloadKind::Pool,
            replicas: size,
            pool: Some(policy),
            autoscaler: definition.autoscaler().map(Box::new),
            // openYuanrong names a pool's pods `function-agent-<pool id>-…`.
            object_name: Some(format!("function-agent-{id}")),
        })
    }

    /// `POST /serverless/v1/podpools`: each pool independently; the failed ones are
    /// listed (and the call answers 4104) while the good ones stay created.
    pub async fn create(&self, req: &CreatePoolsRequest) -> Reply<CreateResult> {
        let pools = req
            .pools
            .as_ref()
            .ok_or_else(|| YrError::invalid("pools is required"))?;
        let mut failed = Vec::new();
        for pool in pools {
            let given = pool.id.clone().unwrap_or_default();
            let outcome = match request::pool(pool, &self.config.default_image) {
                Err(errors) => Err(errors.join(";")),
                Ok((id, size, policy, definition)) => {
                    match Self::spec(&id, size, policy, &definition) {
                        Err(e) => Err(YrError::from(e).message),
                        Ok(spec) => {
                            match self.backend.create_workload(&TenantKey::System, spec).await {
                                Ok(_) => Ok(()),
                                Err(crate::Error::AlreadyExists { .. }) => {
                                    Err(format!("pool {id} already exists"))
                                }
                                Err(e) => Err(YrError::from(e).message),
                            }
                        }
                    }
                }
            };
            if let Err(reason) = outcome {
                failed.push(FailedPool { id: given, reason });
            }
        }
        if failed.is_empty() {
            Ok(CreateResult { failed_pools: None })
        } else {
            Ok(CreateResult {
                failed_pools: Some(failed),
            })
        }
    }

    fn info(workload: &Workload) -> Reply<PoolInfo> {
        let def = PoolDefinition::from_template(&workload.spec.template)?;
        let policy = workload.spec.pool.unwrap_or(PoolPolicy {
            size: workload.spec.replicas,
            max_size: workload.spec.replicas,
            reuse: def.reuse,
            idle_reserved_seconds: 0,
            idle_scaled_seconds: 0,
        });
        let (status, msg) = status_of(workload);
        let none_if_empty = |m: &BTreeMap<String, String>| (!m.is_empty()).then(|| m.clone());
        Ok(PoolInfo {
            id: workload.spec.name.clone(),
            group: def.group.clone(),
            reuse: def.reuse,
            status,
            msg,
            ready_count: workload.status.ready,
            size: policy.size,
            max_size: policy.max_size,
            image: def.image.clone(),
            init_image: def.init_image.clone(),
            labels: none_if_empty(&def.labels),
            environment: none_if_empty(&def.environment),
            volumes: def.volumes.clone(),
            volume_mounts: def.volume_mounts.clone(),
            resources: def.resources.clone(),
            affinities: def.affinities.clone(),
            node_selector: none_if_empty(&def.node_selector),
            runtime_class_name: def.runtime_class_name.clone(),
            tolerations: def.tolerations.clone(),
            horizontal_pod_autoscaler_spec: def.horizontal_pod_autoscaler_spec.clone(),
            topology_spread_constraints: def.topology_spread_constraints.clone(),
            idle_recycle_time: def.idle_recycle_time,
            pod_anti_affinities: def.pod_anti_affinities.clone(),
        })
    }

    /// `GET /serverless/v1/podpools`: exact id/group filters, newest change first,
    /// `offset` a 1-based page number; an empty result for offset < 0 or limit ≤ 0.
    pub async fn query(&self, params: &QueryParams) -> Reply<QueryResult> {
        let Some(page) = request::page(params)? else {
            return Ok(QueryResult {
                count: 0,
                pools: Vec::new(),
            });
        };
        let query = WorkloadQuery {
            tenants: Some(vec![TenantKey::System]),
            name: params.id.clone().filter(|s| !s.is_empty()),
            label: params
                .group
                .clone()
                .filter(|s| !s.is_empty())
                .map(|g| (GROUP_LABEL.to_owned(), g)),
            order: WorkloadOrder::UpdatedDesc,
            ..WorkloadQuery::default()
        };
        let found = self.backend.list_workloads(&query, page).await?;
        Ok(QueryResult {
            count: found.total,
            pools: found.items.iter().map(Self::info).collect::<Reply<_>>()?,
        })
    }

    async fn pool(&self, id: &str) -> Reply<Workload> {
        self.backend
            .find_workload(&TenantKey::System, id)
            .await
            .map_err(|e| match e {
                crate::Error::NotFound { .. } => YrError::not_found(),
                other => other.into(),
            })
    }

    /// `PUT /serverless/v1/podpools/{id}`: size, max_size (scalable pools only) and the
    /// HPA spec (pools that do not scale only); refused in status 0, 2 and 6.
    pub async fn update(&self, id: &str, req: &UpdatePoolRequest) -> Reply<()> {
        let workload = self.pool(id).await?;
        let (status, msg) = status_of(&workload);
        if matches!(status, 0 | 2 | 6) {
            return Err(YrError::invalid(format!(
                "pool {id} is {msg} (status {status}) and cannot be updated now"
            )));
        }
        let mut def = PoolDefinition::from_template(&workload.spec.template)?;
        let current = workload.spec.pool.ok_or_else(YrError::not_found)?;
        let scalable = current.max_size > current.size;
        let size = req.size.unwrap_or(i64::from(current.size));
        let max_size = if scalable {
            req.max_size.unwrap_or(i64::from(current.max_size))
        } else {
            size
        };
        let mut errors = request::broken(req);
        let hpa = req.horizontal_pod_autoscaler_spec.as_deref();
        request::across(size, max_size, hpa, scalable, &mut errors);
        if let Some(hpa) = hpa {
            def.horizontal_pod_autoscaler_spec = hpa.to_owned();
        }
        if !errors.is_empty() {
            return Err(YrError::invalid(errors.join(";")));
        }
        let size = u32::try_from(size).unwrap_or(0);
        let policy = PoolPolicy {
            size,
            max_size: u32::try_from(max_size).unwrap_or(size),
            ..current
        };
        let spec = Self::spec(id, size, policy, &def)?;
        self.backend
            .update_workload(&TenantKey::System, workload.id, spec)
            .await?;
        Ok(())
    }

    /// `DELETE /serverless/v1/podpools?id&group`: the pool (in the group, when given),
    /// or every pool of the group. Pools stay visible with status 6 until their pods
    /// are gone.
    pub async fn delete(&self, params: &DeleteParams) -> Reply<()> {
        let id = params.id.clone().filter(|s| !s.is_empty());
        let group = params.group.clone().filter(|s| !s.is_empty());
        if id.is_none() && group.is_none() {
            return Err(YrError::invalid("id or group is required"));
        }
        let query = WorkloadQuery {
            tenants: Some(vec![TenantKey::System]),
            name: id,
            label: group.map(|g| (GROUP_LABEL.to_owned(), g)),
            ..WorkloadQuery::default()
        };
        let found = self
            .backend
            .list_workloads(&query, PageRequest::ALL)
            .await?;
        let live: Vec<&Workload> = found.items.iter().filter(|w| !w.status.deleting).collect();
        if live.is_empty() {
            return Err(YrError::not_found());
        }
        for w in live {
            self.backend
                .delete_workload(&TenantKey::System, w.id)
                .await?;
        }
        Ok(())
    }

    /// Claims one of the pool's pods for a function instance (library call).
    pub async fn claim(&self, id: &str, instance: &str) -> Reply<Pod> {
        if instance.is_empty() {
            return Err(YrError::invalid("instance is required"));
        }
        let workload = self.pool(id).await?;
        Ok(self
            .backend
            .claim_pool_pod(&TenantKey::System, workload.id, instance)
            .await?)
    }

    /// Destroys a claimed pod once its instance is done with it (library call).
    pub async fn release(&self, id: &str, pod: PodId) -> Reply<()> {
        let workload = self.pool(id).await?;
        Ok(self
            .backend
            .release_pool_pod(&TenantKey::System, workload.id, pod)
            .await?)
    }
}

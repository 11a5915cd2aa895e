//! The openYuanrong pod-pool use-cases: create, query, update, delete, and the claim
//! and release of a pool's pods by function instances.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec;
use k8s_openapi::api::core::v1::{
    Affinity, Toleration, TopologySpreadConstraint, Volume, VolumeMount,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::definition::{GROUP_LABEL, POOL_LABEL, PoolDefinition};
use super::error::YrError;
use super::wire::{
    CreatePoolsRequest, CreateResult, DeleteParams, FailedPool, IdleRecycle, PoolIn, PoolInfo,
    QueryParams, QueryResult, ResourcesOut, UpdatePoolRequest,
};
use crate::backend::ClusterBackend;
use crate::model::{
    PageRequest, Pod, PodId, PoolPolicy, TenantKey, Workload, WorkloadKind, WorkloadOrder,
    WorkloadPhase, WorkloadQuery, WorkloadSpec,
};
use crate::secret::TokenHash;
use crate::validate;

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

/// Decodes a request body; malformed JSON or types are 130600. Every body is a JSON
/// object (serde would also fill a struct from an array, field by field).
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    if !value.is_object() {
        return Err(YrError::bad_json("the body is not a JSON object"));
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| YrError::bad_json(format!("at {}: {}", e.path(), e.inner())))
}

fn json_field<T: DeserializeOwned>(
    value: &Option<String>,
    field: &str,
    errors: &mut Vec<String>,
) -> String {
    let text = value.clone().unwrap_or_default();
    if !text.trim().is_empty()
        && let Err(e) = serde_json::from_str::<T>(&text)
    {
        errors.push(format!(
            "{field} is not a valid {}: {e}",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("object")
        ));
    }
    text
}

/// `horizontal_pod_autoscaler_spec`: a HorizontalPodAutoscalerSpec whose bounds are in
/// order (`1 ≤ minReplicas ≤ maxReplicas`).
fn hpa_field(value: &Option<String>, errors: &mut Vec<String>) -> String {
    let field = "horizontal_pod_autoscaler_spec";
    let before = errors.len();
    let text = json_field::<HorizontalPodAutoscalerSpec>(value, field, errors);
    if errors.len() == before
        && let Ok(spec) = serde_json::from_str::<HorizontalPodAutoscalerSpec>(&text)
        && (spec.min_replicas.unwrap_or(1) < 1
            || spec.min_replicas.unwrap_or(1) > spec.max_replicas)
    {
        errors.push(format!("{field} needs 1 <= minReplicas <= maxReplicas"));
    }
    text
}

fn quantities(
    map: Option<&BTreeMap<String, String>>,
    field: &str,
    errors: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let map = map.cloned().unwrap_or_default();
    for (k, v) in &map {
        if let Err(e) = validate::quantity(v) {
            errors.push(format!("{field}.{k} {e}"));
        }
    }
    map
}

fn page(params: &QueryParams) -> Reply<Option<PageRequest>> {
    let int = |v: &Option<String>, field: &str| -> Reply<Option<i64>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| YrError::invalid(format!("{field} {s:?} is not an integer"))),
        }
    };
    let offset = int(&params.offset, "offset")?.unwrap_or(0);
    let limit = int(&params.limit, "limit")?.unwrap_or(10);
    if offset < 0 || limit <= 0 {
        return Ok(None);
    }
    let page = u64::try_from(offset.max(1) - 1).unwrap_or(0);
    let limit = u64::try_from(limit).unwrap_or(0);
    Ok(Some(PageRequest::new(page.saturating_mul(limit), limit)))
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

    fn validate(
        &self,
        pool: &PoolIn,
    ) -> Result<(String, u32, PoolPolicy, PoolDefinition), Vec<String>> {
        let mut errors = Vec::new();
        let id = pool.id.clone().unwrap_or_default();
        if let Err(e) = validate::yr_pool_id(&id) {
            errors.push(e);
        }
        let group = pool
            .group
            .clone()
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| "default".to_owned());
        if let Err(e) = validate::yr_pool_group(&group) {
            errors.push(e);
        }
        let size = pool.size.unwrap_or(0);
        let mut max_size = pool.max_size.unwrap_or(0);
        if size != 0 && max_size == 0 {
            max_size = size;
        }
        if let Err(e) = validate::yr_sizes(size, max_size) {
            errors.push(e);
        }
        if size > 100_000 || max_size > 100_000 {
            errors.push("size and max_size must be at most 100000".to_owned());
        }
        let hpa = hpa_field(&pool.horizontal_pod_autoscaler_spec, &mut errors);
        if max_size > size && !hpa.trim().is_empty() {
            errors.push(
                "a scalable pool (max_size > size) cannot have a horizontal_pod_autoscaler_spec"
                    .to_owned(),
            );
        }
        let idle = pool.idle_recycle_time.clone().unwrap_or_default();
        let idle = IdleRecycle {
            reserved: idle.reserved.unwrap_or(0),
            scaled: idle.scaled.unwrap_or(0),
        };
        for v in [idle.reserved, idle.scaled] {
            if let Err(e) = validate::yr_idle_time(v) {
                errors.push(e);
            }
        }
        let image = pool
            .image
            .clone()
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| self.config.default_image.clone());
        let init_image = pool.init_image.clone().unwrap_or_default();
        let runtime_class_name = pool.runtime_class_name.clone().unwrap_or_default();
        for (value, max, field) in [
            (&image, 200, "image"),
            (&init_image, 200, "init_image"),
            (&runtime_class_name, 64, "runtime_class_name"),
        ] {
            if let Err(e) = validate::yr_max_len(value, max, field) {
                errors.push(e);
            }
        }
        let resources = pool.resources.clone().unwrap_or_default();
        let resources = ResourcesOut {
            requests: quantities(
                resources.requests.as_ref(),
                "resources.requests",
                &mut errors,
            ),
            limits: quantities(resources.limits.as_ref(), "resources.limits", &mut errors),
        };
        let labels = pool.labels.clone().unwrap_or_default();
        if labels.keys().any(|k| k == POOL_LABEL || k == GROUP_LABEL) {
            errors.push(format!(
                "labels {POOL_LABEL} and {GROUP_LABEL} are the system's"
            ));
        }
        let definition = PoolDefinition {
            group,
            reuse: pool.reuse.unwrap_or(false),
            image,
            init_image,
            labels,
            environment: pool.environment.clone().unwrap_or_default(),
            volumes: json_field::<Vec<Volume>>(&pool.volumes, "volumes", &mut errors),
            volume_mounts: json_field::<Vec<VolumeMount>>(
                &pool.volume_mounts,
                "volume_mounts",
                &mut errors,
            ),
            resources,
            affinities: json_field::<Affinity>(&pool.affinities, "affinities", &mut errors),
            node_selector: pool.node_selector.clone().unwrap_or_default(),
            runtime_class_name,
            tolerations: json_field::<Vec<Toleration>>(
                &pool.tolerations,
                "tolerations",
                &mut errors,
            ),
            horizontal_pod_autoscaler_spec: hpa,
            topology_spread_constraints: json_field::<Vec<TopologySpreadConstraint>>(
                &pool.topology_spread_constraints,
                "topology_spread_constraints",
                &mut errors,
            ),
            idle_recycle_time: idle,
            pod_anti_affinities: pool.pod_anti_affinities.clone().unwrap_or_default(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let size = u32::try_from(size).unwrap_or(0);
        let policy = PoolPolicy {
            size,
            max_size: u32::try_from(max_size).unwrap_or(size),
            reuse: definition.reuse,
            idle_reserved_seconds: idle.reserved,
            idle_scaled_seconds: idle.scaled,
        };
        Ok((id, size, policy, definition))
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
            autoscaler: definition.autoscaler(),
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
            let outcome = match self.validate(pool) {
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
        let Some(page) = page(params)? else {
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
        let mut errors = Vec::new();
        if let Err(e) = validate::yr_sizes(size, max_size) {
            errors.push(e);
        }
        if size > 100_000 || max_size > 100_000 {
            errors.push("size and max_size must be at most 100000".to_owned());
        }
        if let Some(hpa) = &req.horizontal_pod_autoscaler_spec {
            let text = hpa_field(&Some(hpa.clone()), &mut errors);
            if scalable && !text.trim().is_empty() {
                errors.push("a scalable pool (max_size > size) cannot have a horizontal_pod_autoscaler_spec".to_owned());
            }
            def.horizontal_pod_autoscaler_spec = text;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        for body in [serde_json::json!([null, null]), serde_json::json!("x")] {
            let refused = decode::<UpdatePoolRequest>(body.clone()).unwrap_err();
            assert_eq!(refused.code, YrError::bad_json("").code, "{body}");
        }
        assert!(decode::<UpdatePoolRequest>(serde_json::json!({"size": 2})).is_ok());
    }
}

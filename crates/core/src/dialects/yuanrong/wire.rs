//! openYuanrong pod-pool wire types (`seeds/000`), field names exactly the vendor's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use validator::Validate;

use super::rules;

/// `idle_recycle_time` as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::IdleRecycleIn))]
pub struct IdleRecycleIn {
    /// Seconds for pods below `size`; -1 never, 0 not configured.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -1))]
    pub reserved: Option<i64>,
    /// Seconds for pods above `size`; -1 never, 0 not configured.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -1))]
    pub scaled: Option<i64>,
}

/// `resources` as sent: quantity strings by resource name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::ResourcesIn))]
pub struct ResourcesIn {
    /// Requests.
    #[serde(default)]
    pub requests: Option<BTreeMap<String, String>>,
    /// Limits.
    #[serde(default)]
    pub limits: Option<BTreeMap<String, String>>,
}

/// A pool in a create request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::PoolIn))]
pub struct PoolIn {
    /// Pool id.
    #[serde(default)]
    #[validate(
        required(message = "id is required"),
        custom(function = "rules::pool_id_field")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$"
        )
    )]
    pub id: Option<String>,
    /// Group (default `default`).
    #[serde(default)]
    #[validate(custom(function = "rules::pool_group_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([a-zA-Z0-9]([-a-zA-Z0-9]{0,38}[a-zA-Z0-9])?)?$")
    )]
    pub group: Option<String>,
    /// Replace claimed pods only once destroyed.
    #[serde(default)]
    pub reuse: Option<bool>,
    /// Pods kept ready.
    #[serde(default)]
    #[validate(range(min = 0, max = 100_000, message = "size must be in 0..=100000"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000))]
    pub size: Option<i64>,
    /// Most pods (default: size).
    #[serde(default)]
    #[validate(range(max = 100_000, message = "max_size must be at most 100000"))]
    #[cfg_attr(feature = "openapi", schema(maximum = 100_000))]
    pub max_size: Option<i64>,
    /// runtime-manager image.
    #[serde(default)]
    #[validate(length(max = 200, message = "image must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub image: Option<String>,
    /// function-agent-init image.
    #[serde(default)]
    #[validate(length(max = 200, message = "init_image must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub init_image: Option<String>,
    /// Pool labels.
    #[serde(default)]
    #[validate(custom(function = "rules::labels_field"))]
    pub labels: Option<BTreeMap<String, String>>,
    /// runtime-manager environment.
    #[serde(default)]
    pub environment: Option<BTreeMap<String, String>>,
    /// JSON array of Kubernetes Volumes.
    #[serde(default)]
    #[validate(custom(function = "rules::volumes_field"))]
    pub volumes: Option<String>,
    /// JSON array of Kubernetes VolumeMounts.
    #[serde(default)]
    #[validate(custom(function = "rules::volume_mounts_field"))]
    pub volume_mounts: Option<String>,
    /// Requests and limits.
    #[serde(default)]
    #[validate(custom(function = "rules::resources_field"))]
    pub resources: Option<ResourcesIn>,
    /// JSON Kubernetes Affinity.
    #[serde(default)]
    #[validate(custom(function = "rules::affinities_field"))]
    pub affinities: Option<String>,
    /// Node labels to match.
    #[serde(default)]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Runtime class.
    #[serde(default)]
    #[validate(length(max = 64, message = "runtime_class_name must be at most 64 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub runtime_class_name: Option<String>,
    /// JSON array of Kubernetes Tolerations.
    #[serde(default)]
    #[validate(custom(function = "rules::tolerations_field"))]
    pub tolerations: Option<String>,
    /// JSON Kubernetes HorizontalPodAutoscalerSpec (autoscaling/v2).
    #[serde(default)]
    #[validate(custom(function = "rules::hpa_field"))]
    pub horizontal_pod_autoscaler_spec: Option<String>,
    /// JSON array of Kubernetes TopologySpreadConstraints.
    #[serde(default)]
    #[validate(custom(function = "rules::spread_field"))]
    pub topology_spread_constraints: Option<String>,
    /// Idle recycling.
    #[serde(default)]
    #[validate(custom(function = "rules::idle_recycle_field"))]
    pub idle_recycle_time: Option<IdleRecycleIn>,
    /// Pod anti-affinities (echoed as given).
    #[serde(default)]
    pub pod_anti_affinities: Option<String>,
}

/// `POST /serverless/v1/podpools` body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::CreatePoolsRequest))]
pub struct CreatePoolsRequest {
    /// The pools; each is created independently.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub pools: Option<Vec<PoolIn>>,
}

/// `PUT /serverless/v1/podpools/{id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::UpdatePoolRequest))]
pub struct UpdatePoolRequest {
    /// New size.
    #[serde(default)]
    #[validate(range(min = 0, max = 100_000, message = "size must be in 0..=100000"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000))]
    pub size: Option<i64>,
    /// New max size (ignored for a pool that does not scale).
    #[serde(default)]
    #[validate(range(max = 100_000, message = "max_size must be at most 100000"))]
    #[cfg_attr(feature = "openapi", schema(maximum = 100_000))]
    pub max_size: Option<i64>,
    /// New HPA spec (JSON string).
    #[serde(default)]
    #[validate(custom(function = "rules::hpa_field"))]
    pub horizontal_pod_autoscaler_spec: Option<String>,
}

/// `GET /serverless/v1/podpools` parameters, as strings (the query string's form).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::QueryParams))]
pub struct QueryParams {
    /// Exact pool id.
    #[serde(default)]
    pub id: Option<String>,
    /// Exact group.
    #[serde(default)]
    pub group: Option<String>,
    /// 1-based page number; absent or 0 → 1; negative → empty.
    #[serde(default)]
    pub offset: Option<String>,
    /// Page size, default 10; ≤ 0 → empty.
    #[serde(default)]
    pub limit: Option<String>,
}

/// `DELETE /serverless/v1/podpools` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::DeleteParams))]
pub struct DeleteParams {
    /// Exact pool id.
    #[serde(default)]
    pub id: Option<String>,
    /// Exact group (alone: every pool of the group).
    #[serde(default)]
    pub group: Option<String>,
}

/// `idle_recycle_time` in a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::IdleRecycle))]
pub struct IdleRecycle {
    /// Seconds for pods below `size`.
    pub reserved: i64,
    /// Seconds for pods above `size`.
    pub scaled: i64,
}

/// `resources` in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::ResourcesOut))]
pub struct ResourcesOut {
    /// Requests.
    pub requests: BTreeMap<String, String>,
    /// Limits.
    pub limits: BTreeMap<String, String>,
}

/// `PoolInfo` in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::PoolInfo))]
pub struct PoolInfo {
    /// Pool id.
    pub id: String,
    /// Group.
    pub group: String,
    /// Reuse policy.
    pub reuse: bool,
    /// 0 New … 6 Deleted.
    pub status: i32,
    /// Status text or failure reason.
    pub msg: String,
    /// Running pods.
    pub ready_count: u32,
    /// Pods kept ready.
    pub size: u32,
    /// Most pods.
    pub max_size: u32,
    /// runtime-manager image.
    pub image: String,
    /// function-agent-init image.
    pub init_image: String,
    /// Labels (`null` when none).
    pub labels: Option<BTreeMap<String, String>>,
    /// Environment (`null` when none).
    pub environment: Option<BTreeMap<String, String>>,
    /// Volumes (JSON string).
    pub volumes: String,
    /// Volume mounts (JSON string).
    pub volume_mounts: String,
    /// Requests and limits.
    pub resources: ResourcesOut,
    /// Affinity (JSON string).
    pub affinities: String,
    /// Node selector (`null` when none).
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Runtime class.
    pub runtime_class_name: String,
    /// Tolerations (JSON string).
    pub tolerations: String,
    /// HPA spec (JSON string).
    pub horizontal_pod_autoscaler_spec: String,
    /// Topology spread constraints (JSON string).
    pub topology_spread_constraints: String,
    /// Idle recycling.
    pub idle_recycle_time: IdleRecycle,
    /// Pod anti-affinities, as given.
    pub pod_anti_affinities: String,
}

/// `result` of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::QueryResult))]
pub struct QueryResult {
    /// Pools matching, before paging.
    pub count: u64,
    /// This page.
    pub pools: Vec<PoolInfo>,
}

/// A pool that could not be created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::FailedPool))]
pub struct FailedPool {
    /// Its id, as given.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// `result` of a create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = yuanrong::CreateResult))]
pub struct CreateResult {
    /// The pools that failed (`null` when none did).
    pub failed_pools: Option<Vec<FailedPool>>,
}

impl CreateResult {
    /// The vendor's answer to a create: 200 and code 0 when every pool was made; when
    /// any failed, 500 and code 4104 naming each failed pool and its reason, with the
    /// result (the good pools stay made).
    pub fn into_envelope(self) -> (u16, Envelope<CreateResult>) {
        match &self.failed_pools {
            None => (
                200,
                Envelope {
                    code: 0,
                    message: String::new(),
                    result: Some(self),
                },
            ),
            Some(failed) => {
                let reasons: Vec<String> = failed
                    .iter()
                    .map(|f| format!("{}: {}", f.id, f.reason))
                    .collect();
                let message = format!("{}. check input parameters", reasons.join(";"));
                (
                    500,
                    Envelope {
                        code: super::INVALID,
                        message,
                        result: Some(self),
                    },
                )
            }
        }
    }
}

/// The response envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Envelope<T> {
    /// 0 on success.
    pub code: i32,
    /// Error text ("" on success).
    pub message: String,
    /// The result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<T>,
}

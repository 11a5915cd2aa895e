//! IEF wire types: Huawei's own shapes (the models of its Python SDK,
//! `huaweicloudsdkief/v1/model`), field names and order exactly the vendor's.
//!
//! Requests take every field as optional so that a missing one is answered with IEF's
//! error naming it; unknown fields are refused. Replies carry the validated values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use validator::Validate;

use super::rules;
use crate::validate;

/// A number the vendor sends either as a JSON number or as a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::NumOrText))]
#[serde(untagged)]
pub enum NumOrText {
    /// A JSON number.
    Num(f64),
    /// A string, to be parsed.
    Text(String),
}

/// A command the vendor gives as one string (the table) or as a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::CommandText))]
#[serde(untagged)]
pub enum CommandText {
    /// One string.
    One(String),
    /// Several strings.
    Many(Vec<String>),
}

/// `Attributes`: a tag.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Attributes))]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    /// The key.
    #[serde(default)]
    #[validate(required, custom(function = "rules::tag_key_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_-]{1,128}$")
    )]
    pub key: Option<String>,
    /// The value.
    #[serde(default)]
    #[validate(required, custom(function = "rules::tag_value_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_-]{1,256}$")
    )]
    pub value: Option<String>,
}

/// A tag as replies show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Tag))]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// `Annotations` of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Annotations))]
#[serde(deny_unknown_fields)]
pub struct Annotations {
    /// Generates a rank table file; only `ascend-1980`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::ring_controller_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^ascend-1980$"))]
    pub ring_controller: Option<String>,
    /// The node group that offline self-healing schedules onto.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autonomy_edge_selector: Option<String>,
}

/// `PodConfigs`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PodConfigs))]
#[serde(deny_unknown_fields)]
pub struct PodConfigs {
    /// Host network.
    #[serde(default)]
    pub host_network: Option<bool>,
    /// Host PID namespace.
    #[serde(default)]
    pub host_pid: Option<bool>,
    /// Migrate on failure (required for group deployments).
    #[serde(default)]
    pub migration: Option<bool>,
    /// Always, OnFailure or Never.
    #[serde(default)]
    #[validate(custom(function = "rules::restart_policy_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(Always|OnFailure|Never)$"))]
    pub restart_policy: Option<String>,
    /// Seconds a lost node is tolerated before migrating (group deployments only).
    #[serde(default)]
    #[validate(custom(function = "rules::toleration_seconds_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 4294967295_i64))]
    pub toleration_seconds: Option<i64>,
    /// Default, ClusterFirst or ClusterFirstWithHostNet.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(Default|ClusterFirst|ClusterFirstWithHostNet)$")
    )]
    pub dns_policy: Option<String>,
}

/// `PodConfigs` as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PodConfigsOut))]
pub struct PodConfigsOut {
    /// Host network.
    pub host_network: bool,
    /// Host PID namespace.
    pub host_pid: bool,
    /// Migrate on failure.
    pub migration: bool,
    /// Restart policy.
    pub restart_policy: String,
    /// Seconds a lost node is tolerated (group deployments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
    /// DNS policy.
    pub dns_policy: String,
}

/// `MatchExpression` of a node selector term.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::MatchExpression))]
#[serde(deny_unknown_fields)]
pub struct MatchExpression {
    /// The node label.
    #[serde(default)]
    #[validate(required, custom(function = "rules::label_key_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_length = 1, max_length = 316)
    )]
    pub key: Option<String>,
    /// In, NotIn, Exists, DoesNotExist, Gt or Lt.
    #[serde(default)]
    #[validate(required, custom(function = "rules::selector_operator_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^(In|NotIn|Exists|DoesNotExist|Gt|Lt)$"
        )
    )]
    pub operator: Option<String>,
    /// The values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

/// `MatchExpressions`: a node selector term.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::MatchExpressions))]
#[serde(deny_unknown_fields)]
pub struct MatchExpressions {
    /// The requirements, ANDed.
    #[serde(default, rename = "matchExpressions")]
    #[validate(required, length(min = 1, message = "must not be empty"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::match_expressions)
    )]
    pub match_expressions: Option<Vec<MatchExpression>>,
}

/// `PreferredSchedulingTerm`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PreferredSchedulingTerm))]
#[serde(deny_unknown_fields)]
pub struct PreferredSchedulingTerm {
    /// The term.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub preference: Option<MatchExpressions>,
    /// Its weight, 1..=100.
    #[serde(default)]
    #[validate(required, custom(function = "rules::weight_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 100)
    )]
    pub weight: Option<i64>,
}

/// `RequiredDuringScheduling`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::RequiredDuringScheduling))]
#[serde(deny_unknown_fields)]
pub struct RequiredDuringScheduling {
    /// The terms, ORed.
    #[serde(default, rename = "nodeSelectorTerms")]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub node_selector_terms: Option<Vec<MatchExpressions>>,
}

/// `AffinityNodeAffinity`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::NodeAffinity))]
#[serde(deny_unknown_fields)]
pub struct NodeAffinity {
    /// Soft rules.
    #[serde(
        default,
        rename = "preferredDuringSchedulingIgnoredDuringExecution",
        skip_serializing_if = "Option::is_none"
    )]
    pub preferred: Option<Vec<PreferredSchedulingTerm>>,
    /// Hard rules.
    #[serde(
        default,
        rename = "requiredDuringSchedulingIgnoredDuringExecution",
        skip_serializing_if = "Option::is_none"
    )]
    pub required: Option<RequiredDuringScheduling>,
}

/// `Affinity`, Kubernetes' shape. Pod (anti-)affinity is refused: IEF gives pods no
/// labels a selector could name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Affinity))]
#[serde(deny_unknown_fields)]
pub struct Affinity {
    /// Rules on node labels.
    #[serde(
        default,
        rename = "nodeAffinity",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_affinity: Option<NodeAffinity>,
    /// Not supported.
    #[serde(
        default,
        rename = "podAffinity",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::unsupported))]
    #[validate(custom(function = "rules::unsupported_affinity_field"))]
    pub pod_affinity: Option<serde_json::Value>,
    /// Not supported.
    #[serde(
        default,
        rename = "podAntiAffinity",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::unsupported))]
    #[validate(custom(function = "rules::unsupported_affinity_field"))]
    pub pod_anti_affinity: Option<serde_json::Value>,
}

/// `Secrets` / `ConfigsMap`: a key of a secret or config map.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::KeyRef))]
#[serde(deny_unknown_fields)]
pub struct KeyRef {
    /// The object's name.
    #[serde(default)]
    #[validate(required, custom(function = "rules::config_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::config_name)
    )]
    pub name: Option<String>,
    /// The key.
    #[serde(default)]
    #[validate(required, custom(function = "rules::config_key_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::config_key)
    )]
    pub key: Option<String>,
}

/// `ValueFrom`: exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ValueFrom))]
#[serde(deny_unknown_fields)]
pub struct ValueFrom {
    /// A key of a secret.
    #[serde(default)]
    pub secret: Option<KeyRef>,
    /// A key of a config map.
    #[serde(default)]
    pub configmap: Option<KeyRef>,
}

/// `Env`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Env))]
#[serde(deny_unknown_fields)]
pub struct Env {
    /// Name.
    #[serde(default)]
    #[validate(required, custom(function = "rules::env_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^[A-Za-z_][A-Za-z0-9_]{0,2047}$"
        )
    )]
    pub name: Option<String>,
    /// A literal value.
    #[serde(default)]
    #[validate(custom(function = "rules::env_value_field"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 20480))]
    pub value: Option<String>,
    /// A key of a config map or secret.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::value_from))]
    pub value_from: Option<ValueFrom>,
    /// A field of the pod: only `status.hostIP`.
    #[serde(default)]
    #[validate(custom(function = "rules::field_path_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^status\\.hostIP$"))]
    pub field_path: Option<String>,
}

/// `HttpGetDetail`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::HttpGet))]
#[serde(deny_unknown_fields)]
pub struct HttpGet {
    /// Path, starting with `/`.
    #[serde(default)]
    #[validate(required, custom(function = "rules::http_path_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^/\\S*$")
    )]
    pub path: Option<String>,
    /// Port.
    #[serde(default)]
    #[validate(required, custom(function = "validate::port_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 65535)
    )]
    pub port: Option<i64>,
    /// Host (default: the pod's IP).
    #[serde(default)]
    #[validate(custom(function = "rules::host_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\S{1,253}$"))]
    pub host: Option<String>,
    /// HTTP or HTTPS.
    #[serde(default)]
    #[validate(custom(function = "rules::scheme_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[Hh][Tt][Tt][Pp][Ss]?$"))]
    pub scheme: Option<String>,
}

/// `ModelExec`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Exec))]
#[serde(deny_unknown_fields)]
pub struct Exec {
    /// The command line.
    #[serde(default)]
    #[validate(required, custom(function = "rules::exec_command_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::command_line)
    )]
    pub command: Option<CommandText>,
}

/// `Probe`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Probe))]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// Command check.
    #[serde(default)]
    pub exec: Option<Exec>,
    /// HTTP check.
    #[serde(default)]
    pub http_get: Option<HttpGet>,
    /// Seconds before the first probe (default 10).
    #[serde(default)]
    #[validate(custom(function = "rules::probe_seconds_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3600))]
    pub initial_delay_seconds: Option<i64>,
    /// Seconds before a probe times out (default 1).
    #[serde(default)]
    #[validate(custom(function = "rules::probe_seconds_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3600))]
    pub timeout_seconds: Option<i64>,
}

/// `HostPortRange`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::HostPortRange))]
#[serde(deny_unknown_fields)]
pub struct HostPortRange {
    /// Lowest port.
    #[serde(default)]
    #[validate(required, custom(function = "validate::port_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 65535)
    )]
    pub min_port: Option<i64>,
    /// Highest port.
    #[serde(default)]
    #[validate(required, custom(function = "validate::port_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 65535)
    )]
    pub max_port: Option<i64>,
}

/// `HostContainerPortMapping`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Port))]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// Container port.
    #[serde(default)]
    #[validate(required, custom(function = "validate::port_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 65535)
    )]
    pub container_port: Option<i64>,
    /// Host port.
    #[serde(default)]
    #[validate(custom(function = "validate::port_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65535))]
    pub host_port: Option<i64>,
    /// Host address.
    #[serde(default)]
    #[validate(custom(function = "rules::ip_address_field"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::host_ip))]
    pub host_ip: Option<String>,
    /// Host port range (instead of `host_port`).
    #[serde(default)]
    pub host_port_range: Option<HostPortRange>,
}

/// `DeploymentResources`: `cpu`, `memory`, `gpu`, `npu`, as numbers or strings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Resources))]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// Limits.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::resource_limits))]
    pub limits: Option<BTreeMap<String, NumOrText>>,
    /// Requests.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::resource_requests))]
    pub requests: Option<BTreeMap<String, NumOrText>>,
}

/// `Volumes`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Volume))]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Name.
    #[serde(default)]
    #[validate(required, custom(function = "rules::volume_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
        )
    )]
    pub name: Option<String>,
    /// configMap, secret, emptyDir or hostPath.
    #[serde(default, rename = "type")]
    #[validate(required, custom(function = "rules::volume_type_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^(configMap|secret|emptyDir|hostPath)$"
        )
    )]
    pub type_: Option<String>,
    /// A host path, `disk`/`memory`, or a config map's or secret's name.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub source: Option<String>,
    /// Mount path.
    #[serde(default)]
    #[validate(required, custom(function = "validate::absolute_path_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^/")
    )]
    pub destination: Option<String>,
    /// Read-only.
    #[serde(default)]
    pub read_only: Option<bool>,
    /// File mode of configMap and secret volumes (default 420).
    #[serde(default)]
    #[validate(custom(function = "rules::default_mode_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 511))]
    pub default_mode: Option<i64>,
}

/// `ContainerDef` of a request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ContainerDef))]
#[serde(deny_unknown_fields)]
pub struct ContainerDef {
    /// Name.
    #[serde(default)]
    #[validate(required, custom(function = "rules::container_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$"
        )
    )]
    pub name: Option<String>,
    /// Image.
    #[serde(default)]
    #[validate(required, custom(function = "validate::image_reference_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = validate::image_reference_schema)
    )]
    pub image_url: Option<String>,
    /// Arguments.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Command.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Resources.
    #[serde(default)]
    pub resources: Option<Resources>,
    /// Environment.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::envs))]
    pub envs: Option<Vec<Env>>,
    /// Port mappings.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::ports))]
    pub ports: Option<Vec<Port>>,
    /// Privileged mode.
    #[serde(default)]
    pub privileged: Option<bool>,
    /// User id, 0..=65534.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 65534))]
    pub run_as_user: Option<i64>,
    /// Readiness probe.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::probe))]
    pub readiness_probe: Option<Probe>,
    /// Liveness probe.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::probe))]
    pub liveness_probe: Option<Probe>,
    /// Image version (tag).
    #[serde(default)]
    #[validate(custom(function = "rules::image_tag_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[-A-Za-z0-9._]{0,128}$"))]
    pub version: Option<String>,
    /// Volumes.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::volumes))]
    pub volumes: Option<Vec<Volume>>,
    /// D310, D310B or empty.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(D310|D310B)?$"))]
    pub npu_type: Option<String>,
}

/// `PodRequest`: what a deployment's pods run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PodRequest))]
#[serde(deny_unknown_fields)]
pub struct PodRequest {
    /// Pod configs.
    #[serde(default)]
    pub configs: Option<PodConfigs>,
    /// Node affinity.
    #[serde(default)]
    pub affinity: Option<Affinity>,
    /// Init containers.
    #[serde(default)]
    pub init_containers: Option<Vec<ContainerDef>>,
    /// Containers.
    #[serde(default)]
    #[validate(required, length(min = 1, message = "must not be empty"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_items = 1)
    )]
    pub containers: Option<Vec<ContainerDef>>,
}

/// `CreateAppsInDeploymentV3`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::DeploymentSpec))]
#[serde(deny_unknown_fields)]
pub struct DeploymentSpec {
    /// Pods, 1..=99.
    #[serde(default)]
    #[validate(required, custom(function = "rules::replicas_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 99)
    )]
    pub replicas: Option<i64>,
    /// What the pods run.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub template: Option<PodRequest>,
    /// Annotations.
    #[serde(default)]
    pub annotations: Option<Annotations>,
}

/// `POST /v3/{project_id}/edgemgr/deployments` body (`Deployment`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::CreateDeploymentRequest))]
#[serde(deny_unknown_fields)]
pub struct CreateDeploymentRequest {
    /// Name.
    #[serde(default)]
    #[validate(required, custom(function = "rules::deployment_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$"
        )
    )]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    #[validate(custom(function = "rules::description_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r#"^[^^~#$%&*<>()\[\]{}'"\\]{0,255}$"#)
    )]
    pub description: Option<String>,
    /// Where the deployment comes from.
    #[serde(default)]
    #[validate(custom(function = "rules::source_field"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub source: Option<String>,
    /// A node group, or none with `node_ids`.
    #[serde(default)]
    pub group_id: Option<String>,
    /// Exactly one node, or none with `group_id`.
    #[serde(default)]
    pub node_ids: Option<Vec<String>>,
    /// Tags.
    #[serde(default)]
    #[validate(length(max = 20, message = "at most 20 tags"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub tags: Option<Vec<Attributes>>,
    /// Replicas, template, annotations.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub deployment: Option<DeploymentSpec>,
}

/// `UpdatePodDeployment`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::UpdatePodDeployment))]
#[serde(deny_unknown_fields)]
pub struct UpdatePodDeployment {
    /// Pods, 1..=99.
    #[serde(default)]
    #[validate(custom(function = "rules::replicas_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 99))]
    pub replicas: Option<i64>,
    /// The new template, replacing the old one whole.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub template: Option<PodRequest>,
}

/// `PUT /v3/{project_id}/edgemgr/deployments/{id}` body (`UpdateDeployment`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::UpdateDeploymentRequest))]
#[serde(deny_unknown_fields)]
pub struct UpdateDeploymentRequest {
    /// Replicas and template.
    #[serde(default)]
    pub deployment: Option<UpdatePodDeployment>,
    /// A new description.
    #[serde(default)]
    #[validate(custom(function = "rules::description_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r#"^[^^~#$%&*<>()\[\]{}'"\\]{0,255}$"#)
    )]
    pub description: Option<String>,
}

/// `GET /v3/{project_id}/edgemgr/deployments` parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListDeploymentsParams))]
#[serde(deny_unknown_fields)]
pub struct ListDeploymentsParams {
    /// Page size, 1..=100, default 10.
    #[serde(default)]
    pub limit: Option<NumOrText>,
    /// Items to skip, default 0.
    #[serde(default)]
    pub offset: Option<NumOrText>,
    /// `created_at:desc` (default) or `created_at:asc`.
    #[serde(default)]
    pub sort: Option<String>,
    /// Part of the name.
    #[serde(default)]
    pub name: Option<String>,
    /// Deployments to this node.
    #[serde(default)]
    pub node_id: Option<String>,
    /// Deployments to this node group.
    #[serde(default)]
    pub group_id: Option<String>,
}

/// `DELETE .../deployments/{id}` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::DeleteDeploymentParams))]
#[serde(deny_unknown_fields)]
pub struct DeleteDeploymentParams {
    /// `true` or `false` (default).
    #[serde(default)]
    pub force_delete: Option<String>,
}

/// `GET /v3/{project_id}/edgemgr/pods` parameters: exactly one of the four filters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListPodsParams))]
#[serde(deny_unknown_fields)]
pub struct ListPodsParams {
    /// Pods on this node.
    #[serde(default)]
    pub node_id: Option<String>,
    /// Pods on this node group.
    #[serde(default)]
    pub group_id: Option<String>,
    /// Pods of this deployment.
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// Pods of these deployments, comma-separated.
    #[serde(default)]
    pub deployment_ids: Option<String>,
    /// Pods of this plugin instance (podgate runs none).
    #[serde(default)]
    pub plugin_instance_name: Option<String>,
    /// Page size, 1..=1000, default 10.
    #[serde(default)]
    pub limit: Option<NumOrText>,
    /// Items to skip, ≥ 0, default 0.
    #[serde(default)]
    pub offset: Option<NumOrText>,
}

/// `GET /v2/{project_id}/edgemgr/nodes` parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListNodesParams))]
#[serde(deny_unknown_fields)]
pub struct ListNodesParams {
    /// Part of the name.
    #[serde(default)]
    pub name: Option<String>,
    /// Page size, 1..=1000, default 500.
    #[serde(default)]
    pub limit: Option<NumOrText>,
    /// Items to skip, default 0.
    #[serde(default)]
    pub offset: Option<NumOrText>,
    /// `name` or `created_at`, with `:asc` (default) or `:desc`.
    #[serde(default)]
    pub sort: Option<String>,
    /// RUNNING, UNCONNECTED, ...
    #[serde(default)]
    pub state: Option<String>,
    /// Nodes of this group.
    #[serde(default)]
    pub group_id: Option<String>,
}

/// `GET /v2/{project_id}/edgemgr/groups` parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListGroupsParams))]
#[serde(deny_unknown_fields)]
pub struct ListGroupsParams {
    /// The group's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Page size, 1..=1000, default 10.
    #[serde(default)]
    pub limit: Option<NumOrText>,
    /// Items to skip, default 0.
    #[serde(default)]
    pub offset: Option<NumOrText>,
    /// `name`, with `:asc` (default) or `:desc`.
    #[serde(default)]
    pub sort: Option<String>,
}

/// `GET /v2/{project_id}/edgemgr/{configmaps,secrets}` parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListConfigsParams))]
#[serde(deny_unknown_fields)]
pub struct ListConfigsParams {
    /// Part of the name.
    #[serde(default)]
    pub name: Option<String>,
    /// Page size, 1..=1000, default 1000.
    #[serde(default)]
    pub limit: Option<NumOrText>,
    /// Items to skip, default 0.
    #[serde(default)]
    pub offset: Option<NumOrText>,
    /// `name`, `created_at` or `updated_at`, with `:asc` (default) or `:desc`.
    #[serde(default)]
    pub sort: Option<String>,
}

/// `ConfigMap` of a create request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ConfigMap))]
#[serde(deny_unknown_fields)]
pub struct ConfigMap {
    /// Name.
    #[serde(default)]
    #[validate(required, custom(function = "rules::config_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::config_name)
    )]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    #[validate(custom(function = "rules::description_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r#"^[^^~#$%&*<>()\[\]{}'"\\]{0,255}$"#)
    )]
    pub description: Option<String>,
    /// The keys and values.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::configs))]
    pub configs: Option<BTreeMap<String, Option<String>>>,
}

/// `POST /v2/{project_id}/edgemgr/configmaps` body (`ConfigMaps`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::CreateConfigMapRequest))]
#[serde(deny_unknown_fields)]
pub struct CreateConfigMapRequest {
    /// The config map.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub configmap: Option<ConfigMap>,
}

/// `UpdateConfigMap`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::UpdateConfigMap))]
#[serde(deny_unknown_fields)]
pub struct UpdateConfigMap {
    /// Description.
    #[serde(default)]
    #[validate(custom(function = "rules::description_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r#"^[^^~#$%&*<>()\[\]{}'"\\]{0,255}$"#)
    )]
    pub description: Option<String>,
    /// The keys and values; a `null` value drops the key.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::configs))]
    pub configs: Option<BTreeMap<String, Option<String>>>,
}

/// `PUT /v2/{project_id}/edgemgr/configmaps/{id}` body (`UpdateConfigMaps`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::UpdateConfigMapRequest))]
#[serde(deny_unknown_fields)]
pub struct UpdateConfigMapRequest {
    /// The changes.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::not_empty::<UpdateConfigMap>)
    )]
    pub configmap: Option<UpdateConfigMap>,
}

/// `SecretDetail` of a create request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::SecretDetail))]
#[serde(deny_unknown_fields)]
pub struct SecretDetail {
    /// Name.
    #[serde(default)]
    #[validate(required, custom(function = "rules::config_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::config_name)
    )]
    pub name: Option<String>,
    /// Only `Opaque`.
    #[serde(default, rename = "type")]
    #[validate(custom(function = "rules::secret_type_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^Opaque$"))]
    pub type_: Option<String>,
    /// Description.
    #[serde(default)]
    #[validate(custom(function = "rules::description_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r#"^[^^~#$%&*<>()\[\]{}'"\\]{0,255}$"#)
    )]
    pub description: Option<String>,
    /// The keys and base64 values.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = openapi::secrets))]
    pub secrets: Option<BTreeMap<String, Option<String>>>,
}

/// `POST /v2/{project_id}/edgemgr/secrets` body (`Secret`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::CreateSecretRequest))]
#[serde(deny_unknown_fields)]
pub struct CreateSecretRequest {
    /// The secret.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub secret: Option<SecretDetail>,
}

/// `UpdateSecretDetail`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::UpdateSecretDetail))]
#[serde(deny_unknown_fields)]
pub struct UpdateSecretDetail {
    /// Description.
    #[serde(default)]
    #[validate(custom(function = "rules::description_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r#"^[^^~#$%&*<>()\[\]{}'"\\]{0,255}$"#)
    )]
    pub description: Option<String>,
    /// The keys and base64 values; a `null` value drops the key.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::secret_changes))]
    pub secrets: Option<BTreeMap<String, Option<String>>>,
}

/// `PUT /v2/{project_id}/edgemgr/secrets/{id}` body (`UpdateSecret`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::UpdateSecretRequest))]
#[serde(deny_unknown_fields)]
pub struct UpdateSecretRequest {
    /// The changes.
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::not_empty::<UpdateSecretDetail>)
    )]
    pub secret: Option<UpdateSecretDetail>,
}

// ---- stored and shown ------------------------------------------------------------

/// A key reference as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::KeyRefOut))]
pub struct KeyRefOut {
    /// The object's name.
    pub name: String,
    /// The key.
    pub key: String,
}

/// `ValueFrom` as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ValueFromOut))]
pub struct ValueFromOut {
    /// A key of a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<KeyRefOut>,
    /// A key of a config map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configmap: Option<KeyRefOut>,
}

/// `Env` as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::EnvOut))]
pub struct EnvOut {
    /// Name.
    pub name: String,
    /// The literal value, when that is its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A key of a config map or secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ValueFromOut>,
    /// A field of the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_path: Option<String>,
}

/// An HTTP check as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::HttpGetOut))]
pub struct HttpGetOut {
    /// Path.
    pub path: String,
    /// Port.
    pub port: u16,
    /// Host, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// HTTP or HTTPS, as given.
    pub scheme: String,
}

/// A command check as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ExecOut))]
pub struct ExecOut {
    /// The command line.
    pub command: String,
}

/// A probe as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ProbeOut))]
pub struct ProbeOut {
    /// Command check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecOut>,
    /// HTTP check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetOut>,
    /// Seconds before the first probe.
    pub initial_delay_seconds: i64,
    /// Seconds before a probe times out.
    pub timeout_seconds: i64,
}

/// A host port range as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::HostPortRangeOut))]
pub struct HostPortRangeOut {
    /// Lowest port.
    pub min_port: u16,
    /// Highest port.
    pub max_port: u16,
}

/// A port mapping as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PortOut))]
pub struct PortOut {
    /// Container port.
    pub container_port: u16,
    /// Host port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
    /// Host address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// Host port range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port_range: Option<HostPortRangeOut>,
}

/// Limits and requests as stored and shown: strings, as the table says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ResourcesOut))]
pub struct ResourcesOut {
    /// Limits.
    pub limits: BTreeMap<String, String>,
    /// Requests.
    pub requests: BTreeMap<String, String>,
}

/// A volume as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::VolumeOut))]
pub struct VolumeOut {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub type_: String,
    /// Source.
    pub source: String,
    /// Mount path.
    pub destination: String,
    /// Read-only.
    pub read_only: bool,
    /// File mode (configMap and secret volumes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<u32>,
}

/// A container's definition, as stored and as replies show it (`ContainerDef`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ContainerDefOut))]
pub struct ContainerDefOut {
    /// Name.
    pub name: String,
    /// Image.
    pub image_url: String,
    /// Arguments.
    pub args: Vec<String>,
    /// Command.
    pub command: Vec<String>,
    /// Resources.
    pub resources: ResourcesOut,
    /// Environment.
    pub envs: Vec<EnvOut>,
    /// Ports.
    pub ports: Vec<PortOut>,
    /// Privileged mode.
    pub privileged: bool,
    /// User id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// Readiness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<ProbeOut>,
    /// Liveness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<ProbeOut>,
    /// Image version, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Volumes.
    pub volumes: Vec<VolumeOut>,
    /// NPU type.
    pub npu_type: String,
}

/// A template as stored and shown (`PodRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PodRequestOut))]
pub struct PodRequestOut {
    /// Pod configs.
    pub configs: PodConfigsOut,
    /// Node affinity, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Init containers.
    pub init_containers: Vec<ContainerDefOut>,
    /// Containers.
    pub containers: Vec<ContainerDefOut>,
}

/// `DeploymentResp`: a deployment, flat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::DeploymentResp))]
pub struct DeploymentResp {
    /// Id (uuid).
    pub id: String,
    /// Name.
    pub name: String,
    /// Pods asked for.
    pub replicas: u32,
    /// Pods running.
    pub ready_replicas: u32,
    /// Description.
    pub description: String,
    /// The node group ("" for a node deployment).
    pub group_id: String,
    /// The node (none for a group deployment).
    pub node_ids: Vec<String>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// `v3`.
    pub api_version: String,
    /// Where it came from, as given.
    pub source: String,
    /// The project.
    pub project_id: String,
    /// RFC 3339 with milliseconds.
    pub created_at: String,
    /// RFC 3339 with milliseconds.
    pub updated_at: String,
    /// What the pods run.
    pub template: PodRequestOut,
    /// Reserved: empty (FREEZE, PENDING_DELETE, DELETE_FAILED never occur).
    pub state: String,
    /// Reserved: empty.
    pub source_id: String,
    /// Annotations, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
}

/// `GET .../deployments` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListDeploymentsReply))]
pub struct ListDeploymentsReply {
    /// Matches before paging.
    pub count: u64,
    /// This page.
    pub deployments: Vec<DeploymentResp>,
}

/// `EnvPods`: an env var as a pod shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::EnvPods))]
pub struct EnvPods {
    /// Name.
    pub name: String,
    /// The literal value, when that is its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `HostContainerPort`: a port mapping as a pod shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::HostContainerPort))]
pub struct HostContainerPort {
    /// Container port.
    pub container_port: u16,
    /// Host port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
    /// Host address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
}

/// `ContainerResp`: a container's definition as a pod shows it, and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ContainerResp))]
pub struct ContainerResp {
    /// Arguments.
    pub args: Vec<String>,
    /// Command.
    pub command: Vec<String>,
    /// Name.
    pub name: String,
    /// Environment.
    pub envs: Vec<EnvPods>,
    /// Image.
    pub image_url: String,
    /// Image version, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Liveness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<ProbeOut>,
    /// Readiness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<ProbeOut>,
    /// Ports.
    pub ports: Vec<HostContainerPort>,
    /// Resources.
    pub resources: ResourcesOut,
    /// Volumes.
    pub volumes: Vec<VolumeOut>,
    /// Restarts.
    pub restarts: u32,
    /// Why it is not running, in words.
    pub message: String,
    /// Short reason.
    pub reason: String,
    /// Health check result, "true" or "false".
    pub is_ready: String,
    /// Privileged mode.
    pub privileged: bool,
    /// Runtime id.
    pub container_id: String,
    /// running, waiting or terminated.
    pub state: String,
    /// NPU type.
    pub npu_type: String,
}

/// `PodResp` (the seed's `PodResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PodResponse))]
pub struct PodResponse {
    /// Pod uuid.
    pub id: String,
    /// Pod name.
    pub name: String,
    /// The deployment's description.
    pub description: String,
    /// Pod configs.
    pub configs: PodConfigsOut,
    /// Node affinity, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Init containers.
    pub init_containers: Vec<ContainerResp>,
    /// Containers.
    pub containers: Vec<ContainerResp>,
    /// The node it was deployed to or runs on ("" while a group deployment's pod is
    /// unscheduled).
    pub node_id: String,
    /// The deployment's id.
    pub deployment_id: String,
    /// The project.
    pub project_id: String,
    /// Why it is failing.
    pub reason: String,
    /// Details.
    pub message: String,
    /// RFC 3339 with milliseconds.
    pub created_at: String,
    /// RFC 3339 with milliseconds.
    pub updated_at: String,
    /// RUNNING, PENDING, SUCCEEDED, FAILED, CREATE_FAIL, TERMINATING or UNKNOWN.
    pub state: String,
}

/// `GET .../pods` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListPodsReply))]
pub struct ListPodsReply {
    /// Matches before paging.
    pub count: u64,
    /// This page.
    pub pods: Vec<PodResponse>,
}

/// `EdgeNodeResp`: what podgate knows of a node (the fields it does not know are left
/// out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::EdgeNodeResp))]
pub struct EdgeNodeResp {
    /// Node id (its name).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description (empty).
    pub description: String,
    /// The project asking.
    pub project_id: String,
    /// RUNNING, or UNCONNECTED while lost.
    pub state: String,
    /// Whole cores.
    pub cpu: u64,
    /// MB.
    pub memory: u64,
    /// `linux`.
    pub os_type: String,
    /// The project's deployments on the node.
    pub deployment_num: u64,
    /// Whether it has GPUs.
    pub enable_gpu: bool,
    /// GPUs.
    pub gpu_num: u32,
    /// Whether it has NPUs.
    pub enable_npu: bool,
    /// Its node groups.
    pub group_ids: Vec<String>,
    /// Its labels, as attributes.
    pub attributes: Vec<Tag>,
}

/// `GET /v2/{project_id}/edgemgr/nodes` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListNodesReply))]
pub struct ListNodesReply {
    /// This page.
    pub nodes: Vec<EdgeNodeResp>,
    /// Nodes before paging.
    pub count: u64,
}

/// `GET /v2/{project_id}/edgemgr/nodes/{node_id}` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::NodeReply))]
pub struct NodeReply {
    /// The node.
    pub node: EdgeNodeResp,
}

/// `GroupDeployment`: a deployment of a node group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::GroupDeployment))]
pub struct GroupDeployment {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The project.
    pub project_id: String,
    /// RFC 3339 with milliseconds.
    pub created_at: String,
    /// RFC 3339 with milliseconds.
    pub updated_at: String,
}

/// `EdgeGroupResp`: a node group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::EdgeGroupResp))]
pub struct EdgeGroupResp {
    /// Group id (the group label's value).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description (empty).
    pub description: String,
    /// The project asking.
    pub project_id: String,
    /// Whole cores of its nodes.
    pub cpu: u64,
    /// MB of its nodes.
    pub memory: u64,
    /// GPUs of its nodes.
    pub gpu_num: u32,
    /// Its nodes.
    pub nodes: Vec<EdgeNodeResp>,
    /// The project's deployments to the group.
    pub deployments: Vec<GroupDeployment>,
}

/// `GET /v2/{project_id}/edgemgr/groups` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListGroupsReply))]
pub struct ListGroupsReply {
    /// Groups before paging.
    pub count: u64,
    /// This page.
    pub edge_groups: Vec<EdgeGroupResp>,
}

/// `ConfigMapResp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ConfigMapResp))]
pub struct ConfigMapResp {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The keys and values.
    pub configs: BTreeMap<String, String>,
    /// The project.
    pub project_id: String,
    /// RFC 3339 with milliseconds.
    pub created_at: String,
    /// RFC 3339 with milliseconds.
    pub updated_at: String,
}

/// A reply carrying one config map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ConfigMapReply))]
pub struct ConfigMapReply {
    /// The config map.
    pub configmap: ConfigMapResp,
}

/// `GET .../configmaps` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListConfigMapsReply))]
pub struct ListConfigMapsReply {
    /// This page.
    pub configmaps: Vec<ConfigMapResp>,
    /// Matches before paging.
    pub count: u64,
}

/// `SecretDetailResp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::SecretResp))]
pub struct SecretResp {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The keys and base64 values.
    pub secrets: BTreeMap<String, String>,
    /// The project.
    pub project_id: String,
    /// RFC 3339 with milliseconds.
    pub created_at: String,
    /// RFC 3339 with milliseconds.
    pub updated_at: String,
    /// `Opaque`.
    #[serde(rename = "type")]
    pub type_: String,
}

/// A reply carrying one secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::SecretReply))]
pub struct SecretReply {
    /// The secret.
    pub secret: SecretResp,
}

/// `GET .../secrets` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListSecretsReply))]
pub struct ListSecretsReply {
    /// This page.
    pub secrets: Vec<SecretResp>,
    /// Matches before paging.
    pub count: u64,
}

/// The error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ErrorReply))]
pub struct ErrorReply {
    /// `IEF.xxxxxx`.
    pub error_code: String,
    /// The message.
    pub error_msg: String,
}

/// Schemas for rules several fields share, stated once beside the rule's pattern, maps
/// whose keys follow a rule, and changes that must change something.
#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::schema::{
        AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder,
        OneOfBuilder, Schema, Type,
    };
    use utoipa::openapi::{Object, schema::SchemaType};

    use super::rules;
    use utoipa::openapi::RefOr;

    use crate::validate::shapes;

    fn text(pattern: &str, description: &str) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .description(Some(description))
            .build()
    }

    /// A config map's or secret's name: `rules::config_name`.
    pub(super) fn config_name() -> Object {
        text(
            rules::CONFIG_NAME_PATTERN,
            "A config map's or secret's name: 4-64 lowercase letters, digits or '-', starting with a letter, not ending with '-'.",
        )
    }

    /// A key of a config map's or secret's data: `rules::config_key`.
    pub(super) fn config_key() -> Object {
        text(
            rules::CONFIG_KEY_PATTERN,
            "A key: 1-63 letters, digits, '.', '-' or '_', starting with a letter or '-'.",
        )
    }

    /// `T`'s schema with at least one property: a change that changes nothing is
    /// refused. (utoipa 5.5's `min_properties` attribute writes `maxProperties`.)
    pub(super) fn not_empty<T: utoipa::PartialSchema>() -> Schema {
        Schema::AllOf(
            AllOfBuilder::new()
                .item(T::schema())
                .item(ObjectBuilder::new().min_properties(Some(1)))
                .build(),
        )
    }

    /// A probe, or none: a probe checks with exactly one of `exec` and `http_get`.
    pub(super) fn probe() -> Schema {
        shapes::or_null(
            shapes::one_shape(
                "ief.Probe",
                [
                    shapes::given("exec", Type::Object),
                    shapes::given("http_get", Type::Object),
                ],
            ),
            "A probe: exactly one of exec and http_get, with when and how long to wait.",
        )
    }

    /// Environment variables, or none: each takes its value from exactly one of
    /// `value`, `value_from` and `field_path`.
    pub(super) fn envs() -> Schema {
        shapes::list_or_null(
            shapes::one_shape(
                "ief.Env",
                [
                    shapes::given("value", Type::String),
                    shapes::given("value_from", Type::Object),
                    shapes::given("field_path", Type::String),
                ],
            ),
            "Environment variables: each with exactly one of value, value_from and field_path.",
        )
    }

    /// Port mappings, or none: each maps `host_port` or `host_port_range`, not both.
    pub(super) fn ports() -> Schema {
        shapes::list_or_null(
            shapes::one_shape(
                "ief.Port",
                [
                    shapes::given("host_port", Type::Integer)
                        .property("host_port_range", shapes::null()),
                    shapes::absent("host_port"),
                ],
            ),
            "Port mappings: each with host_port or host_port_range, not both.",
        )
    }

    /// Volumes, or none: what `source` names depends on the type (`request::volume`):
    /// a config map or secret by name (read-only, with a file mode), a host path, or an
    /// emptyDir's medium.
    pub(super) fn volumes() -> Schema {
        let of = |types: &[&str], source: &str| {
            ObjectBuilder::new()
                .property(
                    "type",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(types.iter().copied())),
                )
                .property(
                    "source",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(source)),
                )
        };
        let objects = of(&["configMap", "secret"], rules::CONFIG_NAME_PATTERN).property(
            "read_only",
            ObjectBuilder::new().enum_values(Some([Some(true), None])),
        );
        shapes::list_or_null(
            shapes::one_shape(
                "ief.Volume",
                [
                    objects,
                    of(&["hostPath"], r"^/[-A-Za-z0-9/_.]{0,4095}$")
                        .property("default_mode", shapes::null()),
                    of(&["emptyDir"], "^(disk|memory)$").property("default_mode", shapes::null()),
                ],
            ),
            "Volumes: a configMap or secret volume names one (read-only), a hostPath one a path, an emptyDir one its medium (disk or memory).",
        )
    }

    /// A node selector term's requirements, at least one: In and NotIn take values,
    /// Exists and DoesNotExist none, Gt and Lt one integer.
    pub(super) fn match_expressions() -> Schema {
        let by = |operators: [&str; 2], values: Option<RefOr<Schema>>| {
            let operator = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(operators));
            let shape = ObjectBuilder::new().property("operator", operator);
            match values {
                Some(values) => shape.property("values", values).required("values"),
                None => shape.property(
                    "values",
                    shapes::or_null(ArrayBuilder::new().max_items(Some(0)), "No values."),
                ),
            }
        };
        let values = |min: usize, max: Option<usize>, item: ObjectBuilder| {
            ArrayBuilder::new()
                .items(item)
                .min_items(Some(min))
                .max_items(max)
                .into()
        };
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let integer = text().pattern(Some("^[+-]?[0-9]{1,18}$"));
        ArrayBuilder::new()
            .items(shapes::one_shape(
                "ief.MatchExpression",
                [
                    by(["In", "NotIn"], Some(values(1, None, text()))),
                    by(["Exists", "DoesNotExist"], None),
                    by(["Gt", "Lt"], Some(values(1, Some(1), integer))),
                ],
            ))
            .min_items(Some(1))
            .description(Some(
                "The requirements, ANDed: In and NotIn take one or more values, Exists and DoesNotExist none, Gt and Lt one integer.",
            ))
            .into()
    }

    /// A port mapping's host address, or none.
    pub(super) fn host_ip() -> Schema {
        shapes::or_null(
            shapes::ip_address(),
            "The host address: an IPv4 or IPv6 address.",
        )
    }

    /// A field IEF documents and podgate refuses: only null (or its absence) is taken.
    pub(super) fn unsupported() -> Schema {
        shapes::null()
            .description(Some(
                "Not supported: IEF gives pods no labels a selector could name.",
            ))
            .into()
    }

    /// Where a variable's value comes from, or none: exactly one of a config map's
    /// key and a secret's.
    pub(super) fn value_from() -> Schema {
        shapes::or_null(
            shapes::one_shape(
                "ief.ValueFrom",
                [
                    shapes::given("configmap", Type::Object),
                    shapes::given("secret", Type::Object),
                ],
            ),
            "A key of a config map or of a secret: exactly one of the two.",
        )
    }

    /// Resource limits by name, or none (`rules::cpu`, `memory`, `gpu`, `npu`).
    pub(super) fn resource_limits() -> Schema {
        resource_amounts(4.0)
    }

    /// Resource requests by name, or none (`rules::cpu`, `memory`, `gpu`, `npu`).
    pub(super) fn resource_requests() -> Schema {
        resource_amounts(0.01)
    }

    /// Amounts by resource name, a memory amount from `least_memory`: each a number in
    /// the resource's range, or a number's text (whose range the rule alone checks).
    fn resource_amounts(least_memory: f64) -> Schema {
        let amount = |least: f64, most: f64, kind: Type| {
            OneOfBuilder::new()
                .item(
                    ObjectBuilder::new()
                        .schema_type(kind)
                        .minimum(Some(least))
                        .maximum(Some(most)),
                )
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(NUMBER_TEXT)),
                )
        };
        shapes::or_null(
            ObjectBuilder::new()
                .property("cpu", amount(0.01, 1000.0, Type::Number))
                .property("memory", amount(least_memory, 1_024_000.0, Type::Number))
                .property("gpu", amount(0.01, 1_024_000.0, Type::Number))
                .property("npu", amount(1.0, 1000.0, Type::Integer))
                .additional_properties(Some(AdditionalProperties::FreeForm(false))),
            "Amounts by resource: cpu (cores), memory and gpu (MB), npu (whole NPUs); \
             each a number, or its text.",
        )
    }

    /// The text of a number as the amounts take it (as `f64::from_str` reads one,
    /// less infinities and NaN): digits with an optional sign, fraction and exponent.
    const NUMBER_TEXT: &str = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$";

    /// An exec probe's command line (`rules::exec_command`): one string of 1-10240
    /// characters, or its words.
    pub(super) fn command_line() -> Schema {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(10240)),
            )
            .item(
                // Words join to an empty line only as one empty word.
                AnyOfBuilder::new()
                    .item(
                        ArrayBuilder::new()
                            .items(ObjectBuilder::new().schema_type(Type::String))
                            .min_items(Some(2)),
                    )
                    .item(
                        ArrayBuilder::new()
                            .items(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)))
                            .min_items(Some(1))
                            .max_items(Some(1)),
                    ),
            )
            .description(Some(
                "The command line: one string, or its words (joined by spaces); 1-10240 characters.",
            ))
            .into()
    }

    fn data(value_pattern: Option<&str>, object: SchemaType) -> Object {
        let value = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(value_pattern);
        ObjectBuilder::new()
            .schema_type(object)
            .property_names(Some(config_key()))
            .additional_properties(Some(value))
            .build()
    }

    fn or_null() -> SchemaType {
        SchemaType::from_iter([Type::Object, Type::Null])
    }

    /// A config map's data: keys by `rules::config_key`, string values; `null` is none.
    pub(super) fn configs() -> Object {
        data(None, or_null())
    }

    /// A new secret's data: keys by `rules::config_key`, values by `rules::base64`.
    pub(super) fn secrets() -> Object {
        data(
            Some(super::rules::BASE64_PATTERN),
            SchemaType::new(Type::Object),
        )
    }

    /// A secret's changed data, as [`secrets`]; `null` is none.
    pub(super) fn secret_changes() -> Object {
        data(Some(super::rules::BASE64_PATTERN), or_null())
    }
}

//! IEF wire types: the pod list of the seed (`seeds/001`) and the deployment, node and
//! node-group calls of the vendor's wider API, field names exactly the vendor's.

use serde::{Deserialize, Serialize};

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

/// A command the vendor gives as one string (the table) or as a list (Kubernetes).
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

/// An env var.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Env))]
pub struct Env {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
}

/// A probe's HTTP check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::HttpGet))]
pub struct HttpGet {
    /// Path, starting with `/`.
    #[serde(default)]
    pub path: Option<String>,
    /// Port.
    #[serde(default)]
    pub port: Option<i64>,
    /// Host (default: the container's IP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// HTTP or HTTPS.
    #[serde(default)]
    pub scheme: Option<String>,
}

/// A probe's command check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Exec))]
pub struct Exec {
    /// The command.
    #[serde(default)]
    pub command: Option<CommandText>,
}

/// A probe.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Probe))]
pub struct Probe {
    /// HTTP check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGet>,
    /// Command check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Exec>,
    /// Seconds before the first probe (default 10).
    #[serde(default)]
    pub initial_delay_seconds: Option<i64>,
    /// Seconds before a probe times out (default 1).
    #[serde(default)]
    pub timeout_seconds: Option<i64>,
}

/// A port mapping.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Port))]
pub struct Port {
    /// Container port.
    #[serde(default)]
    pub container_port: Option<i64>,
    /// Host port.
    #[serde(default)]
    pub host_port: Option<i64>,
    /// Host NIC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
}

/// Resource amounts as sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Res))]
pub struct Res {
    /// Cores.
    #[serde(default)]
    pub cpu: Option<NumOrText>,
    /// MB.
    #[serde(default)]
    pub memory: Option<NumOrText>,
    /// GPU memory, MB.
    #[serde(default)]
    pub gpu: Option<NumOrText>,
    /// NPUs.
    #[serde(default)]
    pub npu: Option<NumOrText>,
}

/// Limits and requests as sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Resources))]
pub struct Resources {
    /// Limits.
    #[serde(default)]
    pub limits: Option<Res>,
    /// Requests.
    #[serde(default)]
    pub requests: Option<Res>,
}

/// A volume.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Volume))]
pub struct Volume {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// configMap, secret, emptyDir or hostPath.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    /// Read-only (default false).
    #[serde(default)]
    pub read_only: Option<bool>,
    /// Path, secret or config map name, or disk/memory.
    #[serde(default)]
    pub source: Option<String>,
    /// Mount path.
    #[serde(default)]
    pub destination: Option<String>,
}

/// A container of a deployment request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Container))]
pub struct Container {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Image URL.
    #[serde(default)]
    pub image_url: Option<String>,
    /// Image version (tag).
    #[serde(default)]
    pub version: Option<String>,
    /// Command.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Arguments.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Environment.
    #[serde(default)]
    pub envs: Option<Vec<Env>>,
    /// Liveness probe.
    #[serde(default)]
    pub liveness_probe: Option<Probe>,
    /// Readiness probe.
    #[serde(default)]
    pub readiness_probe: Option<Probe>,
    /// Port mappings.
    #[serde(default)]
    pub ports: Option<Vec<Port>>,
    /// Resources.
    #[serde(default)]
    pub resources: Option<Resources>,
    /// Volumes.
    #[serde(default)]
    pub volumes: Option<Vec<Volume>>,
    /// Privileged mode.
    #[serde(default)]
    pub privileged: Option<bool>,
    /// D310 or empty.
    #[serde(default)]
    pub npu_type: Option<String>,
}

/// `PodConfigs`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Configs))]
pub struct Configs {
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
    pub restart_policy: Option<String>,
    /// Seconds of failure tolerated before migrating (group deployments only).
    #[serde(default)]
    pub toleration_seconds: Option<i64>,
}

/// A deployment's pod spec.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Spec))]
pub struct Spec {
    /// Containers.
    #[serde(default)]
    pub containers: Option<Vec<Container>>,
    /// Init containers.
    #[serde(default)]
    pub init_containers: Option<Vec<Container>>,
    /// Pod configs.
    #[serde(default)]
    pub configs: Option<Configs>,
    /// Affinity rules (kept as given).
    #[serde(default)]
    pub affinity: Option<serde_json::Value>,
}

/// A deployment's template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::Template))]
pub struct Template {
    /// The pod spec.
    #[serde(default)]
    pub spec: Option<Spec>,
}

/// The deployment in a create request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::DeploymentCreate))]
pub struct DeploymentCreate {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Pods (default 1).
    #[serde(default)]
    pub replicas: Option<i64>,
    /// Exactly one node, or none with `group_id`.
    #[serde(default)]
    pub node_ids: Option<Vec<String>>,
    /// A node group, or none with `node_ids`.
    #[serde(default)]
    pub group_id: Option<String>,
    /// What the pods run.
    #[serde(default)]
    pub template: Option<Template>,
}

/// `POST /v3/{project_id}/edgemgr/deployments` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::CreateDeploymentRequest))]
pub struct CreateDeploymentRequest {
    /// The deployment.
    #[serde(default)]
    pub deployment: Option<DeploymentCreate>,
}

/// The deployment in an update request: each field given replaces the current one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::DeploymentUpdate))]
pub struct DeploymentUpdate {
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Pods.
    #[serde(default)]
    pub replicas: Option<i64>,
    /// What the pods run.
    #[serde(default)]
    pub template: Option<Template>,
}

/// `PUT /v3/{project_id}/edgemgr/deployments/{id}` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::UpdateDeploymentRequest))]
pub struct UpdateDeploymentRequest {
    /// The changes.
    #[serde(default)]
    pub deployment: Option<DeploymentUpdate>,
}

/// `GET /v3/{project_id}/edgemgr/pods` parameters: exactly one of the four filters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListPodsParams))]
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
    /// Page size, 1..=1000, default 10.
    #[serde(default)]
    pub limit: Option<NumOrText>,
    /// Items to skip, ≥ 0, default 0.
    #[serde(default)]
    pub offset: Option<NumOrText>,
}

/// Paging parameters of the other lists.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PageParams))]
pub struct PageParams {
    /// Page size, 1..=1000, default 10.
    #[serde(default)]
    pub limit: Option<NumOrText>,
    /// Items to skip, ≥ 0, default 0.
    #[serde(default)]
    pub offset: Option<NumOrText>,
}

// ---- replies ----------------------------------------------------------------------

/// An env var in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::EnvOut))]
pub struct EnvOut {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// An HTTP check in a reply.
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

/// A command check in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ExecOut))]
pub struct ExecOut {
    /// The command.
    pub command: String,
}

/// A probe in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ProbeOut))]
pub struct ProbeOut {
    /// HTTP check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetOut>,
    /// Command check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecOut>,
    /// Seconds before the first probe.
    pub initial_delay_seconds: i64,
    /// Seconds before a probe times out.
    pub timeout_seconds: i64,
}

/// A port mapping in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::PortOut))]
pub struct PortOut {
    /// Container port.
    pub container_port: u16,
    /// Host port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
    /// Host NIC address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
}

/// Amounts in a reply: strings, as the table says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ResOut))]
pub struct ResOut {
    /// Cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// GPU memory, MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<String>,
    /// NPUs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub npu: Option<String>,
}

/// Limits and requests in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ResourcesOut))]
pub struct ResourcesOut {
    /// Limits.
    pub limits: ResOut,
    /// Requests.
    pub requests: ResOut,
}

/// A volume in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::VolumeOut))]
pub struct VolumeOut {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub type_: String,
    /// Read-only.
    pub read_only: bool,
    /// Source.
    pub source: String,
    /// Mount path.
    pub destination: String,
}

/// A container's definition, as stored and as replies show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ContainerDef))]
pub struct ContainerDef {
    /// Arguments.
    pub args: Vec<String>,
    /// Command.
    pub command: Vec<String>,
    /// Name.
    pub name: String,
    /// Environment.
    pub envs: Vec<EnvOut>,
    /// Image URL.
    pub image_url: String,
    /// Image version.
    pub version: String,
    /// NPU type.
    pub npu_type: String,
    /// Liveness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<ProbeOut>,
    /// Readiness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<ProbeOut>,
    /// Ports.
    pub ports: Vec<PortOut>,
    /// Resources.
    pub resources: ResourcesOut,
    /// Volumes.
    pub volumes: Vec<VolumeOut>,
    /// Privileged mode.
    pub privileged: bool,
}

/// `ContainerResp`: a container's definition and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ContainerResp))]
pub struct ContainerResp {
    /// The definition.
    #[serde(flatten)]
    pub def: ContainerDef,
    /// Restarts.
    pub restarts: u32,
    /// Why it is not running.
    pub message: String,
    /// Short reason.
    pub reason: String,
    /// Health check result, "true" or "false".
    pub is_ready: String,
    /// Runtime id.
    pub container_id: String,
    /// running, waiting or terminated.
    pub state: String,
}

/// `PodConfigs` in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ConfigsOut))]
pub struct ConfigsOut {
    /// Host network.
    pub host_network: bool,
    /// Host PID namespace.
    pub host_pid: bool,
    /// Migrate on failure.
    pub migration: bool,
    /// Restart policy.
    pub restart_policy: String,
    /// Failure tolerance (group deployments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

/// `PodResponse`.
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
    pub configs: ConfigsOut,
    /// Affinity rules, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<serde_json::Value>,
    /// Init containers.
    pub init_containers: Vec<ContainerResp>,
    /// Containers.
    pub containers: Vec<ContainerResp>,
    /// The node it runs on ("" while unscheduled).
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
    /// PENDING, RUNNING, SUCCEEDED, FAILED or UNKNOWN.
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

/// A deployment's spec in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::SpecOut))]
pub struct SpecOut {
    /// Containers.
    pub containers: Vec<ContainerDef>,
    /// Init containers.
    pub init_containers: Vec<ContainerDef>,
    /// Pod configs.
    pub configs: ConfigsOut,
    /// Affinity rules, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<serde_json::Value>,
}

/// A deployment's template in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::TemplateOut))]
pub struct TemplateOut {
    /// The pod spec.
    pub spec: SpecOut,
}

/// A deployment in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::DeploymentResp))]
pub struct DeploymentResp {
    /// Id (uuid).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Pods asked for.
    pub replicas: u32,
    /// Pods running.
    pub ready_replicas: u32,
    /// The node, for node deployments.
    pub node_ids: Vec<String>,
    /// The node group, for group deployments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// The project.
    pub project_id: String,
    /// What the pods run.
    pub template: TemplateOut,
    /// PENDING, RUNNING, UPDATING or FAILED.
    pub state: String,
    /// RFC 3339 with milliseconds.
    pub created_at: String,
    /// RFC 3339 with milliseconds.
    pub updated_at: String,
}

/// A reply carrying one deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::DeploymentReply))]
pub struct DeploymentReply {
    /// The deployment.
    pub deployment: DeploymentResp,
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

/// A node in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::NodeResp))]
pub struct NodeResp {
    /// Node id (its name).
    pub id: String,
    /// Name.
    pub name: String,
    /// RUNNING or OFFLINE.
    pub state: String,
    /// Its node group, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Region.
    pub region: String,
    /// Zone.
    pub zone: String,
}

/// `GET /v2/{project_id}/edgemgr/nodes` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListNodesReply))]
pub struct ListNodesReply {
    /// Nodes before paging.
    pub count: u64,
    /// This page.
    pub nodes: Vec<NodeResp>,
}

/// A node group in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::GroupResp))]
pub struct GroupResp {
    /// Group id (its name).
    pub id: String,
    /// Name.
    pub name: String,
    /// Its nodes.
    pub node_ids: Vec<String>,
}

/// `GET /v2/{project_id}/edgemgr/groups` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ief::ListGroupsReply))]
pub struct ListGroupsReply {
    /// Groups before paging.
    pub count: u64,
    /// This page.
    pub groups: Vec<GroupResp>,
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

//! `/openapi.json`: every route, parameter, request and reply, and each documented
//! error reply (openYuanrong's validation errors are HTTP 500 by contract).

#![allow(dead_code, non_snake_case)]

use axum::Json;
use axum::Router;
use axum::routing::get;
use podgate_core::dialects::{ief, ncs, vkube, yuanrong};
use utoipa::OpenApi;

use crate::admin::{ClockInput, EipInput, NamespaceInput, ProjectInput};
use crate::state::AppState;

/// The OpenAPI routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(openapi()) }))
}

/// The OpenAPI document of the whole server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "podgate",
        description = "Four vendor container-management APIs over one core: NetEase NCS, Huawei IEF, V-Kube and openYuanrong pod pools, plus podgate's admin API."
    ),
    paths(
        ncs_get,
        ncs_post,
        ief_list_pods,
        ief_list_pods_double_slash,
        ief_list_deployments,
        ief_create_deployment,
        ief_get_deployment,
        ief_update_deployment,
        ief_delete_deployment,
        ief_restart_pod,
        ief_delete_pod,
        ief_list_nodes,
        ief_get_node,
        ief_list_groups,
        ief_get_group,
        ief_list_configmaps,
        ief_create_configmap,
        ief_get_configmap,
        ief_update_configmap,
        ief_delete_configmap,
        ief_list_secrets,
        ief_create_secret,
        ief_get_secret,
        ief_update_secret,
        ief_delete_secret,
        vk_regions,
        vk_images,
        vk_checkports,
        vk_order,
        vk_deploy,
        vk_pod_log,
        vk_pod_status,
        vk_regions_v1,
        vk_images_v1,
        vk_checkports_v1,
        vk_order_v1,
        vk_deploy_v1,
        vk_pod_log_v1,
        vk_pod_status_v1,
        yr_query,
        yr_create,
        yr_update,
        yr_delete,
        admin_orders,
        admin_projects,
        admin_namespaces,
        admin_eips,
        admin_topology,
        admin_clock,
        healthz,
        readyz,
        metrics
    ),
    components(schemas(
        ncs::wire::CreateRequest,
        ncs::wire::ModifyRequest,
        ncs::wire::ResetSpecTypeRequest,
        ncs::wire::WorkloadParams,
        ncs::wire::ListAllParams,
        ncs::wire::CreateReply,
        ncs::wire::RequestIdReply,
        ncs::wire::ListReply,
        ncs::wire::InfoReply,
        ncs::wire::InstancesReply,
        ncs::wire::ImagesReply,
        ncs::wire::ErrorReply,
        ief::wire::CreateDeploymentRequest,
        ief::wire::UpdateDeploymentRequest,
        ief::wire::ListPodsReply,
        ief::wire::DeploymentResp,
        ief::wire::ListDeploymentsReply,
        ief::wire::ListNodesReply,
        ief::wire::NodeReply,
        ief::wire::ListGroupsReply,
        ief::wire::EdgeGroupResp,
        ief::wire::CreateConfigMapRequest,
        ief::wire::UpdateConfigMapRequest,
        ief::wire::ConfigMapReply,
        ief::wire::ListConfigMapsReply,
        ief::wire::CreateSecretRequest,
        ief::wire::UpdateSecretRequest,
        ief::wire::SecretReply,
        ief::wire::ListSecretsReply,
        ief::wire::ErrorReply,
        vkube::wire::CheckPortsRequest,
        vkube::wire::CheckPortsReply,
        vkube::wire::StatusOk,
        vkube::wire::Order,
        vkube::wire::DeployRequest,
        vkube::wire::DeployReply,
        vkube::wire::PodStatusReply,
        vkube::wire::ErrorReply,
        vkube::wire::OrderInput,
        vkube::wire::CreatedOrder,
        yuanrong::wire::CreatePoolsRequest,
        yuanrong::wire::UpdatePoolRequest,
        yuanrong::wire::QueryResult,
        yuanrong::wire::CreateResult,
        YrQueryReply,
        YrCreateReply,
        YrReply,
        ProjectInput,
        NamespaceInput,
        EipInput,
        ClockInput,
        AdminError,
        AdminErrorBody
    ))
)]
struct ApiDoc;

/// openYuanrong query reply.
#[derive(utoipa::ToSchema)]
struct YrQueryReply {
    code: i32,
    message: String,
    result: yuanrong::wire::QueryResult,
}

/// openYuanrong create reply (code 4104 and HTTP 500 with `failed_pools` when some fail).
#[derive(utoipa::ToSchema)]
struct YrCreateReply {
    code: i32,
    message: String,
    /// Absent when the body itself was refused (130600).
    result: Option<yuanrong::wire::CreateResult>,
}

/// openYuanrong reply without a result (update, delete, errors).
#[derive(utoipa::ToSchema)]
struct YrReply {
    code: i32,
    message: String,
}

/// The admin API's error.
#[derive(utoipa::ToSchema)]
struct AdminError {
    error: AdminErrorBody,
}

/// The admin API's error body.
#[derive(utoipa::ToSchema)]
struct AdminErrorBody {
    code: u16,
    message: String,
}

// ---- NCS ---------------------------------------------------------------------------

/// An NCS Action with its parameters in the query string. The reply depends on the
/// Action: CreateReply, RequestIdReply, ListReply, InfoReply, InstancesReply or
/// ImagesReply.
#[utoipa::path(get, path = "/ncs", tag = "ncs",
    params(
        ("Action" = String, Query, description = "The Action (e.g. DescribeStatefulWorkloadInfo)"),
        ("Version" = String, Query, description = "2017-11-16"),
        ("NamespaceId" = Option<String>, Query, description = "The namespace"),
        ("StatefulWorkloadId" = Option<String>, Query, description = "The workload"),
        ("ContainerId" = Option<String>, Query, description = "RestartContainer: the DockerContainerId"),
        ("EipId" = Option<String>, Query, description = "(Un)AssociateEipOfStatefulWorkload: the EIP"),
        ("Limit" = Option<String>, Query, description = "DescribeStatefulWorkloadsAllNamespaces: page size, > 0, default 20"),
        ("Offset" = Option<String>, Query, description = "DescribeStatefulWorkloadsAllNamespaces: items to skip, >= 0"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The Action's reply", body = Object),
        (status = 400, description = "MissingParameter, InvalidParameterValue, InvalidFormat, NoPrivate, DuplicateNameError, NothingToUpdate, ContainerNumNotMatch, IncorrectState, UnsupportedOperation", body = ncs::wire::ErrorReply),
        (status = 401, description = "AuthFailure", body = ncs::wire::ErrorReply),
        (status = 404, description = "ResourceNotFound", body = ncs::wire::ErrorReply),
        (status = 405, description = "Method not allowed", body = ncs::wire::ErrorReply),
        (status = 500, description = "InternalServerError", body = ncs::wire::ErrorReply),
        (status = 504, description = "Timed out", body = ncs::wire::ErrorReply),
    ))]
fn ncs_get() {}

/// An NCS Action with its parameters in a JSON body (CreateRequest, ModifyRequest,
/// ResetSpecTypeRequest or the GET Actions' parameters).
#[utoipa::path(post, path = "/ncs", tag = "ncs",
    params(
        ("Action" = String, Query, description = "The Action (e.g. CreateStatefulWorkload)"),
        ("Version" = String, Query, description = "2017-11-16"),
    ),
    request_body(content = Object, description = "The Action's parameters"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The Action's reply", body = Object),
        (status = 400, description = "MissingParameter, InvalidParameterValue, InvalidFormat, NoPrivate, DuplicateNameError, NothingToUpdate, ContainerNumNotMatch, IncorrectState, UnsupportedOperation", body = ncs::wire::ErrorReply),
        (status = 401, description = "AuthFailure", body = ncs::wire::ErrorReply),
        (status = 404, description = "ResourceNotFound", body = ncs::wire::ErrorReply),
        (status = 500, description = "InternalServerError", body = ncs::wire::ErrorReply),
        (status = 504, description = "Timed out", body = ncs::wire::ErrorReply),
    ))]
fn ncs_post() {}

// ---- IEF ---------------------------------------------------------------------------

/// One IEF operation: `$method $path` answering `$status` with `$body` (or no body), its
/// documented errors in IEF's shape (docs/ief.md lists the codes).
macro_rules! ief_path {
    ($name:ident, $method:ident, $path:expr, [$($param:tt)*], $(body = $request:ty,)? $status:literal, $desc:literal $(, $body:ty)?) => {
        #[utoipa::path($method, path = $path, tag = "ief",
            params(("project_id" = String, Path), ("X-Auth-Token" = String, Header), $($param)*),
            $(request_body = $request,)?
            responses((status = $status, description = $desc $(, body = $body, content_type = "application/json")?),
                (status = 400, description = "Invalid parameter (IEF.1000xx) or unknown project (IEF.100001)", body = ief::wire::ErrorReply),
                (status = 401, description = "No valid X-Auth-Token (IEF.011005)", body = ief::wire::ErrorReply),
                (status = 404, description = "No such object in the project (IEF.100404)", body = ief::wire::ErrorReply),
                (status = 409, description = "The name is taken (IEF.100409) or the object is in use (IEF.100015)", body = ief::wire::ErrorReply),
                (status = 413, description = "Body too large", body = ief::wire::ErrorReply),
                (status = 500, description = "Internal error (IEF.100500)", body = ief::wire::ErrorReply),
                (status = 504, description = "Timed out", body = ief::wire::ErrorReply)))]
        fn $name() {}
    };
}

ief_path!(ief_list_pods, get, "/v3/{project_id}/edgemgr/pods", [
    ("node_id" = Option<String>, Query), ("group_id" = Option<String>, Query),
    ("deployment_id" = Option<String>, Query), ("deployment_ids" = Option<String>, Query, description = "comma-separated"),
    ("plugin_instance_name" = Option<String>, Query),
    ("limit" = Option<String>, Query, description = "1..=1000, default 10"), ("offset" = Option<String>, Query, description = ">= 0")],
    200, "The pods (exactly one of the four filters)", ief::wire::ListPodsReply);
ief_path!(ief_list_pods_double_slash, get, "//v3/{project_id}/edgemgr/pods", [
    ("node_id" = Option<String>, Query), ("group_id" = Option<String>, Query),
    ("deployment_id" = Option<String>, Query), ("deployment_ids" = Option<String>, Query),
    ("plugin_instance_name" = Option<String>, Query),
    ("limit" = Option<String>, Query), ("offset" = Option<String>, Query)],
    200, "The same, with the leading double slash of the vendor's example", ief::wire::ListPodsReply);
ief_path!(ief_list_deployments, get, "/v3/{project_id}/edgemgr/deployments", [
    ("limit" = Option<String>, Query, description = "1..=100, default 10"), ("offset" = Option<String>, Query, description = ">= 0"),
    ("sort" = Option<String>, Query, description = "created_at:desc (default) or created_at:asc"),
    ("name" = Option<String>, Query, description = "part of the name"),
    ("node_id" = Option<String>, Query), ("group_id" = Option<String>, Query)],
    200, "The deployments", ief::wire::ListDeploymentsReply);
ief_path!(
    ief_create_deployment,
    post,
    "/v3/{project_id}/edgemgr/deployments",
    [],
    body = ief::wire::CreateDeploymentRequest,
    201,
    "Created",
    ief::wire::DeploymentResp
);
ief_path!(
    ief_get_deployment,
    get,
    "/v3/{project_id}/edgemgr/deployments/{id}",
    [("id" = String, Path)],
    200,
    "The deployment",
    ief::wire::DeploymentResp
);
ief_path!(
    ief_update_deployment,
    put,
    "/v3/{project_id}/edgemgr/deployments/{id}",
    [("id" = String, Path)],
    body = ief::wire::UpdateDeploymentRequest,
    200,
    "Updated",
    ief::wire::DeploymentResp
);
ief_path!(ief_delete_deployment, delete, "/v3/{project_id}/edgemgr/deployments/{id}", [
    ("id" = String, Path), ("force_delete" = Option<String>, Query, description = "true or false")],
    204, "Deleted");
ief_path!(
    ief_restart_pod,
    post,
    "/v3/{project_id}/edgemgr/deployments/{id}/pods/{pod_name}/restart",
    [("id" = String, Path), ("pod_name" = String, Path)],
    202,
    "The pod is replaced by a new one (the JSON string \"\")",
    String
);
ief_path!(
    ief_delete_pod,
    delete,
    "/v3/{project_id}/edgemgr/deployments/{id}/pods/{pod_name}",
    [("id" = String, Path), ("pod_name" = String, Path)],
    204,
    "Deleted; the deployment makes a new pod"
);
ief_path!(ief_list_nodes, get, "/v2/{project_id}/edgemgr/nodes", [
    ("name" = Option<String>, Query, description = "part of the name"),
    ("limit" = Option<String>, Query, description = "1..=1000, default 500"), ("offset" = Option<String>, Query, description = ">= 0"),
    ("sort" = Option<String>, Query, description = "name or created_at, :asc or :desc"),
    ("state" = Option<String>, Query), ("group_id" = Option<String>, Query)],
    200, "The nodes", ief::wire::ListNodesReply);
ief_path!(
    ief_get_node,
    get,
    "/v2/{project_id}/edgemgr/nodes/{id}",
    [("id" = String, Path)],
    200,
    "The node",
    ief::wire::NodeReply
);
ief_path!(ief_list_groups, get, "/v2/{project_id}/edgemgr/groups", [
    ("name" = Option<String>, Query), ("sort" = Option<String>, Query, description = "name, :asc or :desc"),
    ("limit" = Option<String>, Query, description = "1..=1000, default 10"), ("offset" = Option<String>, Query, description = ">= 0")],
    200, "The node groups", ief::wire::ListGroupsReply);
ief_path!(
    ief_get_group,
    get,
    "/v2/{project_id}/edgemgr/groups/{id}",
    [("id" = String, Path)],
    200,
    "The node group",
    ief::wire::EdgeGroupResp
);
ief_path!(ief_list_configmaps, get, "/v2/{project_id}/edgemgr/configmaps", [
    ("name" = Option<String>, Query), ("sort" = Option<String>, Query, description = "name, created_at or updated_at, :asc or :desc"),
    ("limit" = Option<String>, Query, description = "1..=1000, default 1000"), ("offset" = Option<String>, Query, description = ">= 0")],
    200, "The config maps", ief::wire::ListConfigMapsReply);
ief_path!(
    ief_create_configmap,
    post,
    "/v2/{project_id}/edgemgr/configmaps",
    [],
    body = ief::wire::CreateConfigMapRequest,
    201,
    "Created",
    ief::wire::ConfigMapReply
);
ief_path!(
    ief_get_configmap,
    get,
    "/v2/{project_id}/edgemgr/configmaps/{id}",
    [("id" = String, Path)],
    200,
    "The config map",
    ief::wire::ConfigMapReply
);
ief_path!(
    ief_update_configmap,
    put,
    "/v2/{project_id}/edgemgr/configmaps/{id}",
    [("id" = String, Path)],
    body = ief::wire::UpdateConfigMapRequest,
    200,
    "Updated",
    ief::wire::ConfigMapReply
);
ief_path!(
    ief_delete_configmap,
    delete,
    "/v2/{project_id}/edgemgr/configmaps/{id}",
    [("id" = String, Path)],
    204,
    "Deleted"
);
ief_path!(ief_list_secrets, get, "/v2/{project_id}/edgemgr/secrets", [
    ("name" = Option<String>, Query), ("sort" = Option<String>, Query, description = "name, created_at or updated_at, :asc or :desc"),
    ("limit" = Option<String>, Query, description = "1..=1000, default 1000"), ("offset" = Option<String>, Query, description = ">= 0")],
    200, "The secrets", ief::wire::ListSecretsReply);
ief_path!(
    ief_create_secret,
    post,
    "/v2/{project_id}/edgemgr/secrets",
    [],
    body = ief::wire::CreateSecretRequest,
    201,
    "Created",
    ief::wire::SecretReply
);
ief_path!(
    ief_get_secret,
    get,
    "/v2/{project_id}/edgemgr/secrets/{id}",
    [("id" = String, Path)],
    200,
    "The secret",
    ief::wire::SecretReply
);
ief_path!(
    ief_update_secret,
    put,
    "/v2/{project_id}/edgemgr/secrets/{id}",
    [("id" = String, Path)],
    body = ief::wire::UpdateSecretRequest,
    200,
    "Updated",
    ief::wire::SecretReply
);
ief_path!(
    ief_delete_secret,
    delete,
    "/v2/{project_id}/edgemgr/secrets/{id}",
    [("id" = String, Path)],
    204,
    "Deleted"
);

// ---- V-Kube ------------------------------------------------------------------------

macro_rules! vkube_paths {
    ($prefix:literal, $regions:ident, $images:ident, $checkports:ident, $order:ident, $deploy:ident, $log:ident, $status:ident) => {
        #[utoipa::path(get, path = concat!($prefix, "/regions"), tag = "vkube",
            responses((status = 200, description = "The regions ([] when they cannot be read)", body = Vec<String>)))]
        fn $regions() {}

        #[utoipa::path(get, path = concat!($prefix, "/images"), tag = "vkube",
            params(("image" = Option<String>, Query), ("tag" = Option<String>, Query)),
            responses((status = 200, body = vkube::wire::StatusOk),
                (status = 400, description = "image format not allow.Format: image:tag", body = vkube::wire::ErrorReply),
                (status = 404, description = "image does not exist.", body = vkube::wire::ErrorReply),
                (status = 500, body = vkube::wire::ErrorReply), (status = 504, body = vkube::wire::ErrorReply)))]
        fn $images() {}

        #[utoipa::path(post, path = concat!($prefix, "/checkports"), tag = "vkube",
            request_body = vkube::wire::CheckPortsRequest,
            responses((status = 200, body = vkube::wire::CheckPortsReply),
                (status = 400, description = "item field empty", body = vkube::wire::ErrorReply),
                (status = 413, body = vkube::wire::ErrorReply),
                (status = 500, body = vkube::wire::ErrorReply), (status = 504, body = vkube::wire::ErrorReply)))]
        fn $checkports() {}

        #[utoipa::path(get, path = concat!($prefix, "/order"), tag = "vkube",
            params(("secret" = String, Header)),
            responses((status = 200, body = vkube::wire::Order),
                (status = 401, body = vkube::wire::ErrorReply),
                (status = 500, body = vkube::wire::ErrorReply), (status = 504, body = vkube::wire::ErrorReply)))]
        fn $order() {}

        #[utoipa::path(post, path = concat!($prefix, "/deploy"), tag = "vkube",
            params(("secret" = String, Header)),
            request_body = vkube::wire::DeployRequest,
            responses((status = 200, body = vkube::wire::DeployReply),
                (status = 400, body = vkube::wire::ErrorReply), (status = 401, body = vkube::wire::ErrorReply),
                (status = 413, body = vkube::wire::ErrorReply),
                (status = 500, body = vkube::wire::ErrorReply), (status = 504, body = vkube::wire::ErrorReply)))]
        fn $deploy() {}

        #[utoipa::path(get, path = concat!($prefix, "/pod/log"), tag = "vkube",
            params(("secret" = String, Header), ("container" = Option<String>, Query), ("tailLines" = Option<String>, Query)),
            responses((status = 200, description = "The log, as a JSON string", body = String, content_type = "application/json"),
                (status = 400, body = vkube::wire::ErrorReply), (status = 401, body = vkube::wire::ErrorReply),
                (status = 404, description = "pod not found", body = vkube::wire::ErrorReply),
                (status = 500, body = vkube::wire::ErrorReply), (status = 504, body = vkube::wire::ErrorReply)))]
        fn $log() {}

        #[utoipa::path(get, path = concat!($prefix, "/pod/status"), tag = "vkube",
            params(("secret" = String, Header)),
            responses((status = 200, body = vkube::wire::PodStatusReply),
                (status = 401, body = vkube::wire::ErrorReply),
                (status = 404, description = "pod not found", body = vkube::wire::ErrorReply),
                (status = 500, body = vkube::wire::ErrorReply), (status = 504, body = vkube::wire::ErrorReply)))]
        fn $status() {}
    };
}

vkube_paths!(
    "/k8s",
    vk_regions,
    vk_images,
    vk_checkports,
    vk_order,
    vk_deploy,
    vk_pod_log,
    vk_pod_status
);
vkube_paths!(
    "/api/v1/k8s",
    vk_regions_v1,
    vk_images_v1,
    vk_checkports_v1,
    vk_order_v1,
    vk_deploy_v1,
    vk_pod_log_v1,
    vk_pod_status_v1
);

// ---- openYuanrong ------------------------------------------------------------------

#[utoipa::path(get, path = "/serverless/v1/podpools", tag = "yuanrong",
    params(("id" = Option<String>, Query), ("group" = Option<String>, Query),
        ("offset" = Option<String>, Query, description = "1-based page number"), ("limit" = Option<String>, Query)),
    responses((status = 200, body = YrQueryReply),
        (status = 401, body = YrReply),
        (status = 500, description = "4104: invalid parameters (HTTP 500 by contract)", body = YrReply),
        (status = 504, body = YrReply)))]
fn yr_query() {}

#[utoipa::path(post, path = "/serverless/v1/podpools", tag = "yuanrong",
    request_body = yuanrong::wire::CreatePoolsRequest,
    responses((status = 200, body = YrCreateReply),
        (status = 401, body = YrReply),
        (status = 500, description = "4104 with failed_pools, or 130600 for a body that is not JSON (HTTP 500 by contract)", body = YrCreateReply),
        (status = 504, body = YrReply)))]
fn yr_create() {}

#[utoipa::path(put, path = "/serverless/v1/podpools/{id}", tag = "yuanrong",
    params(("id" = String, Path)),
    request_body = yuanrong::wire::UpdatePoolRequest,
    responses((status = 200, body = YrReply),
        (status = 401, body = YrReply),
        (status = 404, description = "4120: no such pool", body = YrReply),
        (status = 500, description = "4104 or 130600 (HTTP 500 by contract)", body = YrReply),
        (status = 504, body = YrReply)))]
fn yr_update() {}

#[utoipa::path(delete, path = "/serverless/v1/podpools", tag = "yuanrong",
    params(("id" = Option<String>, Query), ("group" = Option<String>, Query)),
    responses((status = 200, body = YrReply),
        (status = 401, body = YrReply),
        (status = 404, description = "4120: no such pool", body = YrReply),
        (status = 500, description = "4104: neither id nor group (HTTP 500 by contract)", body = YrReply),
        (status = 504, body = YrReply)))]
fn yr_delete() {}

// ---- admin and operations ----------------------------------------------------------

#[utoipa::path(post, path = "/admin/v1/vkube/orders", tag = "admin", request_body = vkube::wire::OrderInput,
    security(("bearer" = [])),
    responses((status = 201, description = "The order and its secret, shown this once", body = vkube::wire::CreatedOrder),
        (status = 400, body = AdminError), (status = 401, body = AdminError), (status = 413, body = AdminError),
        (status = 500, body = AdminError), (status = 504, body = AdminError)))]
fn admin_orders() {}

#[utoipa::path(post, path = "/admin/v1/ief/projects", tag = "admin", request_body = ProjectInput,
    security(("bearer" = [])),
    responses((status = 201, description = "{project_id, token}", body = Object),
        (status = 400, body = AdminError), (status = 401, body = AdminError), (status = 409, body = AdminError),
        (status = 413, body = AdminError), (status = 500, body = AdminError), (status = 504, body = AdminError)))]
fn admin_projects() {}

#[utoipa::path(post, path = "/admin/v1/ncs/namespaces", tag = "admin", request_body = Option<NamespaceInput>,
    security(("bearer" = [])),
    responses((status = 201, description = "{NamespaceId, token}", body = Object),
        (status = 400, body = AdminError), (status = 401, body = AdminError), (status = 409, body = AdminError),
        (status = 413, body = AdminError), (status = 500, body = AdminError), (status = 504, body = AdminError)))]
fn admin_namespaces() {}

#[utoipa::path(post, path = "/admin/v1/ncs/eips", tag = "admin", request_body = EipInput,
    security(("bearer" = [])),
    responses((status = 201, description = "{EipId, Address}", body = Object),
        (status = 400, body = AdminError), (status = 401, body = AdminError), (status = 409, body = AdminError),
        (status = 413, body = AdminError), (status = 500, body = AdminError), (status = 504, body = AdminError)))]
fn admin_eips() {}

#[utoipa::path(get, path = "/admin/v1/topology", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "The nodes: name, region, zone, group, capacity", body = Vec<Object>),
        (status = 401, body = AdminError), (status = 500, body = AdminError), (status = 504, body = AdminError)))]
fn admin_topology() {}

#[utoipa::path(post, path = "/admin/v1/sim/clock", tag = "admin", request_body = ClockInput,
    security(("bearer" = [])),
    responses((status = 200, description = "{now, unix_ms}: the new simulated time", body = Object),
        (status = 400, body = AdminError), (status = 401, body = AdminError),
        (status = 404, description = "the backend is not the simulator", body = AdminError),
        (status = 413, body = AdminError), (status = 500, body = AdminError), (status = 504, body = AdminError)))]
fn admin_clock() {}

#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "ok", body = String)))]
fn healthz() {}

#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, description = "the backend answers", body = String), (status = 503, description = "it does not", body = String)))]
fn readyz() {}

#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text", body = String)))]
fn metrics() {}

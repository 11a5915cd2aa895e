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
        ief_list_nodes,
        ief_list_groups,
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
        ief::wire::DeploymentReply,
        ief::wire::ListDeploymentsReply,
        ief::wire::ListNodesReply,
        ief::wire::ListGroupsReply,
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

macro_rules! ief_errors {
    () => {
        "IEF error"
    };
}

#[utoipa::path(get, path = "/v3/{project_id}/edgemgr/pods", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("node_id" = Option<String>, Query), ("group_id" = Option<String>, Query),
        ("deployment_id" = Option<String>, Query), ("deployment_ids" = Option<String>, Query, description = "comma-separated"),
        ("limit" = Option<String>, Query, description = "1..=1000, default 10"), ("offset" = Option<String>, Query, description = ">= 0")),
    responses((status = 200, body = ief::wire::ListPodsReply),
        (status = 400, description = ief_errors!(), body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 500, body = ief::wire::ErrorReply), (status = 504, body = ief::wire::ErrorReply)))]
fn ief_list_pods() {}

/// The same as `/v3/{project_id}/edgemgr/pods`, with the leading double slash of the
/// vendor's example.
#[utoipa::path(get, path = "//v3/{project_id}/edgemgr/pods", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("node_id" = Option<String>, Query), ("group_id" = Option<String>, Query),
        ("deployment_id" = Option<String>, Query), ("deployment_ids" = Option<String>, Query),
        ("limit" = Option<String>, Query), ("offset" = Option<String>, Query)),
    responses((status = 200, body = ief::wire::ListPodsReply),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 500, body = ief::wire::ErrorReply), (status = 504, body = ief::wire::ErrorReply)))]
fn ief_list_pods_double_slash() {}

#[utoipa::path(get, path = "/v3/{project_id}/edgemgr/deployments", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("limit" = Option<String>, Query), ("offset" = Option<String>, Query)),
    responses((status = 200, body = ief::wire::ListDeploymentsReply),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 500, body = ief::wire::ErrorReply), (status = 504, body = ief::wire::ErrorReply)))]
fn ief_list_deployments() {}

#[utoipa::path(post, path = "/v3/{project_id}/edgemgr/deployments", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header)),
    request_body = ief::wire::CreateDeploymentRequest,
    responses((status = 201, body = ief::wire::DeploymentReply),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 409, body = ief::wire::ErrorReply), (status = 500, body = ief::wire::ErrorReply),
        (status = 504, body = ief::wire::ErrorReply)))]
fn ief_create_deployment() {}

#[utoipa::path(get, path = "/v3/{project_id}/edgemgr/deployments/{id}", tag = "ief",
    params(("project_id" = String, Path), ("id" = String, Path), ("X-Auth-Token" = String, Header)),
    responses((status = 200, body = ief::wire::DeploymentReply),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 404, body = ief::wire::ErrorReply), (status = 500, body = ief::wire::ErrorReply),
        (status = 504, body = ief::wire::ErrorReply)))]
fn ief_get_deployment() {}

#[utoipa::path(put, path = "/v3/{project_id}/edgemgr/deployments/{id}", tag = "ief",
    params(("project_id" = String, Path), ("id" = String, Path), ("X-Auth-Token" = String, Header)),
    request_body = ief::wire::UpdateDeploymentRequest,
    responses((status = 200, body = ief::wire::DeploymentReply),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 404, body = ief::wire::ErrorReply), (status = 409, body = ief::wire::ErrorReply),
        (status = 500, body = ief::wire::ErrorReply), (status = 504, body = ief::wire::ErrorReply)))]
fn ief_update_deployment() {}

#[utoipa::path(delete, path = "/v3/{project_id}/edgemgr/deployments/{id}", tag = "ief",
    params(("project_id" = String, Path), ("id" = String, Path), ("X-Auth-Token" = String, Header)),
    responses((status = 204, description = "Deleted"),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 404, body = ief::wire::ErrorReply), (status = 500, body = ief::wire::ErrorReply),
        (status = 504, body = ief::wire::ErrorReply)))]
fn ief_delete_deployment() {}

#[utoipa::path(post, path = "/v3/{project_id}/edgemgr/deployments/{id}/pods/{pod_name}/restart", tag = "ief",
    params(("project_id" = String, Path), ("id" = String, Path), ("pod_name" = String, Path), ("X-Auth-Token" = String, Header)),
    responses((status = 200, description = "Restarted", body = Object),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 404, body = ief::wire::ErrorReply), (status = 500, body = ief::wire::ErrorReply),
        (status = 504, body = ief::wire::ErrorReply)))]
fn ief_restart_pod() {}

#[utoipa::path(get, path = "/v2/{project_id}/edgemgr/nodes", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("limit" = Option<String>, Query), ("offset" = Option<String>, Query)),
    responses((status = 200, body = ief::wire::ListNodesReply),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 500, body = ief::wire::ErrorReply), (status = 504, body = ief::wire::ErrorReply)))]
fn ief_list_nodes() {}

#[utoipa::path(get, path = "/v2/{project_id}/edgemgr/groups", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("limit" = Option<String>, Query), ("offset" = Option<String>, Query)),
    responses((status = 200, body = ief::wire::ListGroupsReply),
        (status = 400, body = ief::wire::ErrorReply), (status = 401, body = ief::wire::ErrorReply),
        (status = 500, body = ief::wire::ErrorReply), (status = 504, body = ief::wire::ErrorReply)))]
fn ief_list_groups() {}

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
            responses((status = 200, description = "The log, as a JSON string", body = String),
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

//! IEF over HTTP: `/v3/{project_id}/edgemgr/...` (deployments, pods) and
//! `/v2/{project_id}/edgemgr/...` (nodes, groups, config maps, secrets), each also with
//! the seed example's leading double slash; `X-Auth-Token`.

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::Response;
use podgate_core::dialects::ief::{self, IefCaller, IefError, decode};
use podgate_core::model::TenantKey;
use podgate_core::secret::TokenHash;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{BodyProblem, RawBody, header, json_body, json_response};
use crate::failure::Failure;
use crate::guard::TenantNote;
use crate::query;
use crate::state::AppState;

/// IEF's token header.
const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");

type Answer<T> = Result<T, Failure<IefError>>;

/// The IEF routes, documented where they are handled; each also answers under the seed
/// example's leading double slash.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    let v3 = || {
        OpenApiRouter::new()
            .routes(routes!(list_pods))
            .routes(routes!(list_deployments, create_deployment))
            .routes(routes!(
                get_deployment,
                update_deployment,
                delete_deployment
            ))
            .routes(routes!(restart_pod))
            .routes(routes!(delete_pod))
    };
    let v2 = || {
        OpenApiRouter::new()
            .routes(routes!(list_nodes))
            .routes(routes!(get_node))
            .routes(routes!(list_groups))
            .routes(routes!(get_group))
            .routes(routes!(list_configmaps, create_configmap))
            .routes(routes!(get_configmap, update_configmap, delete_configmap))
            .routes(routes!(list_secrets, create_secret))
            .routes(routes!(get_secret, update_secret, delete_secret))
    };
    let mut router = OpenApiRouter::new();
    for prefix in ["", "/"] {
        router = router
            .nest(&format!("{prefix}/v3/{{project_id}}/edgemgr"), v3())
            .nest(&format!("{prefix}/v2/{{project_id}}/edgemgr"), v2());
    }
    router
}

/// The errors every IEF operation may answer, in IEF's shape (docs/ief.md lists the
/// codes); a type for the OpenAPI document only.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum IefErrors {
    /// Invalid parameter (IEF.1000xx) or unknown project (IEF.100001)
    #[response(status = 400)]
    BadRequest(ief::wire::ErrorReply),
    /// No valid X-Auth-Token (IEF.011005)
    #[response(status = 401)]
    Unauthorized(ief::wire::ErrorReply),
    /// No such object in the project (IEF.100404)
    #[response(status = 404)]
    NotFound(ief::wire::ErrorReply),
    /// The name is taken (IEF.100409) or the object is in use (IEF.100015)
    #[response(status = 409)]
    Conflict(ief::wire::ErrorReply),
    /// Body too large
    #[response(status = 413)]
    TooLarge(ief::wire::ErrorReply),
    /// Internal error (IEF.100500)
    #[response(status = 500)]
    Internal(ief::wire::ErrorReply),
    /// Timed out
    #[response(status = 504)]
    TimedOut(ief::wire::ErrorReply),
}

/// The caller, from `X-Auth-Token` (read in place: the headers are not copied).
struct Caller(IefCaller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Failure<IefError>;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Answer<Self> {
        let headers: &HeaderMap = &parts.headers;
        let token = header(headers, X_AUTH_TOKEN).ok_or_else(IefError::auth)?;
        let presented = TokenHash::of(token);
        if state.is_admin(presented) {
            return Ok(Self(IefCaller::Operator));
        }
        let caller = state.inner.ief.authenticate(presented).await?;
        if let IefCaller::Project(project) = &caller {
            TenantNote::note(|| TenantKey::Project(project.clone()));
        }
        Ok(Self(caller))
    }
}

fn params<T: DeserializeOwned>(raw: Option<&str>) -> Answer<T> {
    query::decode(raw).map_err(|e| IefError::bad_query(e).into())
}

fn body<T: DeserializeOwned>(raw: RawBody) -> Answer<T> {
    match json_body(raw.0) {
        Ok(Value::Null) => Err(IefError::bad_body("the body is empty").into()),
        Ok(value) => Ok(decode(value)?),
        Err(BodyProblem::TooLarge) => Err(IefError::bad_body("the body is too large").into()),
        Err(BodyProblem::Malformed(e)) => Err(IefError::bad_body(e).into()),
    }
}

/// A 200 reply, serialised once.
fn ok<T: serde::Serialize>(value: &T) -> Response {
    json_response(StatusCode::OK, value)
}

/// A 201 reply.
fn created<T: serde::Serialize>(value: &T) -> Response {
    json_response(StatusCode::CREATED, value)
}

type Project = Path<String>;
type Object = Path<(String, String)>;

#[utoipa::path(get, path = "/pods", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("node_id" = Option<String>, Query), ("group_id" = Option<String>, Query),
        ("deployment_id" = Option<String>, Query), ("deployment_ids" = Option<String>, Query, description = "comma-separated"),
        ("plugin_instance_name" = Option<String>, Query),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "default 10"), ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, description = "The pods (exactly one of the four filters)", body = ief::wire::ListPodsReply, content_type = "application/json"), IefErrors))]
async fn list_pods(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    let params = params(q.as_deref())?;
    Ok(ok(&s
        .inner
        .ief
        .list_pods(&caller, &project, &params)
        .await?))
}

#[utoipa::path(get, path = "/deployments", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "default 10"), ("offset" = Option<i64>, Query, minimum = 0),
        ("sort" = Option<String>, Query, pattern = "^(created_at)(:(asc|desc))?$", description = "created_at:desc (default) or created_at:asc"),
        ("name" = Option<String>, Query, description = "part of the name"),
        ("node_id" = Option<String>, Query), ("group_id" = Option<String>, Query)),
    responses((status = 200, description = "The deployments", body = ief::wire::ListDeploymentsReply, content_type = "application/json"), IefErrors))]
async fn list_deployments(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    let params = params(q.as_deref())?;
    Ok(ok(&s
        .inner
        .ief
        .list_deployments(&caller, &project, &params)
        .await?))
}

#[utoipa::path(post, path = "/deployments", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header)),
    request_body = ief::wire::CreateDeploymentRequest,
    responses((status = 201, description = "Created", body = ief::wire::DeploymentResp, content_type = "application/json",
        links(
            ("get" = (operation_id = "get_deployment", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/id")))),
            ("update" = (operation_id = "update_deployment", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/id")))),
            ("delete" = (operation_id = "delete_deployment", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/id")))),
            ("pods" = (operation_id = "list_pods", parameters(("project_id" = "$request.path.project_id"), ("deployment_id" = "$response.body#/id")))),
        )), IefErrors))]
async fn create_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    Ok(created(
        &s.inner
            .ief
            .create_deployment(&caller, &project, &req)
            .await?,
    ))
}

#[utoipa::path(get, path = "/deployments/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    responses((status = 200, description = "The deployment", body = ief::wire::DeploymentResp, content_type = "application/json"), IefErrors))]
async fn get_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s
        .inner
        .ief
        .get_deployment(&caller, &project, &id)
        .await?))
}

#[utoipa::path(put, path = "/deployments/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    request_body = ief::wire::UpdateDeploymentRequest,
    responses((status = 200, description = "Updated", body = ief::wire::DeploymentResp, content_type = "application/json"), IefErrors))]
async fn update_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    Ok(ok(&s
        .inner
        .ief
        .update_deployment(&caller, &project, &id, &req)
        .await?))
}

#[utoipa::path(delete, path = "/deployments/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path), ("force_delete" = Option<String>, Query, pattern = "^(true|false)$", description = "true or false")),
    responses((status = 204, description = "Deleted"), IefErrors))]
async fn delete_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
    RawQuery(q): RawQuery,
) -> Answer<StatusCode> {
    let params = params(q.as_deref())?;
    s.inner
        .ief
        .delete_deployment(&caller, &project, &id, &params)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 202 with the JSON string `""`, as the reference declares the reply a string.
#[utoipa::path(post, path = "/deployments/{id}/pods/{pod_name}/restart", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path), ("pod_name" = String, Path)),
    responses((status = 202, description = "The pod is replaced by a new one (the JSON string \"\")", body = String, content_type = "application/json"), IefErrors))]
async fn restart_pod(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id, pod)): Path<(String, String, String)>,
) -> Answer<Response> {
    s.inner
        .ief
        .restart_pod(&caller, &project, &id, &pod)
        .await?;
    Ok(json_response(StatusCode::ACCEPTED, &""))
}

#[utoipa::path(delete, path = "/deployments/{id}/pods/{pod_name}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path), ("pod_name" = String, Path)),
    responses((status = 204, description = "Deleted; the deployment makes a new pod"), IefErrors))]
async fn delete_pod(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id, pod)): Path<(String, String, String)>,
) -> Answer<StatusCode> {
    s.inner.ief.delete_pod(&caller, &project, &id, &pod).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/nodes", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("name" = Option<String>, Query, description = "part of the name"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "default 500"), ("offset" = Option<i64>, Query, minimum = 0),
        ("sort" = Option<String>, Query, pattern = "^(name|created_at)(:(asc|desc))?$", description = "name or created_at, :asc or :desc"),
        ("state" = Option<String>, Query, pattern = "^(UNCONNECTED|RUNNING|FAIL|STOPPED|UPGRADING|FREEZE)$"), ("group_id" = Option<String>, Query)),
    responses((status = 200, description = "The nodes", body = ief::wire::ListNodesReply, content_type = "application/json"), IefErrors))]
async fn list_nodes(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    let params = params(q.as_deref())?;
    Ok(ok(&s
        .inner
        .ief
        .list_nodes(&caller, &project, &params)
        .await?))
}

#[utoipa::path(get, path = "/nodes/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    responses((status = 200, description = "The node", body = ief::wire::NodeReply, content_type = "application/json"), IefErrors))]
async fn get_node(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s.inner.ief.get_node(&caller, &project, &id).await?))
}

#[utoipa::path(get, path = "/groups", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("name" = Option<String>, Query), ("sort" = Option<String>, Query, pattern = "^(name)(:(asc|desc))?$", description = "name, :asc or :desc"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "default 10"), ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, description = "The node groups", body = ief::wire::ListGroupsReply, content_type = "application/json"), IefErrors))]
async fn list_groups(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    let params = params(q.as_deref())?;
    Ok(ok(&s
        .inner
        .ief
        .list_groups(&caller, &project, &params)
        .await?))
}

#[utoipa::path(get, path = "/groups/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    responses((status = 200, description = "The node group", body = ief::wire::EdgeGroupResp, content_type = "application/json"), IefErrors))]
async fn get_group(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s.inner.ief.get_group(&caller, &project, &id).await?))
}

#[utoipa::path(post, path = "/configmaps", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header)),
    request_body = ief::wire::CreateConfigMapRequest,
    responses((status = 201, description = "Created", body = ief::wire::ConfigMapReply, content_type = "application/json",
        links(
            ("get" = (operation_id = "get_configmap", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/configmap/id")))),
            ("update" = (operation_id = "update_configmap", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/configmap/id")))),
            ("delete" = (operation_id = "delete_configmap", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/configmap/id")))),
        )), IefErrors))]
async fn create_configmap(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    Ok(created(
        &s.inner
            .ief
            .create_configmap(&caller, &project, &req)
            .await?,
    ))
}

#[utoipa::path(get, path = "/configmaps", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("name" = Option<String>, Query), ("sort" = Option<String>, Query, pattern = "^(name|created_at|updated_at)(:(asc|desc))?$", description = "name, created_at or updated_at, :asc or :desc"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "default 1000"), ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, description = "The config maps", body = ief::wire::ListConfigMapsReply, content_type = "application/json"), IefErrors))]
async fn list_configmaps(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    let params = params(q.as_deref())?;
    Ok(ok(&s
        .inner
        .ief
        .list_configmaps(&caller, &project, &params)
        .await?))
}

#[utoipa::path(get, path = "/configmaps/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    responses((status = 200, description = "The config map", body = ief::wire::ConfigMapReply, content_type = "application/json"), IefErrors))]
async fn get_configmap(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s
        .inner
        .ief
        .get_configmap(&caller, &project, &id)
        .await?))
}

#[utoipa::path(put, path = "/configmaps/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    request_body = ief::wire::UpdateConfigMapRequest,
    responses((status = 200, description = "Updated", body = ief::wire::ConfigMapReply, content_type = "application/json"), IefErrors))]
async fn update_configmap(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    Ok(ok(&s
        .inner
        .ief
        .update_configmap(&caller, &project, &id, &req)
        .await?))
}

#[utoipa::path(delete, path = "/configmaps/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    responses((status = 204, description = "Deleted"), IefErrors))]
async fn delete_configmap(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<StatusCode> {
    s.inner.ief.delete_configmap(&caller, &project, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/secrets", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header)),
    request_body = ief::wire::CreateSecretRequest,
    responses((status = 201, description = "Created", body = ief::wire::SecretReply, content_type = "application/json",
        links(
            ("get" = (operation_id = "get_secret", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/secret/id")))),
            ("update" = (operation_id = "update_secret", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/secret/id")))),
            ("delete" = (operation_id = "delete_secret", parameters(("project_id" = "$request.path.project_id"), ("id" = "$response.body#/secret/id")))),
        )), IefErrors))]
async fn create_secret(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    Ok(created(
        &s.inner.ief.create_secret(&caller, &project, &req).await?,
    ))
}

#[utoipa::path(get, path = "/secrets", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("name" = Option<String>, Query), ("sort" = Option<String>, Query, pattern = "^(name|created_at|updated_at)(:(asc|desc))?$", description = "name, created_at or updated_at, :asc or :desc"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "default 1000"), ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, description = "The secrets", body = ief::wire::ListSecretsReply, content_type = "application/json"), IefErrors))]
async fn list_secrets(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Project,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    let params = params(q.as_deref())?;
    Ok(ok(&s
        .inner
        .ief
        .list_secrets(&caller, &project, &params)
        .await?))
}

#[utoipa::path(get, path = "/secrets/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    responses((status = 200, description = "The secret", body = ief::wire::SecretReply, content_type = "application/json"), IefErrors))]
async fn get_secret(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s.inner.ief.get_secret(&caller, &project, &id).await?))
}

#[utoipa::path(put, path = "/secrets/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    request_body = ief::wire::UpdateSecretRequest,
    responses((status = 200, description = "Updated", body = ief::wire::SecretReply, content_type = "application/json"), IefErrors))]
async fn update_secret(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    Ok(ok(&s
        .inner
        .ief
        .update_secret(&caller, &project, &id, &req)
        .await?))
}

#[utoipa::path(delete, path = "/secrets/{id}", tag = "ief",
    params(("project_id" = String, Path), ("X-Auth-Token" = String, Header),
        ("id" = String, Path)),
    responses((status = 204, description = "Deleted"), IefErrors))]
async fn delete_secret(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<StatusCode> {
    s.inner.ief.delete_secret(&caller, &project, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

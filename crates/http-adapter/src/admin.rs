//! The admin API (SPEC §6), guarded by the admin token: provisioning of orders,
//! projects, namespaces and EIPs, and the topology. The simulator's controls are in
//! `sim`, the cluster's view in `cluster`, the event feed in `feed`.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use podgate_core::dialects::vkube::wire::OrderInput;
use podgate_core::model::NamespaceId;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{BodyProblem, RawBody, bearer, json_body, json_response};
use crate::state::AppState;

/// An admin error: `{"error":{"code","message"}}` with that status.
#[derive(Debug)]
pub(crate) struct AdminFailure {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl AdminFailure {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for AdminFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            Json(json!({"error": {"code": self.status, "message": self.message}})),
        )
            .into_response()
    }
}

impl From<podgate_core::Error> for AdminFailure {
    fn from(e: podgate_core::Error) -> Self {
        use podgate_core::Error as E;
        match e {
            E::Invalid { field, reason } => Self::new(400, format!("{field}: {reason}")),
            E::AlreadyExists { kind, id } => Self::new(409, format!("{kind} {id} already exists")),
            E::NotFound { kind, id } => Self::new(404, format!("{kind} {id} not found")),
            E::IncorrectState(why) => Self::new(409, why),
            _ => Self::new(500, "internal error"),
        }
    }
}

type Answer<T> = Result<T, AdminFailure>;

/// The admin routes, documented where they are handled.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_order))
        .routes(routes!(create_project))
        .routes(routes!(create_namespace))
        .routes(routes!(create_eip))
        .routes(routes!(topology))
}

/// The admin API's error (for the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct AdminError {
    error: AdminErrorBody,
}

/// The admin API's error body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct AdminErrorBody {
    code: u16,
    message: String,
}

/// The errors every admin operation may answer besides its own; a type for the OpenAPI
/// document only.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(crate) enum AdminErrors {
    /// No valid admin bearer token
    #[response(status = 401)]
    Unauthorized(AdminError),
    /// Internal error
    #[response(status = 500)]
    Internal(AdminError),
    /// Timed out
    #[response(status = 504)]
    TimedOut(AdminError),
}

/// The operator: the admin bearer token (read in place, not copied).
pub(crate) struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = AdminFailure;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Answer<Self> {
        match bearer(&parts.headers) {
            Some(token) if s.is_admin(token) => Ok(Self),
            _ => Err(AdminFailure::new(
                401,
                "a valid admin bearer token is required",
            )),
        }
    }
}

/// The JSON object a request carries (none: `{}`), decoded strictly.
pub(crate) fn body<T: for<'de> Deserialize<'de>>(raw: RawBody) -> Answer<T> {
    let value = match json_body(raw.0) {
        Ok(Value::Null) => json!({}),
        Ok(v) => v,
        Err(BodyProblem::TooLarge) => return Err(AdminFailure::new(413, "request body too large")),
        Err(BodyProblem::Malformed(e)) => {
            return Err(AdminFailure::new(400, format!("invalid json body: {e}")));
        }
    };
    if !value.is_object() {
        return Err(AdminFailure::new(400, "the body must be a JSON object"));
    }
    podgate_core::validate::strict_from_value(value)
        .map_err(|e| AdminFailure::new(400, format!("invalid request: {e}")))
}

#[utoipa::path(post, path = "/admin/v1/vkube/orders", tag = "admin", request_body = OrderInput,
    security(("bearer" = [])),
    responses((status = 201, description = "The order and its secret, shown this once", body = podgate_core::dialects::vkube::wire::CreatedOrder),
        (status = 400, body = AdminError), (status = 413, body = AdminError), AdminErrors))]
async fn create_order(State(s): State<AppState>, _: Operator, raw: RawBody) -> Answer<Response> {
    let input: OrderInput = body(raw)?;
    let created = s.inner.vkube.create_order(input).await?;
    Ok(json_response(StatusCode::CREATED, &created))
}

/// `POST /admin/v1/ief/projects` body.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
struct ProjectInput {
    /// The project's id.
    #[schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_-]{1,64}$")]
    project_id: Option<String>,
}

#[utoipa::path(post, path = "/admin/v1/ief/projects", tag = "admin", request_body = ProjectInput,
    security(("bearer" = [])),
    responses((status = 201, description = "{project_id, token}", body = Object),
        (status = 400, body = AdminError), (status = 409, body = AdminError),
        (status = 413, body = AdminError), AdminErrors))]
async fn create_project(
    State(s): State<AppState>,
    _: Operator,
    raw: RawBody,
) -> Answer<(StatusCode, Json<Value>)> {
    let input: ProjectInput = body(raw)?;
    let project = input
        .project_id
        .ok_or_else(|| AdminFailure::new(400, "project_id is required"))?;
    let token = s.inner.ief.create_project(&project).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"project_id": project, "token": token.expose()})),
    ))
}

/// `POST /admin/v1/ncs/namespaces` body.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[allow(non_snake_case)]
struct NamespaceInput {
    /// The id to use (allocated when absent).
    NamespaceId: Option<u64>,
    /// May use privileged settings (podgate's addition; default false).
    Privileged: Option<bool>,
}

#[utoipa::path(post, path = "/admin/v1/ncs/namespaces", tag = "admin", request_body = Option<NamespaceInput>,
    security(("bearer" = [])),
    responses((status = 201, description = "{NamespaceId, token}", body = Object),
        (status = 400, body = AdminError), (status = 409, body = AdminError),
        (status = 413, body = AdminError), AdminErrors))]
async fn create_namespace(
    State(s): State<AppState>,
    _: Operator,
    raw: RawBody,
) -> Answer<(StatusCode, Json<Value>)> {
    let input: NamespaceInput = body(raw)?;
    let (ns, token) = s
        .inner
        .ncs
        .create_namespace(
            input.NamespaceId.map(NamespaceId),
            input.Privileged.unwrap_or(false),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"NamespaceId": ns.0, "token": token.expose()})),
    ))
}

/// `POST /admin/v1/ncs/eips` body.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[allow(non_snake_case)]
struct EipInput {
    /// The EIP's id.
    #[schema(required = true, nullable = false, min_length = 1, max_length = 128)]
    EipId: Option<String>,
    /// Its public address, IPv4 or IPv6.
    #[schema(required = true, nullable = false, schema_with = podgate_core::validate::ip_address_schema)]
    Address: Option<String>,
}

#[utoipa::path(post, path = "/admin/v1/ncs/eips", tag = "admin", request_body = EipInput,
    security(("bearer" = [])),
    responses((status = 201, description = "{EipId, Address}", body = Object),
        (status = 400, body = AdminError), (status = 409, body = AdminError),
        (status = 413, body = AdminError), AdminErrors))]
async fn create_eip(
    State(s): State<AppState>,
    _: Operator,
    raw: RawBody,
) -> Answer<(StatusCode, Json<Value>)> {
    let input: EipInput = body(raw)?;
    let (Some(id), Some(address)) = (input.EipId, input.Address) else {
        return Err(AdminFailure::new(400, "EipId and Address are required"));
    };
    let eip = s.inner.ncs.add_eip(&id, &address).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"EipId": eip.id, "Address": eip.address})),
    ))
}

#[utoipa::path(get, path = "/admin/v1/topology", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "The nodes: name, region, zone, group, capacity", body = Vec<Object>),
        AdminErrors))]
async fn topology(State(s): State<AppState>, _: Operator) -> Answer<Json<Value>> {
    let nodes = s.inner.backend.list_nodes().await?;
    let nodes: Vec<Value> = nodes
        .into_iter()
        .map(|n| {
            json!({
                "name": n.name, "region": n.region, "zone": n.zone, "group": n.group,
                "capacity": {"cpu_millis": n.capacity.cpu_millis, "memory_mib": n.capacity.memory_mib, "gpu": n.capacity.gpu, "pods": n.max_pods},
                "ready": n.ready
            })
        })
        .collect();
    Ok(Json(Value::Array(nodes)))
}

//! V-Kube over HTTP: every path under both `/k8s/...` and `/api/v1/k8s/...`; the
//! `secret` header for the order's own calls.

use axum::Json;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, StatusCode};
use axum::response::Response;
use podgate_core::dialects::vkube::{self, VkubeCaller, VkubeError, decode};
use podgate_core::model::TenantKey;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{BodyProblem, RawBody, header, json_body, json_response};
use crate::failure::Failure;
use crate::guard::TenantNote;
use crate::query;
use crate::state::AppState;

/// V-Kube's secret header.
const SECRET: HeaderName = HeaderName::from_static("secret");

type Answer<T> = Result<T, Failure<VkubeError>>;

/// The V-Kube routes, documented where they are handled, under both prefixes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    let routes = || {
        OpenApiRouter::new()
            .routes(routes!(regions))
            .routes(routes!(images))
            .routes(routes!(check_ports))
            .routes(routes!(order))
            .routes(routes!(deploy))
            .routes(routes!(pod_log))
            .routes(routes!(pod_status))
    };
    OpenApiRouter::new()
        .nest("/k8s", routes())
        .nest("/api/v1/k8s", routes())
}

/// The errors every V-Kube operation may answer besides its own; a type for the OpenAPI
/// document only.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum VkubeErrors {
    /// Internal error
    #[response(status = 500)]
    Internal(vkube::wire::ErrorReply),
    /// Timed out
    #[response(status = 504)]
    TimedOut(vkube::wire::ErrorReply),
}

/// The order calling, from its `secret` header (read in place, not copied).
struct Caller(VkubeCaller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Failure<VkubeError>;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Answer<Self> {
        let secret = header(&parts.headers, SECRET).ok_or_else(VkubeError::unauthorized)?;
        let caller = state.inner.vkube.authenticate(secret).await?;
        TenantNote::note(|| TenantKey::Order(caller.order.clone()));
        Ok(Self(caller))
    }
}

fn body<T: DeserializeOwned>(raw: RawBody, empty: VkubeError) -> Answer<T> {
    match json_body(raw.0) {
        Ok(Value::Null) => Err(empty.into()),
        Ok(value) => Ok(decode(value)?),
        Err(BodyProblem::TooLarge) => Err(VkubeError::new(413, "request body too large").into()),
        Err(BodyProblem::Malformed(e)) => {
            Err(VkubeError::bad_request(format!("invalid json body: {e}")).into())
        }
    }
}

/// A 200 reply, serialised once.
/// The query parameter `key`.
fn text<'a>(query: &'a serde_json::Map<String, serde_json::Value>, key: &str) -> Option<&'a str> {
    query.get(key).and_then(serde_json::Value::as_str)
}

fn ok<T: serde::Serialize>(value: &T) -> Response {
    json_response(StatusCode::OK, value)
}

#[utoipa::path(get, path = "/regions", tag = "vkube",
    responses((status = 200, description = "The regions ([] when they cannot be read)", body = Vec<String>)))]
async fn regions(State(s): State<AppState>) -> Json<Vec<String>> {
    Json(s.inner.vkube.regions().await)
}

#[utoipa::path(get, path = "/images", tag = "vkube",
    params(("image" = String, Query, max_length = 255, pattern = "^[a-z0-9_]([-a-z0-9._/:]*/[-a-z0-9._]+|[-a-z0-9._]*)$"),
        ("tag" = String, Query, pattern = "^[A-Za-z0-9_][-A-Za-z0-9_.]{0,127}$")),
    responses((status = 200, body = vkube::wire::StatusOk),
        (status = 400, description = "image format not allow.Format: image:tag", body = vkube::wire::ErrorReply),
        (status = 404, description = "image does not exist.", body = vkube::wire::ErrorReply),
        VkubeErrors))]
async fn images(State(s): State<AppState>, RawQuery(q): RawQuery) -> Answer<Response> {
    let query = query::pairs(q.as_deref());
    let (image, tag) = (text(&query, "image"), text(&query, "tag"));
    Ok(ok(&s.inner.vkube.check_image(image, tag).await?))
}

#[utoipa::path(post, path = "/checkports", tag = "vkube",
    request_body = vkube::wire::CheckPortsRequest,
    responses((status = 200, body = vkube::wire::CheckPortsReply),
        (status = 400, description = "item field empty", body = vkube::wire::ErrorReply),
        (status = 413, body = vkube::wire::ErrorReply),
        VkubeErrors))]
async fn check_ports(State(s): State<AppState>, raw: RawBody) -> Answer<Response> {
    let req = body(raw, VkubeError::field_empty())?;
    Ok(ok(&s.inner.vkube.check_ports(&req).await?))
}

#[utoipa::path(get, path = "/order", tag = "vkube",
    params(("secret" = String, Header)),
    responses((status = 200, body = vkube::wire::Order),
        (status = 401, body = vkube::wire::ErrorReply),
        VkubeErrors))]
async fn order(State(s): State<AppState>, Caller(caller): Caller) -> Answer<Response> {
    Ok(ok(&s.inner.vkube.order(&caller).await?))
}

#[utoipa::path(post, path = "/deploy", tag = "vkube",
    params(("secret" = String, Header)),
    request_body = vkube::wire::DeployRequest,
    responses((status = 200, body = vkube::wire::DeployReply,
        links(("status" = (operation_id = "pod_status")), ("log" = (operation_id = "pod_log")))),
        (status = 400, body = vkube::wire::ErrorReply), (status = 401, body = vkube::wire::ErrorReply),
        (status = 413, body = vkube::wire::ErrorReply),
        VkubeErrors))]
async fn deploy(
    State(s): State<AppState>,
    Caller(caller): Caller,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw, VkubeError::field_empty())?;
    Ok(ok(&s.inner.vkube.deploy(&caller, &req).await?))
}

#[utoipa::path(get, path = "/pod/log", tag = "vkube",
    params(("secret" = String, Header), ("container" = Option<String>, Query), ("tailLines" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, description = "The log, as a JSON string", body = String, content_type = "application/json"),
        (status = 400, body = vkube::wire::ErrorReply), (status = 401, body = vkube::wire::ErrorReply),
        (status = 404, description = "pod not found", body = vkube::wire::ErrorReply),
        VkubeErrors))]
async fn pod_log(
    State(s): State<AppState>,
    Caller(caller): Caller,
    RawQuery(q): RawQuery,
) -> Answer<Json<String>> {
    let query = query::pairs(q.as_deref());
    Ok(Json(
        s.inner
            .vkube
            .pod_log(
                &caller,
                text(&query, "container"),
                text(&query, "tailLines"),
            )
            .await?,
    ))
}

#[utoipa::path(get, path = "/pod/status", tag = "vkube",
    params(("secret" = String, Header)),
    responses((status = 200, body = vkube::wire::PodStatusReply),
        (status = 401, body = vkube::wire::ErrorReply),
        (status = 404, description = "pod not found", body = vkube::wire::ErrorReply),
        VkubeErrors))]
async fn pod_status(State(s): State<AppState>, Caller(caller): Caller) -> Answer<Response> {
    Ok(ok(&s.inner.vkube.pod_status(&caller).await?))
}

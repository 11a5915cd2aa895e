//! V-Kube over HTTP: every path under both `/k8s/...` and `/api/v1/k8s/...`; the
//! `secret` header for the order's own calls.

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use podgate_core::dialects::vkube::{VkubeCaller, VkubeError, decode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::extract::{BodyProblem, RawBody, header, json_body, json_response};
use crate::failure::Failure;
use crate::query;
use crate::state::AppState;

/// V-Kube's secret header.
const SECRET: HeaderName = HeaderName::from_static("secret");

type Answer<T> = Result<T, Failure<VkubeError>>;

/// The V-Kube routes.
pub(crate) fn router() -> Router<AppState> {
    let mut router = Router::new();
    for prefix in ["/k8s", "/api/v1/k8s"] {
        router = router
            .route(&format!("{prefix}/regions"), get(regions))
            .route(&format!("{prefix}/images"), get(images))
            .route(&format!("{prefix}/checkports"), post(check_ports))
            .route(&format!("{prefix}/order"), get(order))
            .route(&format!("{prefix}/deploy"), post(deploy))
            .route(&format!("{prefix}/pod/log"), get(pod_log))
            .route(&format!("{prefix}/pod/status"), get(pod_status));
    }
    router
}

/// The order calling, from its `secret` header (read in place, not copied).
struct Caller(VkubeCaller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Failure<VkubeError>;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Answer<Self> {
        let secret = header(&parts.headers, SECRET).ok_or_else(VkubeError::unauthorized)?;
        Ok(Self(state.inner.vkube.authenticate(secret).await?))
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

async fn regions(State(s): State<AppState>) -> Json<Vec<String>> {
    Json(s.inner.vkube.regions().await)
}

async fn images(State(s): State<AppState>, RawQuery(q): RawQuery) -> Answer<Response> {
    let query = query::pairs(q.as_deref());
    let (image, tag) = (text(&query, "image"), text(&query, "tag"));
    Ok(ok(&s.inner.vkube.check_image(image, tag).await?))
}

async fn check_ports(State(s): State<AppState>, raw: RawBody) -> Answer<Response> {
    let req = body(raw, VkubeError::field_empty())?;
    Ok(ok(&s.inner.vkube.check_ports(&req).await?))
}

async fn order(State(s): State<AppState>, Caller(caller): Caller) -> Answer<Response> {
    Ok(ok(&s.inner.vkube.order(&caller).await?))
}

async fn deploy(
    State(s): State<AppState>,
    Caller(caller): Caller,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw, VkubeError::field_empty())?;
    Ok(ok(&s.inner.vkube.deploy(&caller, &req).await?))
}

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

async fn pod_status(State(s): State<AppState>, Caller(caller): Caller) -> Answer<Response> {
    Ok(ok(&s.inner.vkube.pod_status(&caller).await?))
}

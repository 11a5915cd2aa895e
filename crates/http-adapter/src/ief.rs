//! IEF over HTTP: `/v3/{project_id}/edgemgr/...` (also with the example's leading double
//! slash) and `/v2/{project_id}/edgemgr/{nodes,groups}`, `X-Auth-Token`.

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use podgate_core::dialects::ief::{IefCaller, IefError, decode};
use podgate_core::secret::TokenHash;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::extract::{BodyProblem, RawBody, header, json_body, json_response};
use crate::query::Query;
use crate::state::AppState;

/// IEF's token header.
const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");

/// An IEF error as an HTTP response.
pub(crate) struct IefFailure(pub(crate) IefError);

impl IntoResponse for IefFailure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0.to_reply())).into_response()
    }
}

impl From<IefError> for IefFailure {
    fn from(e: IefError) -> Self {
        Self(e)
    }
}

type Answer<T> = Result<T, IefFailure>;

/// The IEF routes.
pub(crate) fn router() -> Router<AppState> {
    let mut router = Router::new();
    for prefix in ["", "/"] {
        router = router
            .route(
                &format!("{prefix}/v3/{{project_id}}/edgemgr/pods"),
                get(list_pods),
            )
            .route(
                &format!("{prefix}/v3/{{project_id}}/edgemgr/deployments"),
                get(list_deployments).post(create_deployment),
            )
            .route(
                &format!("{prefix}/v3/{{project_id}}/edgemgr/deployments/{{id}}"),
                get(get_deployment)
                    .put(update_deployment)
                    .delete(delete_deployment),
            )
            .route(
                &format!(
                    "{prefix}/v3/{{project_id}}/edgemgr/deployments/{{id}}/pods/{{pod}}/restart"
                ),
                post(restart_pod),
            )
            .route(
                &format!("{prefix}/v2/{{project_id}}/edgemgr/nodes"),
                get(list_nodes),
            )
            .route(
                &format!("{prefix}/v2/{{project_id}}/edgemgr/groups"),
                get(list_groups),
            );
    }
    router
}

/// The caller, from `X-Auth-Token` (read in place: the headers are not copied).
struct Caller(IefCaller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = IefFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Answer<Self> {
        let headers: &HeaderMap = &parts.headers;
        let token = header(headers, X_AUTH_TOKEN).ok_or_else(IefError::auth)?;
        let presented = TokenHash::of(token);
        if state.is_admin(presented) {
            return Ok(Self(IefCaller::Operator));
        }
        Ok(Self(state.inner.ief.authenticate(presented).await?))
    }
}

fn query<T: DeserializeOwned>(raw: Option<&str>) -> Answer<T> {
    T::deserialize(Query::parse(raw).deserializer())
        .map_err(|e| IefError::invalid("query", e).into())
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

async fn list_pods(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    Ok(ok(&s
        .inner
        .ief
        .list_pods(&caller, &project, &query(q.as_deref())?)
        .await?))
}

async fn list_deployments(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    Ok(ok(&s
        .inner
        .ief
        .list_deployments(&caller, &project, &query(q.as_deref())?)
        .await?))
}

async fn create_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Path<String>,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    let created = s
        .inner
        .ief
        .create_deployment(&caller, &project, &req)
        .await?;
    Ok(json_response(StatusCode::CREATED, &created))
}

async fn get_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Path<(String, String)>,
) -> Answer<Response> {
    Ok(ok(&s
        .inner
        .ief
        .get_deployment(&caller, &project, &id)
        .await?))
}

async fn update_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Path<(String, String)>,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    Ok(ok(&s
        .inner
        .ief
        .update_deployment(&caller, &project, &id, &req)
        .await?))
}

async fn delete_deployment(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Path<(String, String)>,
) -> Answer<StatusCode> {
    s.inner
        .ief
        .delete_deployment(&caller, &project, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn restart_pod(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id, pod)): Path<(String, String, String)>,
) -> Answer<Json<Value>> {
    s.inner
        .ief
        .restart_pod(&caller, &project, &id, &pod)
        .await?;
    Ok(Json(serde_json::json!({})))
}

async fn list_nodes(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    Ok(ok(&s
        .inner
        .ief
        .list_nodes(&caller, &project, &query(q.as_deref())?)
        .await?))
}

async fn list_groups(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path(project): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    Ok(ok(&s
        .inner
        .ief
        .list_groups(&caller, &project, &query(q.as_deref())?)
        .await?))
}

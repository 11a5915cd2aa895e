//! IEF over HTTP: `/v3/{project_id}/edgemgr/...` (deployments, pods) and
//! `/v2/{project_id}/edgemgr/...` (nodes, groups, config maps, secrets), each also with
//! the seed example's leading double slash; `X-Auth-Token`.

use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post};
use podgate_core::dialects::ief::{IefCaller, IefError, decode};
use podgate_core::secret::TokenHash;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::extract::{BodyProblem, RawBody, header, json_body, json_response};
use crate::failure::Failure;
use crate::query;
use crate::state::AppState;

/// IEF's token header.
const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");

type Answer<T> = Result<T, Failure<IefError>>;

/// The IEF routes.
pub(crate) fn router() -> Router<AppState> {
    let mut router = Router::new();
    for prefix in ["", "/"] {
        let v3 = format!("{prefix}/v3/{{project_id}}/edgemgr");
        let v2 = format!("{prefix}/v2/{{project_id}}/edgemgr");
        router = router
            .route(&format!("{v3}/pods"), get(list_pods))
            .route(
                &format!("{v3}/deployments"),
                get(list_deployments).post(create_deployment),
            )
            .route(
                &format!("{v3}/deployments/{{id}}"),
                get(get_deployment)
                    .put(update_deployment)
                    .delete(delete_deployment),
            )
            .route(
                &format!("{v3}/deployments/{{id}}/pods/{{pod}}/restart"),
                post(restart_pod),
            )
            .route(
                &format!("{v3}/deployments/{{id}}/pods/{{pod}}"),
                delete(delete_pod),
            )
            .route(&format!("{v2}/nodes"), get(list_nodes))
            .route(&format!("{v2}/nodes/{{id}}"), get(get_node))
            .route(&format!("{v2}/groups"), get(list_groups))
            .route(&format!("{v2}/groups/{{id}}"), get(get_group))
            .route(
                &format!("{v2}/configmaps"),
                get(list_configmaps).post(create_configmap),
            )
            .route(
                &format!("{v2}/configmaps/{{id}}"),
                get(get_configmap)
                    .put(update_configmap)
                    .delete(delete_configmap),
            )
            .route(
                &format!("{v2}/secrets"),
                get(list_secrets).post(create_secret),
            )
            .route(
                &format!("{v2}/secrets/{{id}}"),
                get(get_secret).put(update_secret).delete(delete_secret),
            );
    }
    router
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
        Ok(Self(state.inner.ief.authenticate(presented).await?))
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

async fn delete_pod(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id, pod)): Path<(String, String, String)>,
) -> Answer<StatusCode> {
    s.inner.ief.delete_pod(&caller, &project, &id, &pod).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

async fn get_node(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s.inner.ief.get_node(&caller, &project, &id).await?))
}

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

async fn get_group(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s.inner.ief.get_group(&caller, &project, &id).await?))
}

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

async fn delete_configmap(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<StatusCode> {
    s.inner.ief.delete_configmap(&caller, &project, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

async fn get_secret(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<Response> {
    Ok(ok(&s.inner.ief.get_secret(&caller, &project, &id).await?))
}

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

async fn delete_secret(
    State(s): State<AppState>,
    Caller(caller): Caller,
    Path((project, id)): Object,
) -> Answer<StatusCode> {
    s.inner.ief.delete_secret(&caller, &project, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

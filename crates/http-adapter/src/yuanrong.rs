//! openYuanrong pod pools over HTTP: `/serverless/v1/podpools`, the
//! `{"code","message","result"}` envelope.

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use podgate_core::dialects::yuanrong::wire::Envelope;
use podgate_core::dialects::yuanrong::{self, YrError, decode};
use podgate_core::model::TenantKey;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{BodyProblem, RawBody, bearer, json_body, json_response};
use crate::failure::Failure;
use crate::guard::TenantNote;
use crate::query;
use crate::state::AppState;

type Answer<T> = Result<T, Failure<YrError>>;

/// The openYuanrong routes, documented where they are handled.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(query, create, delete))
        .routes(routes!(update))
}

/// openYuanrong query reply (for the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct YrQueryReply {
    code: i32,
    message: String,
    result: yuanrong::wire::QueryResult,
}

/// openYuanrong create reply (code 4104 and HTTP 500 with `failed_pools` when some fail).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct YrCreateReply {
    code: i32,
    message: String,
    /// Absent when the body itself was refused (130600).
    result: Option<yuanrong::wire::CreateResult>,
}

/// openYuanrong reply without a result (update, delete, errors).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct YrReply {
    code: i32,
    message: String,
}

/// A success in the envelope, serialised once.
fn ok<T: Serialize>(result: Option<T>) -> Response {
    json_response(
        StatusCode::OK,
        &Envelope {
            code: 0,
            message: String::new(),
            result,
        },
    )
}

fn params<T: DeserializeOwned>(raw: Option<&str>) -> Answer<T> {
    query::decode(raw).map_err(|e| YrError::invalid(e).into())
}

fn body<T: DeserializeOwned>(raw: RawBody) -> Answer<T> {
    match json_body(raw.0) {
        Ok(Value::Null) => Err(YrError::bad_json("the body is empty").into()),
        Ok(value) => Ok(decode(value)?),
        Err(BodyProblem::TooLarge) => Err(YrError::bad_json("the body is too large").into()),
        Err(BodyProblem::Malformed(e)) => Err(YrError::bad_json(e).into()),
    }
}

/// The caller may use the API: the configured token, if one is (read in place).
struct Authorized;

impl FromRequestParts<AppState> for Authorized {
    type Rejection = Failure<YrError>;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Answer<Self> {
        state.inner.yuanrong.authorize(bearer(&parts.headers))?;
        TenantNote::note(|| TenantKey::System);
        Ok(Self)
    }
}

#[utoipa::path(get, path = "/serverless/v1/podpools", tag = "yuanrong",
    params(("id" = Option<String>, Query), ("group" = Option<String>, Query),
        ("offset" = Option<String>, Query, description = "1-based page number"), ("limit" = Option<String>, Query)),
    responses((status = 200, body = YrQueryReply),
        (status = 401, body = YrReply),
        (status = 500, description = "4104: invalid parameters (HTTP 500 by contract)", body = YrReply),
        (status = 504, body = YrReply)))]
async fn query(
    State(s): State<AppState>,
    _: Authorized,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    Ok(ok(Some(
        s.inner.yuanrong.query(&params(q.as_deref())?).await?,
    )))
}

#[utoipa::path(post, path = "/serverless/v1/podpools", tag = "yuanrong",
    request_body = yuanrong::wire::CreatePoolsRequest,
    responses((status = 200, body = YrCreateReply,
        links(
            ("query" = (operation_id = "query", parameters(("id" = "$request.body#/pools/0/id")))),
            ("update" = (operation_id = "update", parameters(("id" = "$request.body#/pools/0/id")))),
            ("delete" = (operation_id = "delete", parameters(("id" = "$request.body#/pools/0/id")))),
        )),
        (status = 401, body = YrReply),
        (status = 500, description = "4104 with failed_pools, or 130600 for a body that is not JSON (HTTP 500 by contract)", body = YrCreateReply),
        (status = 504, body = YrReply)))]
async fn create(State(s): State<AppState>, _: Authorized, raw: RawBody) -> Answer<Response> {
    let req = body(raw)?;
    let (status, envelope) = s.inner.yuanrong.create(&req).await?.into_envelope();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Ok(json_response(status, &envelope))
}

#[utoipa::path(put, path = "/serverless/v1/podpools/{id}", tag = "yuanrong",
    params(("id" = String, Path)),
    request_body = yuanrong::wire::UpdatePoolRequest,
    responses((status = 200, body = YrReply),
        (status = 401, body = YrReply),
        (status = 404, description = "4120: no such pool", body = YrReply),
        (status = 500, description = "4104 or 130600 (HTTP 500 by contract)", body = YrReply),
        (status = 504, body = YrReply)))]
async fn update(
    State(s): State<AppState>,
    _: Authorized,
    Path(id): Path<String>,
    raw: RawBody,
) -> Answer<Response> {
    let req = body(raw)?;
    s.inner.yuanrong.update(&id, &req).await?;
    Ok(ok::<()>(None))
}

#[utoipa::path(delete, path = "/serverless/v1/podpools", tag = "yuanrong",
    params(("id" = Option<String>, Query), ("group" = Option<String>, Query)),
    responses((status = 200, body = YrReply),
        (status = 401, body = YrReply),
        (status = 404, description = "4120: no such pool", body = YrReply),
        (status = 500, description = "4104: neither id nor group (HTTP 500 by contract)", body = YrReply),
        (status = 504, body = YrReply)))]
async fn delete(
    State(s): State<AppState>,
    _: Authorized,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    s.inner.yuanrong.delete(&params(q.as_deref())?).await?;
    Ok(ok::<()>(None))
}

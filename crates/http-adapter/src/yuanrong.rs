//! openYuanrong pod pools over HTTP: `/serverless/v1/podpools`, the
//! `{"code","message","result"}` envelope.

use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, put};
use podgate_core::dialects::yuanrong::wire::Envelope;
use podgate_core::dialects::yuanrong::{YrError, decode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::extract::{BodyProblem, RawBody, bearer, json_body, json_response};
use crate::failure::Failure;
use crate::query;
use crate::state::AppState;

type Answer<T> = Result<T, Failure<YrError>>;

/// The openYuanrong routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/serverless/v1/podpools",
            get(query).post(create).delete(delete),
        )
        .route("/serverless/v1/podpools/{id}", put(update))
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
        Ok(Self)
    }
}

async fn query(
    State(s): State<AppState>,
    _: Authorized,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    Ok(ok(Some(
        s.inner.yuanrong.query(&params(q.as_deref())?).await?,
    )))
}

async fn create(State(s): State<AppState>, _: Authorized, raw: RawBody) -> Answer<Response> {
    let req = body(raw)?;
    let (status, envelope) = s.inner.yuanrong.create(&req).await?.into_envelope();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Ok(json_response(status, &envelope))
}

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

async fn delete(
    State(s): State<AppState>,
    _: Authorized,
    RawQuery(q): RawQuery,
) -> Answer<Response> {
    s.inner.yuanrong.delete(&params(q.as_deref())?).await?;
    Ok(ok::<()>(None))
}

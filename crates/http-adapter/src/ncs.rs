//! NCS over HTTP: `/ncs?Action=<Action>&Version=2017-11-16`, GET with query
//! parameters and POST with a JSON body.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use podgate_core::dialects::ncs::{NcsAction, NcsCaller, NcsCode, NcsError, NcsService};
use podgate_core::secret::TokenHash;
use serde_json::Value;

use crate::extract::{BodyProblem, bearer, json_body, json_text, read_body};
use crate::failure::Failure;
use crate::metrics::Operation;
use crate::query::Query;
use crate::state::AppState;

/// The one path NCS serves.
pub(crate) const PATH: &str = "/ncs";

/// The NCS routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route(PATH, get(call).post(call))
}

async fn caller(state: &AppState, headers: &HeaderMap) -> Result<NcsCaller, NcsError> {
    let presented = TokenHash::of(bearer(headers).ok_or_else(NcsError::auth_failure)?);
    if state.is_admin(presented) {
        return Ok(NcsCaller::Operator);
    }
    state.inner.ncs.authenticate(presented).await
}

/// Takes the request apart: the headers read in place, not copied, and the query parsed
/// once. The answer names the Action, when the request names a known one, for the
/// metrics.
async fn call(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let query = Query::parse(parts.uri.query());
    let action = NcsService::action(query.get("Action"));
    let named = action.as_ref().ok().copied();
    let mut response = answer(&state, &parts.headers, body, &query, action)
        .await
        .unwrap_or_else(IntoResponse::into_response);
    if let Some(action) = named {
        response.extensions_mut().insert(Operation(action.name()));
    }
    response
}

/// The request's answer; `action` is the query's Action as looked up, refused only
/// after the caller and the version are checked.
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    query: &Query<'_>,
    action: Result<NcsAction, NcsError>,
) -> Result<Response, Failure<NcsError>> {
    let caller = caller(state, headers).await?;
    NcsService::check_version(query.get("Version"))?;
    let action = action?;
    let ncs = &state.inner.ncs;
    let reply = match json_body(read_body(body, state).await) {
        // Parameters in the query only: decoded from it straight into the Action's
        // parameters (`Action` and `Version` are none of theirs).
        Ok(Value::Null) => ncs.call(&caller, action, query.deserializer()).await?,
        Ok(Value::Object(body)) => {
            let mut params = query.to_json(&["Action", "Version"]);
            params.extend(body);
            ncs.call(&caller, action, &Value::Object(params)).await?
        }
        Ok(_) => return Err(NcsError::invalid_format("the request body").into()),
        Err(BodyProblem::TooLarge) => {
            return Err(NcsError::new(
                NcsCode::InvalidParameterValue,
                "The request body is too large.",
            )
            .into());
        }
        Err(BodyProblem::Malformed(_)) => {
            return Err(NcsError::invalid_format("the request body").into());
        }
    };
    let mut text = Vec::with_capacity(4096);
    reply
        .write_json(&mut text)
        .map_err(|e| NcsError::from(podgate_core::Error::backend(e.to_string())))?;
    Ok(json_text(StatusCode::OK, text))
}

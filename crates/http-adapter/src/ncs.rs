//! NCS over HTTP: `/ncs?Action=<Action>&Version=2017-11-16`, GET with query
//! parameters and POST with a JSON body.

use std::borrow::Cow;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use podgate_core::dialects::ncs::{self, NcsAction, NcsCaller, NcsCode, NcsError, NcsService};
use podgate_core::model::TenantKey;
use podgate_core::secret::TokenHash;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{AnyOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{BodyProblem, bearer, json_body, json_text, read_body};
use crate::failure::Failure;
use crate::guard::TenantNote;
use crate::metrics::Operation;
use crate::query;
use crate::state::AppState;

/// The one path NCS serves.
pub(crate) const PATH: &str = "/ncs";

/// The NCS routes, documented where they are handled.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(query_call, body_call))
}

/// The errors every NCS Action may answer; a type for the OpenAPI document only.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum NcsErrors {
    /// MissingParameter, InvalidParameterValue, InvalidFormat, NoPrivate,
    /// DuplicateNameError, NothingToUpdate, ContainerNumNotMatch, IncorrectState,
    /// UnsupportedOperation
    #[response(status = 400)]
    BadRequest(ncs::wire::ErrorReply),
    /// AuthFailure
    #[response(status = 401)]
    Unauthorized(ncs::wire::ErrorReply),
    /// ResourceNotFound
    #[response(status = 404)]
    NotFound(ncs::wire::ErrorReply),
    /// InternalServerError
    #[response(status = 500)]
    Internal(ncs::wire::ErrorReply),
    /// Timed out
    #[response(status = 504)]
    TimedOut(ncs::wire::ErrorReply),
}

/// The Actions' parameters a query may carry (a body given too must agree with them);
/// a type for the OpenAPI document only.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, non_snake_case)]
struct ActionParams {
    /// The namespace.
    NamespaceId: Option<String>,
    /// The workload.
    StatefulWorkloadId: Option<String>,
    /// RestartContainer: the DockerContainerId.
    ContainerId: Option<String>,
    /// (Un)AssociateEipOfStatefulWorkload: the EIP.
    EipId: Option<String>,
    /// DescribeStatefulWorkloadsAllNamespaces: page size, default 20.
    #[param(minimum = 1)]
    Limit: Option<i64>,
    /// DescribeStatefulWorkloadsAllNamespaces: items to skip.
    #[param(minimum = 0)]
    Offset: Option<i64>,
}

/// A POST body: the parameters of one Action, any of the Actions' request types. The
/// query's `Action` says which; the document cannot tie the two together. A type for
/// the OpenAPI document only.
struct ActionBody;

impl utoipa::PartialSchema for ActionBody {
    fn schema() -> RefOr<Schema> {
        let any = [
            "ncs.CreateRequest",
            "ncs.ModifyRequest",
            "ncs.ResetSpecTypeRequest",
            "ncs.WorkloadParams",
            "ncs.ListAllParams",
        ]
        .into_iter()
        .fold(AnyOfBuilder::new(), |any, name| {
            any.item(Ref::from_schema_name(name))
        });
        any.description(Some(
            "CreateStatefulWorkload: CreateRequest; ModifyStatefulWorkload: ModifyRequest; ResetStatefulWorkloadSpecType: ResetSpecTypeRequest; DescribeStatefulWorkloadsAllNamespaces: ListAllParams; the other Actions: WorkloadParams.",
        ))
        .into()
    }
}

impl utoipa::ToSchema for ActionBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ncs.ActionBody")
    }
}

/// An NCS Action with its parameters in the query string. The reply depends on the
/// Action: CreateReply, RequestIdReply, ListReply, InfoReply, InstancesReply or
/// ImagesReply.
#[utoipa::path(get, path = "/ncs", tag = "ncs",
    params(
        ("Action" = String, Query, description = "The Action: one of the GET Actions",
            pattern = "^(RedeployStatefulWorkload|RestartContainer|RestartStatefulWorkloadInstance|DeleteStatefulWorkload|DescribeStatefulWorkloads|DescribeStatefulWorkloadsAllNamespaces|DescribeStatefulWorkloadInfo|DescribeStatefulWorkloadInstances|DescribeStatefulWorkloadImages|AssociateEipOfStatefulWorkload|UnAssociateEipOfStatefulWorkload)$"),
        ("Version" = String, Query, pattern = "^2017-11-16$"),
        ActionParams,
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The Action's reply", body = Object), NcsErrors))]
async fn query_call(state: State<AppState>, req: Request) -> Response {
    call(state, req).await
}

/// An NCS Action with its parameters in a JSON body (CreateRequest, ModifyRequest,
/// ResetSpecTypeRequest or the GET Actions' parameters), joined to the query's; the
/// query takes the same parameters as a GET, and one given in both must have the same
/// value in both.
#[utoipa::path(post, path = "/ncs", tag = "ncs",
    params(
        ("Action" = String, Query, description = "The Action: any, its parameters in the body",
            pattern = "^(CreateStatefulWorkload|ResetStatefulWorkloadSpecType|ModifyStatefulWorkload|RedeployStatefulWorkload|RestartContainer|RestartStatefulWorkloadInstance|DeleteStatefulWorkload|DescribeStatefulWorkloads|DescribeStatefulWorkloadsAllNamespaces|DescribeStatefulWorkloadInfo|DescribeStatefulWorkloadInstances|DescribeStatefulWorkloadImages|AssociateEipOfStatefulWorkload|UnAssociateEipOfStatefulWorkload)$"),
        ("Version" = String, Query, pattern = "^2017-11-16$"),
        ActionParams,
    ),
    request_body(content = Option<ActionBody>, description = "The Action's parameters (none: the query's)"),
    security(("bearer" = [])),
    responses((status = 200, description = "The Action's reply", body = Object), NcsErrors))]
async fn body_call(state: State<AppState>, req: Request) -> Response {
    call(state, req).await
}

async fn caller(state: &AppState, parts: &Parts) -> Result<NcsCaller, NcsError> {
    let presented = TokenHash::of(bearer(&parts.headers).ok_or_else(NcsError::auth_failure)?);
    if state.is_admin(presented) {
        return Ok(NcsCaller::Operator);
    }
    let caller = state.inner.ncs.authenticate(presented).await?;
    if let NcsCaller::Namespace { id, .. } = &caller {
        TenantNote::note(|| TenantKey::Namespace(*id));
    }
    Ok(caller)
}

/// Takes the request apart: the headers read in place, not copied, and the query decoded
/// once. The answer names the Action, when the request names a known one, for the
/// metrics.
async fn call(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // `Action` and `Version` address the call; they are none of the Action's parameters.
    let (mut action, mut version) = (None, None);
    let mut params = Map::new();
    for (key, value) in query::split(parts.uri.query()) {
        match &*key {
            "Action" => action = Some(value),
            "Version" => version = Some(value),
            _ => {
                params.insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
    }
    let action = NcsService::action(action.as_deref());
    let named = action.as_ref().ok().copied();
    let request = Call {
        version,
        action,
        params,
    };
    let mut response = answer(&state, &parts, body, request)
        .await
        .unwrap_or_else(IntoResponse::into_response);
    if let Some(action) = named {
        response.extensions_mut().insert(Operation(action.name()));
    }
    response
}

/// What the query names: the version, the Action as looked up (refused only after the
/// caller and the version are checked) and the other parameters.
struct Call<'a> {
    version: Option<Cow<'a, str>>,
    action: Result<NcsAction, NcsError>,
    params: Map<String, Value>,
}

/// A body value as the query would spell it: a string as it is, anything else as JSON.
fn text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// The request's answer.
async fn answer(
    state: &AppState,
    parts: &Parts,
    body: Body,
    call: Call<'_>,
) -> Result<Response, Failure<NcsError>> {
    let caller = caller(state, parts).await?;
    NcsService::check_version(call.version.as_deref())?;
    let action = call.action?;
    let mut params = call.params;
    match json_body(read_body(body, state).await) {
        Ok(Value::Null) => {}
        // A body's parameters join the query's; one both give must be the same in both.
        Ok(Value::Object(body)) => {
            for (key, value) in body {
                if let Some(given) = params.get(&key)
                    && given.as_str() != Some(text(&value).as_ref())
                {
                    return Err(NcsError::invalid_because(
                        &key,
                        "the query and the body give it different values",
                    )
                    .into());
                }
                params.insert(key, value);
            }
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
    }
    let reply = state
        .inner
        .ncs
        .call(&caller, action, &Value::Object(params))
        .await?;
    let mut text = Vec::with_capacity(4096);
    reply
        .write_json(&mut text)
        .map_err(|e| NcsError::from(podgate_core::Error::backend(e.to_string())))?;
    Ok(json_text(StatusCode::OK, text))
}

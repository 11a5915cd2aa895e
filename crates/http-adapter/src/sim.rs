//! The simulator's controls over HTTP (admin token): its clock, and its faults. On a
//! backend that is not the simulator each answers 404.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use podgate_core::SimulatorControls;
use podgate_core::model::PodId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::{AdminError, AdminErrors, AdminFailure, Operator, body};
use crate::cluster::Clock;
use crate::extract::RawBody;
use crate::state::AppState;

type Answer<T> = Result<T, AdminFailure>;

/// The longest single move of the clock: ten years.
const MAX_ADVANCE_SECONDS: u64 = 10 * 365 * 24 * 3600;

/// The simulator's routes, documented where they are handled.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(clock))
        .routes(routes!(crash))
        .routes(routes!(lose_node))
        .routes(routes!(restore_node))
        .routes(routes!(image))
}

/// The simulator, or 404.
fn simulator(state: &AppState) -> Answer<Arc<dyn SimulatorControls>> {
    state
        .simulator()
        .ok_or_else(|| AdminFailure::new(404, "the backend is not the simulator"))
}

/// The clock as it stands.
fn clock_now(sim: &dyn SimulatorControls) -> Clock {
    Clock::at(sim.now(), sim.paused())
}

/// `POST /admin/v1/sim/clock` body: at least one of the two.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
struct ClockInput {
    /// Seconds to move the simulated clock forward, at most ten years (absent or null:
    /// it does not move).
    #[schema(maximum = 315_360_000)]
    advance_seconds: Option<u64>,
    /// Pause the clock (true) or let it run on (false); a manual clock always stands
    /// still (absent or null: as it is).
    paused: Option<bool>,
}

#[utoipa::path(post, path = "/admin/v1/sim/clock", tag = "admin", request_body = ClockInput,
    security(("bearer" = [])),
    responses((status = 200, description = "The clock after the change", body = Clock),
        (status = 400, body = AdminError),
        (status = 404, description = "the backend is not the simulator", body = AdminError),
        (status = 413, body = AdminError), AdminErrors))]
async fn clock(State(s): State<AppState>, _: Operator, raw: RawBody) -> Answer<Json<Clock>> {
    let sim = simulator(&s)?;
    let input: ClockInput = body(raw)?;
    if input.advance_seconds.is_none() && input.paused.is_none() {
        return Err(AdminFailure::new(
            400,
            "give advance_seconds, paused, or both",
        ));
    }
    if input
        .advance_seconds
        .is_some_and(|s| s > MAX_ADVANCE_SECONDS)
    {
        return Err(AdminFailure::new(
            400,
            "advance_seconds is at most ten years",
        ));
    }
    if let Some(paused) = input.paused {
        sim.set_paused(paused)?;
    }
    if let Some(seconds) = input.advance_seconds {
        sim.advance(Duration::from_secs(seconds))?;
    }
    Ok(Json(clock_now(sim.as_ref())))
}

/// `POST /admin/v1/sim/pods/{pod}/crash` body.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
struct CrashInput {
    /// The container that crashes.
    #[schema(required = true, nullable = false, min_length = 1)]
    container: Option<String>,
}

#[utoipa::path(post, path = "/admin/v1/sim/pods/{pod}/crash", tag = "admin", request_body = CrashInput,
    params(("pod" = u64, Path, description = "The pod's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The container crashed: it waits in CrashLoopBackOff, its restart count one higher", body = Object),
        (status = 400, body = AdminError),
        (status = 404, description = "no such pod or container, or not the simulator", body = AdminError),
        (status = 409, description = "the container is not running", body = AdminError),
        (status = 413, body = AdminError), AdminErrors))]
async fn crash(
    State(s): State<AppState>,
    _: Operator,
    Path(pod): Path<String>,
    raw: RawBody,
) -> Answer<Json<serde_json::Value>> {
    let sim = simulator(&s)?;
    let pod = pod
        .parse::<u64>()
        .map_err(|_| AdminFailure::new(404, format!("pod {pod} not found")))?;
    let input: CrashInput = body(raw)?;
    let container = input
        .container
        .ok_or_else(|| AdminFailure::new(400, "container is required"))?;
    sim.crash_container(PodId(pod), &container)?;
    Ok(Json(serde_json::json!({})))
}

#[utoipa::path(post, path = "/admin/v1/sim/nodes/{node}/lose", tag = "admin",
    params(("node" = String, Path, description = "The node's name")),
    security(("bearer" = [])),
    responses((status = 200, description = "The node stopped answering; its pods are lost or moved as their node-loss policy says", body = Object),
        (status = 404, description = "no such node, or not the simulator", body = AdminError), AdminErrors))]
async fn lose_node(
    State(s): State<AppState>,
    _: Operator,
    Path(node): Path<String>,
) -> Answer<Json<serde_json::Value>> {
    simulator(&s)?.lose_node(&node)?;
    Ok(Json(serde_json::json!({})))
}

#[utoipa::path(post, path = "/admin/v1/sim/nodes/{node}/restore", tag = "admin",
    params(("node" = String, Path, description = "The node's name")),
    security(("bearer" = [])),
    responses((status = 200, description = "The node answers again", body = Object),
        (status = 404, description = "no such node, or not the simulator", body = AdminError), AdminErrors))]
async fn restore_node(
    State(s): State<AppState>,
    _: Operator,
    Path(node): Path<String>,
) -> Answer<Json<serde_json::Value>> {
    simulator(&s)?.restore_node(&node)?;
    Ok(Json(serde_json::json!({})))
}

/// `POST /admin/v1/sim/images` body.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
struct ImageInput {
    /// The image reference (`nginx:stable`; no tag means `latest`).
    #[schema(required = true, schema_with = podgate_core::validate::image_reference_schema)]
    image: Option<String>,
    /// Whether it can be pulled from now on: false makes it unpullable (a fault).
    #[schema(required = true, nullable = false)]
    pullable: Option<bool>,
}

#[utoipa::path(post, path = "/admin/v1/sim/images", tag = "admin", request_body = ImageInput,
    security(("bearer" = [])),
    responses((status = 200, description = "The registry holds the image, or no longer does", body = Object),
        (status = 400, body = AdminError),
        (status = 404, description = "an image to make unpullable that is not there, or not the simulator", body = AdminError),
        (status = 413, body = AdminError), AdminErrors))]
async fn image(
    State(s): State<AppState>,
    _: Operator,
    raw: RawBody,
) -> Answer<Json<serde_json::Value>> {
    let sim = simulator(&s)?;
    let input: ImageInput = body(raw)?;
    let (Some(image), Some(pullable)) = (input.image, input.pullable) else {
        return Err(AdminFailure::new(400, "image and pullable are required"));
    };
    podgate_core::validate::image_reference(&image)
        .map_err(|reason| AdminFailure::new(400, format!("image {reason}")))?;
    if pullable {
        sim.add_image(&image)?;
    } else {
        sim.remove_image(&image)?;
    }
    Ok(Json(serde_json::json!({})))
}

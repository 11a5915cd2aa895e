//! podgate-http: axum routers serving the four vendor dialects on their documented
//! paths, byte-compatible with the vendors' documents, plus the admin API, health,
//! readiness, metrics and the OpenAPI document; and the standalone server `podgate`.
//!
//! ```
//! use std::sync::Arc;
//! use axum::body::Body;
//! use axum::http::Request;
//! use podgate_backend_sim::{SimBackend, SimConfig};
//! use podgate_http::{AppState, HttpConfig, app};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let sim = Arc::new(SimBackend::new(SimConfig::default()));
//! let app = app(AppState::simulated(sim, HttpConfig::new("admin-secret")));
//! let reply = app
//!     .oneshot(Request::get("/k8s/regions").body(Body::empty()).unwrap())
//!     .await
//!     .unwrap();
//! assert_eq!(reply.status(), 200);
//! # }
//! ```

mod admin;
mod cluster;
mod console;
mod extract;
mod failure;
mod feed;
mod guard;
mod ief;
mod metrics;
mod ncs;
mod openapi;
mod ops;
mod query;
mod server;
mod sim;
mod state;
mod vkube;
mod yuanrong;

use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use openapi::openapi;
pub use server::{serve, shutdown_signal};
pub use state::{AppState, HttpConfig};

/// Every route: the four dialects, the admin API, `/healthz`, `/readyz`, `/metrics`,
/// `/openapi.json` and the web console at `/ui`, with the body limit, timeout, panic catcher (in the guard, so the
/// answer has the dialect's shape), tracing and metrics.
pub fn app(state: AppState) -> Router {
    // One layer stack, so that a request passes one boxed service for all of them.
    let layers = ServiceBuilder::new()
        // The last resort for a panic outside the guard (which answers its own).
        .layer(CatchPanicLayer::new())
        .layer(
            // A span per request while debug logging is on; the guard logs each answer.
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    if tracing::enabled!(tracing::Level::DEBUG) {
                        tracing::debug_span!("request", method = %req.method(), uri = %req.uri())
                    } else {
                        tracing::Span::none()
                    }
                })
                .on_request(())
                .on_response(())
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(guard::GuardLayer(state.clone()));
    openapi::router().layer(layers).with_state(state)
}

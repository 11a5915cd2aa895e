//! The web console at `/ui`: a page, its script and its style, embedded in the binary.
//! They hold no data: the page asks for the admin token and reads everything through
//! the admin API (`/admin/v1/cluster`, the event feed, the simulator's controls).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

const PAGE: &str = include_str!("console/index.html");
const SCRIPT: &str = include_str!("console/console.js");
const STYLE: &str = include_str!("console/console.css");

/// Only this server's own script and style, and calls back to it.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                      connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; \
                      frame-ancestors 'none'";

/// The console's routes (not part of the API document).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/ui", get(|| asset("text/html; charset=utf-8", PAGE)))
        .route("/ui/", get(|| asset("text/html; charset=utf-8", PAGE)))
        .route(
            "/ui/console.js",
            get(|| asset("text/javascript; charset=utf-8", SCRIPT)),
        )
        .route(
            "/ui/console.css",
            get(|| asset("text/css; charset=utf-8", STYLE)),
        )
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

//! The middleware every request passes: metrics, the request timeout, the panic
//! catcher, and the dialect's own error shape for what the router answers itself
//! (unknown path, wrong method).

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use serde_json::json;

use crate::state::AppState;

/// Which API a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Ncs,
    Ief,
    Vkube,
    Yuanrong,
    Admin,
    Ops,
}

impl Dialect {
    pub(crate) fn of(path: &str) -> Self {
        let p = path.trim_start_matches('/');
        if p == "ncs" || p.starts_with("ncs/") {
            Self::Ncs
        } else if p.starts_with("v3/") || p.starts_with("v2/") {
            Self::Ief
        } else if p.starts_with("k8s/") || p.starts_with("api/v1/k8s/") {
            Self::Vkube
        } else if p.starts_with("serverless/") {
            Self::Yuanrong
        } else if p.starts_with("admin/") {
            Self::Admin
        } else {
            Self::Ops
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Ncs => "ncs",
            Self::Ief => "ief",
            Self::Vkube => "vkube",
            Self::Yuanrong => "yuanrong",
            Self::Admin => "admin",
            Self::Ops => "ops",
        }
    }

    /// An error in this dialect's shape.
    pub(crate) fn error(self, status: StatusCode, message: &str) -> Response {
        let code = status.as_u16();
        let body = match self {
            Self::Ncs => json!({
                "RequestId": uuid::Uuid::new_v4().to_string(),
                "Code": match status {
                    StatusCode::NOT_FOUND => "InvalidParameterValue",
                    StatusCode::METHOD_NOT_ALLOWED => "UnsupportedOperation",
                    _ => "InternalServerError",
                },
                "Message": message,
            }),
            Self::Ief => json!({
                "error_code": match status {
                    StatusCode::NOT_FOUND => "IEF.100404",
                    StatusCode::METHOD_NOT_ALLOWED => "IEF.100405",
                    _ => "IEF.100500",
                },
                "error_msg": message,
            }),
            Self::Vkube => {
                json!({"error": {"code": code, "message": if code >= 500 { "server errror" } else { message }}})
            }
            Self::Yuanrong => json!({
                "code": if code >= 500 { podgate_core::dialects::yuanrong::INTERNAL } else { i32::from(code) },
                "message": message,
            }),
            Self::Admin | Self::Ops => json!({"error": {"code": code, "message": message}}),
        };
        (status, Json(body)).into_response()
    }
}

/// The operation a request names, for metrics: the NCS Action, else the route.
fn operation(dialect: Dialect, req: &Request) -> Cow<'static, str> {
    if dialect == Dialect::Ncs {
        // Valid Action names need no percent-decoding: a plain scan finds them.
        let action = req.uri().query().and_then(|q| {
            q.rsplit('&')
                .filter_map(|pair| pair.strip_prefix("Action="))
                .find_map(podgate_core::dialects::ncs::NcsAction::from_name)
        });
        if let Some(action) = action {
            return Cow::Borrowed(action.name());
        }
    }
    req.extensions()
        .get::<MatchedPath>()
        .map_or(Cow::Borrowed("unmatched"), |p| {
            Cow::Owned(format!("{} {}", req.method(), p.as_str()))
        })
}

/// Runs `work` with a time limit. Most requests finish in their first poll (the
/// simulator answers without waiting): those never arm a timer, which would cost more
/// than the rest of the request.
async fn within<F: std::future::Future>(
    limit: std::time::Duration,
    work: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    let mut work = std::pin::pin!(work);
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(work.as_mut().poll(cx))).await;
    match first {
        std::task::Poll::Ready(output) => Ok(output),
        std::task::Poll::Pending => tokio::time::timeout(limit, work).await,
    }
}

/// Runs a request with metrics, timeout and panic catching; rewrites the router's own
/// bodiless 404 and 405 answers into the dialect's error shape.
pub(crate) async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let dialect = Dialect::of(req.uri().path());
    let operation = operation(dialect, &req);
    let method = req.method().clone();
    let timeout = state.inner.config.request_timeout;
    let run = AssertUnwindSafe(next.run(req)).catch_unwind();
    let response = match within(timeout, run).await {
        Err(_) => {
            tracing::warn!(dialect = dialect.name(), %operation, "request timed out");
            dialect.error(StatusCode::GATEWAY_TIMEOUT, "the request timed out")
        }
        Ok(Err(_)) => {
            tracing::error!(dialect = dialect.name(), %operation, "handler panicked");
            dialect.error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
        Ok(Ok(response)) => {
            let bare = !response.headers().contains_key(header::CONTENT_TYPE);
            match response.status() {
                StatusCode::NOT_FOUND if bare => {
                    dialect.error(StatusCode::NOT_FOUND, "no such API")
                }
                StatusCode::METHOD_NOT_ALLOWED if bare => {
                    let allow = response.headers().get(header::ALLOW).cloned();
                    let mut fixed = dialect.error(
                        StatusCode::METHOD_NOT_ALLOWED,
                        &format!("method {method} is not allowed here"),
                    );
                    if let Some(allow) = allow {
                        fixed.headers_mut().insert(header::ALLOW, allow);
                    }
                    fixed
                }
                _ => response,
            }
        }
    };
    state.inner.metrics.record(
        dialect.name(),
        operation,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use podgate_backend_sim::{SimBackend, SimConfig};
    use tower::ServiceExt;

    use super::*;
    use crate::state::HttpConfig;

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }

    #[allow(clippy::panic)]
    async fn broken() -> &'static str {
        panic!("handler bug")
    }

    async fn ask(path: &str) -> (u16, serde_json::Value) {
        let mut config = HttpConfig::new("admin");
        config.request_timeout = Duration::from_millis(50);
        let state = AppState::simulated(Arc::new(SimBackend::new(SimConfig::default())), config);
        let app = Router::new()
            .route("/ncs", get(slow))
            .route("/k8s/regions", get(broken))
            .route("/serverless/v1/podpools", get(slow))
            .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
            .with_state(state);
        let reply = app
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = reply.status().as_u16();
        let body = reply.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn timeouts_answer_in_the_dialects_shape() {
        let (status, body) = ask("/ncs?Action=DescribeStatefulWorkloads").await;
        assert_eq!(status, 504);
        assert_eq!(body["Code"], "InternalServerError");
        let (status, body) = ask("/serverless/v1/podpools").await;
        assert_eq!(status, 504);
        assert!(body["code"].is_number() && body["message"].is_string());
    }

    #[tokio::test]
    async fn panics_answer_in_the_dialects_shape() {
        let (status, body) = ask("/k8s/regions").await;
        assert_eq!(status, 500);
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": 500, "message": "server errror"}})
        );
    }

    #[test]
    fn paths_map_to_dialects() {
        assert_eq!(Dialect::of("/ncs"), Dialect::Ncs);
        assert_eq!(Dialect::of("//v3/p/edgemgr/pods"), Dialect::Ief);
        assert_eq!(Dialect::of("/v2/p/edgemgr/nodes"), Dialect::Ief);
        assert_eq!(Dialect::of("/api/v1/k8s/regions"), Dialect::Vkube);
        assert_eq!(Dialect::of("/k8s/deploy"), Dialect::Vkube);
        assert_eq!(Dialect::of("/serverless/v1/podpools"), Dialect::Yuanrong);
        assert_eq!(Dialect::of("/admin/v1/topology"), Dialect::Admin);
        assert_eq!(Dialect::of("/healthz"), Dialect::Ops);
    }
}

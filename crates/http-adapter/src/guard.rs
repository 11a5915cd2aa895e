//! The middleware every request passes: metrics, the request timeout, the panic
//! catcher, and the dialect's own error shape for what the router answers itself
//! (unknown path, wrong method).

use std::borrow::Cow;
use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::CatchUnwind;
use podgate_core::dialects::ief::IefError;
use podgate_core::dialects::ncs::NcsError;
use podgate_core::dialects::vkube::VkubeError;
use podgate_core::dialects::yuanrong::YrError;
use podgate_core::feed::FeedEvent;
use podgate_core::model::TenantKey;
use tower::{Layer, Service};

use crate::admin::AdminFailure;
use crate::failure::{ErrorCode, outside};
use crate::metrics::Operation;
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

    /// Whether this is one of the four vendor dialects (whose requests the event feed
    /// records).
    fn is_vendor(self) -> bool {
        !matches!(self, Self::Admin | Self::Ops)
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
        match self {
            Self::Ncs => outside::<NcsError>(status, message),
            Self::Ief => outside::<IefError>(status, message),
            Self::Vkube => outside::<VkubeError>(status, message),
            Self::Yuanrong => outside::<YrError>(status, message),
            Self::Admin | Self::Ops => AdminFailure::new(status.as_u16(), message).into_response(),
        }
    }
}

/// The operation a request's route names, for metrics: `METHOD /path`. NCS requests
/// on its route are named by their handler ([`Operation`]), so they get a name here
/// only when the handler gives none (a timeout, a panic).
fn route_operation(dialect: Dialect, req: &Request) -> Option<Cow<'static, str>> {
    match req.extensions().get::<MatchedPath>() {
        None => Some(Cow::Borrowed("unmatched")),
        Some(_) if dialect == Dialect::Ncs => None,
        Some(p) => Some(Cow::Owned(format!("{} {}", req.method(), p.as_str()))),
    }
}

/// The guard around every route: see [`Guard`].
#[derive(Debug, Clone)]
pub(crate) struct GuardLayer(pub(crate) AppState);

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            state: self.0.clone(),
        }
    }
}

/// Runs a request with metrics, timeout and panic catching; rewrites the router's own
/// bodiless 404 and 405 answers into the dialect's error shape.
#[derive(Debug, Clone)]
pub(crate) struct Guard<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let dialect = Dialect::of(req.uri().path());
        let operation = route_operation(dialect, &req);
        let method = req.method().clone();
        Guarded {
            work: AssertUnwindSafe(self.inner.call(req)).catch_unwind(),
            deadline: None,
            started,
            dialect,
            operation,
            method,
            recorded: dialect.is_vendor() && self.state.inner.feed.is_some(),
            tenant: None,
            state: self.state.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// A request under the guard. Most requests finish in their first poll (the
    /// simulator answers without waiting): those never arm a timer, which would cost
    /// more than the rest of the request.
    pub(crate) struct Guarded<F> {
        #[pin]
        work: CatchUnwind<AssertUnwindSafe<F>>,
        deadline: Option<Pin<Box<tokio::time::Sleep>>>,
        started: Instant,
        dialect: Dialect,
        operation: Option<Cow<'static, str>>,
        method: Method,
        // Whether the event feed records this request, and the tenant its handler
        // noted (see `TenantNote`).
        recorded: bool,
        tenant: Option<TenantKey>,
        state: AppState,
    }
}

thread_local! {
    /// The tenant noted by the handler the guard is polling on this thread: `None`
    /// when no guard is listening, `Some(None)` while one is and nothing is noted yet.
    static NOTED: RefCell<Option<Option<TenantKey>>> = const { RefCell::new(None) };
}

/// Where a dialect's handler notes whose credential a request carried, for the event
/// feed (once the credential is checked; the operator's token names no tenant).
///
/// The guard polls the handler's future itself, so what the handler notes during a
/// poll is on the guard's thread when that poll returns: the note is a thread-local
/// the guard arms before each poll and takes after it. A slot shared per request (an
/// `Arc` in the request's extensions) did the same for one allocation and one
/// extension insert per request: 3.3 against 3.2 µs a request in process
/// (`cargo bench --bench http_load`, docs/benchmarks.md).
pub(crate) struct TenantNote;

impl TenantNote {
    /// Notes `tenant` for the request being handled, if the guard listens.
    pub(crate) fn note(tenant: impl FnOnce() -> TenantKey) {
        NOTED.with(|noted| {
            if let Some(slot) = noted.borrow_mut().as_mut() {
                *slot = Some(tenant());
            }
        });
    }

    /// Listens for a note on this thread.
    fn listen() {
        NOTED.with(|noted| *noted.borrow_mut() = Some(None));
    }

    /// Stops listening; answers what was noted meanwhile.
    fn take() -> Option<TenantKey> {
        NOTED.with(|noted| noted.borrow_mut().take().flatten())
    }
}

impl<F> Future for Guarded<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let dialect = *this.dialect;
        if *this.recorded {
            TenantNote::listen();
        }
        let polled = this.work.poll(cx);
        if *this.recorded
            && let Some(tenant) = TenantNote::take()
        {
            *this.tenant = Some(tenant);
        }
        let response = match polled {
            Poll::Ready(Ok(Ok(response))) => dialect_shaped(dialect, this.method, response),
            Poll::Ready(Err(_)) => {
                tracing::error!(dialect = dialect.name(), operation = ?this.operation, "handler panicked");
                dialect.error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
            Poll::Pending => {
                let limit = this.state.inner.config.request_timeout;
                let started = *this.started;
                let deadline = this.deadline.get_or_insert_with(|| {
                    Box::pin(tokio::time::sleep_until((started + limit).into()))
                });
                if deadline.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                tracing::warn!(dialect = dialect.name(), operation = ?this.operation, "request timed out");
                dialect.error(StatusCode::GATEWAY_TIMEOUT, "the request timed out")
            }
        };
        let operation = match response.extensions().get::<Operation>() {
            Some(named) => Cow::Borrowed(named.0),
            None => this
                .operation
                .take()
                .unwrap_or_else(|| Cow::Owned(format!("{} {}", this.method, crate::ncs::PATH))),
        };
        let status = response.status().as_u16();
        if let (Some(feed), true) = (&this.state.inner.feed, *this.recorded) {
            feed.record(
                this.state.now(),
                FeedEvent::Request {
                    dialect: dialect.name().into(),
                    operation: operation.clone(),
                    tenant: this.tenant.take(),
                    status,
                    error_code: response
                        .extensions()
                        .get::<ErrorCode>()
                        .map(|c| c.0.clone()),
                },
            );
        }
        this.state.inner.metrics.record(
            dialect.name(),
            operation,
            status,
            this.started.elapsed().as_secs_f64(),
        );
        Poll::Ready(Ok(response))
    }
}

/// The router's own bodiless 404 and 405 answers in the dialect's error shape; any
/// other response as it is.
fn dialect_shaped(dialect: Dialect, method: &Method, response: Response) -> Response {
    if response.headers().contains_key(header::CONTENT_TYPE) {
        return response;
    }
    match response.status() {
        StatusCode::NOT_FOUND => dialect.error(StatusCode::NOT_FOUND, "no such API"),
        StatusCode::METHOD_NOT_ALLOWED => {
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
            .layer(GuardLayer(state.clone()))
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

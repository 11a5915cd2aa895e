//! Test support: [`Faulty`], a service in front of any `kube::Client` that counts the
//! API requests made and injects faults (an API status, a hung call, a lost reply),
//! and the two clients tests run on:
//!
//! - [`on_cluster`]: the real control plane `KUBECONFIG` names
//!   (`scripts/cluster.sh start DIR`), for everything a cluster does on its own
//!   (controllers, scheduler, kubelets, logs, paging, defaults);
//! - [`fake`]: the registry's Kubernetes API test double (`kube-fake-client`) as a
//!   plain object store, for unit tests of write paths and faults. In front of it
//!   ([`Store`]) only what a store needs to take podgate's writes as an API server
//!   does, following the API conventions:
//!   - Namespaces (the double refuses their path): create (201, or 409
//!     `AlreadyExists`) and get (200, or 404 `NotFound`), kept in memory here;
//!   - form-encoded queries: the double decodes `%20` but not `+` as a space, so a
//!     set-based selector (`key in (a,b)`) as kube encodes it would not parse;
//!     queries are passed on with `+` written as `%20`;
//!   - atomic conditional writes: the double checks a write's `resourceVersion` and
//!     then stores it in two steps, so two concurrent writes can both pass the check;
//!     an API server compares and swaps in one step. Writes are passed to the double
//!     one at a time, which restores that;
//!   - status subresources for Pods, StatefulSets and Deployments (the double's own
//!     option): a write of the object keeps its status.
//!
//!   Nothing there plays a controller, a scheduler or a kubelet: pods exist on the
//!   store only where podgate (or the test) writes them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use kube::client::Body;

use podgate_core::model::{NewTenant, TenantKey};
use podgate_core::secret::TokenHash;

use crate::retry::Backoff;

/// A tenant `key` to create, reached by `token`: what tests need of one.
pub(crate) fn new_tenant(key: TenantKey, token: &str) -> NewTenant {
    NewTenant::new(key, TokenHash::of(token))
}

/// A fault to answer a request with instead of passing it on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fault {
    /// An API status error, as the API server sends one (`429`, `500`, ...).
    Status(u16, &'static str),
    /// No answer at all (the caller's timeout has to notice).
    Hang,
    /// The request is carried out, but its reply is lost (the caller sees a 504).
    LostReply,
}

/// Which requests a fault applies to: their method and a piece of their path.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) fault: Fault,
}

/// Faults waiting to be served, and the requests counted.
#[derive(Default)]
pub(crate) struct Plan {
    faults: Mutex<VecDeque<Rule>>,
    requests: AtomicUsize,
    seen: Mutex<Vec<String>>,
}

impl Plan {
    /// Queues a fault for the next request that matches `method` and contains `path`.
    pub(crate) fn inject(&self, method: &'static str, path: &'static str, fault: Fault) {
        self.faults.lock().unwrap().push_back(Rule {
            method,
            path,
            fault,
        });
    }

    /// API requests made so far, faulted ones included.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Every request made so far, as `METHOD path?query`, in order.
    pub(crate) fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// Faults queued and not served yet.
    pub(crate) fn pending(&self) -> usize {
        self.faults.lock().unwrap().len()
    }

    /// The first fault queued for a request of `method` to `path`, taken off the queue.
    fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap();
        let at = faults
            .iter()
            .position(|r| r.method == method && path.contains(r.path))?;
        faults.remove(at).map(|r| r.fault)
    }
}

/// Counts every request to `inner` and answers those a fault was queued for with it.
#[derive(Clone)]
pub(crate) struct Faulty {
    inner: kube::Client,
    plan: Arc<Plan>,
}

impl tower::Service<Request<Body>> for Faulty {
    type Response = Response<Body>;
    type Error = kube::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, kube::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        self.plan.requests.fetch_add(1, Ordering::SeqCst);
        self.plan
            .seen
            .lock()
            .unwrap()
            .push(format!("{} {}", req.method(), req.uri()));
        let fault = self.plan.take(req.method().as_str(), req.uri().path());
        let inner = self.inner.clone();
        Box::pin(async move {
            match fault {
                Some(Fault::Hang) => std::future::pending().await,
                Some(Fault::LostReply) => {
                    drop(inner.send(req).await);
                    Ok(status(504, "Timeout", "the reply was lost"))
                }
                Some(Fault::Status(code, reason)) => {
                    Ok(status(code, reason, &format!("injected {code}")))
                }
                None => inner.send(req).await,
            }
        })
    }
}

/// `inner` behind [`Faulty`]: the client to use, and the plan that faults and counts
/// its requests.
fn faulty(inner: kube::Client) -> (kube::Client, Arc<Plan>) {
    let plan = Arc::new(Plan::default());
    let namespace = inner.default_namespace().to_owned();
    let client = kube::Client::new(
        Faulty {
            inner,
            plan: plan.clone(),
        },
        namespace,
    );
    (client, plan)
}

/// kube-fake-client with what a store needs to take podgate's writes as an API
/// server does; see the module's notes.
#[derive(Clone)]
struct Store {
    inner: kube::Client,
    namespaces: Arc<Mutex<BTreeMap<String, serde_json::Value>>>,
    writes: Arc<tokio::sync::Mutex<()>>,
}

impl tower::Service<Request<Body>> for Store {
    type Response = Response<Body>;
    type Error = kube::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, kube::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        if let Some(query) = req.uri().query().filter(|q| q.contains('+')) {
            let uri = format!("{}?{}", req.uri().path(), query.replace('+', "%20"));
            *req.uri_mut() = uri.parse().unwrap();
        }
        let store = self.clone();
        Box::pin(async move {
            let path = req.uri().path();
            if let Some(rest) = path.strip_prefix("/api/v1/namespaces")
                && !rest.trim_start_matches('/').contains('/')
            {
                return Ok(store.namespace(req).await);
            }
            if req.method() == http::Method::GET {
                return store.inner.send(req).await;
            }
            let _one_at_a_time = store.writes.lock().await;
            store.inner.send(req).await
        })
    }
}

impl Store {
    /// The Namespace API: `POST /api/v1/namespaces`, `GET /api/v1/namespaces/{name}`.
    async fn namespace(&self, req: Request<Body>) -> Response<Body> {
        use http_body_util::BodyExt;
        let path = req.uri().path().to_owned();
        let name = path["/api/v1/namespaces".len()..]
            .trim_start_matches('/')
            .to_owned();
        let method = req.method().clone();
        let body = req.into_body().collect().await.unwrap().to_bytes();
        let mut namespaces = self.namespaces.lock().unwrap();
        match (method, name.is_empty()) {
            (http::Method::POST, true) => {
                let mut object: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let name = object["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if namespaces.contains_key(&name) {
                    return status(
                        409,
                        "AlreadyExists",
                        &format!("namespaces \"{name}\" already exists"),
                    );
                }
                object["metadata"]["resourceVersion"] = serde_json::json!("1");
                object["status"] = serde_json::json!({"phase": "Active"});
                namespaces.insert(name, object.clone());
                json(201, &object)
            }
            (http::Method::GET, false) => match namespaces.get(&name) {
                Some(object) => json(200, object),
                None => status(404, "NotFound", &format!("namespaces \"{name}\" not found")),
            },
            (method, _) => status(
                405,
                "MethodNotAllowed",
                &format!("{method} {path} is not served by the store"),
            ),
        }
    }
}

/// An API status reply.
fn status(code: u16, reason: &str, message: &str) -> Response<Body> {
    let body = serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code,
    });
    json(code, &body)
}

/// A JSON reply.
fn json(code: u16, body: &serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

/// A client on a fresh, empty store, and the plan that faults and counts its requests.
pub(crate) async fn fake() -> (kube::Client, Arc<Plan>) {
    fake_with(kube_fake_client::ClientBuilder::new()).await
}

/// A client on the store `builder` makes (with interceptors, say). Pods, StatefulSets
/// and Deployments have a status subresource, as on an API server: a write of the
/// object keeps its status, and only a status write changes it.
pub(crate) async fn fake_with(
    builder: kube_fake_client::ClientBuilder,
) -> (kube::Client, Arc<Plan>) {
    use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
    use k8s_openapi::api::core::v1::Pod;
    let double = builder
        .with_status_subresource::<Pod>()
        .with_status_subresource::<StatefulSet>()
        .with_status_subresource::<Deployment>()
        .build()
        .await
        .unwrap();
    let store = Store {
        inner: double,
        namespaces: Arc::default(),
        writes: Arc::default(),
    };
    faulty(kube::Client::new(store, "default"))
}

/// A client on the cluster `KUBECONFIG` names (`scripts/cluster.sh start DIR` makes
/// one), and the plan that faults and counts its requests. Panics without one: the
/// tests that call this are ignored unless asked for.
pub(crate) async fn on_cluster() -> (kube::Client, Arc<Plan>) {
    // An error here means a provider is installed already, which is what is needed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let real = kube::Client::try_default()
        .await
        .expect("a cluster: KUBECONFIG names one (scripts/cluster.sh start DIR)");
    faulty(real)
}

/// Retries as in production, with short waits so tests stay fast.
pub(crate) fn quick() -> Backoff {
    Backoff {
        tries: 5,
        first: Duration::from_millis(1),
        timeout: Duration::from_millis(200),
        budget: Duration::from_secs(2),
    }
}

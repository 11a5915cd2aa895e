//! Test support: the registry's Kubernetes test double (`kube-fake-client`) behind a
//! service that counts the API requests made, injects the faults the double cannot
//! make itself (429, a hung call), and scripts what it lacks, following the Kubernetes
//! API conventions:
//!
//! - Namespaces (the double refuses their path): create (201, or 409 `AlreadyExists`)
//!   and get (200, or 404 `NotFound`), kept in memory here;
//! - Nodes (cluster-scoped as well): the list, of nodes a test registers as a kubelet
//!   would;
//! - `pods/log`: the text a test sets for a container, cut to `tailLines`, or 404
//!   `NotFound` for a pod with none;
//! - atomic conditional writes: the double checks a write's `resourceVersion` and then
//!   stores it in two steps, so two concurrent writes can both pass the check; an API
//!   server compares and swaps in one step. Writes are passed to the double one at a
//!   time, which restores that.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use kube::client::Body;

use crate::retry::Backoff;

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

/// Faults waiting to be served, requests counted, and the scripted Namespaces.
#[derive(Default)]
pub(crate) struct Plan {
    faults: Mutex<VecDeque<Rule>>,
    requests: AtomicUsize,
    namespaces: Mutex<std::collections::BTreeMap<String, serde_json::Value>>,
    nodes: Mutex<Vec<serde_json::Value>>,
    logs: Mutex<std::collections::BTreeMap<String, String>>,
    writes: tokio::sync::Mutex<()>,
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

    /// Registers a node, as its kubelet would.
    pub(crate) fn add_node(&self, node: serde_json::Value) {
        self.nodes.lock().unwrap().push(node);
    }

    /// Sets what `pods/log` answers for a container, as its runtime would have logged.
    pub(crate) fn set_log(&self, namespace: &str, pod: &str, container: &str, text: &str) {
        self.logs
            .lock()
            .unwrap()
            .insert(format!("{namespace}/{pod}/{container}"), text.to_owned());
    }

    /// API requests made so far, faulted ones included.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap();
        let at = faults
            .iter()
            .position(|r| r.method == method && path.contains(r.path))?;
        faults.remove(at).map(|r| r.fault)
    }
}

#[derive(Clone)]
struct Faulty {
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
        let fault = self.plan.take(req.method().as_str(), req.uri().path());
        let inner = self.inner.clone();
        let plan = self.plan.clone();
        Box::pin(async move {
            match fault {
                Some(Fault::Hang) => std::future::pending().await,
                Some(Fault::LostReply) => {
                    let _one_at_a_time = plan.writes.lock().await;
                    drop(inner.send(req).await);
                    Ok(status(504, "Timeout", "the reply was lost"))
                }
                Some(Fault::Status(code, reason)) => {
                    Ok(status(code, reason, &format!("injected {code}")))
                }
                None if req.uri().path().starts_with("/api/v1/namespaces")
                    && !req.uri().path()["/api/v1/namespaces".len()..]
                        .trim_start_matches('/')
                        .contains('/') =>
                {
                    Ok(plan.namespace(req).await)
                }
                None if req.uri().path() == "/api/v1/nodes" => {
                    let items = plan.nodes.lock().unwrap().clone();
                    Ok(json(
                        200,
                        &serde_json::json!({
                            "kind": "NodeList", "apiVersion": "v1",
                            "metadata": {"resourceVersion": "1"}, "items": items,
                        }),
                    ))
                }
                None if req.uri().path().ends_with("/log") => Ok(plan.log(&req)),
                None if req.method() == http::Method::GET => inner.send(req).await,
                None => {
                    let _one_at_a_time = plan.writes.lock().await;
                    inner.send(req).await
                }
            }
        })
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

fn json(code: u16, body: &serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

impl Plan {
    /// The scripted `pods/log`: `/api/v1/namespaces/{ns}/pods/{pod}/log?container=..`.
    fn log(&self, req: &Request<Body>) -> Response<Body> {
        let path = req.uri().path();
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (ns, pod) = match parts.as_slice() {
            ["api", "v1", "namespaces", ns, "pods", pod, "log"] => (*ns, *pod),
            _ => return status(404, "NotFound", "no such path"),
        };
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(req.uri().query().unwrap_or_default()).unwrap_or_default();
        let param = |k: &str| {
            query
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let container = param("container").unwrap_or_default();
        let Some(text) = self
            .logs
            .lock()
            .unwrap()
            .get(&format!("{ns}/{pod}/{container}"))
            .cloned()
        else {
            return status(404, "NotFound", &format!("pods \"{pod}\" not found"));
        };
        let text = match param("tailLines").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => {
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                lines[lines.len().saturating_sub(n)..].concat()
            }
            None => text,
        };
        Response::builder()
            .status(200)
            .header("content-type", "text/plain")
            .body(Body::from(text.into_bytes()))
            .unwrap()
    }

    /// The scripted Namespace API: `POST /api/v1/namespaces`, `GET
    /// /api/v1/namespaces/{name}`.
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
                &format!("{method} {path} is not scripted"),
            ),
        }
    }
}

/// A client on a fresh fake cluster, and the plan that faults and counts its requests.
pub(crate) async fn fake() -> (kube::Client, Arc<Plan>) {
    fake_with(kube_fake_client::ClientBuilder::new()).await
}

/// A client on the fake cluster `builder` makes (with interceptors, say).
pub(crate) async fn fake_with(
    builder: kube_fake_client::ClientBuilder,
) -> (kube::Client, Arc<Plan>) {
    let inner = builder.build().await.unwrap();
    let plan = Arc::new(Plan::default());
    let client = kube::Client::new(
        Faulty {
            inner,
            plan: plan.clone(),
        },
        "default",
    );
    (client, plan)
}

/// Retries as in production, with short waits so tests stay fast.
pub(crate) fn quick() -> Backoff {
    Backoff {
        tries: 5,
        first: Duration::from_millis(1),
        timeout: Duration::from_millis(200),
    }
}

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
//! - form-encoded queries: the double decodes `%20` but not `+` as a space, so a
//!   set-based selector (`key in (a,b)`) as kube encodes it would not parse; queries
//!   are passed on with `+` written as `%20`;
//! - `limit`/`continue` paging (the double cuts a list at `limit` and hands out no
//!   continue token): the list is fetched whole from the double, ordered by namespace
//!   and name as an API server orders it, cut after the item the token names, and
//!   given a token naming its last item when more follow, and `remainingItemCount`
//!   when the request has no selectors;
//! - the defaults an API server (and its default admission plugins) give a new pod:
//!   DNS policy, restart policy, scheduler, grace period, containers' termination
//!   message settings and image pull policy, the not-ready/unreachable
//!   tolerations, `status.phase: Pending` and a QoS class;
//! - atomic conditional writes: the double checks a write's `resourceVersion` and then
//!   stores it in two steps, so two concurrent writes can both pass the check; an API
//!   server compares and swaps in one step. Writes are passed to the double one at a
//!   time, which restores that.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "outside this crate's tests only the plain double is used (`fake`)"
    )
)]

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

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        self.plan.requests.fetch_add(1, Ordering::SeqCst);
        if let Some(query) = req.uri().query().filter(|q| q.contains('+')) {
            let uri = format!("{}?{}", req.uri().path(), query.replace('+', "%20"));
            *req.uri_mut() = uri.parse().unwrap();
        }
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
                None if req.method() == http::Method::GET
                    && req.uri().query().is_some_and(|q| q.contains("limit=")) =>
                {
                    Ok(paged(&inner, req).await)
                }
                None if req.method() == http::Method::GET => inner.send(req).await,
                None if req.method() == http::Method::POST
                    && req.uri().path().ends_with("/pods") =>
                {
                    let _one_at_a_time = plan.writes.lock().await;
                    inner.send(defaulted(req).await).await
                }
                None => {
                    let _one_at_a_time = plan.writes.lock().await;
                    inner.send(req).await
                }
            }
        })
    }
}

/// A pod create with the defaults an API server gives a new pod.
async fn defaulted(req: Request<Body>) -> Request<Body> {
    use http_body_util::BodyExt;
    let (parts, body) = req.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let mut pod: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let spec = &mut pod["spec"];
    for (key, value) in [
        ("dnsPolicy", serde_json::json!("ClusterFirst")),
        ("restartPolicy", serde_json::json!("Always")),
        ("schedulerName", serde_json::json!("default-scheduler")),
        ("terminationGracePeriodSeconds", serde_json::json!(30)),
        ("enableServiceLinks", serde_json::json!(true)),
    ] {
        if spec[key].is_null() {
            spec[key] = value;
        }
    }
    for container in spec["containers"].as_array_mut().into_iter().flatten() {
        let latest = container["image"]
            .as_str()
            .is_none_or(|i| !i.contains(':') || i.ends_with(":latest"));
        for (key, value) in [
            (
                "terminationMessagePath",
                serde_json::json!("/dev/termination-log"),
            ),
            ("terminationMessagePolicy", serde_json::json!("File")),
            (
                "imagePullPolicy",
                serde_json::json!(if latest { "Always" } else { "IfNotPresent" }),
            ),
        ] {
            if container[key].is_null() {
                container[key] = value;
            }
        }
    }
    if spec["tolerations"].is_null() {
        spec["tolerations"] = serde_json::json!(
            [
                "node.kubernetes.io/not-ready",
                "node.kubernetes.io/unreachable"
            ]
            .map(|key| {
                serde_json::json!({"key": key, "operator": "Exists", "effect": "NoExecute",
                    "tolerationSeconds": 300})
            })
        );
    }
    if pod["status"].is_null() {
        pod["status"] = serde_json::json!({"phase": "Pending", "qosClass": "BestEffort"});
    }
    Request::from_parts(parts, Body::from(serde_json::to_vec(&pod).unwrap()))
}

/// A request's query parameters, decoded.
fn query(req: &Request<Body>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(req.uri().query().unwrap_or_default()).unwrap_or_default()
}

/// The first value of query parameter `key`.
fn param(query: &[(String, String)], key: &str) -> Option<String> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// A list request answered one chunk at a time; see the module's notes.
async fn paged(inner: &kube::Client, req: Request<Body>) -> Response<Body> {
    use http_body_util::BodyExt;
    let query = query(&req);
    let limit: usize = param(&query, "limit").unwrap().parse().unwrap();
    let after = param(&query, "continue");
    let selected = query
        .iter()
        .any(|(k, v)| (k == "labelSelector" || k == "fieldSelector") && !v.is_empty());
    let rest: Vec<&(String, String)> = query
        .iter()
        .filter(|(k, _)| k != "limit" && k != "continue")
        .collect();
    let uri = format!(
        "{}?{}",
        req.uri().path(),
        serde_urlencoded::to_string(&rest)
            .unwrap()
            .replace('+', "%20")
    );
    let whole = http::Request::get(uri).body(Body::empty()).unwrap();
    let answer = inner.send(whole).await.unwrap();
    if !answer.status().is_success() {
        return answer;
    }
    let bytes = answer.into_body().collect().await.unwrap().to_bytes();
    let mut list: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let key = |item: &serde_json::Value| {
        let meta = &item["metadata"];
        format!(
            "{}/{}",
            meta["namespace"].as_str().unwrap_or_default(),
            meta["name"].as_str().unwrap_or_default()
        )
    };
    let mut items: Vec<serde_json::Value> = list["items"].as_array().cloned().unwrap_or_default();
    items.sort_by_key(|i| key(i));
    items.retain(|i| after.as_ref().is_none_or(|a| key(i) > *a));
    let more = items.len().saturating_sub(limit);
    items.truncate(limit);
    if more > 0 {
        list["metadata"]["continue"] = serde_json::json!(key(items.last().unwrap()));
        if !selected {
            list["metadata"]["remainingItemCount"] = serde_json::json!(more);
        }
    }
    list["items"] = serde_json::Value::Array(items);
    json(200, &list)
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
        let query = query(req);
        let container = param(&query, "container").unwrap_or_default();
        let Some(text) = self
            .logs
            .lock()
            .unwrap()
            .get(&format!("{ns}/{pod}/{container}"))
            .cloned()
        else {
            return status(404, "NotFound", &format!("pods \"{pod}\" not found"));
        };
        let text = match param(&query, "tailLines").and_then(|n| n.parse::<usize>().ok()) {
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

/// A client on the fake cluster `builder` makes (with interceptors, say). Pods,
/// StatefulSets and Deployments have a status subresource, as on an API server: a
/// write of the object keeps its status, and only a status write changes it.
pub(crate) async fn fake_with(
    builder: kube_fake_client::ClientBuilder,
) -> (kube::Client, Arc<Plan>) {
    use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
    use k8s_openapi::api::core::v1::Pod;
    let inner = builder
        .with_status_subresource::<Pod>()
        .with_status_subresource::<StatefulSet>()
        .with_status_subresource::<Deployment>()
        .build()
        .await
        .unwrap();
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

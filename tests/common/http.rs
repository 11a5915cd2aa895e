//! An HTTP harness over the app (through `tower::ServiceExt::oneshot`) on a simulator.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use podgate::core::model::Topology;
use podgate::sim::{Delays, SimBackend, SimConfig, default_topology};
use podgate_http::{AppState, HttpConfig, app};
use serde_json::Value;
use tower::ServiceExt;

pub const ADMIN: &str = "admin-token-for-tests";

pub struct Http {
    pub app: Router,
    pub sim: Arc<SimBackend>,
}

pub fn topology() -> Topology {
    let mut t = default_topology();
    for (i, region) in ["ausrine", "giltine"].into_iter().enumerate() {
        let mut node = t.nodes[0].clone();
        node.name = format!("{region}-node-{i}");
        node.region = region.to_owned();
        t.nodes.push(node);
    }
    t
}

/// The simulator configuration the HTTP tests use.
pub fn sim_config() -> SimConfig {
    SimConfig {
        topology: topology(),
        delays: Delays::fixed(Duration::from_secs(1)),
        ..SimConfig::default()
    }
}

impl Http {
    pub fn on(sim: Arc<SimBackend>, config: HttpConfig) -> Self {
        Self {
            app: app(AppState::simulated(sim.clone(), config)),
            sim,
        }
    }

    pub fn with(config: HttpConfig) -> Self {
        Self::on(Arc::new(SimBackend::new(sim_config())), config)
    }

    pub fn new() -> Self {
        Self::with(HttpConfig::new(ADMIN))
    }

    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> (StatusCode, Vec<u8>, String) {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let response = self
            .app
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, bytes, content_type)
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut headers = headers.to_vec();
        let body = match body {
            Some(v) => {
                headers.push(("content-type", "application/json"));
                Body::from(serde_json::to_vec(&v).unwrap())
            }
            None => Body::empty(),
        };
        let (status, bytes, _) = self.raw(method, uri, &headers, body).await;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let (status, reply) = self
            .call(
                Method::POST,
                path,
                &[("authorization", &format!("Bearer {ADMIN}"))],
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {reply}");
        reply
    }

    pub fn advance(&self) {
        self.sim.advance(Duration::from_secs(60)).unwrap();
    }
}

pub fn ncs_uri(action: &str, query: &str) -> String {
    format!(
        "/ncs?Action={action}&Version=2017-11-16{}{query}",
        if query.is_empty() { "" } else { "&" }
    )
}

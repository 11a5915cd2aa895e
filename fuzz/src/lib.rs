//! What podgate's fuzz targets share: the HTTP app on the simulator, with one tenant of
//! each dialect and an object of each kind its paths name, answering requests in
//! process. Every answer is checked for what any input must get: a JSON body, and no
//! server error. The simulator fails only when told to, so a 5xx is a bug, except
//! openYuanrong's own answer to bad input (HTTP 500 with code 4104 or 130600, as the
//! vendor does). A panic aborts the process (libfuzzer-sys's panic hook), even one the
//! guard catches and answers.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use podgate_backend_sim::{SimBackend, SimConfig};
use podgate_core::dialects::yuanrong::{BAD_JSON, INVALID};
use podgate_http::{AppState, HttpConfig, app};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The admin token of the fuzzed server.
pub const ADMIN: &str = "fuzz-admin-token";

/// The tenants and objects made before fuzzing, and their credentials.
#[derive(Debug, Default)]
pub struct Tenants {
    /// An NCS namespace.
    pub ncs_namespace: String,
    /// Its bearer token.
    pub ncs_token: String,
    /// An IEF project.
    pub ief_project: String,
    /// Its `X-Auth-Token`.
    pub ief_token: String,
    /// A deployment in the project.
    pub ief_deployment: String,
    /// A config map in the project.
    pub ief_configmap: String,
    /// A secret in the project.
    pub ief_secret: String,
    /// A V-Kube order's `secret`.
    pub vkube_secret: String,
    /// An openYuanrong pool.
    pub pool: String,
}

/// The server and what it holds.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
    /// What was made before fuzzing.
    pub tenants: Tenants,
}

/// The one harness of this process, made on first use.
pub fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::new)
}

/// Bytes outside a query's safe characters, escaped so that any input makes a valid
/// URI; `&`, `=`, `%` and `+` stay as they are, so the input keeps its structure (and
/// its own escapes, well-formed or not).
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'&')
    .remove(b'=')
    .remove(b'%')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `bytes` as query text: see [`QUERY`].
pub fn query_text(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, QUERY).to_string()
}

impl Harness {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a runtime: {e}"));
        let sim = Arc::new(SimBackend::new(SimConfig::default()));
        let app = app(AppState::simulated(sim, HttpConfig::new(ADMIN)));
        let mut harness = Self {
            runtime,
            app,
            tenants: Tenants::default(),
        };
        harness.tenants = harness.provision();
        harness
    }

    /// One tenant of each dialect and an object of each kind, as `scripts/fuzz_tenants.py`
    /// makes them for the HTTP fuzz run.
    fn provision(&self) -> Tenants {
        let admin = [("authorization", format!("Bearer {ADMIN}"))];
        let made = |method: &str, uri: &str, headers: &[(&str, String)], body: Value| {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, reply) = self
                .send(method, uri, &headers, body.to_string().into_bytes())
                .unwrap_or_else(|| panic!("{uri}: not a request"));
            assert!((200..300).contains(&status), "{uri}: {status} {reply}");
            reply
        };
        let ns = made("POST", "/admin/v1/ncs/namespaces", &admin, json!({}));
        let project = "fuzzproject".to_owned();
        let ief = made(
            "POST",
            "/admin/v1/ief/projects",
            &admin,
            json!({"project_id": project}),
        );
        let ief_token = text(&ief["token"]);
        let ief_auth = [("x-auth-token", ief_token.clone())];
        let edge = format!("/v2/{project}/edgemgr");
        let configmap = made(
            "POST",
            &format!("{edge}/configmaps"),
            &ief_auth,
            json!({"configmap": {"name": "fuzz-kept", "configs": {"k": "v"}}}),
        );
        let secret = made(
            "POST",
            &format!("{edge}/secrets"),
            &ief_auth,
            json!({"secret": {"name": "fuzz-kept", "secrets": {"k": "dg=="}}}),
        );
        let deployment = made(
            "POST",
            &format!("/v3/{project}/edgemgr/deployments"),
            &ief_auth,
            json!({"name": "fuzz-kept", "node_ids": ["node-1"], "deployment": {"replicas": 1,
                "template": {"containers": [{"name": "c", "image_url": "nginx", "version": "stable"}]}}}),
        );
        let order = made(
            "POST",
            "/admin/v1/vkube/orders",
            &admin,
            json!({"serviceOptions": {"resourceUnit": "4-Unit-Resource"}}),
        );
        made(
            "POST",
            "/serverless/v1/podpools",
            &[],
            json!({"pools": [{"id": "fuzzpool", "size": 1, "image": "nginx:stable"}]}),
        );
        Tenants {
            ncs_namespace: text(&ns["NamespaceId"]),
            ncs_token: text(&ns["token"]),
            ief_project: project,
            ief_token,
            ief_deployment: text(&deployment["id"]),
            ief_configmap: text(&configmap["configmap"]["id"]),
            ief_secret: text(&secret["secret"]["id"]),
            vkube_secret: text(&order["secret"]),
            pool: "fuzzpool".to_owned(),
        }
    }

    /// Sends one request and checks its answer (see the crate's doc): the status and
    /// the body as JSON, or `None` when the method, URI or a header is not valid HTTP
    /// (the server never sees such a request).
    pub fn send(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Option<(u16, Value)> {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if !body.is_empty() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(Body::from(body)).ok()?;
        let (status, bytes) = self.runtime.block_on(async {
            let reply = self
                .app
                .clone()
                .oneshot(request)
                .await
                .unwrap_or_else(|never| match never {});
            let status = reply.status().as_u16();
            let bytes = reply
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            (status, bytes)
        });
        let text = String::from_utf8_lossy(&bytes);
        let reply: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!("{method} {uri} answered {status} with no JSON ({e}): {text}")
            })
        };
        let bad_input_as_500 = uri.starts_with("/serverless/")
            && [INVALID, BAD_JSON]
                .map(i64::from)
                .contains(&reply["code"].as_i64().unwrap_or(0));
        assert!(
            status < 500 || (status == 500 && bad_input_as_500),
            "{method} {uri} answered {status}: {text}"
        );
        Some((status, reply))
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

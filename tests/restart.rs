//! Restart round trips: each dialect's state is made over HTTP on a simulator kept in
//! a SQLite file, read back, the simulator closed and reopened on the file, and read
//! again: every reply is byte-for-byte the same, tokens and secrets still
//! authenticate, and new ids continue past the old ones.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::http::Method;
use common::http::{ADMIN, Http, ncs_uri, sim_config};
use common::{IEF, NCS, VKUBE, YUANRONG};
use podgate::sim::{Durability, SimBackend, SimConfig};
use podgate_http::HttpConfig;
use serde_json::{Value, json};

fn config() -> SimConfig {
    SimConfig {
        durability: Durability::Normal,
        ..sim_config()
    }
}

fn open(path: &Path) -> Http {
    Http::on(
        Arc::new(SimBackend::open(config(), path).unwrap()),
        HttpConfig::new(ADMIN),
    )
}

/// One read: method, URI and headers.
type Read = (Method, String, Vec<(String, String)>);

/// Reads each `(method, uri, headers)` and returns the replies, statuses included.
async fn read_all(h: &Http, reads: &[Read]) -> Vec<Value> {
    let mut out = Vec::new();
    for (method, uri, headers) in reads {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (status, mut reply) = h.call(method.clone(), uri, &headers, None).await;
        assert!(status.is_success(), "{uri}: {status} {reply}");
        // NCS names each request afresh; the rest of the reply is state.
        if let Some(reply) = reply.as_object_mut() {
            reply.remove("RequestId");
        }
        out.push(json!({"uri": uri, "status": status.as_u16(), "reply": reply}));
    }
    out
}

/// Makes the state, reads it, reopens the file, reads it again and compares.
/// Returns the reopened harness and the folder that holds its file.
async fn round_trip(make: impl AsyncFnOnce(&Http) -> Vec<Read>) -> (Http, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("podgate.db");
    let h = open(&path);
    let reads = make(&h).await;
    h.advance();
    let before = read_all(&h, &reads).await;
    drop(h);
    let h = open(&path);
    let after = read_all(&h, &reads).await;
    assert_eq!(after, before);
    (h, dir)
}

fn header(k: &str, v: &str) -> Vec<(String, String)> {
    vec![(k.to_owned(), v.to_owned())]
}

#[tokio::test]
async fn ncs_namespaces_workloads_and_eips_survive_a_restart() {
    let mut last_id = 0;
    let mut auth = String::new();
    let (h, _dir) = round_trip(async |h: &Http| {
        let ns = h
            .admin("/admin/v1/ncs/namespaces", json!({"NamespaceId": 1}))
            .await;
        auth = format!("Bearer {}", ns["token"].as_str().unwrap());
        let a = [("authorization", auth.as_str())];
        for name in ["first", "second"] {
            let mut body = NCS.fixture("create_request.json");
            body["Name"] = json!(name);
            let (status, created) = h
                .call(
                    Method::POST,
                    &ncs_uri("CreateStatefulWorkload", ""),
                    &a,
                    Some(body),
                )
                .await;
            assert_eq!(status, 200, "{created}");
            last_id = created["StatefulWorkloadId"].as_u64().unwrap();
        }
        h.admin(
            "/admin/v1/ncs/eips",
            json!({"EipId": "eip-1", "Address": "203.0.113.7"}),
        )
        .await;
        let q = format!("NamespaceId=1&StatefulWorkloadId={last_id}&EipId=eip-1");
        let (status, _) = h
            .call(
                Method::GET,
                &ncs_uri("AssociateEipOfStatefulWorkload", &q),
                &a,
                None,
            )
            .await;
        assert_eq!(status, 200);
        let q = format!("NamespaceId=1&StatefulWorkloadId={last_id}");
        let auth = header("authorization", &auth);
        [
            ncs_uri("DescribeStatefulWorkloadInfo", &q),
            ncs_uri("DescribeStatefulWorkloadInstances", &q),
            ncs_uri("DescribeStatefulWorkloads", "NamespaceId=1"),
            ncs_uri("DescribeStatefulWorkloadImages", &q),
            ncs_uri("DescribeStatefulWorkloadsAllNamespaces", "Limit=10"),
        ]
        .into_iter()
        .map(|uri| (Method::GET, uri, auth.clone()))
        .collect()
    })
    .await;
    let mut body = NCS.fixture("create_request.json");
    body["Name"] = json!("after-restart");
    let (status, created) = h
        .call(
            Method::POST,
            &ncs_uri("CreateStatefulWorkload", ""),
            &[("authorization", &auth)],
            Some(body),
        )
        .await;
    assert_eq!(status, 200, "the namespace token still works: {created}");
    assert!(created["StatefulWorkloadId"].as_u64().unwrap() > last_id);
}

#[tokio::test]
async fn ief_projects_deployments_and_pods_survive_a_restart() {
    let project = "bcd83056c918480f8f190844bd425b23";
    round_trip(async |h: &Http| {
        let created = h
            .admin("/admin/v1/ief/projects", json!({"project_id": project}))
            .await;
        let token = created["token"].as_str().unwrap().to_owned();
        let a = [("x-auth-token", token.as_str())];
        let configs = IEF.fixture("list_pods_response.json")["pods"][0]["configs"].clone();
        let (status, cm) = h
            .call(
                Method::POST,
                &format!("/v2/{project}/edgemgr/configmaps"),
                &a,
                Some(json!({"configmap": {"name": "app-config", "configs": {"k": "v"}}})),
            )
            .await;
        assert_eq!(status, 201, "{cm}");
        let cm_id = cm["configmap"]["id"].as_str().unwrap().to_owned();
        let body = json!({"name": "app-test", "group_id": "group-a", "tags": [{"key": "app", "value": "t"}],
            "deployment": {"replicas": 2, "template": {"configs": configs, "containers": [{"name": "c1", "image_url": "nginx",
                "version": "stable", "resources": {"limits": {"cpu": 0.25, "memory": 256}},
                "volumes": [{"name": "cfg", "type": "configMap", "source": "app-config", "destination": "/etc/app"}]}]}}});
        let (status, d) = h
            .call(
                Method::POST,
                &format!("/v3/{project}/edgemgr/deployments"),
                &a,
                Some(body),
            )
            .await;
        assert_eq!(status, 201, "{d}");
        let id = d["id"].as_str().unwrap().to_owned();
        let auth = header("x-auth-token", &token);
        [
            format!("/v2/{project}/edgemgr/configmaps"),
            format!("/v2/{project}/edgemgr/configmaps/{cm_id}"),
            format!("/v3/{project}/edgemgr/deployments"),
            format!("/v3/{project}/edgemgr/deployments/{id}"),
            format!("/v3/{project}/edgemgr/pods?deployment_ids={id}"),
            format!("/v3/{project}/edgemgr/pods?group_id=group-a"),
            format!("/v2/{project}/edgemgr/nodes"),
        ]
        .into_iter()
        .map(|uri| (Method::GET, uri, auth.clone()))
        .collect()
    })
    .await;
}

#[tokio::test]
async fn vkube_orders_and_pods_survive_a_restart() {
    round_trip(async |h: &Http| {
        let order = h
            .admin(
                "/admin/v1/vkube/orders",
                json!({"serviceOptions": {"resourceUnit": "2-Unit-Resource",
                    "portSpecification": "User Specified Service Port"}, "duration": 100, "amount": 18000}),
            )
            .await;
        let secret = order["secret"].as_str().unwrap().to_owned();
        let (status, reply) = h
            .call(
                Method::POST,
                "/api/v1/k8s/deploy",
                &[("secret", secret.as_str())],
                Some(VKUBE.fixture("deploy_request.json")),
            )
            .await;
        assert_eq!(status, 200, "{reply}");
        let s = header("secret", &secret);
        [
            "/api/v1/k8s/order",
            "/k8s/pod/status",
            "/k8s/pod/log?tailLines=5",
        ]
        .into_iter()
        .map(|uri| (Method::GET, uri.to_owned(), s.clone()))
        .collect()
    })
    .await;
}

#[tokio::test]
async fn yuanrong_pools_survive_a_restart() {
    round_trip(async |h: &Http| {
        let example = YUANRONG.fixture("query_podpools_response.json");
        let mut pool = example["result"]["pools"][0].clone();
        for runtime in ["status", "msg", "ready_count"] {
            pool.as_object_mut().unwrap().remove(runtime);
        }
        let (status, reply) = h
            .call(
                Method::POST,
                "/serverless/v1/podpools",
                &[],
                Some(json!({"pools": [pool, {"id": "small", "size": 1}]})),
            )
            .await;
        assert_eq!(status, 200, "{reply}");
        [
            "/serverless/v1/podpools",
            "/serverless/v1/podpools?id=pool1",
        ]
        .into_iter()
        .map(|uri| (Method::GET, uri.to_owned(), Vec::new()))
        .collect()
    })
    .await;
}

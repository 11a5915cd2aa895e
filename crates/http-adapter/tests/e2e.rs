//! The real `podgate` binary on a free port, driven over real HTTP: each dialect, the
//! admin API, and a graceful shutdown on SIGTERM.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::Server;
use serde_json::json;

#[test]
fn every_dialect_over_real_http_then_graceful_shutdown() {
    let admin = "e2e-admin-token";
    let server = Server::start(&["--admin-token", admin, "--in-memory"]);
    let bearer = format!("Bearer {admin}");
    let op = [("Authorization", bearer.as_str())];
    assert_eq!(
        server.call("GET", "/healthz", &[], None),
        (200, json!("ok"))
    );
    assert_eq!(server.call("GET", "/readyz", &[], None).0, 200);

    // NCS.
    let (status, ns) = server.call("POST", "/admin/v1/ncs/namespaces", &op, Some(&json!({})));
    assert_eq!(status, 201);
    let auth = format!("Bearer {}", ns["token"].as_str().unwrap());
    let body = json!({"NamespaceId": ns["NamespaceId"], "Name": "web", "SpecType": "ncs.n1.small1", "ContainerType": "Standard",
        "Placement": {"ZoneId": ["cn-east-1a"]}, "VirtualPrivateCloud": {"VpcId": "v", "SubnetId": "None"},
        "Containers": [{"Name": "app", "Image": "nginx:stable"}]});
    let (status, created) = server.call(
        "POST",
        "/ncs?Action=CreateStatefulWorkload&Version=2017-11-16",
        &[("Authorization", &auth)],
        Some(&body),
    );
    assert_eq!(status, 200, "{created}");
    let path = format!(
        "/ncs?Action=DescribeStatefulWorkloadInfo&Version=2017-11-16&NamespaceId={}&StatefulWorkloadId={}",
        ns["NamespaceId"], created["StatefulWorkloadId"]
    );
    let (status, info) = server.call("GET", &path, &[("Authorization", &auth)], None);
    assert_eq!(
        (status, info["Status"].as_str()),
        (200, Some("Running")),
        "{info}"
    );

    // IEF.
    let (status, project) = server.call(
        "POST",
        "/admin/v1/ief/projects",
        &op,
        Some(&json!({"project_id": "p1"})),
    );
    assert_eq!(status, 201);
    let token = project["token"].as_str().unwrap().to_owned();
    let deployment = json!({"name": "edge", "node_ids": ["node-1"], "deployment": {"replicas": 1, "template": {"containers": [{"name": "c", "image_url": "nginx", "version": "stable"}]}}});
    let (status, d) = server.call(
        "POST",
        "/v3/p1/edgemgr/deployments",
        &[("X-Auth-Token", &token)],
        Some(&deployment),
    );
    assert_eq!(status, 201, "{d}");
    let (status, pods) = server.call(
        "GET",
        "//v3/p1/edgemgr/pods?node_id=node-1",
        &[("X-Auth-Token", &token)],
        None,
    );
    assert_eq!((status, pods["count"].as_u64()), (200, Some(1)), "{pods}");

    // V-Kube.
    let (status, order) = server.call(
        "POST",
        "/admin/v1/vkube/orders",
        &op,
        Some(&json!({"serviceOptions": {"resourceUnit": "1-Unit-Resource"}})),
    );
    assert_eq!(status, 201);
    let secret = order["secret"].as_str().unwrap().to_owned();
    let deploy = json!({"nodeSelector": {"region": "region1"}, "containers": [{"name": "web", "imageName": "nginx", "resource": {"memory": "128Mi"}}]});
    let (status, reply) = server.call(
        "POST",
        "/api/v1/k8s/deploy",
        &[("secret", &secret)],
        Some(&deploy),
    );
    assert_eq!(
        (status, reply["status"].as_str()),
        (200, Some("OK")),
        "{reply}"
    );
    let (status, pod) = server.call("GET", "/k8s/pod/status", &[("secret", &secret)], None);
    assert_eq!(
        (status, pod["podStatus"]["phase"].as_str()),
        (200, Some("Running")),
        "{pod}"
    );

    // openYuanrong.
    let (status, reply) = server.call(
        "POST",
        "/serverless/v1/podpools",
        &[],
        Some(&json!({"pools": [{"id": "p", "size": 1, "image": "nginx:stable"}]})),
    );
    assert_eq!((status, reply["code"].as_i64()), (200, Some(0)), "{reply}");
    let (status, reply) = server.call("GET", "/serverless/v1/podpools?id=p", &[], None);
    assert_eq!((status, reply["result"]["count"].as_u64()), (200, Some(1)));

    // Admin: the clock and the topology.
    let (status, clock) = server.call(
        "POST",
        "/admin/v1/sim/clock",
        &op,
        Some(&json!({"advance_seconds": 5})),
    );
    assert_eq!(status, 200, "{clock}");
    assert_eq!(server.call("GET", "/admin/v1/topology", &op, None).0, 200);
    let (status, metrics) = server.call("GET", "/metrics", &[], None);
    assert_eq!(status, 200);
    assert!(metrics.as_str().unwrap().contains("dialect=\"ncs\""));

    // SIGTERM: the server stops by itself.
    let mut server = server;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "graceful exit: {status}");
            break;
        }
        assert!(Instant::now() < deadline, "podgate did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

//! The real `podgate` binary on a free port, driven over real HTTP: each dialect, the
//! admin API, and a graceful shutdown on SIGTERM.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

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
    server.stop_gracefully("");
}

/// An open event stream on `server`, its head read: what it sends is read on with
/// [`read_until`].
fn open_stream(server: &Server, path: &str, admin: &str) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {admin}\r\n\r\n",
        server.addr
    )
    .unwrap();
    let head = read_until(&mut stream, "\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/event-stream"), "{head}");
    stream
}

/// What `stream` sends until `marker` has come (panics after its read timeout).
fn read_until(stream: &mut std::net::TcpStream, marker: &str) -> String {
    use std::io::Read;
    let mut seen = Vec::new();
    let mut buf = [0_u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(marker) {
        let n = stream
            .read(&mut buf)
            .expect("the stream sends before its timeout");
        assert!(
            n > 0,
            "the stream ended: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn the_event_stream_follows_the_feed_survives_clients_and_ends_on_shutdown() {
    let admin = "stream-admin-token";
    let server = Server::start(&["--admin-token", admin, "--in-memory"]);
    let op_header = format!("Bearer {admin}");
    let op = [("Authorization", op_header.as_str())];

    // From the start, and live: what happens after the stream opened arrives on it.
    let mut from_start = open_stream(&server, "/admin/v1/events/stream?since=0", admin);
    let (status, ns) = server.call("POST", "/admin/v1/ncs/namespaces", &op, Some(&json!({})));
    assert_eq!(status, 201);
    let sent = read_until(&mut from_start, "\"kind\":\"tenant_created\"");
    assert!(sent.contains("id: 1"), "{sent}");
    assert!(!sent.contains(ns["token"].as_str().unwrap()), "{sent}");

    // A client that goes away mid-stream, and one that asks beyond the end: the
    // server goes on answering, and the second sees only what comes next.
    drop(from_start);
    let mut beyond = open_stream(&server, "/admin/v1/events/stream?since=1000000", admin);
    server.call("POST", "/admin/v1/ncs/namespaces", &op, Some(&json!({})));
    assert_eq!(server.call("GET", "/healthz", &[], None).0, 200);
    let (_, page) = server.call("GET", "/admin/v1/events?since=0", &op, None);
    assert_eq!(page["last"], 2, "{page}");
    drop(beyond);
    beyond = open_stream(&server, "/admin/v1/events/stream", admin);
    server.call("POST", "/admin/v1/ncs/namespaces", &op, Some(&json!({})));
    let sent = read_until(&mut beyond, "\"kind\":\"tenant_created\"");
    assert!(sent.contains("id: 3") && !sent.contains("id: 2"), "{sent}");

    // Shutdown with a stream open: the stream ends and the server exits.
    let mut server = server;
    server.stop_gracefully(" with a stream open");
    drop(beyond);
}

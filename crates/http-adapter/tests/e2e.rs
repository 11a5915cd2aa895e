//! The real `podgate` binary on a free port, driven over real HTTP: each dialect, the
//! admin API, and a graceful shutdown on SIGTERM.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(admin: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_podgate"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--sim-delays",
                "zero",
                "--admin-token",
                admin,
                "--in-memory",
            ])
            .env("PODGATE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("podgate starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("podgate prints its address").unwrap();
            if let Some(rest) = line.strip_prefix("podgate listening on http://") {
                break rest.trim().to_owned();
            }
        };
        Self { child, addr }
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let body = body
            .map(|b| serde_json::to_vec(b).unwrap())
            .unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if !body.is_empty() {
            request.push_str("Content-Type: application/json\r\n");
        }
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, payload) = text.split_once("\r\n\r\n").expect("a full response");
        let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let payload = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(payload)
        } else {
            payload.to_owned()
        };
        let value = serde_json::from_str(&payload).unwrap_or(Value::String(payload));
        (status, value)
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_dialect_over_real_http_then_graceful_shutdown() {
    let admin = "e2e-admin-token";
    let server = Server::start(admin);
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
    let deployment = json!({"deployment": {"name": "edge", "node_ids": ["node-1"], "template": {"spec": {"containers": [{"name": "c", "image_url": "nginx", "version": "stable"}]}}}});
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

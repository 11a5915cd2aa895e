//! The real `podgate` binary with `--backend k8s`: it finds its cluster through a
//! kubeconfig, and `/readyz` says whether that cluster's API server answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::Server;

/// A stand-in API server on loopback that answers every request with an empty
/// NodeList until `stop` is set; then it closes its connections unanswered.
struct ApiServer {
    addr: String,
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
}

impl ApiServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let (halt, count) = (stop.clone(), served.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                if halt.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes unanswered
                }
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[]}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                count.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        Self { addr, stop, served }
    }
}

fn kubeconfig(dir: &std::path::Path, server: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://{server}\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn readyz_follows_the_api_server() {
    let api = ApiServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &api.addr);
    let server = Server::start_with(
        &["--backend", "k8s", "--admin-token", "t"],
        &[("KUBECONFIG", config.to_str().unwrap())],
    );
    let (status, body) = server.call("GET", "/readyz", &[], None);
    assert_eq!((status, body.as_str()), (200, Some("ready")));
    assert!(
        api.served.load(Ordering::SeqCst) >= 1,
        "it asked the API server"
    );

    api.stop.store(true, Ordering::SeqCst);
    // The nodes a read answered stay good for a second (a burst of requests reads
    // them once); readiness follows within that, as a probe polls it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        let (status, _) = server.call("GET", "/readyz", &[], None);
        if status != 200 || std::time::Instant::now() > deadline {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(status, 503, "the API server no longer answers");
    let (status, body) = server.call("GET", "/healthz", &[], None);
    assert_eq!(
        (status, body.as_str()),
        (200, Some("ok")),
        "podgate itself is up"
    );
}

#[test]
fn without_a_cluster_it_says_so_and_exits() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_podgate"))
        .args(["serve", "--backend", "k8s", "--admin-token", "t"])
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the cluster"), "{err}");
}

/// A registry on loopback that holds `library/nginx` (any tag) and nothing else, as
/// the OCI distribution API answers a manifest `HEAD`: with the manifest's digest.
fn registry() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut seen = Vec::new();
            let mut buf = [0u8; 2048];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&seen)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            let head = if line.starts_with("HEAD /v2/library/nginx/manifests/") {
                "200 OK\r\nDocker-Content-Digest: sha256:\
                 6a2b0e9f1c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7"
            } else {
                "404 Not Found"
            };
            let _ = stream.write_all(
                format!("HTTP/1.1 {head}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
        }
    });
    addr
}

/// Calls `path` until `done` holds for the reply, for up to two minutes; the last
/// reply otherwise.
fn wait_for(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, reply) = server.call("GET", path, headers, None);
        if (status == 200 && done(&reply)) || std::time::Instant::now() > deadline {
            return reply;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The real binary on the cluster `KUBECONFIG` names (`scripts/cluster.sh start DIR`),
/// every dialect over real HTTP, then a graceful stop.
#[test]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
fn every_dialect_over_http_on_a_real_cluster() {
    use serde_json::json;
    let admin = "k8s-e2e-admin";
    let registry = registry();
    let kubeconfig = std::env::var("KUBECONFIG").expect("KUBECONFIG names the cluster");
    let server = Server::start_with(
        &[
            "--backend",
            "k8s",
            "--admin-token",
            admin,
            "--image-registry",
            &registry,
            "--plain-http-registry",
            &registry,
        ],
        &[("KUBECONFIG", &kubeconfig)],
    );
    let bearer = format!("Bearer {admin}");
    let op = [("Authorization", bearer.as_str())];
    assert_eq!(server.call("GET", "/readyz", &[], None).0, 200);
    let (status, topology) = server.call("GET", "/admin/v1/topology", &op, None);
    assert_eq!(status, 200, "{topology}");
    assert_eq!(topology.as_array().map(Vec::len), Some(6), "{topology}");
    let unique = uuid::Uuid::new_v4().simple().to_string();

    // NCS: a namespace, a workload, Running once its pod runs.
    let (status, ns) = server.call("POST", "/admin/v1/ncs/namespaces", &op, Some(&json!({})));
    assert_eq!(status, 201, "{ns}");
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
    let info = wait_for(&server, &path, &[("Authorization", &auth)], |r| {
        r["Status"] == "Running"
    });
    assert_eq!(info["Status"], "Running", "{info}");

    // IEF: a project, a config map its deployment mounts, the pod running on node-1.
    let project = format!("e2e{}", &unique[..12]);
    let (status, p) = server.call(
        "POST",
        "/admin/v1/ief/projects",
        &op,
        Some(&json!({"project_id": project})),
    );
    assert_eq!(status, 201, "{p}");
    let token = p["token"].as_str().unwrap().to_owned();
    let ief = [("X-Auth-Token", token.as_str())];
    let (status, cm) = server.call(
        "POST",
        &format!("/v2/{project}/edgemgr/configmaps"),
        &ief,
        Some(&json!({"configmap": {"name": "edge-config", "configs": {"mode": "e2e"}}})),
    );
    assert_eq!(status, 201, "{cm}");
    let deployment = json!({"name": "edge", "node_ids": ["node-1"], "deployment": {"replicas": 1, "template": {
        "containers": [{"name": "c", "image_url": "nginx", "version": "stable",
            "envs": [{"name": "MODE", "value_from": {"configmap": {"name": "edge-config", "key": "mode"}}}],
            "volumes": [{"name": "cfg", "type": "configMap", "source": "edge-config", "destination": "/etc/edge"}]}]}}});
    let (status, d) = server.call(
        "POST",
        &format!("/v3/{project}/edgemgr/deployments"),
        &ief,
        Some(&deployment),
    );
    assert_eq!(status, 201, "{d}");
    let pods = wait_for(
        &server,
        &format!(
            "//v3/{project}/edgemgr/pods?deployment_id={}",
            d["id"].as_str().unwrap()
        ),
        &ief,
        |r| r["pods"][0]["state"] == "RUNNING",
    );
    assert_eq!(
        (
            pods["pods"][0]["state"].as_str(),
            pods["pods"][0]["node_id"].as_str()
        ),
        (Some("RUNNING"), Some("node-1")),
        "{pods}"
    );
    let (status, nodes) = server.call("GET", &format!("/v2/{project}/edgemgr/nodes"), &ief, None);
    assert_eq!((status, nodes["count"].as_u64()), (200, Some(6)), "{nodes}");
    let (status, _) = server.call(
        "DELETE",
        &format!(
            "/v3/{project}/edgemgr/deployments/{}",
            d["id"].as_str().unwrap()
        ),
        &ief,
        None,
    );
    assert_eq!(status, 204);

    // V-Kube: an order, a deploy, the pod running, its log.
    let (status, order) = server.call(
        "POST",
        "/admin/v1/vkube/orders",
        &op,
        Some(&json!({"serviceOptions": {"resourceUnit": "1-Unit-Resource"}})),
    );
    assert_eq!(status, 201, "{order}");
    let secret = order["secret"].as_str().unwrap().to_owned();
    let vk = [("secret", secret.as_str())];
    let (status, reply) = server.call("GET", "/k8s/images?image=nginx&tag=stable", &[], None);
    assert_eq!(status, 200, "{reply}");
    let deploy = json!({"nodeSelector": {"region": "region1"}, "containers": [{"name": "web", "imageName": "nginx", "resource": {"memory": "128Mi"}}]});
    let (status, reply) = server.call("POST", "/api/v1/k8s/deploy", &vk, Some(&deploy));
    assert_eq!(
        (status, reply["status"].as_str()),
        (200, Some("OK")),
        "{reply}"
    );
    let pod = wait_for(&server, "/k8s/pod/status", &vk, |r| {
        r["podStatus"]["phase"] == "Running"
    });
    assert_eq!(pod["podStatus"]["phase"], "Running", "{pod}");
    let (status, log) = server.call("GET", "/k8s/pod/log", &vk, None);
    assert_eq!(status, 200, "{log}");
    assert!(log.is_string(), "{log}");

    // openYuanrong: a pool of one, Running.
    let pool = format!("e2e-{}", &unique[..8]);
    let (status, reply) = server.call(
        "POST",
        "/serverless/v1/podpools",
        &[],
        Some(&json!({"pools": [{"id": pool, "size": 1, "image": "nginx:stable"}]})),
    );
    assert_eq!((status, reply["code"].as_i64()), (200, Some(0)), "{reply}");
    let pools = wait_for(
        &server,
        &format!("/serverless/v1/podpools?id={pool}"),
        &[],
        |r| r["result"]["pools"][0]["status"] == 4,
    );
    assert_eq!(pools["result"]["pools"][0]["status"], 4, "{pools}");

    // The simulator's own controls are not there on a cluster.
    let (status, _) = server.call(
        "POST",
        "/admin/v1/sim/clock",
        &op,
        Some(&json!({"advance_seconds": 5})),
    );
    assert_ne!(status, 200);
    for path in ["/admin/v1/sim/nodes/node-1/lose", "/admin/v1/sim/images"] {
        let (status, _) = server.call("POST", path, &op, Some(&json!({})));
        assert_eq!(status, 404, "{path}");
    }

    // What the console reads: the cluster's nodes and what runs, with no simulator.
    let (status, cluster) = server.call("GET", "/admin/v1/cluster", &op, None);
    assert_eq!(status, 200, "{cluster}");
    assert_eq!(cluster["simulated"], false, "{cluster}");
    assert_eq!(
        cluster["nodes"].as_array().map(Vec::len),
        Some(6),
        "{cluster}"
    );
    assert!(
        cluster["pods"]
            .as_array()
            .is_some_and(|pods| pods.iter().any(|p| p["dialect"] == "ncs")),
        "{cluster}"
    );
    // Its event feed holds the requests this server answered, with their tenants.
    let (status, page) = server.call("GET", "/admin/v1/events?limit=1000", &op, None);
    assert_eq!(status, 200, "{page}");
    let entries = page["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["kind"] == "request"
            && e["operation"] == "CreateStatefulWorkload"
            && e["status"] == 200
            && e["tenant"]
                .as_str()
                .is_some_and(|t| t.starts_with("namespace "))),
        "{page}"
    );

    // SIGTERM: the server stops by itself.
    let mut server = server;
    server.stop_gracefully("");
}

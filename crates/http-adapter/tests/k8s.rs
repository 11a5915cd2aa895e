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
    let (status, _) = server.call("GET", "/readyz", &[], None);
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

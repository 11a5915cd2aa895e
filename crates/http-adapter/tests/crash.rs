//! Nothing acknowledged is lost to a crash: the real server, on a SQLite file, under
//! concurrent NCS creates and deletes, is killed with SIGKILL at a random moment and
//! restarted on the same file, several rounds. After each kill the file passes
//! `PRAGMA integrity_check`; after each restart every acknowledged create is there
//! (with its name), every acknowledged delete is gone, and no id was handed out twice.
//!
//! `PODGATE_CRASH_ROUNDS` (default 3) sets the rounds; the random kill delays are
//! printed so that a failing run can be told apart.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Server, request};
use serde_json::{Value, json};

const ADMIN: &str = "crash-admin-token";
const WRITERS: usize = 4;

/// What the clients were told: created (id → name) and deleted ids; and the deletes
/// cut short by the kill, which may or may not have happened.
#[derive(Default)]
struct Acknowledged {
    created: BTreeMap<u64, String>,
    deleted: BTreeSet<u64>,
    unsure: BTreeSet<u64>,
}

fn ncs(action: &str) -> String {
    format!("/ncs?Action={action}&Version=2017-11-16")
}

fn start(db: &str) -> Server {
    Server::start(&["--admin-token", ADMIN, "--db", db])
}

/// A random delay in `50..450` ms.
fn random_delay() -> Duration {
    let n = RandomState::new().hash_one(std::time::SystemTime::now());
    Duration::from_millis(50 + n % 400)
}

/// One writer: creates workloads and deletes every third one it made, until the
/// server stops answering; records what was acknowledged.
fn write_until_killed(
    addr: &str,
    auth: &str,
    namespace: &Value,
    tag: &str,
    acked: &Mutex<Acknowledged>,
    stop: &AtomicBool,
) {
    let headers = [("Authorization", auth)];
    let mut mine = Vec::new();
    for i in 0.. {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let name = format!("{tag}-{i}");
        let body = json!({"NamespaceId": namespace, "Name": name, "SpecType": "ncs.n1.small1",
            "ContainerType": "Standard", "Placement": {"ZoneId": []}, "VirtualPrivateCloud": {},
            "Containers": [{"Name": "app", "Image": "nginx:stable"}]});
        let Some((status, reply)) = request(
            addr,
            "POST",
            &ncs("CreateStatefulWorkload"),
            &headers,
            Some(&body),
        ) else {
            return;
        };
        if status != 200 {
            continue;
        }
        let id = reply["StatefulWorkloadId"].as_u64().unwrap();
        {
            let mut acked = acked.lock().unwrap();
            assert!(
                acked.created.insert(id, name).is_none(),
                "id {id} handed out twice"
            );
        }
        mine.push(id);
        if i % 3 == 2 {
            let victim = mine.remove(0);
            let delete = json!({"NamespaceId": namespace, "StatefulWorkloadId": victim});
            let Some((status, _)) = request(
                addr,
                "POST",
                &ncs("DeleteStatefulWorkload"),
                &headers,
                Some(&delete),
            ) else {
                acked.lock().unwrap().unsure.insert(victim);
                return;
            };
            if status == 200 {
                acked.lock().unwrap().deleted.insert(victim);
            }
        }
    }
}

/// Every acknowledged write is as the clients were told.
fn verify(server: &Server, auth: &str, namespace: &Value, acked: &Acknowledged) {
    let headers = [("Authorization", auth)];
    for (id, name) in &acked.created {
        let (status, reply) = server.call(
            "GET",
            &format!(
                "{}&NamespaceId={namespace}&StatefulWorkloadId={id}",
                ncs("DescribeStatefulWorkloadInfo")
            ),
            &headers,
            None,
        );
        if acked.unsure.contains(id) {
            continue;
        }
        if acked.deleted.contains(id) {
            assert_ne!(status, 200, "deleted workload {id} came back: {reply}");
        } else {
            assert_eq!(status, 200, "acknowledged workload {id} is lost: {reply}");
            assert_eq!(reply["Name"], json!(name), "workload {id}");
        }
    }
}

fn integrity_ok(db: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdict, "ok");
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let rounds: usize = std::env::var("PODGATE_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podgate.db").display().to_string();

    let server = start(&db);
    let op = format!("Bearer {ADMIN}");
    let (status, ns) = server.call(
        "POST",
        "/admin/v1/ncs/namespaces",
        &[("Authorization", &op)],
        Some(&json!({})),
    );
    assert_eq!(status, 201, "{ns}");
    let namespace = ns["NamespaceId"].clone();
    let auth = format!("Bearer {}", ns["token"].as_str().unwrap());
    drop(server);

    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let mut total_writes = 0;
    for round in 0..rounds {
        let mut server = start(&db);
        verify(&server, &auth, &namespace, &acked.lock().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (addr, auth, namespace) =
                    (server.addr.clone(), auth.clone(), namespace.clone());
                let (acked, stop) = (acked.clone(), stop.clone());
                std::thread::spawn(move || {
                    write_until_killed(
                        &addr,
                        &auth,
                        &namespace,
                        &format!("r{round}w{w}"),
                        &acked,
                        &stop,
                    );
                })
            })
            .collect();
        let delay = random_delay();
        std::thread::sleep(delay);
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        for writer in writers {
            writer.join().unwrap();
        }
        let acked = acked.lock().unwrap();
        println!(
            "round {round}: killed after {delay:?}; {} creates and {} deletes acknowledged so far",
            acked.created.len(),
            acked.deleted.len()
        );
        total_writes = acked.created.len() + acked.deleted.len();
        integrity_ok(&db);
    }
    assert!(total_writes > 0, "the writers got acknowledgements");
    let server = start(&db);
    verify(&server, &auth, &namespace, &acked.lock().unwrap());
}

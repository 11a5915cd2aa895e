//! The simulator on a SQLite file: the whole conformance suite passes on it, and a
//! file that cannot be trusted is refused at open with a clear error, never reset.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use podgate_backend_sim::{Delays, Durability, SimBackend, SimConfig, SimError};
use podgate_core::ClusterBackend;
use podgate_core::testing::Fixture;

fn config() -> SimConfig {
    SimConfig {
        delays: Delays::fixed(Duration::from_secs(1)),
        durability: Durability::Normal,
        ..SimConfig::default()
    }
}

/// A simulator on a file of its own, removed with the fixture.
struct OnFile {
    sim: Arc<SimBackend>,
    _dir: tempfile::TempDir,
}

#[async_trait]
impl Fixture for OnFile {
    fn backend(&self) -> Arc<dyn ClusterBackend> {
        self.sim.clone()
    }

    async fn settle(&self) {
        self.sim.advance(Duration::from_secs(60)).unwrap();
    }
}

fn on_file() -> OnFile {
    let dir = tempfile::tempdir().unwrap();
    let sim = Arc::new(SimBackend::open(config(), dir.path().join("sim.db")).unwrap());
    OnFile { sim, _dir: dir }
}

mod conformance {
    use super::on_file;

    podgate_core::conformance!(on_file());
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = SimBackend::open(config(), &path).unwrap_err();
    assert!(matches!(err, SimError::Corrupt { .. }), "{err}");
    assert_eq!(bytes(&path), garbage, "nothing was reset");
}

#[test]
fn a_damaged_page_fails_the_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    {
        let sim = SimBackend::open(config(), &path).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            for i in 0..200 {
                sim.create_eip(
                    &format!("eip-{i}"),
                    &format!("10.0.{}.{}", i / 250, i % 250),
                )
                .await
                .unwrap();
            }
        });
    }
    // Scribble over the middle of the file (past the header, inside table pages).
    let mut data = bytes(&path);
    let page = 4096;
    assert!(data.len() > 3 * page, "the file has several pages");
    for b in &mut data[2 * page + 16..3 * page] {
        *b = 0xA5;
    }
    std::fs::write(&path, &data).unwrap();
    let err = SimBackend::open(config(), &path).unwrap_err();
    assert!(matches!(err, SimError::Corrupt { .. }), "{err}");
    assert_eq!(bytes(&path), data, "nothing was reset");
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);")
        .unwrap();
    let err = SimBackend::open(config(), &path).unwrap_err();
    assert!(matches!(err, SimError::Foreign { .. }), "{err}");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    drop(SimBackend::open(config(), &path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let err = SimBackend::open(config(), &path).unwrap_err();
    match err {
        SimError::NewerSchema {
            found, supported, ..
        } => assert!(found == 99 && supported < 99, "{found} {supported}"),
        other => panic!("expected NewerSchema, got {other}"),
    }
}

#[test]
fn a_file_in_use_is_refused_and_free_again_once_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    let first = SimBackend::open(config(), &path).unwrap();
    let err = SimBackend::open(config(), &path).unwrap_err();
    assert!(matches!(err, SimError::InUse { .. }), "{err}");
    drop(first);
    // An existing file too: opening it only reads, yet it is held from the start.
    let second = SimBackend::open(config(), &path).unwrap();
    let err = SimBackend::open(config(), &path).unwrap_err();
    assert!(matches!(err, SimError::InUse { .. }), "{err}");
    drop(second);
    SimBackend::open(config(), &path).unwrap();
}

#[test]
fn a_new_file_takes_the_configured_topology_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut small = config();
    small.topology.nodes.truncate(2);
    let names = |sim: &SimBackend| {
        rt.block_on(sim.list_nodes())
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect::<Vec<_>>()
    };
    let sim = SimBackend::open(small, &path).unwrap();
    assert_eq!(names(&sim), ["node-1", "node-2"]);
    sim.lose_node("node-2").unwrap();
    drop(sim);
    let sim = SimBackend::open(config(), &path).unwrap();
    let nodes = rt.block_on(sim.list_nodes()).unwrap();
    assert_eq!(nodes.len(), 2, "the file's topology wins over the config's");
    assert!(!nodes[1].ready, "a lost node stays lost");
}

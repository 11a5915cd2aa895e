//! The persistent simulator, in one run:
//!
//! 1. durable creates per second through the library (NCS CreateStatefulWorkload on a
//!    simulator opened on a file, `Durability::Full`), against raw rusqlite inserts of
//!    one row per transaction in the same journal (WAL), synchronous (FULL) and
//!    locking mode, rows the size of a stored workload; and the ratio (target ≥ 0.5);
//! 2. the time to open a file holding 100k workloads (target ≤ 1 s).
//!
//! `cargo bench --bench durable`. `PODGATE_DURABLE_CREATES` (default 1000) and
//! `PODGATE_DURABLE_RELOAD` (default 100000) change the counts. Files go to the
//! system's temporary folder unless `PODGATE_BENCH_DIR` names another (the disk is
//! what is measured).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use podgate::core::dialects::ncs::{NcsAction, NcsCaller, NcsConfig, NcsService};
use podgate::sim::{Durability, SimBackend, SimConfig};
use tokio::runtime::Runtime;

const OP: NcsCaller = NcsCaller::Operator;

fn count(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn scratch() -> tempfile::TempDir {
    match std::env::var_os("PODGATE_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir).unwrap(),
        None => tempfile::tempdir().unwrap(),
    }
}

fn config(durability: Durability) -> SimConfig {
    SimConfig {
        durability,
        ..common::roomy_config()
    }
}

/// `n` workloads created through the NCS service on a simulator kept in `path`.
fn create(rt: &Runtime, path: &Path, durability: Durability, n: u64) -> Duration {
    let sim = std::sync::Arc::new(SimBackend::open(config(durability), path).unwrap());
    let ncs = NcsService::new(sim, NcsConfig::default());
    rt.block_on(async {
        let (ns, _) = ncs.create_namespace(None, false).await.unwrap();
        let bodies: Vec<_> = (0..n)
            .map(|i| common::ncs_create_body(ns, &format!("w{i}")))
            .collect();
        let start = Instant::now();
        for body in &bodies {
            ncs.call(&OP, NcsAction::CreateStatefulWorkload, body)
                .await
                .unwrap();
        }
        start.elapsed()
    })
}

/// The size of a stored workload and its pod, to make raw rows alike.
fn stored_bytes(path: &Path) -> usize {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT (SELECT length(body) + length(template) FROM workloads LIMIT 1) + \
                (SELECT length(body) FROM pods LIMIT 1)",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| usize::try_from(n).unwrap())
    .unwrap()
}

/// `n` single-row transactions with raw rusqlite, set up as the simulator's file is.
fn raw_inserts(path: &Path, n: u64, row_bytes: usize) -> Duration {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; PRAGMA synchronous = FULL;")
        .unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .unwrap();
    let body = "x".repeat(row_bytes);
    let start = Instant::now();
    for id in 0..n {
        conn.execute_batch("BEGIN").unwrap();
        conn.prepare_cached("INSERT INTO rows (id, body) VALUES (?1, ?2)")
            .unwrap()
            .execute(rusqlite::params![i64::try_from(id).unwrap(), body])
            .unwrap();
        conn.execute_batch("COMMIT").unwrap();
    }
    start.elapsed()
}

fn per_second(n: u64, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let dir = scratch();
    let file = |name: &str| -> PathBuf { dir.path().join(name) };

    let n = count("PODGATE_DURABLE_CREATES", 1000);
    let library = create(&rt, &file("library.db"), Durability::Full, n);
    let row_bytes = stored_bytes(&file("library.db"));
    let raw = raw_inserts(&file("raw.db"), n, row_bytes);
    let (lib_rate, raw_rate) = (per_second(n, library), per_second(n, raw));
    println!("durable creates, {n} one at a time, WAL + synchronous=FULL:");
    println!("  podgate (NCS create on SimBackend::open): {lib_rate:>9.0} creates/s");
    println!("  raw rusqlite, one {row_bytes}-byte row per transaction: {raw_rate:>9.0} inserts/s");
    println!("  ratio: {:.2} (target >= 0.5)", lib_rate / raw_rate);

    let workloads = count("PODGATE_DURABLE_RELOAD", 100_000);
    let big = file("reload.db");
    let filled = create(&rt, &big, Durability::Off, workloads);
    let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    let start = Instant::now();
    let sim = SimBackend::open(config(Durability::Full), &big).unwrap();
    let reload = start.elapsed();
    drop(sim);
    println!(
        "reload: {workloads} workloads (file {:.1} MiB, filled in {:.1} s) opened in {:.3} s \
         (target <= 1 s)",
        size as f64 / (1024.0 * 1024.0),
        filled.as_secs_f64(),
        reload.as_secs_f64()
    );
}

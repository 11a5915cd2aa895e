//! Simulator benchmarks through the NCS service: create (with the event feed on, as
//! it ships, and off), describe, and a list page (`Limit` 100) with 1k, 100k and 1M
//! pods resident; then resident memory per pod at 1M pods.
//!
//! `cargo bench --bench sim` runs everything; `cargo bench --bench sim -- list` only
//! the list pages, and so on (criterion's filters). Sizes can be narrowed with
//! `PODGATE_BENCH_SIZES=1000,100000`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use podgate::core::dialects::ncs::{NcsAction, NcsCaller, NcsConfig, NcsReply, NcsService};
use podgate::core::model::NamespaceId;
use serde_json::json;
use tokio::runtime::Runtime;

const OP: NcsCaller = NcsCaller::Operator;

struct World {
    ncs: NcsService,
    ns: NamespaceId,
    created: u64,
    last_id: u64,
}

/// A simulator holding `n` workloads of one pod each, its event feed keeping
/// `feed_capacity` entries (0: off).
fn populate(rt: &Runtime, n: u64, feed_capacity: usize) -> World {
    let sim = std::sync::Arc::new(podgate::sim::SimBackend::new(podgate::sim::SimConfig {
        feed_capacity,
        ..common::roomy_config()
    }));
    let ncs = NcsService::new(sim, NcsConfig::default());
    rt.block_on(async {
        let (ns, _) = ncs.create_namespace(None, false).await.unwrap();
        let mut last_id = 0;
        for i in 0..n {
            let reply = ncs
                .call(
                    &OP,
                    NcsAction::CreateStatefulWorkload,
                    &common::ncs_create_body(ns, &format!("w{i}")),
                )
                .await
                .map(NcsReply::into_json)
                .unwrap();
            last_id = reply["StatefulWorkloadId"].as_u64().unwrap();
        }
        World {
            ncs,
            ns,
            created: n,
            last_id,
        }
    })
}

/// Criterion's `name`: one more workload created in `world` per iteration.
fn bench_create(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    rt: &Runtime,
    world: &mut World,
) {
    group.bench_function(name, |b| {
        b.iter_batched(
            || {
                world.created += 1;
                common::ncs_create_body(world.ns, &format!("extra{}", world.created))
            },
            |request| {
                rt.block_on(
                    world
                        .ncs
                        .call(&OP, NcsAction::CreateStatefulWorkload, &request),
                )
                .unwrap()
            },
            BatchSize::SmallInput,
        );
    });
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut memory = None;
    for n in common::sizes(&[1_000, 100_000, 1_000_000]) {
        let rss_before = rss_bytes();
        let started = Instant::now();
        let mut world = populate(&rt, n, podgate::core::feed::DEFAULT_CAPACITY);
        let populate_time = started.elapsed();
        let rss_after = rss_bytes();
        if n == 1_000_000 {
            memory = Some((n, rss_after.saturating_sub(rss_before), populate_time));
        }
        println!("populated {n} workloads/pods in {populate_time:.2?}");

        let mut group = c.benchmark_group(format!("sim/{n}"));
        bench_create(&mut group, "create", &rt, &mut world);
        // The same with the event feed off, beside it (up to 100k: a second world of a
        // million pods would only double the set-up).
        if n <= 100_000 {
            bench_create(
                &mut group,
                "create, feed off",
                &rt,
                &mut populate(&rt, n, 0),
            );
        }
        let describe =
            json!({"NamespaceId": world.ns.0, "StatefulWorkloadId": world.last_id / 2 + 1});
        group.bench_function("describe", |b| {
            b.iter(|| {
                rt.block_on(world.ncs.call(
                    &OP,
                    NcsAction::DescribeStatefulWorkloadInfo,
                    black_box(&describe),
                ))
                .unwrap()
            });
        });
        let list = json!({"Limit": 100, "Offset": n / 2});
        group.bench_function("list_page_100", |b| {
            b.iter(|| {
                let page = rt
                    .block_on(world.ncs.call(
                        &OP,
                        NcsAction::DescribeStatefulWorkloadsAllNamespaces,
                        black_box(&list),
                    ))
                    .unwrap();
                let NcsReply::List(list) = &page else {
                    panic!("a list reply");
                };
                assert_eq!(list.StatefulWorkloads.len(), 100);
                page
            });
        });
        group.finish();
        drop(world);
    }
    c.final_summary();
    if let Some((n, bytes, took)) = memory {
        println!(
            "memory: {n} pods resident add {:.1} MiB RSS = {:.0} bytes per pod (workload + pod + indexes); populated in {took:.2?}",
            bytes as f64 / 1_048_576.0,
            bytes as f64 / n as f64
        );
    }
}

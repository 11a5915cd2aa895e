//! The list queries of the other dialects with 1k and 1M pods resident: openYuanrong
//! pools by group, IEF pods by node and by group (a 100-item page in the middle), and
//! V-Kube's check-ports over a region. Each should cost the same at both sizes.
//!
//! `cargo bench --bench lists`; sizes can be narrowed with `PODGATE_BENCH_SIZES`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use podgate::core::dialects::ief::wire::{CreateDeploymentRequest, ListPodsParams};
use podgate::core::dialects::ief::{IefCaller, IefService};
use podgate::core::dialects::vkube::wire::CheckPortsRequest;
use podgate::core::dialects::vkube::{VkubeConfig, VkubeService};
use podgate::core::dialects::yuanrong::wire::{CreatePoolsRequest, QueryParams};
use podgate::core::dialects::yuanrong::{YrConfig, YuanrongService};
use serde_json::json;

struct World {
    ief: IefService,
    caller: IefCaller,
    pools: YuanrongService,
    vkube: VkubeService,
    pods: u64,
}

const PROJECT: &str = "bench";

fn populate(rt: &tokio::runtime::Runtime, pods: u64) -> World {
    let sim = common::roomy_sim();
    let ief = IefService::new(sim.clone());
    let pools = YuanrongService::new(sim.clone(), YrConfig::default(), None);
    let vkube = VkubeService::new(sim, VkubeConfig::default());
    rt.block_on(async {
        let token = ief.create_project(PROJECT).await.unwrap();
        let caller = ief.authenticate(token.expose()).await.unwrap();
        // IEF deployments of up to 99 replicas each (IEF's most) on group-a's two
        // nodes, and one pod with a host port so that check-ports has something to find.
        let deploy = |name: String, replicas: u64, ports: serde_json::Value| {
            let body = json!({
                "name": name, "group_id": "group-a",
                "deployment": {"replicas": replicas, "template": {"configs": {"migration": true}, "containers": [{
                    "name": "app", "image_url": "nginx", "version": "stable", "ports": ports,
                    "resources": {"limits": {"cpu": 0.1, "memory": 64}}
                }]}}
            });
            serde_json::from_value::<CreateDeploymentRequest>(body).unwrap()
        };
        let ported = deploy("ported".to_owned(), 1, json!([{"container_port": 80, "host_port": 8080}]));
        ief.create_deployment(&caller, PROJECT, &ported).await.unwrap();
        let mut left = pods;
        let mut i = 0;
        while left > 0 {
            let replicas = left.min(99);
            ief.create_deployment(&caller, PROJECT, &deploy(format!("d{i}"), replicas, json!([]))).await.unwrap();
            left -= replicas;
            i += 1;
        }
        // 200 small pools in one group.
        let list: Vec<_> = (0..200)
            .map(|i| json!({"id": format!("pool-{i}"), "group": "rg1", "size": 1, "image": "nginx:stable"}))
            .collect();
        let req: CreatePoolsRequest = serde_json::from_value(json!({"pools": list})).unwrap();
        assert_eq!(pools.create(&req).await.unwrap().failed_pools, None);
        World { ief, caller, pools, vkube, pods }
    })
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for n in common::sizes(&[1_000, 1_000_000]) {
        let started = Instant::now();
        let world = populate(&rt, n);
        println!(
            "populated {} IEF pods and 200 pools in {:.2?}",
            world.pods,
            started.elapsed()
        );
        let mut group = c.benchmark_group(format!("lists/{n}"));
        let middle = (n / 4).to_string();
        for (label, params) in [
            (
                "ief_pods_by_node",
                json!({"node_id": "node-1", "limit": 100, "offset": middle}),
            ),
            (
                "ief_pods_by_group",
                json!({"group_id": "group-a", "limit": 100, "offset": (n / 2).to_string()}),
            ),
        ] {
            let params: ListPodsParams = serde_json::from_value(params).unwrap();
            group.bench_function(label, |b| {
                b.iter(|| {
                    let page = rt
                        .block_on(
                            world
                                .ief
                                .list_pods(&world.caller, PROJECT, black_box(&params)),
                        )
                        .unwrap();
                    assert!(!page.pods.is_empty());
                    page
                });
            });
        }
        let pools: QueryParams =
            serde_json::from_value(json!({"group": "rg1", "limit": "10", "offset": "5"})).unwrap();
        group.bench_function("pools_by_group", |b| {
            b.iter(|| rt.block_on(world.pools.query(black_box(&pools))).unwrap());
        });
        let check: CheckPortsRequest =
            serde_json::from_value(json!({"region": "region1", "ports": [8080, 22, 3306, 1234]}))
                .unwrap();
        group.bench_function("check_ports_region", |b| {
            b.iter(|| {
                let reply = rt
                    .block_on(world.vkube.check_ports(black_box(&check)))
                    .unwrap();
                assert_eq!(reply.status, "PortsOccupied");
                reply
            });
        });
        group.finish();
    }
    c.final_summary();
}

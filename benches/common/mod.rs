//! What the benchmarks share: a roomy simulator and the sizes to run.

#![allow(dead_code, reason = "each benchmark uses its own part")]

use std::sync::Arc;

use podgate::core::model::NamespaceId;
use podgate::sim::{SimBackend, SimConfig, default_topology};
use serde_json::{Value, json};

/// The default topology with room enough that capacity never decides placement: its
/// nodes can hold millions of pods.
pub(crate) fn roomy_config() -> SimConfig {
    let mut topology = default_topology();
    for node in &mut topology.nodes {
        node.max_pods = 2_000_000;
        node.capacity.cpu_millis = u64::MAX / 16;
        node.capacity.memory_mib = u64::MAX / 16;
    }
    SimConfig {
        topology,
        ..SimConfig::default()
    }
}

/// An in-memory simulator on [`roomy_config`].
pub(crate) fn roomy_sim() -> Arc<SimBackend> {
    Arc::new(SimBackend::new(roomy_config()))
}

/// An NCS CreateStatefulWorkload body like the vendor's example.
pub(crate) fn ncs_create_body(ns: NamespaceId, name: &str) -> Value {
    json!({
        "NamespaceId": ns.0, "Name": name, "SpecType": "ncs.n1.small1",
        "ContainerType": "Standard", "Placement": {"ZoneId": ["cn-east-1a"]},
        "VirtualPrivateCloud": {"VpcId": "vpc-1", "SubnetId": "None"},
        "Containers": [{
            "Name": "app", "Image": "nginx:stable",
            "Envs": [{"Name": "MODE", "Value": "bench"}],
            "ResourceRequirements": {"Limits": {"Cpu": 100, "Memory": 128}}
        }]
    })
}

/// The pod counts to run: `PODGATE_BENCH_SIZES` (comma-separated), else `default`.
pub(crate) fn sizes(default: &[u64]) -> Vec<u64> {
    std::env::var("PODGATE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

//! What the benchmarks share: a roomy simulator and the sizes to run.

use std::sync::Arc;

use podgate::sim::{SimBackend, SimConfig, default_topology};

/// A simulator whose nodes can hold millions of pods: the default topology with room
/// enough that capacity never decides placement.
pub(crate) fn roomy_sim() -> Arc<SimBackend> {
    let mut topology = default_topology();
    for node in &mut topology.nodes {
        node.max_pods = 2_000_000;
        node.capacity.cpu_millis = u64::MAX / 16;
        node.capacity.memory_mib = u64::MAX / 16;
    }
    Arc::new(SimBackend::new(SimConfig {
        topology,
        ..SimConfig::default()
    }))
}

/// The pod counts to run: `PODGATE_BENCH_SIZES` (comma-separated), else `default`.
pub(crate) fn sizes(default: &[u64]) -> Vec<u64> {
    std::env::var("PODGATE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

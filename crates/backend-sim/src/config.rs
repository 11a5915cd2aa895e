//! Simulator settings: topology, image catalogue, lifecycle delays, clock.

use std::time::Duration;

use podgate_core::model::{Node, Resources, Topology};
use serde::de::DeserializeOwned;

use crate::SimError;
use crate::clock::ClockMode;
use crate::images::ImageCatalogue;

/// How long each step of a pod's life takes in simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delays {
    /// Created → bound to a node.
    pub schedule: Duration,
    /// Bound → containers running (`ContainerCreating`, including the image pull).
    pub start: Duration,
    /// `ErrImagePull` → `ImagePullBackOff`.
    pub pull_backoff: Duration,
    /// A crashed container waits this long in `CrashLoopBackOff` before it runs again.
    pub crash_backoff: Duration,
    /// A restarted container is back after this long.
    pub restart: Duration,
}

impl Delays {
    /// Every step instant: what tests want.
    pub const ZERO: Self = Self {
        schedule: Duration::ZERO,
        start: Duration::ZERO,
        pull_backoff: Duration::ZERO,
        crash_backoff: Duration::ZERO,
        restart: Duration::ZERO,
    };

    /// Short delays resembling a real cluster.
    pub const REALISTIC: Self = Self {
        schedule: Duration::from_millis(500),
        start: Duration::from_secs(3),
        pull_backoff: Duration::from_secs(10),
        crash_backoff: Duration::from_secs(10),
        restart: Duration::from_secs(2),
    };

    /// Every step takes `step`.
    pub fn fixed(step: Duration) -> Self {
        Self {
            schedule: step,
            start: step,
            pull_backoff: step,
            crash_backoff: step,
            restart: step,
        }
    }
}

/// Everything a simulator starts from.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The nodes.
    pub topology: Topology,
    /// The images that exist.
    pub images: ImageCatalogue,
    /// Lifecycle delays.
    pub delays: Delays,
    /// Where time starts.
    pub clock: ClockMode,
    /// How hard a persistent simulator ([`SimBackend::open`](crate::SimBackend)) works
    /// to keep a change once it is acknowledged. Ignored in memory.
    pub durability: Durability,
    /// How many entries the event feed ([`SimBackend::feed`](crate::SimBackend::feed))
    /// keeps, the newest; 0 turns the feed off. A persistent simulator keeps them
    /// in its file too.
    pub feed_capacity: usize,
}

/// When a persistent simulator's change counts as stored: SQLite's `synchronous`
/// setting in WAL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit is flushed to disk (`fsync`) before it is acknowledged: nothing
    /// acknowledged is lost to a process crash or a power cut. The default.
    #[default]
    Full,
    /// Commits reach the operating system before they are acknowledged: nothing is
    /// lost to a process crash, the last commits may be lost to a power cut.
    Normal,
    /// No flushing at all: for throwaway files (test fixtures, benchmark set-up).
    Off,
}

impl Default for SimConfig {
    /// The embedded topology and catalogue, zero delays, and a manual clock starting at
    /// 2026-01-01T00:00:00Z: deterministic.
    fn default() -> Self {
        Self {
            topology: default_topology(),
            images: ImageCatalogue::default(),
            delays: Delays::ZERO,
            clock: ClockMode::Manual(podgate_core::model::Timestamp(1_767_225_600_000)),
            durability: Durability::Full,
            feed_capacity: podgate_core::feed::DEFAULT_CAPACITY,
        }
    }
}

fn load_json<T: DeserializeOwned>(path: &str, what: &'static str) -> Result<T, SimError> {
    let text = std::fs::read_to_string(path).map_err(|source| SimError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| SimError::Invalid {
        path: path.to_owned(),
        what,
        reason: e.to_string(),
    })
}

impl SimConfig {
    /// Replaces the topology with one read from a JSON file
    /// (`{"nodes":[{"name","region","zone","group","capacity":{...}}]}`).
    pub fn with_topology_file(mut self, path: &str) -> Result<Self, SimError> {
        let topology: Topology = load_json(path, "topology")?;
        validate_topology(&topology).map_err(|reason| SimError::Invalid {
            path: path.to_owned(),
            what: "topology",
            reason,
        })?;
        self.topology = topology;
        Ok(self)
    }

    /// Replaces the image catalogue with one read from a JSON file (an array of image
    /// references).
    pub fn with_images_file(mut self, path: &str) -> Result<Self, SimError> {
        let images: Vec<String> = load_json(path, "image list")?;
        self.images = ImageCatalogue::new(images);
        Ok(self)
    }
}

/// A topology must have nodes, with unique non-empty names.
pub fn validate_topology(topology: &Topology) -> Result<(), String> {
    if topology.nodes.is_empty() {
        return Err("it has no nodes".to_owned());
    }
    let mut names = std::collections::BTreeSet::new();
    for node in &topology.nodes {
        if node.name.is_empty() || node.region.is_empty() || node.zone.is_empty() {
            return Err("every node needs a name, a region and a zone".to_owned());
        }
        if !names.insert(node.name.as_str()) {
            return Err(format!("node {} appears twice", node.name));
        }
    }
    Ok(())
}

/// The embedded default topology: regions `region1..3`, zones `cn-east-1a` and
/// `cn-east-1b`, six nodes in three groups, 16 cores and 64 GiB each.
pub fn default_topology() -> Topology {
    let node = |name: &str, region: &str, zone: &str, group: Option<&str>| Node {
        name: name.to_owned(),
        region: region.to_owned(),
        zone: zone.to_owned(),
        group: group.map(str::to_owned),
        capacity: Resources {
            cpu_millis: 16_000,
            memory_mib: 65_536,
            gpu: 0,
        },
        extended: Default::default(),
        max_pods: 110,
        labels: Default::default(),
        ready: true,
    };
    Topology {
        nodes: vec![
            node("node-1", "region1", "cn-east-1a", Some("group-a")),
            node("node-2", "region1", "cn-east-1b", Some("group-a")),
            node("node-3", "region2", "cn-east-1a", Some("group-b")),
            node("node-4", "region2", "cn-east-1b", Some("group-b")),
            node("node-5", "region3", "cn-east-1a", Some("group-c")),
            node("node-6", "region3", "cn-east-1b", None),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_topology_matches_the_spec() {
        let t = default_topology();
        assert!(validate_topology(&t).is_ok());
        assert_eq!(t.regions(), vec!["region1", "region2", "region3"]);
        assert_eq!(t.zones(), vec!["cn-east-1a", "cn-east-1b"]);
    }

    #[test]
    fn topology_file_round_trips_and_bad_files_are_errors() {
        let dir = std::env::temp_dir().join(format!("podgate-topo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, serde_json::to_string(&default_topology()).unwrap()).unwrap();
        let loaded = SimConfig::default()
            .with_topology_file(good.to_str().unwrap())
            .unwrap();
        assert_eq!(loaded.topology, default_topology());

        let empty = dir.join("empty.json");
        std::fs::write(&empty, r#"{"nodes":[]}"#).unwrap();
        assert!(matches!(
            SimConfig::default().with_topology_file(empty.to_str().unwrap()),
            Err(SimError::Invalid { .. })
        ));
        assert!(matches!(
            SimConfig::default().with_topology_file("/nonexistent/topology.json"),
            Err(SimError::Read { .. })
        ));
        std::fs::remove_dir_all(dir).ok();
    }
}

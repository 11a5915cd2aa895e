//! Pod templates: what a workload runs, in Kubernetes terms.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ResourceRequirements;

/// What every pod of a workload looks like.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PodTemplate {
    /// The containers, in order; names are unique.
    pub containers: Vec<ContainerSpec>,
    /// Volumes the containers mount, by name.
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// Where the pod may run.
    #[serde(default)]
    pub placement: Placement,
    /// Kernel parameters set in the pod's sandbox.
    #[serde(default)]
    pub sysctls: Vec<Sysctl>,
    /// Data the cluster keeps for a dialect and does not interpret (Kubernetes
    /// annotations on the workload object).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl PodTemplate {
    /// Every host port the pod binds.
    pub fn host_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.containers
            .iter()
            .flat_map(|c| c.ports.iter().filter_map(|p| p.host_port))
    }

    /// The sum of every container's requests.
    pub fn requests(&self) -> super::Resources {
        self.containers
            .iter()
            .fold(super::Resources::default(), |sum, c| {
                sum.plus(c.resources.requests)
            })
    }
}

/// Constraints on the node a pod runs on; every given constraint must hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Placement {
    /// The node must be in one of these zones (any zone when empty).
    #[serde(default)]
    pub zones: Vec<String>,
    /// The node must be in this region.
    #[serde(default)]
    pub region: Option<String>,
    /// The node must be in this node group.
    #[serde(default)]
    pub group: Option<String>,
    /// The pod must run on exactly this node.
    #[serde(default)]
    pub node: Option<String>,
    /// Node labels the node must carry (Kubernetes `nodeSelector`). A node's region,
    /// zone and group count as the labels `region`, `zone`, `group`,
    /// `topology.kubernetes.io/region` and `topology.kubernetes.io/zone`.
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    /// The pod's host ports must be free on every node of its region, not only its own
    /// (V-Kube's rule); creating or updating a workload whose ports are taken fails.
    #[serde(default)]
    pub host_ports_unique_in_region: bool,
}

/// A `name=value` kernel parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sysctl {
    /// The parameter, e.g. `net.ipv4.tcp_syncookies`.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// One container of a pod template.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ContainerSpec {
    /// Unique within the pod.
    pub name: String,
    /// Image reference, `registry/name:tag`.
    pub image: String,
    /// Entrypoint override.
    #[serde(default)]
    pub command: Vec<String>,
    /// Arguments to the entrypoint.
    #[serde(default)]
    pub args: Vec<String>,
    /// Environment variables.
    #[serde(default)]
    pub env: Vec<EnvVar>,
    /// Requests and limits.
    #[serde(default)]
    pub resources: ResourceRequirements,
    /// Ports, optionally bound on the node.
    #[serde(default)]
    pub ports: Vec<ContainerPort>,
    /// Volumes mounted into the container.
    #[serde(default)]
    pub volume_mounts: Vec<VolumeMount>,
    /// Liveness probe.
    #[serde(default)]
    pub liveness_probe: Option<Probe>,
    /// Readiness probe.
    #[serde(default)]
    pub readiness_probe: Option<Probe>,
    /// Privilege settings.
    #[serde(default)]
    pub security: SecurityContext,
}

/// An environment variable: a literal value, or a key of a secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// Where its value comes from.
    pub value: EnvValue,
}

/// The source of an environment variable's value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EnvValue {
    /// A literal.
    Literal(String),
    /// A key of a secret.
    SecretKey {
        /// The secret's name.
        secret: String,
        /// The key within it.
        key: String,
    },
}

/// A container port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContainerPort {
    /// The port inside the container, 1..=65535.
    pub container_port: u16,
    /// The port bound on the node, if any; a host port is used once per node.
    pub host_port: Option<u16>,
}

/// A pod volume.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Volume {
    /// Unique within the pod.
    pub name: String,
    /// What backs it.
    pub source: VolumeSource,
}

/// What backs a volume.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VolumeSource {
    /// Scratch space living as long as the pod; `memory` puts it in RAM.
    EmptyDir {
        /// Backed by memory (tmpfs) instead of disk.
        memory: bool,
    },
    /// The keys of a secret, as files.
    Secret {
        /// The secret's name.
        secret: String,
    },
    /// A path of the node.
    HostPath {
        /// The absolute path on the node.
        path: String,
    },
    /// The keys of a config map, as files.
    ConfigMap {
        /// The config map's name.
        name: String,
    },
    /// A persistent disk claimed for the pod.
    Disk {
        /// The disk's class (e.g. `CloudSsd`).
        class: String,
        /// Size in GB.
        size_gb: u64,
    },
}

/// Where a volume appears in a container.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VolumeMount {
    /// The volume's name.
    pub volume: String,
    /// Absolute path in the container.
    pub mount_path: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// A health probe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Probe {
    /// Command run in the container; success is exit status 0.
    #[serde(default)]
    pub exec: Vec<String>,
    /// Seconds between probes.
    #[serde(default)]
    pub period_seconds: Option<u32>,
    /// Seconds before a probe times out.
    #[serde(default)]
    pub timeout_seconds: Option<u32>,
}

/// A container's privilege settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SecurityContext {
    /// Runs privileged (root on the host).
    pub privileged: bool,
    /// Linux capabilities added.
    #[serde(default)]
    pub capabilities: Vec<String>,
}

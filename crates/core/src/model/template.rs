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
    /// annotations on the pod template).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Labels each pod carries (Kubernetes labels on the pod template: valid label
    /// keys and values, none under `podgate.io/`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Containers that run to completion, in order, before `containers` start.
    #[serde(default)]
    pub init_containers: Vec<ContainerSpec>,
    /// Uses the node's network namespace.
    #[serde(default)]
    pub host_network: bool,
    /// Uses the node's process id namespace.
    #[serde(default)]
    pub host_pid: bool,
    /// How the pod's DNS is set up (`None`: the cluster's default, `ClusterFirst`).
    #[serde(default)]
    pub dns_policy: Option<DnsPolicy>,
    /// When a container that ended is started again.
    #[serde(default)]
    pub restart_policy: RestartPolicy,
}

/// Kubernetes' `dnsPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DnsPolicy {
    /// The node's resolver configuration.
    Default,
    /// The cluster's DNS first, then the node's.
    ClusterFirst,
    /// `ClusterFirst`, also with the host network.
    ClusterFirstWithHostNet,
}

impl DnsPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "Default",
            Self::ClusterFirst => "ClusterFirst",
            Self::ClusterFirstWithHostNet => "ClusterFirstWithHostNet",
        }
    }
}

/// Kubernetes' `restartPolicy`: when a container that ended runs again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum RestartPolicy {
    /// Always (every replicated workload on Kubernetes).
    #[default]
    Always,
    /// Only after it failed.
    OnFailure,
    /// Never: an ended container stays terminated.
    Never,
}

impl RestartPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "Always",
            Self::OnFailure => "OnFailure",
            Self::Never => "Never",
        }
    }
}

impl PodTemplate {
    /// Every host port the pod binds.
    pub fn host_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.init_containers
            .iter()
            .chain(&self.containers)
            .flat_map(|c| c.ports.iter().filter_map(|p| p.host_port))
    }

    /// What the pod reserves on its node, as Kubernetes counts it: the sum of its
    /// containers' requests, or the largest init container's, whichever is larger in
    /// each resource.
    pub fn requests(&self) -> super::Resources {
        let sum = self
            .containers
            .iter()
            .fold(super::Resources::default(), |sum, c| {
                sum.plus(c.resources.requests)
            });
        self.init_containers.iter().fold(sum, |most, c| {
            let r = c.resources.requests;
            super::Resources {
                cpu_millis: most.cpu_millis.max(r.cpu_millis),
                memory_mib: most.memory_mib.max(r.memory_mib),
                gpu: most.gpu.max(r.gpu),
            }
        })
    }

    /// The extended resources the pod reserves, counted as [`Self::requests`] counts.
    pub fn extended_requests(&self) -> BTreeMap<String, u64> {
        let mut sum: BTreeMap<String, u64> = BTreeMap::new();
        for c in &self.containers {
            for (name, amount) in &c.extended_resources {
                let slot = sum.entry(name.clone()).or_default();
                *slot = slot.saturating_add(*amount);
            }
        }
        for c in &self.init_containers {
            for (name, amount) in &c.extended_resources {
                let slot = sum.entry(name.clone()).or_default();
                *slot = (*slot).max(*amount);
            }
        }
        sum
    }

    /// The names of the config maps and secrets the pod reads (volumes and env), as
    /// `(kind, name)` pairs.
    pub fn config_refs(&self) -> Vec<(super::ConfigKind, &str)> {
        use super::ConfigKind;
        let mut refs = Vec::new();
        for v in &self.volumes {
            match &v.source {
                VolumeSource::ConfigMap { name, .. } => {
                    refs.push((ConfigKind::ConfigMap, name.as_str()));
                }
                VolumeSource::Secret { secret, .. } => {
                    refs.push((ConfigKind::Secret, secret.as_str()));
                }
                _ => {}
            }
        }
        for c in self.init_containers.iter().chain(&self.containers) {
            for e in &c.env {
                match &e.value {
                    EnvValue::ConfigMapKey { config_map, .. } => {
                        refs.push((ConfigKind::ConfigMap, config_map.as_str()));
                    }
                    EnvValue::SecretKey { secret, .. } => {
                        refs.push((ConfigKind::Secret, secret.as_str()));
                    }
                    EnvValue::Literal(_) | EnvValue::FieldPath(_) => {}
                }
            }
        }
        refs.sort_unstable();
        refs.dedup();
        refs
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
    /// Node affinity on node labels (Kubernetes `nodeAffinity`), besides the above.
    #[serde(default)]
    pub node_affinity: Option<NodeAffinity>,
    /// What happens to the pod when its node stops answering.
    #[serde(default)]
    pub node_loss: NodeLossPolicy,
}

/// Kubernetes' `nodeAffinity`: hard and soft rules on node labels. A node's region,
/// zone and group count as labels as in [`Placement::node_selector`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct NodeAffinity {
    /// The node must match one of these terms (any node when empty).
    #[serde(default)]
    pub required: Vec<NodeSelectorTerm>,
    /// Nodes matching these terms are preferred, by the sum of their weights.
    #[serde(default)]
    pub preferred: Vec<WeightedTerm>,
}

/// A term of requirements that must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct NodeSelectorTerm {
    /// The requirements, ANDed.
    pub match_expressions: Vec<NodeSelectorRequirement>,
}

/// A preferred term and its weight (1..=100).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WeightedTerm {
    /// The weight.
    pub weight: i32,
    /// The term.
    pub term: NodeSelectorTerm,
}

/// One requirement on a node label: `key operator values`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeSelectorRequirement {
    /// The label key.
    pub key: String,
    /// How the label is compared.
    pub operator: SelectorOperator,
    /// The values (one integer for `Gt` and `Lt`, none for `Exists` and
    /// `DoesNotExist`).
    #[serde(default)]
    pub values: Vec<String>,
}

/// The operators of a node selector requirement, as Kubernetes names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SelectorOperator {
    /// The label's value is one of the values.
    In,
    /// The label is absent or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// The label's value, an integer, is greater than the one value.
    Gt,
    /// The label's value, an integer, is less than the one value.
    Lt,
}

impl SelectorOperator {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "In",
            Self::NotIn => "NotIn",
            Self::Exists => "Exists",
            Self::DoesNotExist => "DoesNotExist",
            Self::Gt => "Gt",
            Self::Lt => "Lt",
        }
    }

    /// The operator Kubernetes spells `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::In,
            Self::NotIn,
            Self::Exists,
            Self::DoesNotExist,
            Self::Gt,
            Self::Lt,
        ]
        .into_iter()
        .find(|op| op.as_str() == name)
    }
}

impl NodeSelectorRequirement {
    /// Whether a node whose label `key` has `value` (or none) meets the requirement.
    pub fn matches(&self, value: Option<&str>) -> bool {
        let number = |text: &str| text.parse::<i64>().ok();
        let bound = self.values.first().and_then(|v| number(v));
        match self.operator {
            SelectorOperator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            SelectorOperator::NotIn => value.is_none_or(|v| self.values.iter().all(|x| x != v)),
            SelectorOperator::Exists => value.is_some(),
            SelectorOperator::DoesNotExist => value.is_none(),
            SelectorOperator::Gt => {
                matches!((value.and_then(number), bound), (Some(v), Some(b)) if v > b)
            }
            SelectorOperator::Lt => {
                matches!((value.and_then(number), bound), (Some(v), Some(b)) if v < b)
            }
        }
    }
}

impl NodeSelectorTerm {
    /// Whether a node, whose labels `label` looks up, meets every requirement.
    pub fn matches<'a>(&self, label: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.match_expressions
            .iter()
            .all(|r| r.matches(label(&r.key)))
    }
}

/// What happens to a pod whose node stops answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum NodeLossPolicy {
    /// The cluster's own rule: the simulator replaces the pod at once; Kubernetes
    /// evicts it after its default toleration (300 s).
    #[default]
    ClusterDefault,
    /// The pod stays bound to the lost node this many seconds, then is replaced on
    /// another node (Kubernetes: a `NoExecute` toleration with `tolerationSeconds`).
    EvictAfter(u32),
    /// The pod stays bound to its node, however long the node is lost.
    Stay,
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
    /// Extended resources (device plugins' resources, by their Kubernetes name), each
    /// both requested and limited to this amount.
    #[serde(default)]
    pub extended_resources: BTreeMap<String, u64>,
}

/// An environment variable: a literal value, a key of a secret or config map, or a
/// field of the pod.
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
    /// A key of a config map.
    ConfigMapKey {
        /// The config map's name.
        config_map: String,
        /// The key within it.
        key: String,
    },
    /// A field of the pod (Kubernetes `fieldRef`), e.g. `status.podIP`.
    FieldPath(String),
}

/// A container port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContainerPort {
    /// The port inside the container, 1..=65535.
    pub container_port: u16,
    /// The port bound on the node, if any; a host port is used once per node.
    pub host_port: Option<u16>,
    /// The node address the host port is bound on (all addresses when `None`).
    #[serde(default)]
    pub host_ip: Option<String>,
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
        /// The files' mode (Kubernetes' default, 0644, when `None`).
        #[serde(default)]
        default_mode: Option<u32>,
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
        /// The files' mode (Kubernetes' default, 0644, when `None`).
        #[serde(default)]
        default_mode: Option<u32>,
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

/// A health probe: a command, or an HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Probe {
    /// Command run in the container; success is exit status 0.
    #[serde(default)]
    pub exec: Vec<String>,
    /// An HTTP GET; success is a status in 200..400.
    #[serde(default)]
    pub http_get: Option<HttpGet>,
    /// Seconds after the container starts before the first probe.
    #[serde(default)]
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes.
    #[serde(default)]
    pub period_seconds: Option<u32>,
    /// Seconds before a probe times out.
    #[serde(default)]
    pub timeout_seconds: Option<u32>,
}

/// A probe's HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HttpGet {
    /// The path, starting with `/`.
    pub path: String,
    /// The port.
    pub port: u16,
    /// The host to connect to (the pod's IP when `None`).
    #[serde(default)]
    pub host: Option<String>,
    /// `HTTP` or `HTTPS`.
    pub scheme: String,
}

/// A container's privilege settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SecurityContext {
    /// Runs privileged (root on the host).
    pub privileged: bool,
    /// Linux capabilities added.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// The user id the container's processes run as (the image's when `None`).
    #[serde(default)]
    pub run_as_user: Option<i64>,
}

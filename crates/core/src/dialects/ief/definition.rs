//! What IEF keeps of a deployment in the cluster, and the domain pod template a
//! validated `PodRequest` runs.
//!
//! A deployment is two things: the template its pods run (stored as an annotation of
//! the pod template, so a change to it rolls the pods) and what it carries beside them
//! (description, tags, placement, annotations: stored as an annotation of the workload,
//! so changing it replaces no pod).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::request::DEFAULT_TOLERATION_SECONDS;
use super::wire::{
    Annotations, ContainerDefOut, MatchExpressions, PodRequestOut, ProbeOut, ResourcesOut, Tag,
};
use crate::Result;
use crate::model::{
    ContainerPort, ContainerSpec, DnsPolicy, EnvValue, EnvVar, HttpGet, NodeAffinity,
    NodeLossPolicy, NodeSelectorRequirement, NodeSelectorTerm, Placement, PodTemplate, Probe,
    ResourceRequirements, Resources, RestartPolicy, SecurityContext, SelectorOperator, Volume,
    VolumeMount, VolumeSource, WeightedTerm,
};

/// The pod-template annotation holding a deployment's validated `PodRequest`.
pub const DEFINITION_ANNOTATION: &str = "ief.podgate.io/definition";
/// The workload annotation holding what a deployment carries beside its pods.
pub const DEPLOYMENT_ANNOTATION: &str = "ief.podgate.io/deployment";
/// The workload label naming a node deployment's node.
pub const NODE_LABEL: &str = "ief.podgate.io/node";
/// The workload label naming a group deployment's node group.
pub const GROUP_LABEL: &str = "ief.podgate.io/group";
/// The extended resource IEF's `gpu` (GPU memory, MB) asks for.
pub const GPU_MEMORY_RESOURCE: &str = "ief.podgate.io/gpu-memory";

/// What a deployment carries beside its pods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentMeta {
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Where it came from, as given.
    pub source: String,
    /// The node, for node deployments.
    pub node_ids: Vec<String>,
    /// The node group, for group deployments.
    pub group_id: Option<String>,
    /// Annotations, as given.
    pub annotations: Option<Annotations>,
}

impl DeploymentMeta {
    /// Reads it back from a workload's annotations.
    pub fn read(annotations: &BTreeMap<String, String>) -> Result<Self> {
        crate::dialects::read_definition(annotations, DEPLOYMENT_ANNOTATION, "IEF deployment")
    }

    /// The workload annotations that hold it.
    pub fn annotations(&self) -> Result<BTreeMap<String, String>> {
        Ok(BTreeMap::from([(
            DEPLOYMENT_ANNOTATION.to_owned(),
            crate::dialects::write_definition(self, "IEF deployment")?,
        )]))
    }

    /// The workload labels that let lists filter by node and by group.
    pub fn labels(&self) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::new();
        if let Some(node) = self.node_ids.first() {
            labels.insert(NODE_LABEL.to_owned(), node.clone());
        }
        if let Some(group) = &self.group_id {
            labels.insert(GROUP_LABEL.to_owned(), group.clone());
        }
        labels
    }
}

/// Reads a deployment's `PodRequest` back from a pod template.
pub fn read_pod(template: &PodTemplate) -> Result<PodRequestOut> {
    crate::dialects::read_definition(&template.annotations, DEFINITION_ANNOTATION, "IEF")
}

/// The runtime image of a container: `image_url`, with `:version` when a version is
/// given and the URL names no tag.
pub fn image_of(c: &ContainerDefOut) -> String {
    let last = c.image_url.rsplit('/').next().unwrap_or_default();
    match c.version.as_deref() {
        Some(version) if !version.is_empty() && !last.contains(':') && !last.contains('@') => {
            format!("{}:{version}", c.image_url)
        }
        _ => c.image_url.clone(),
    }
}

/// A non-negative whole number from a float, clamped to 0..=1e12 first, so the cast is
/// exact.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub(crate) fn whole(x: f64) -> u64 {
    if x.is_finite() {
        x.clamp(0.0, 1e12) as u64
    } else {
        0
    }
}

fn amount(list: &BTreeMap<String, String>, key: &str) -> f64 {
    list.get(key)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
}

fn domain_resources(list: &BTreeMap<String, String>) -> Resources {
    Resources {
        // Validation bounds both (≤ 1000 cores, ≤ 1024000 MB), so these fit.
        cpu_millis: whole((amount(list, "cpu") * 1000.0).round()),
        memory_mib: whole(amount(list, "memory").ceil()),
        gpu: 0,
    }
}

/// IEF's `gpu` and `npu` as extended resources, each asked for at the larger of the
/// container's request and limit.
fn extended(resources: &ResourcesOut, npu_type: &str) -> BTreeMap<String, u64> {
    let larger = |key: &str| amount(&resources.limits, key).max(amount(&resources.requests, key));
    let mut out = BTreeMap::new();
    let gpu = whole(larger("gpu").ceil());
    if gpu > 0 {
        out.insert(GPU_MEMORY_RESOURCE.to_owned(), gpu);
    }
    let npu = whole(larger("npu"));
    if npu > 0 {
        let name = if npu_type == "D310B" {
            "huawei.com/Ascend310B"
        } else {
            "huawei.com/Ascend310"
        };
        out.insert(name.to_owned(), npu);
    }
    out
}

fn probe(p: &ProbeOut) -> Probe {
    Probe {
        exec: p
            .exec
            .as_ref()
            .map(|e| vec!["/bin/sh".to_owned(), "-c".to_owned(), e.command.clone()])
            .unwrap_or_default(),
        http_get: p.http_get.as_ref().map(|h| HttpGet {
            path: h.path.clone(),
            port: h.port,
            host: h.host.clone(),
            scheme: h.scheme.to_ascii_uppercase(),
        }),
        initial_delay_seconds: u32::try_from(p.initial_delay_seconds).ok(),
        period_seconds: None,
        timeout_seconds: u32::try_from(p.timeout_seconds).ok(),
    }
}

fn container(c: &ContainerDefOut, volumes: &mut Vec<Volume>) -> ContainerSpec {
    let mut mounts = Vec::new();
    for v in &c.volumes {
        let source = match v.type_.as_str() {
            "hostPath" => VolumeSource::HostPath {
                path: v.source.clone(),
            },
            "secret" => VolumeSource::Secret {
                secret: v.source.clone(),
                default_mode: v.default_mode,
            },
            "configMap" => VolumeSource::ConfigMap {
                name: v.source.clone(),
                default_mode: v.default_mode,
            },
            _ => VolumeSource::EmptyDir {
                memory: v.source == "memory",
            },
        };
        // Validation made sure that containers sharing a name share the volume.
        if !volumes.iter().any(|x| x.name == v.name) {
            volumes.push(Volume {
                name: v.name.clone(),
                source,
            });
        }
        mounts.push(VolumeMount {
            volume: v.name.clone(),
            mount_path: v.destination.clone(),
            read_only: v.read_only,
        });
    }
    ContainerSpec {
        name: c.name.clone(),
        image: image_of(c),
        command: c.command.clone(),
        args: c.args.clone(),
        env: c
            .envs
            .iter()
            .map(|e| EnvVar {
                name: e.name.clone(),
                value: match (&e.value_from, &e.field_path) {
                    (Some(from), _) => match (&from.configmap, &from.secret) {
                        (Some(r), _) => EnvValue::ConfigMapKey {
                            config_map: r.name.clone(),
                            key: r.key.clone(),
                        },
                        (None, Some(r)) => EnvValue::SecretKey {
                            secret: r.name.clone(),
                            key: r.key.clone(),
                        },
                        (None, None) => EnvValue::Literal(e.value.clone().unwrap_or_default()),
                    },
                    (None, Some(path)) => EnvValue::FieldPath(path.clone()),
                    (None, None) => EnvValue::Literal(e.value.clone().unwrap_or_default()),
                },
            })
            .collect(),
        resources: ResourceRequirements {
            requests: domain_resources(&c.resources.requests),
            limits: domain_resources(&c.resources.limits),
        },
        ports: c
            .ports
            .iter()
            .map(|p| ContainerPort {
                container_port: p.container_port,
                host_port: p.host_port,
                host_ip: p.host_ip.clone(),
            })
            .collect(),
        volume_mounts: mounts,
        liveness_probe: c.liveness_probe.as_ref().map(probe),
        readiness_probe: c.readiness_probe.as_ref().map(probe),
        security: SecurityContext {
            privileged: c.privileged,
            capabilities: Vec::new(),
            run_as_user: c.run_as_user,
        },
        extended_resources: extended(&c.resources, &c.npu_type),
    }
}

fn term(t: &MatchExpressions) -> NodeSelectorTerm {
    NodeSelectorTerm {
        match_expressions: t
            .match_expressions
            .iter()
            .flatten()
            .filter_map(|e| {
                Some(NodeSelectorRequirement {
                    key: e.key.clone()?,
                    operator: SelectorOperator::parse(e.operator.as_deref()?)?,
                    values: e.values.clone().unwrap_or_default(),
                })
            })
            .collect(),
    }
}

fn node_affinity(pod: &PodRequestOut) -> Option<NodeAffinity> {
    let node = pod.affinity.as_ref()?.node_affinity.as_ref()?;
    Some(NodeAffinity {
        required: node
            .required
            .iter()
            .flat_map(|r| r.node_selector_terms.iter().flatten())
            .map(term)
            .collect(),
        preferred: node
            .preferred
            .iter()
            .flatten()
            .filter_map(|p| {
                Some(WeightedTerm {
                    weight: i32::try_from(p.weight?).ok()?,
                    term: term(p.preference.as_ref()?),
                })
            })
            .collect(),
    })
}

/// The domain pod template a validated `PodRequest` of a deployment runs.
pub(super) fn to_template(pod: &PodRequestOut, meta: &DeploymentMeta) -> Result<Arc<PodTemplate>> {
    let mut volumes = Vec::new();
    let init_containers = pod
        .init_containers
        .iter()
        .map(|c| container(c, &mut volumes))
        .collect();
    let containers = pod
        .containers
        .iter()
        .map(|c| container(c, &mut volumes))
        .collect();
    let configs = &pod.configs;
    let node_loss = match (&meta.group_id, configs.migration) {
        (Some(_), true) => NodeLossPolicy::EvictAfter(
            u32::try_from(
                configs
                    .toleration_seconds
                    .unwrap_or(DEFAULT_TOLERATION_SECONDS),
            )
            .unwrap_or(u32::MAX),
        ),
        // Without migration (and always for a node deployment, which has nowhere else
        // to go) the pods stay with their node.
        _ => NodeLossPolicy::Stay,
    };
    let json = crate::dialects::write_definition(pod, "IEF")?;
    Ok(Arc::new(PodTemplate {
        containers,
        volumes,
        placement: Placement {
            node: meta.node_ids.first().cloned(),
            group: meta.group_id.clone(),
            node_affinity: node_affinity(pod),
            node_loss,
            ..Placement::default()
        },
        sysctls: Vec::new(),
        annotations: BTreeMap::from([(DEFINITION_ANNOTATION.to_owned(), json)]),
        labels: BTreeMap::new(),
        init_containers,
        host_network: configs.host_network,
        host_pid: configs.host_pid,
        dns_policy: Some(match configs.dns_policy.as_str() {
            "ClusterFirst" => DnsPolicy::ClusterFirst,
            "ClusterFirstWithHostNet" => DnsPolicy::ClusterFirstWithHostNet,
            _ => DnsPolicy::Default,
        }),
        restart_policy: match configs.restart_policy.as_str() {
            "OnFailure" => RestartPolicy::OnFailure,
            "Never" => RestartPolicy::Never,
            _ => RestartPolicy::Always,
        },
    }))
}

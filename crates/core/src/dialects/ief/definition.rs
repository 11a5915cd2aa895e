//! The validated IEF definition of a deployment, stored as an annotation, and its
//! translation into a domain pod template.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::wire::{ConfigsOut, ContainerDef, ResOut, SpecOut, TemplateOut};
use crate::Result;
use crate::model::{
    ContainerPort, ContainerSpec, EnvValue, EnvVar, Placement, PodTemplate, Probe,
    ResourceRequirements, Resources, SecurityContext, Volume, VolumeMount, VolumeSource,
};

/// The annotation holding the IEF definition of a deployment.
pub const DEFINITION_ANNOTATION: &str = "ief.podgate.io/definition";

/// A deployment's definition after validation and defaulting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IefDefinition {
    /// Description.
    pub description: String,
    /// Containers.
    pub containers: Vec<ContainerDef>,
    /// Init containers.
    pub init_containers: Vec<ContainerDef>,
    /// Pod configs.
    pub configs: ConfigsOut,
    /// The node, for node deployments.
    pub node_ids: Vec<String>,
    /// The node group, for group deployments.
    pub group_id: Option<String>,
    /// Affinity rules, as given.
    pub affinity: Option<serde_json::Value>,
}

/// The runtime image of a container: `image_url`, with `:version` when a version is
/// given and the URL names no tag.
pub fn image_of(c: &ContainerDef) -> String {
    let last = c.image_url.rsplit('/').next().unwrap_or_default();
    if c.version.is_empty() || last.contains(':') || last.contains('@') {
        c.image_url.clone()
    } else {
        format!("{}:{}", c.image_url, c.version)
    }
}

fn parse_amount(value: Option<&String>) -> f64 {
    value.and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
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

fn domain_resources(r: &ResOut) -> Resources {
    let cpu = parse_amount(r.cpu.as_ref());
    let memory = parse_amount(r.memory.as_ref());
    Resources {
        // Validation bounds both (≤ 1000 cores, ≤ 1024000 MB), so these fit.
        cpu_millis: whole((cpu * 1000.0).round()),
        memory_mib: whole(memory.ceil()),
        gpu: 0,
    }
}

impl IefDefinition {
    /// The `template` of replies.
    pub fn template_out(&self) -> TemplateOut {
        TemplateOut {
            spec: SpecOut {
                containers: self.containers.clone(),
                init_containers: self.init_containers.clone(),
                configs: self.configs.clone(),
                affinity: self.affinity.clone(),
            },
        }
    }

    /// Reads the definition back from a workload's template.
    pub fn from_template(template: &PodTemplate) -> Result<Self> {
        crate::dialects::read_definition(template, DEFINITION_ANNOTATION, "IEF")
    }

    /// The domain pod template this definition runs.
    pub fn to_template(&self) -> Result<Arc<PodTemplate>> {
        let mut volumes: Vec<Volume> = Vec::new();
        let containers = self
            .containers
            .iter()
            .map(|c| {
                let mut mounts = Vec::new();
                for v in &c.volumes {
                    let source = match v.type_.as_str() {
                        "hostPath" => VolumeSource::HostPath {
                            path: v.source.clone(),
                        },
                        "secret" => VolumeSource::Secret {
                            secret: v.source.clone(),
                        },
                        "configMap" => VolumeSource::ConfigMap {
                            name: v.source.clone(),
                        },
                        _ => VolumeSource::EmptyDir {
                            memory: v.source == "memory",
                        },
                    };
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
                let probe = |p: &super::wire::ProbeOut| Probe {
                    exec: p
                        .exec
                        .as_ref()
                        .map(|e| vec![e.command.clone()])
                        .unwrap_or_default(),
                    period_seconds: None,
                    timeout_seconds: u32::try_from(p.timeout_seconds).ok(),
                };
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
                            value: EnvValue::Literal(e.value.clone()),
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
                        })
                        .collect(),
                    volume_mounts: mounts,
                    liveness_probe: c.liveness_probe.as_ref().map(probe),
                    readiness_probe: c.readiness_probe.as_ref().map(probe),
                    security: SecurityContext {
                        privileged: c.privileged,
                        capabilities: Vec::new(),
                    },
                }
            })
            .collect();
        let json = crate::dialects::write_definition(self, "IEF")?;
        Ok(Arc::new(PodTemplate {
            containers,
            volumes,
            placement: Placement {
                node: self.node_ids.first().cloned(),
                group: self.group_id.clone(),
                ..Placement::default()
            },
            sysctls: Vec::new(),
            annotations: BTreeMap::from([(DEFINITION_ANNOTATION.to_owned(), json)]),
        }))
    }
}

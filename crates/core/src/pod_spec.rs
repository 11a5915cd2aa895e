//! A pod template as the Kubernetes `PodSpec` a client submits: what the workload asks
//! for, without the defaults an API server adds. The Kubernetes backend submits it;
//! the simulator shows it, with those defaults, as a pod's raw object.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::model::{ContainerSpec, EnvValue, PodTemplate, Probe, Resources, VolumeSource};

/// The node labels that placement selects on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopologyLabels<'a> {
    /// The label naming a node's region.
    pub region: &'a str,
    /// The label naming a node's zone.
    pub zone: &'a str,
    /// The label naming a node's group.
    pub group: &'a str,
}

/// Where a `Disk` volume's claim comes from: a claim of this name, or none (a
/// StatefulSet's `volumeClaimTemplates` provide it under the volume's own name).
pub type DiskClaim<'a> = &'a dyn Fn(&str) -> Option<String>;

fn list(r: Resources) -> Option<BTreeMap<String, Quantity>> {
    let mut m = BTreeMap::new();
    if r.cpu_millis > 0 {
        m.insert("cpu".to_owned(), Quantity(format!("{}m", r.cpu_millis)));
    }
    if r.memory_mib > 0 {
        m.insert("memory".to_owned(), Quantity(format!("{}Mi", r.memory_mib)));
    }
    if r.gpu > 0 {
        m.insert("nvidia.com/gpu".to_owned(), Quantity(r.gpu.to_string()));
    }
    (!m.is_empty()).then_some(m)
}

fn probe(p: &Probe) -> core::Probe {
    core::Probe {
        exec: (!p.exec.is_empty()).then(|| core::ExecAction {
            command: Some(p.exec.clone()),
        }),
        period_seconds: p.period_seconds.and_then(|s| i32::try_from(s).ok()),
        timeout_seconds: p.timeout_seconds.and_then(|s| i32::try_from(s).ok()),
        ..Default::default()
    }
}

/// One container as submitted.
pub fn container(c: &ContainerSpec) -> core::Container {
    let security = c.security.privileged || !c.security.capabilities.is_empty();
    core::Container {
        name: c.name.clone(),
        image: Some(c.image.clone()),
        command: (!c.command.is_empty()).then(|| c.command.clone()),
        args: (!c.args.is_empty()).then(|| c.args.clone()),
        ports: (!c.ports.is_empty()).then(|| {
            c.ports
                .iter()
                .map(|p| core::ContainerPort {
                    container_port: i32::from(p.container_port),
                    host_port: p.host_port.map(i32::from),
                    protocol: Some("TCP".to_owned()),
                    ..Default::default()
                })
                .collect()
        }),
        env: (!c.env.is_empty()).then(|| {
            c.env
                .iter()
                .map(|e| match &e.value {
                    EnvValue::Literal(v) => core::EnvVar {
                        name: e.name.clone(),
                        value: Some(v.clone()),
                        value_from: None,
                    },
                    EnvValue::SecretKey { secret, key } => core::EnvVar {
                        name: e.name.clone(),
                        value: None,
                        value_from: Some(core::EnvVarSource {
                            secret_key_ref: Some(core::SecretKeySelector {
                                name: secret.clone(),
                                key: key.clone(),
                                optional: None,
                            }),
                            ..Default::default()
                        }),
                    },
                })
                .collect()
        }),
        resources: Some(core::ResourceRequirements {
            limits: list(c.resources.limits),
            requests: list(c.resources.requests),
            ..Default::default()
        }),
        volume_mounts: (!c.volume_mounts.is_empty()).then(|| {
            c.volume_mounts
                .iter()
                .map(|m| core::VolumeMount {
                    name: m.volume.clone(),
                    mount_path: m.mount_path.clone(),
                    read_only: m.read_only.then_some(true),
                    ..Default::default()
                })
                .collect()
        }),
        liveness_probe: c.liveness_probe.as_ref().map(probe),
        readiness_probe: c.readiness_probe.as_ref().map(probe),
        security_context: security.then(|| core::SecurityContext {
            privileged: c.security.privileged.then_some(true),
            capabilities: (!c.security.capabilities.is_empty()).then(|| core::Capabilities {
                add: Some(c.security.capabilities.clone()),
                drop: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The template's volumes as submitted.
pub fn volumes(template: &PodTemplate, disk: DiskClaim<'_>) -> Vec<core::Volume> {
    template
        .volumes
        .iter()
        .filter_map(|v| {
            let mut volume = core::Volume {
                name: v.name.clone(),
                ..Default::default()
            };
            match &v.source {
                VolumeSource::EmptyDir { memory } => {
                    volume.empty_dir = Some(core::EmptyDirVolumeSource {
                        medium: memory.then(|| "Memory".to_owned()),
                        ..Default::default()
                    });
                }
                VolumeSource::Secret { secret } => {
                    volume.secret = Some(core::SecretVolumeSource {
                        secret_name: Some(secret.clone()),
                        default_mode: Some(420),
                        ..Default::default()
                    });
                }
                VolumeSource::HostPath { path } => {
                    volume.host_path = Some(core::HostPathVolumeSource {
                        path: path.clone(),
                        type_: Some(String::new()),
                    });
                }
                VolumeSource::Disk { .. } => {
                    volume.persistent_volume_claim =
                        Some(core::PersistentVolumeClaimVolumeSource {
                            claim_name: disk(&v.name)?,
                            read_only: None,
                        });
                }
                VolumeSource::ConfigMap { name } => {
                    volume.config_map = Some(core::ConfigMapVolumeSource {
                        name: name.clone(),
                        default_mode: Some(420),
                        ..Default::default()
                    });
                }
            }
            Some(volume)
        })
        .collect()
}

/// The template's placement: a node selector on the topology labels (and the
/// template's own selector), node affinity when several zones are allowed, and the
/// node when one is named.
pub fn placement(
    template: &PodTemplate,
    labels: &TopologyLabels<'_>,
) -> (
    Option<BTreeMap<String, String>>,
    Option<core::Affinity>,
    Option<String>,
) {
    let p = &template.placement;
    let mut selector = p.node_selector.clone();
    if let Some(region) = &p.region {
        selector.insert(labels.region.to_owned(), region.clone());
    }
    if let Some(group) = &p.group {
        selector.insert(labels.group.to_owned(), group.clone());
    }
    let mut affinity = None;
    match p.zones.as_slice() {
        [] => {}
        [zone] => {
            selector.insert(labels.zone.to_owned(), zone.clone());
        }
        zones => {
            affinity = Some(core::Affinity {
                node_affinity: Some(core::NodeAffinity {
                    required_during_scheduling_ignored_during_execution: Some(core::NodeSelector {
                        node_selector_terms: vec![core::NodeSelectorTerm {
                            match_expressions: Some(vec![core::NodeSelectorRequirement {
                                key: labels.zone.to_owned(),
                                operator: "In".to_owned(),
                                values: Some(zones.to_vec()),
                            }]),
                            match_fields: None,
                        }],
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
    }
    (
        (!selector.is_empty()).then_some(selector),
        affinity,
        p.node.clone(),
    )
}

/// The whole `PodSpec` as submitted.
pub fn pod_spec(
    template: &PodTemplate,
    labels: &TopologyLabels<'_>,
    disk: DiskClaim<'_>,
) -> core::PodSpec {
    let (node_selector, affinity, node_name) = placement(template, labels);
    let volumes = volumes(template, disk);
    core::PodSpec {
        containers: template.containers.iter().map(container).collect(),
        volumes: (!volumes.is_empty()).then_some(volumes),
        node_selector,
        affinity,
        node_name,
        security_context: (!template.sysctls.is_empty()).then(|| core::PodSecurityContext {
            sysctls: Some(
                template
                    .sysctls
                    .iter()
                    .map(|s| core::Sysctl {
                        name: s.name.clone(),
                        value: s.value.clone(),
                    })
                    .collect(),
            ),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::model::{
        ContainerPort, EnvVar, Placement, ResourceRequirements, SecurityContext, Sysctl, Volume,
        VolumeMount,
    };

    const LABELS: TopologyLabels<'static> = TopologyLabels {
        region: "topology.kubernetes.io/region",
        zone: "topology.kubernetes.io/zone",
        group: "podgate.io/node-group",
    };

    fn template() -> PodTemplate {
        let r = Resources {
            cpu_millis: 500,
            memory_mib: 256,
            gpu: 0,
        };
        PodTemplate {
            containers: vec![ContainerSpec {
                name: "app".to_owned(),
                image: "nginx:stable".to_owned(),
                command: vec!["nginx".to_owned()],
                env: vec![EnvVar {
                    name: "MODE".to_owned(),
                    value: EnvValue::Literal("prod".to_owned()),
                }],
                resources: ResourceRequirements {
                    requests: r,
                    limits: r,
                },
                ports: vec![ContainerPort {
                    container_port: 80,
                    host_port: Some(8080),
                }],
                volume_mounts: vec![VolumeMount {
                    volume: "data".to_owned(),
                    mount_path: "/data".to_owned(),
                    read_only: false,
                }],
                liveness_probe: Some(Probe {
                    exec: vec!["ls".to_owned()],
                    period_seconds: Some(10),
                    timeout_seconds: Some(1),
                }),
                security: SecurityContext {
                    privileged: false,
                    capabilities: vec!["NET_ADMIN".to_owned()],
                },
                ..Default::default()
            }],
            volumes: vec![Volume {
                name: "data".to_owned(),
                source: VolumeSource::Disk {
                    class: "ssd".to_owned(),
                    size_gb: 20,
                },
            }],
            placement: Placement {
                zones: vec!["z1".to_owned(), "z2".to_owned()],
                region: Some("r1".to_owned()),
                group: Some("g1".to_owned()),
                ..Default::default()
            },
            sysctls: vec![Sysctl {
                name: "net.core.somaxconn".to_owned(),
                value: "1024".to_owned(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_template_becomes_the_spec_a_client_submits() {
        let spec = pod_spec(&template(), &LABELS, &|v| Some(format!("{v}-claim")));
        let c = &spec.containers[0];
        assert_eq!(c.image.as_deref(), Some("nginx:stable"));
        assert_eq!(c.ports.as_ref().unwrap()[0].host_port, Some(8080));
        assert_eq!(
            c.resources.as_ref().unwrap().limits.as_ref().unwrap()["cpu"],
            Quantity("500m".to_owned())
        );
        assert_eq!(
            c.liveness_probe
                .as_ref()
                .unwrap()
                .exec
                .as_ref()
                .unwrap()
                .command,
            Some(vec!["ls".to_owned()])
        );
        assert_eq!(
            c.security_context
                .as_ref()
                .unwrap()
                .capabilities
                .as_ref()
                .unwrap()
                .add,
            Some(vec!["NET_ADMIN".to_owned()])
        );
        let selector = spec.node_selector.unwrap();
        assert_eq!(selector[LABELS.region], "r1");
        assert_eq!(selector[LABELS.group], "g1");
        assert!(
            !selector.contains_key(LABELS.zone),
            "two zones: affinity, not a selector"
        );
        let terms = spec
            .affinity
            .unwrap()
            .node_affinity
            .unwrap()
            .required_during_scheduling_ignored_during_execution
            .unwrap()
            .node_selector_terms;
        assert_eq!(
            terms[0].match_expressions.as_ref().unwrap()[0].values,
            Some(vec!["z1".to_owned(), "z2".to_owned()])
        );
        assert_eq!(
            spec.volumes.unwrap()[0]
                .persistent_volume_claim
                .as_ref()
                .unwrap()
                .claim_name,
            "data-claim"
        );
        assert_eq!(
            spec.security_context.unwrap().sysctls.unwrap()[0].name,
            "net.core.somaxconn"
        );
    }

    #[test]
    fn a_disk_without_a_claim_is_left_to_the_claim_templates() {
        let spec = pod_spec(&template(), &LABELS, &|_| None);
        assert!(spec.volumes.is_none());
        let mut one_zone = template();
        one_zone.placement.zones.truncate(1);
        let spec = pod_spec(&one_zone, &LABELS, &|_| None);
        assert_eq!(spec.node_selector.unwrap()[LABELS.zone], "z1");
        assert!(spec.affinity.is_none());
    }
}

//! A pod template as the Kubernetes `PodSpec` a client submits: what the workload asks
//! for, without the defaults an API server adds. The Kubernetes backend submits it;
//! the simulator shows it, with those defaults, as a pod's raw object.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::model::{
    ContainerSpec, EnvValue, NodeLossPolicy, NodeSelectorTerm, PodTemplate, Probe, Resources,
    VolumeSource,
};

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

fn list(r: Resources, extended: &BTreeMap<String, u64>) -> Option<BTreeMap<String, Quantity>> {
    let mut m: BTreeMap<String, Quantity> = extended
        .iter()
        .map(|(name, amount)| (name.clone(), Quantity(amount.to_string())))
        .collect();
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
        http_get: p.http_get.as_ref().map(|h| core::HTTPGetAction {
            path: Some(h.path.clone()),
            port: k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i32::from(h.port)),
            host: h.host.clone(),
            scheme: Some(h.scheme.clone()),
            http_headers: None,
        }),
        initial_delay_seconds: p.initial_delay_seconds.and_then(|s| i32::try_from(s).ok()),
        period_seconds: p.period_seconds.and_then(|s| i32::try_from(s).ok()),
        timeout_seconds: p.timeout_seconds.and_then(|s| i32::try_from(s).ok()),
        ..Default::default()
    }
}

/// One container as submitted.
pub fn container(c: &ContainerSpec) -> core::Container {
    let security = c.security.privileged
        || !c.security.capabilities.is_empty()
        || c.security.run_as_user.is_some();
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
                    host_ip: p.host_ip.clone(),
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
                    EnvValue::ConfigMapKey { config_map, key } => core::EnvVar {
                        name: e.name.clone(),
                        value: None,
                        value_from: Some(core::EnvVarSource {
                            config_map_key_ref: Some(core::ConfigMapKeySelector {
                                name: config_map.clone(),
                                key: key.clone(),
                                optional: None,
                            }),
                            ..Default::default()
                        }),
                    },
                    EnvValue::FieldPath(path) => core::EnvVar {
                        name: e.name.clone(),
                        value: None,
                        value_from: Some(core::EnvVarSource {
                            field_ref: Some(core::ObjectFieldSelector {
                                api_version: None,
                                field_path: path.clone(),
                            }),
                            ..Default::default()
                        }),
                    },
                })
                .collect()
        }),
        resources: Some(core::ResourceRequirements {
            limits: list(c.resources.limits, &c.extended_resources),
            requests: list(c.resources.requests, &c.extended_resources),
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
            run_as_user: c.security.run_as_user,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A volume's file mode: the given one, or Kubernetes' default 0644.
fn mode(given: Option<u32>) -> i32 {
    given.and_then(|m| i32::try_from(m).ok()).unwrap_or(0o644)
}

fn term(t: &NodeSelectorTerm) -> core::NodeSelectorTerm {
    core::NodeSelectorTerm {
        match_expressions: Some(
            t.match_expressions
                .iter()
                .map(|r| core::NodeSelectorRequirement {
                    key: r.key.clone(),
                    operator: r.operator.as_str().to_owned(),
                    values: (!r.values.is_empty()).then(|| r.values.clone()),
                })
                .collect(),
        ),
        match_fields: None,
    }
}

/// The tolerations that say how long a pod stays on a node that stops answering:
/// none for the cluster's default, `NoExecute` ones on the not-ready and unreachable
/// taints otherwise (for ever with `Stay`).
pub fn node_loss_tolerations(policy: NodeLossPolicy) -> Option<Vec<core::Toleration>> {
    let seconds = match policy {
        NodeLossPolicy::ClusterDefault => return None,
        NodeLossPolicy::EvictAfter(s) => Some(i64::from(s)),
        NodeLossPolicy::Stay => None,
    };
    Some(
        [
            "node.kubernetes.io/not-ready",
            "node.kubernetes.io/unreachable",
        ]
        .into_iter()
        .map(|key| core::Toleration {
            key: Some(key.to_owned()),
            operator: Some("Exists".to_owned()),
            effect: Some("NoExecute".to_owned()),
            toleration_seconds: seconds,
            value: None,
        })
        .collect(),
    )
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
                VolumeSource::Secret {
                    secret,
                    default_mode,
                } => {
                    volume.secret = Some(core::SecretVolumeSource {
                        secret_name: Some(secret.clone()),
                        default_mode: Some(mode(*default_mode)),
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
                VolumeSource::ConfigMap { name, default_mode } => {
                    volume.config_map = Some(core::ConfigMapVolumeSource {
                        name: name.clone(),
                        default_mode: Some(mode(*default_mode)),
                        ..Default::default()
                    });
                }
            }
            Some(volume)
        })
        .collect()
}

/// The template's placement: a node selector on the topology labels (and the
/// template's own selector), and node affinity for several zones, a named node and
/// the template's own affinity.
pub fn placement(
    template: &PodTemplate,
    labels: &TopologyLabels<'_>,
) -> (Option<BTreeMap<String, String>>, Option<core::Affinity>) {
    let p = &template.placement;
    let mut selector = p.node_selector.clone();
    if let Some(region) = &p.region {
        selector.insert(labels.region.to_owned(), region.clone());
    }
    if let Some(group) = &p.group {
        selector.insert(labels.group.to_owned(), group.clone());
    }
    let mut zone_term = None;
    match p.zones.as_slice() {
        [] => {}
        [zone] => {
            selector.insert(labels.zone.to_owned(), zone.clone());
        }
        zones => {
            zone_term = Some(core::NodeSelectorRequirement {
                key: labels.zone.to_owned(),
                operator: "In".to_owned(),
                values: Some(zones.to_vec()),
            });
        }
    }
    // The template's own node affinity, its keys naming the topology as the model
    // does (`region`, `zone`, `group` stand for the cluster's topology labels).
    let key = |k: &str| match k {
        "region" => labels.region.to_owned(),
        "zone" => labels.zone.to_owned(),
        "group" => labels.group.to_owned(),
        other => other.to_owned(),
    };
    let own = p.node_affinity.as_ref().map(|a| {
        let fix = |t: &NodeSelectorTerm| {
            let mut t = term(t);
            for r in t.match_expressions.iter_mut().flatten() {
                r.key = key(&r.key);
            }
            t
        };
        (
            a.required.iter().map(fix).collect::<Vec<_>>(),
            a.preferred
                .iter()
                .map(|w| core::PreferredSchedulingTerm {
                    weight: w.weight,
                    preference: fix(&w.term),
                })
                .collect::<Vec<_>>(),
        )
    });
    let (mut required, preferred) = own.unwrap_or_default();
    // A named node is a rule on the node's name, as a DaemonSet pins its pods: the
    // scheduler still checks that the pod fits (room, free host ports), where setting
    // `nodeName` would skip it.
    let node_term = p.node.as_ref().map(|node| core::NodeSelectorRequirement {
        key: "metadata.name".to_owned(),
        operator: "In".to_owned(),
        values: Some(vec![node.clone()]),
    });
    // Terms are ORed: the zone and node rules join every one of them.
    if zone_term.is_some() || node_term.is_some() {
        if required.is_empty() {
            required.push(core::NodeSelectorTerm::default());
        }
        for t in &mut required {
            if let Some(zone) = &zone_term {
                t.match_expressions
                    .get_or_insert_with(Vec::new)
                    .push(zone.clone());
            }
            if let Some(node) = &node_term {
                t.match_fields
                    .get_or_insert_with(Vec::new)
                    .push(node.clone());
            }
        }
    }
    let affinity = (!required.is_empty() || !preferred.is_empty()).then(|| core::Affinity {
        node_affinity: Some(core::NodeAffinity {
            required_during_scheduling_ignored_during_execution: (!required.is_empty()).then_some(
                core::NodeSelector {
                    node_selector_terms: required,
                },
            ),
            preferred_during_scheduling_ignored_during_execution: (!preferred.is_empty())
                .then_some(preferred),
        }),
        ..Default::default()
    });
    ((!selector.is_empty()).then_some(selector), affinity)
}

/// The whole `PodSpec` as submitted.
pub fn pod_spec(
    template: &PodTemplate,
    labels: &TopologyLabels<'_>,
    disk: DiskClaim<'_>,
) -> core::PodSpec {
    let (node_selector, affinity) = placement(template, labels);
    let volumes = volumes(template, disk);
    core::PodSpec {
        containers: template.containers.iter().map(container).collect(),
        init_containers: (!template.init_containers.is_empty())
            .then(|| template.init_containers.iter().map(container).collect()),
        host_network: template.host_network.then_some(true),
        host_pid: template.host_pid.then_some(true),
        dns_policy: template.dns_policy.map(|d| d.as_str().to_owned()),
        restart_policy: Some(template.restart_policy.as_str().to_owned()),
        tolerations: node_loss_tolerations(template.placement.node_loss),
        volumes: (!volumes.is_empty()).then_some(volumes),
        node_selector,
        affinity,
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
                    host_ip: None,
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
                    ..Default::default()
                }),
                security: SecurityContext {
                    privileged: false,
                    capabilities: vec!["NET_ADMIN".to_owned()],
                    run_as_user: None,
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

//! The Kubernetes Pod object of a simulated pod, with the defaults a real API server
//! adds (dnsPolicy, restartPolicy, schedulerName, terminationGracePeriodSeconds, the
//! not-ready/unreachable tolerations, terminationMessagePath/Policy, imagePullPolicy,
//! the service-account volume, qosClass, conditions, containerStatuses).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use podgate_core::model::{ContainerState, Pod, PodPhase, PodTemplate, Timestamp, VolumeSource};

use crate::images::normalize_image;
use crate::lifecycle::suffix;

fn time(t: Timestamp) -> Time {
    Time(k8s_openapi::jiff::Timestamp::from_second(t.unix_seconds()).unwrap_or_default())
}

fn condition(kind: &str, ok: bool, at: Timestamp) -> core::PodCondition {
    core::PodCondition {
        type_: kind.to_owned(),
        status: if ok { "True" } else { "False" }.to_owned(),
        last_transition_time: Some(time(at)),
        ..Default::default()
    }
}

/// The image as a runtime reports it: fully qualified for Docker Hub images.
fn qualified(image: &str) -> String {
    let n = normalize_image(image);
    let first = n.split('/').next().unwrap_or_default();
    if n.contains('/') && (first.contains('.') || first.contains(':')) {
        n
    } else if n.contains('/') {
        format!("docker.io/{n}")
    } else {
        format!("docker.io/library/{n}")
    }
}

fn resources(template: &PodTemplate, index: usize) -> core::ResourceRequirements {
    let Some(c) = template.containers.get(index) else {
        return core::ResourceRequirements::default();
    };
    let list = |r: podgate_core::model::Resources| {
        let mut m = BTreeMap::new();
        if r.cpu_millis > 0 {
            m.insert("cpu".to_owned(), Quantity(format!("{}m", r.cpu_millis)));
        }
        if r.memory_mib > 0 {
            m.insert("memory".to_owned(), Quantity(format!("{}Mi", r.memory_mib)));
        }
        (!m.is_empty()).then_some(m)
    };
    core::ResourceRequirements {
        limits: list(c.resources.limits),
        requests: list(c.resources.requests),
        ..Default::default()
    }
}

/// Kubernetes' QoS class of the template.
fn qos_class(template: &PodTemplate) -> &'static str {
    let all_zero = template.containers.iter().all(|c| {
        c.resources.requests == Default::default() && c.resources.limits == Default::default()
    });
    let guaranteed = template.containers.iter().all(|c| {
        let (r, l) = (c.resources.requests, c.resources.limits);
        r == l && l.cpu_millis > 0 && l.memory_mib > 0
    });
    if all_zero {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// Renders `pod` (observed at `now`, on `node_ip`) of `template` as a Kubernetes Pod.
pub(crate) fn render(
    pod: &Pod,
    template: &PodTemplate,
    node_ip: Option<String>,
    now: Timestamp,
) -> core::Pod {
    let token_volume = format!("default-token-{}", suffix(pod.id.0, 5));
    let mut volumes = vec![core::Volume {
        name: token_volume.clone(),
        secret: Some(core::SecretVolumeSource {
            secret_name: Some(token_volume.clone()),
            default_mode: Some(420),
            ..Default::default()
        }),
        ..Default::default()
    }];
    for v in &template.volumes {
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
                volume.persistent_volume_claim = Some(core::PersistentVolumeClaimVolumeSource {
                    claim_name: format!("{}-{}", v.name, pod.name),
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
        volumes.push(volume);
    }
    let containers = template
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut mounts: Vec<core::VolumeMount> = c
                .volume_mounts
                .iter()
                .map(|m| core::VolumeMount {
                    name: m.volume.clone(),
                    mount_path: m.mount_path.clone(),
                    read_only: m.read_only.then_some(true),
                    ..Default::default()
                })
                .collect();
            mounts.push(core::VolumeMount {
                name: token_volume.clone(),
                mount_path: "/var/run/secrets/kubernetes.io/serviceaccount".to_owned(),
                read_only: Some(true),
                ..Default::default()
            });
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
                            podgate_core::model::EnvValue::Literal(v) => core::EnvVar {
                                name: e.name.clone(),
                                value: Some(v.clone()),
                                value_from: None,
                            },
                            podgate_core::model::EnvValue::SecretKey { secret, key } => {
                                core::EnvVar {
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
                                }
                            }
                        })
                        .collect()
                }),
                resources: Some(resources(template, i)),
                volume_mounts: Some(mounts),
                termination_message_path: Some("/dev/termination-log".to_owned()),
                termination_message_policy: Some("File".to_owned()),
                image_pull_policy: Some(
                    if c.image.ends_with(":latest")
                        || !c.image.rsplit('/').next().unwrap_or_default().contains(':')
                    {
                        "Always"
                    } else {
                        "IfNotPresent"
                    }
                    .to_owned(),
                ),
                security_context: c.security.privileged.then(|| core::SecurityContext {
                    privileged: Some(true),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let toleration = |key: &str| core::Toleration {
        key: Some(key.to_owned()),
        operator: Some("Exists".to_owned()),
        effect: Some("NoExecute".to_owned()),
        toleration_seconds: Some(300),
        value: None,
    };
    let mut node_selector = BTreeMap::new();
    if let Some(region) = &template.placement.region {
        node_selector.insert("region".to_owned(), region.clone());
    }
    let spec = core::PodSpec {
        volumes: Some(volumes),
        containers,
        restart_policy: Some("Always".to_owned()),
        termination_grace_period_seconds: Some(30),
        dns_policy: Some("ClusterFirst".to_owned()),
        node_selector: (!node_selector.is_empty()).then_some(node_selector),
        service_account_name: Some("default".to_owned()),
        service_account: Some("default".to_owned()),
        node_name: pod.node.clone(),
        security_context: Some(core::PodSecurityContext::default()),
        scheduler_name: Some("default-scheduler".to_owned()),
        tolerations: Some(vec![
            toleration("node.kubernetes.io/not-ready"),
            toleration("node.kubernetes.io/unreachable"),
        ]),
        priority: Some(0),
        enable_service_links: Some(true),
        preemption_policy: Some("PreemptLowerPriority".to_owned()),
        ..Default::default()
    };
    let running = pod.phase == PodPhase::Running;
    let scheduled = pod.scheduled_at;
    let container_statuses = pod
        .containers
        .iter()
        .map(|c| {
            let state = match &c.state {
                ContainerState::Running { started_at } => core::ContainerState {
                    running: Some(core::ContainerStateRunning {
                        started_at: Some(time(*started_at)),
                    }),
                    ..Default::default()
                },
                ContainerState::Waiting { reason } => core::ContainerState {
                    waiting: Some(core::ContainerStateWaiting {
                        reason: Some(reason.clone()),
                        message: None,
                    }),
                    ..Default::default()
                },
                ContainerState::Terminated { reason, exit_code } => core::ContainerState {
                    terminated: Some(core::ContainerStateTerminated {
                        reason: Some(reason.clone()),
                        exit_code: *exit_code,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            };
            let image = qualified(&c.image);
            let digest: String =
                format!("{:016x}", c.id.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)).repeat(4);
            let repo = image
                .rsplit_once(':')
                .map_or(image.as_str(), |(r, _)| r)
                .to_owned();
            let image_id = format!("{repo}@sha256:{digest}");
            core::ContainerStatus {
                name: c.name.clone(),
                state: Some(state),
                last_state: Some(core::ContainerState::default()),
                ready: c.ready,
                restart_count: i32::try_from(c.restart_count).unwrap_or(i32::MAX),
                image,
                image_id,
                container_id: c
                    .ready
                    .then(|| format!("containerd://{}", c.id.runtime_id())),
                started: Some(c.ready),
                ..Default::default()
            }
        })
        .collect();
    let status = core::PodStatus {
        phase: Some(
            match pod.phase {
                PodPhase::Pending => "Pending",
                PodPhase::Running => "Running",
                PodPhase::Succeeded => "Succeeded",
                PodPhase::Failed => "Failed",
                PodPhase::Unknown => "Unknown",
            }
            .to_owned(),
        ),
        conditions: Some(match scheduled {
            Some(at) => {
                let ready_at = pod.started_at.unwrap_or(now);
                vec![
                    condition("Initialized", true, at),
                    condition("Ready", running, ready_at),
                    condition("ContainersReady", running, ready_at),
                    condition("PodScheduled", true, at),
                ]
            }
            None => {
                let mut c = condition("PodScheduled", false, pod.created_at);
                c.reason = pod.reason.clone();
                c.message = pod.message.clone();
                vec![c]
            }
        }),
        host_ip: node_ip.clone(),
        host_ips: node_ip.map(|ip| vec![core::HostIP { ip }]),
        pod_ip: pod.ip.clone(),
        pod_ips: pod.ip.clone().map(|ip| vec![core::PodIP { ip }]),
        start_time: scheduled.map(time),
        container_statuses: scheduled.is_some().then_some(container_statuses),
        qos_class: Some(qos_class(template).to_owned()),
        ..Default::default()
    };
    core::Pod {
        metadata: ObjectMeta {
            name: Some(pod.name.clone()),
            creation_timestamp: Some(time(pod.created_at)),
            annotations: Some(template.annotations.clone()),
            ..Default::default()
        },
        spec: Some(spec),
        status: Some(status),
    }
}

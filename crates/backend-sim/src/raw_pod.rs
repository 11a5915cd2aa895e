//! The Kubernetes Pod object of a simulated pod, with the defaults a real API server
//! adds (dnsPolicy, restartPolicy, schedulerName, terminationGracePeriodSeconds, the
//! not-ready/unreachable tolerations, terminationMessagePath/Policy, imagePullPolicy,
//! the service-account volume, qosClass, conditions, containerStatuses).

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use podgate_core::model::{ContainerState, Pod, PodPhase, PodTemplate, Timestamp};
use podgate_core::pod_spec;

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
    // Disk volumes are the claims a StatefulSet makes for each pod: `<volume>-<pod>`.
    volumes.extend(pod_spec::volumes(template, &|v| {
        Some(format!("{v}-{}", pod.name))
    }));
    let containers = template
        .containers
        .iter()
        .map(|c| {
            let mut container = pod_spec::container(c);
            container
                .volume_mounts
                .get_or_insert_with(Vec::new)
                .push(core::VolumeMount {
                    name: token_volume.clone(),
                    mount_path: "/var/run/secrets/kubernetes.io/serviceaccount".to_owned(),
                    read_only: Some(true),
                    ..Default::default()
                });
            container.termination_message_path = Some("/dev/termination-log".to_owned());
            container.termination_message_policy = Some("File".to_owned());
            container.image_pull_policy = Some(
                if c.image.ends_with(":latest")
                    || !c.image.rsplit('/').next().unwrap_or_default().contains(':')
                {
                    "Always"
                } else {
                    "IfNotPresent"
                }
                .to_owned(),
            );
            container
        })
        .collect();
    let toleration = |key: &str| core::Toleration {
        key: Some(key.to_owned()),
        operator: Some("Exists".to_owned()),
        effect: Some("NoExecute".to_owned()),
        toleration_seconds: Some(300),
        value: None,
    };
    // The simulated nodes carry their topology as `region`, `zone` and `group`.
    let (node_selector, affinity) = pod_spec::placement(
        template,
        &pod_spec::TopologyLabels {
            region: "region",
            zone: "zone",
            group: "group",
        },
    );
    let spec = core::PodSpec {
        volumes: Some(volumes),
        containers,
        restart_policy: Some("Always".to_owned()),
        termination_grace_period_seconds: Some(30),
        dns_policy: Some("ClusterFirst".to_owned()),
        node_selector,
        affinity,
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
        phase: Some(pod.phase.as_str().to_owned()),
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

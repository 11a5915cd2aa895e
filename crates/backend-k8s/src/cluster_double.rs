//! Test support: what a cluster does on its own, played on the test double, which
//! only stores objects. `settle` acts as the StatefulSet and ReplicaSet controllers
//! (pods for the replicas wanted, named as those controllers name them), the
//! scheduler (a ready node whose labels match the pod's node selector) and the
//! kubelets (the pod runs, or its image cannot be pulled).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use kube::Api;
use kube::api::{ListParams, PostParams};

use crate::labels;
use crate::objects::WORKLOAD_ID;

/// Images the double's registry does not hold.
pub(crate) const MISSING_IMAGE: &str = "registry.invalid/podgate/missing:never";

/// A pod a controller wants: where, named what, made from which template.
struct Wanted {
    namespace: String,
    name: String,
    template: core::PodTemplateSpec,
}

fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

/// Plays controllers, scheduler and kubelets once over the whole double, with `nodes`
/// as the cluster's nodes.
pub(crate) async fn settle(client: &kube::Client, nodes: &[core::Node]) {
    let managed = ListParams::default().labels(&labels::selector(&[]));
    let mut wanted = Vec::new();
    let sets: Api<StatefulSet> = Api::all(client.clone());
    for set in sets.list(&managed).await.unwrap().items {
        let spec = set.spec.clone().unwrap();
        let ns = set.metadata.namespace.clone().unwrap_or_default();
        let name = set.metadata.name.clone().unwrap_or_default();
        for ordinal in 0..spec.replicas.unwrap_or(1) {
            wanted.push(Wanted {
                namespace: ns.clone(),
                name: format!("{name}-{ordinal}"),
                template: spec.template.clone(),
            });
        }
    }
    let deployments: Api<Deployment> = Api::all(client.clone());
    for deployment in deployments.list(&managed).await.unwrap().items {
        let spec = deployment.spec.clone().unwrap();
        let ns = deployment.metadata.namespace.clone().unwrap_or_default();
        let name = deployment.metadata.name.clone().unwrap_or_default();
        let workload = spec.selector.match_labels.clone().unwrap_or_default()[WORKLOAD_ID].clone();
        let pods: Api<core::Pod> = Api::namespaced(client.clone(), &ns);
        let have = pods
            .list(&ListParams::default().labels(&format!("{WORKLOAD_ID}={workload}")))
            .await
            .unwrap()
            .items
            .len();
        let replicas = usize::try_from(spec.replicas.unwrap_or(1)).unwrap_or(0);
        for n in have..replicas {
            wanted.push(Wanted {
                namespace: ns.clone(),
                name: format!("{name}-{}", uuid_like(n)),
                template: spec.template.clone(),
            });
        }
    }
    for w in wanted {
        let pods: Api<core::Pod> = Api::namespaced(client.clone(), &w.namespace);
        if pods.get_opt(&w.name).await.unwrap().is_some() {
            continue;
        }
        let meta = w.template.metadata.clone().unwrap_or_default();
        let pod = core::Pod {
            metadata: ObjectMeta {
                name: Some(w.name.clone()),
                labels: meta.labels,
                annotations: meta.annotations,
                creation_timestamp: Some(now()),
                ..ObjectMeta::default()
            },
            spec: w.template.spec.clone(),
            status: None,
        };
        pods.create(&PostParams::default(), &pod).await.unwrap();
    }
    let all: Api<core::Pod> = Api::all(client.clone());
    for mut pod in all.list(&managed).await.unwrap().items {
        run(&mut pod, nodes);
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let api: Api<core::Pod> = Api::namespaced(client.clone(), &ns);
        match api.replace(&name, &PostParams::default(), &pod).await {
            Ok(_) => {}
            // Numbered by podgate meanwhile: the next settle places it.
            Err(kube::Error::Api(status)) if status.is_conflict() => {}
            Err(e) => panic!("{e}"),
        }
    }
}

fn uuid_like(n: usize) -> String {
    format!("{:05x}", (n.wrapping_mul(2_654_435_761)) % 0xfffff)
}

/// Schedules the pod (when unplaced) and sets its status as a kubelet would.
fn run(pod: &mut core::Pod, nodes: &[core::Node]) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    if spec.node_name.is_none() {
        let selector = spec.node_selector.clone().unwrap_or_default();
        spec.node_name = nodes
            .iter()
            .filter(|n| ready(n))
            .find(|n| {
                let labels: BTreeMap<String, String> =
                    n.metadata.labels.clone().unwrap_or_default();
                selector.iter().all(|(k, v)| labels.get(k) == Some(v))
            })
            .and_then(|n| n.metadata.name.clone());
    }
    let placed = spec.node_name.is_some();
    let condition = |kind: &str, ok: bool| core::PodCondition {
        type_: kind.to_owned(),
        status: if ok { "True" } else { "False" }.to_owned(),
        last_transition_time: Some(now()),
        reason: (!ok && kind == "PodScheduled").then(|| "Unschedulable".to_owned()),
        ..Default::default()
    };
    if !placed {
        pod.status = Some(core::PodStatus {
            phase: Some("Pending".to_owned()),
            conditions: Some(vec![condition("PodScheduled", false)]),
            ..Default::default()
        });
        return;
    }
    let statuses: Vec<core::ContainerStatus> = spec
        .containers
        .iter()
        .map(|c| {
            let missing = c.image.as_deref() == Some(MISSING_IMAGE);
            core::ContainerStatus {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                ready: !missing,
                state: Some(if missing {
                    core::ContainerState {
                        waiting: Some(core::ContainerStateWaiting {
                            reason: Some("ImagePullBackOff".to_owned()),
                            message: None,
                        }),
                        ..Default::default()
                    }
                } else {
                    core::ContainerState {
                        running: Some(core::ContainerStateRunning {
                            started_at: Some(now()),
                        }),
                        ..Default::default()
                    }
                }),
                ..Default::default()
            }
        })
        .collect();
    let all_ready = statuses.iter().all(|s| s.ready);
    pod.status = Some(core::PodStatus {
        phase: Some(if all_ready { "Running" } else { "Pending" }.to_owned()),
        pod_ip: Some("10.244.0.10".to_owned()),
        conditions: Some(vec![
            condition("PodScheduled", true),
            condition("Ready", all_ready),
        ]),
        container_statuses: Some(statuses),
        ..Default::default()
    });
}

fn ready(node: &core::Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

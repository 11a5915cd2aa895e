//! Test support: what a cluster does on its own, played on the test double, which
//! only stores objects. `settle` acts as
//!
//! - the StatefulSet controller: pods `<set>-<ordinal>` for the replicas wanted, a pod
//!   of an older template (its `podgate.io/template-hash`) or beyond the replicas
//!   deleted, the observed generation reported;
//! - the Deployment and ReplicaSet controllers: pods labelled `pod-template-hash` (a
//!   ReplicaSet's selector) for the replicas wanted, older or surplus ones deleted, the
//!   observed generation reported; pods without that label are no ReplicaSet's;
//! - the garbage collector: pods are owned by their workload object, so deleting it
//!   deletes them (the double cascades deletes along owner references);
//! - the scheduler (a ready node matching the pod's node name, node selector and node
//!   affinity) and the kubelets (the pod runs, or its image cannot be pulled), with
//!   times from the test's clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};
use podgate_core::model::Timestamp;

use crate::labels;
use crate::objects::{POD_TEMPLATE_HASH, TEMPLATE_HASH, WORKLOAD_ID};

/// Images the double's registry does not hold.
pub(crate) const MISSING_IMAGE: &str = "registry.invalid/podgate/missing:never";

/// Names for ReplicaSet pods, unique over the whole run.
static POD_SERIAL: AtomicU64 = AtomicU64::new(1);

fn time(at: Timestamp) -> Time {
    Time(k8s_openapi::jiff::Timestamp::from_millisecond(at.0).unwrap())
}

fn owner(kind: &str, meta: &ObjectMeta, api_version: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// A pod a controller makes: named, from a template, owned, with extra labels.
fn pod_from(
    name: String,
    template: &core::PodTemplateSpec,
    owner: OwnerReference,
    extra: &[(&str, &str)],
    at: Timestamp,
) -> core::Pod {
    let meta = template.metadata.clone().unwrap_or_default();
    let mut pod_labels = meta.labels.unwrap_or_default();
    for (k, v) in extra {
        pod_labels.insert((*k).to_owned(), (*v).to_owned());
    }
    core::Pod {
        metadata: ObjectMeta {
            name: Some(name),
            labels: Some(pod_labels),
            annotations: meta.annotations,
            creation_timestamp: Some(time(at)),
            owner_references: Some(vec![owner]),
            ..ObjectMeta::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

async fn delete_pod(api: &Api<core::Pod>, pod: &core::Pod) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    match api.delete(&name, &DeleteParams::default()).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.is_not_found() => {}
        Err(e) => panic!("{e}"),
    }
}

async fn create_pod(api: &Api<core::Pod>, pod: &core::Pod) {
    match api.create(&PostParams::default(), pod).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.is_already_exists() => {}
        Err(e) => panic!("{e}"),
    }
}

/// Plays controllers, scheduler and kubelets once over the whole double, with `nodes`
/// as the cluster's nodes, at time `now`.
pub(crate) async fn settle(client: &kube::Client, nodes: &[core::Node], now: Timestamp) {
    let managed = ListParams::default().labels(&labels::selector(&[]));
    let sets: Api<StatefulSet> = Api::all(client.clone());
    for set in sets.list(&managed).await.unwrap().items {
        stateful_set(client, &set, now).await;
    }
    let deployments: Api<Deployment> = Api::all(client.clone());
    for deployment in deployments.list(&managed).await.unwrap().items {
        replica_set(client, &deployment, now).await;
    }
    let all: Api<core::Pod> = Api::all(client.clone());
    for pod in all.list(&managed).await.unwrap().items {
        run(client, pod, nodes, now).await;
    }
}

async fn stateful_set(client: &kube::Client, set: &StatefulSet, now: Timestamp) {
    let spec = set.spec.clone().unwrap();
    let ns = set.metadata.namespace.clone().unwrap_or_default();
    let name = set.metadata.name.clone().unwrap_or_default();
    let hash = labels::value(&set.metadata, TEMPLATE_HASH).unwrap_or_default();
    let workload = labels::value(&set.metadata, WORKLOAD_ID).unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1);
    let pods: Api<core::Pod> = Api::namespaced(client.clone(), &ns);
    let selector = ListParams::default().labels(&format!("{WORKLOAD_ID}={workload}"));
    let mut kept = Vec::new();
    for pod in pods.list(&selector).await.unwrap().items {
        let ordinal = pod
            .metadata
            .name
            .as_deref()
            .and_then(|n| n.strip_prefix(&format!("{name}-")))
            .and_then(|o| o.parse::<i32>().ok());
        match ordinal {
            Some(o)
                if o < replicas && labels::value(&pod.metadata, TEMPLATE_HASH) == Some(hash) =>
            {
                kept.push(o);
            }
            Some(_) => delete_pod(&pods, &pod).await,
            None => {}
        }
    }
    for ordinal in (0..replicas).filter(|o| !kept.contains(o)) {
        let owner = owner("StatefulSet", &set.metadata, "apps/v1");
        let pod = pod_from(format!("{name}-{ordinal}"), &spec.template, owner, &[], now);
        create_pod(&pods, &pod).await;
    }
    let mut observed = set.clone();
    observed
        .status
        .get_or_insert_with(Default::default)
        .observed_generation = set.metadata.generation;
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    observe(
        sets.replace_status(&name, &PostParams::default(), &observed)
            .await,
    );
}

async fn replica_set(client: &kube::Client, deployment: &Deployment, now: Timestamp) {
    let spec = deployment.spec.clone().unwrap();
    let ns = deployment.metadata.namespace.clone().unwrap_or_default();
    let name = deployment.metadata.name.clone().unwrap_or_default();
    let hash = labels::value(&deployment.metadata, TEMPLATE_HASH)
        .unwrap_or_default()
        .to_owned();
    let workload = labels::value(&deployment.metadata, WORKLOAD_ID).unwrap_or_default();
    let replicas = usize::try_from(spec.replicas.unwrap_or(1)).unwrap_or(0);
    let pods: Api<core::Pod> = Api::namespaced(client.clone(), &ns);
    let selector =
        ListParams::default().labels(&format!("{WORKLOAD_ID}={workload},{POD_TEMPLATE_HASH}"));
    let mut current = Vec::new();
    for pod in pods.list(&selector).await.unwrap().items {
        if labels::value(&pod.metadata, POD_TEMPLATE_HASH) == Some(hash.as_str()) {
            current.push(pod);
        } else {
            delete_pod(&pods, &pod).await;
        }
    }
    current.sort_by_key(|p| p.metadata.creation_timestamp.clone().map(|t| t.0));
    for surplus in current.iter().skip(replicas) {
        delete_pod(&pods, surplus).await;
    }
    for _ in current.len()..replicas {
        let serial = POD_SERIAL.fetch_add(1, Ordering::SeqCst);
        let short = hash.get(..10).unwrap_or(&hash);
        let owner = owner("Deployment", &deployment.metadata, "apps/v1");
        let extra = [(POD_TEMPLATE_HASH, hash.as_str())];
        let pod_name = format!("{name}-{short}-{serial:05x}");
        let pod = pod_from(pod_name, &spec.template, owner, &extra, now);
        create_pod(&pods, &pod).await;
    }
    let mut observed = deployment.clone();
    observed
        .status
        .get_or_insert_with(Default::default)
        .observed_generation = deployment.metadata.generation;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    observe(
        deployments
            .replace_status(&name, &PostParams::default(), &observed)
            .await,
    );
}

/// A status write that lost to a newer change is simply late: the next settle makes it.
fn observe<K>(written: Result<K, kube::Error>) {
    match written {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.is_conflict() || s.is_not_found() => {}
        Err(e) => panic!("{e}"),
    }
}

fn matches(node: &core::Node, spec: &core::PodSpec) -> bool {
    let labels: BTreeMap<String, String> = node.metadata.labels.clone().unwrap_or_default();
    if spec
        .node_selector
        .iter()
        .flatten()
        .any(|(k, v)| labels.get(k) != Some(v))
    {
        return false;
    }
    let terms = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .map(|r| r.node_selector_terms.clone());
    terms.is_none_or(|terms| {
        terms.iter().any(|t| {
            t.match_expressions.iter().flatten().all(|e| {
                let has = labels.get(&e.key);
                let values = e.values.clone().unwrap_or_default();
                match e.operator.as_str() {
                    "In" => has.is_some_and(|v| values.contains(v)),
                    "NotIn" => has.is_none_or(|v| !values.contains(v)),
                    "Exists" => has.is_some(),
                    _ => false,
                }
            })
        })
    })
}

/// Schedules the pod (when unplaced) and sets its status as a kubelet would, once: a
/// pod that runs or cannot pull keeps the status it has.
async fn run(client: &kube::Client, mut pod: core::Pod, nodes: &[core::Node], now: Timestamp) {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let api: Api<core::Pod> = Api::namespaced(client.clone(), &ns);
    let spec = pod.spec.clone().unwrap_or_default();
    let placed_before = spec.node_name.is_some();
    let node_name = spec.node_name.clone().or_else(|| {
        nodes
            .iter()
            .filter(|n| ready(n))
            .find(|n| matches(n, &spec))
            .and_then(|n| n.metadata.name.clone())
    });
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    let pulling = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .is_some_and(|c| !c.is_empty());
    if phase == "Running" || (placed_before && pulling) {
        return;
    }
    if !placed_before && node_name.is_some() {
        // The binding: the scheduler sets the node.
        pod.spec.get_or_insert_with(Default::default).node_name = node_name.clone();
        pod = match api.replace(&name, &PostParams::default(), &pod).await {
            Ok(bound) => bound,
            // Changed by podgate meanwhile: the next settle places it.
            Err(kube::Error::Api(s)) if s.is_conflict() || s.is_not_found() => return,
            Err(e) => panic!("{e}"),
        };
    }
    pod.status = Some(kubelet_status(&pod, node_name.is_some(), now));
    observe(
        api.replace_status(&name, &PostParams::default(), &pod)
            .await,
    );
}

/// The status a scheduler and kubelet give a pod at `now`.
fn kubelet_status(pod: &core::Pod, placed: bool, now: Timestamp) -> core::PodStatus {
    let condition = |kind: &str, ok: bool| core::PodCondition {
        type_: kind.to_owned(),
        status: if ok { "True" } else { "False" }.to_owned(),
        last_transition_time: Some(time(now)),
        reason: (!ok && kind == "PodScheduled").then(|| "Unschedulable".to_owned()),
        ..Default::default()
    };
    if !placed {
        return core::PodStatus {
            phase: Some("Pending".to_owned()),
            conditions: Some(vec![condition("PodScheduled", false)]),
            ..Default::default()
        };
    }
    let containers = pod.spec.as_ref().map(|s| s.containers.clone());
    let statuses: Vec<core::ContainerStatus> = containers
        .iter()
        .flatten()
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
                            started_at: Some(time(now)),
                        }),
                        ..Default::default()
                    }
                }),
                ..Default::default()
            }
        })
        .collect();
    let all_ready = statuses.iter().all(|s| s.ready);
    core::PodStatus {
        phase: Some(if all_ready { "Running" } else { "Pending" }.to_owned()),
        pod_ip: Some("10.244.0.10".to_owned()),
        host_ip: Some("192.168.0.10".to_owned()),
        start_time: Some(time(now)),
        qos_class: pod.status.as_ref().and_then(|s| s.qos_class.clone()),
        conditions: Some(vec![
            condition("Initialized", true),
            condition("Ready", all_ready),
            condition("ContainersReady", all_ready),
            condition("PodScheduled", true),
        ]),
        container_statuses: Some(statuses),
        ..Default::default()
    }
}

fn ready(node: &core::Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

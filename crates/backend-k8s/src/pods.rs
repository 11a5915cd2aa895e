//! Pods as podgate shows them: found by label, numbered the first time podgate sees
//! them, their status read from the Pod.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::api::core::v1 as core;
use kube::Api;
use kube::api::{DeleteParams, ListParams, LogParams, PostParams};
use podgate_core::model::{
    ContainerId, ContainerState, ContainerStatus, Pod, PodId, PodPhase, PodTemplate, TenantKey,
    Timestamp, WorkloadId,
};
use podgate_core::{Error, Result};

use crate::error::to_core;
use crate::ids::{IdKind, Ids};
use crate::labels;
use crate::lists;
use crate::objects::{OWNER, TEMPLATE, TEMPLATE_HASH, WORKLOAD_ID};
use crate::retry::Backoff;

/// A pod's id.
pub(crate) const POD_ID: &str = "podgate.io/pod-id";
/// The id of a pod's first container; the others follow in template order.
const FIRST_CONTAINER: &str = "podgate.io/first-container-id";
/// The function instance that claimed a pool pod (an annotation: instance names need
/// not be label values).
pub(crate) const CLAIMED_BY: &str = "podgate.io/claimed-by";
/// `true` on a claimed pool pod, for selecting them.
pub(crate) const CLAIMED: &str = "podgate.io/claimed";

/// How many times numbering a pod re-reads it after another replica wrote it first.
const CONFLICTS: u32 = 16;

fn time(t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> Option<Timestamp> {
    t.map(|t| Timestamp(t.0.as_millisecond()))
}

/// How long a pod may wait for its disks' claims to be bound before it counts as
/// unschedulable: the scheduler puts such a pod off (`PodScheduled` False) while its
/// claims are provisioned, which takes moments when the storage class works.
const CLAIMS_BIND_WITHIN_MS: i64 = 60_000;

/// Whether a `PodScheduled` condition only says the pod waits for its claims to be
/// bound, and has not waited longer than claims take.
pub(crate) fn waits_for_claims(
    condition: &k8s_openapi::api::core::v1::PodCondition,
    now: Timestamp,
) -> bool {
    condition.status == "False"
        && condition
            .message
            .as_deref()
            .is_some_and(|m| m.contains("unbound immediate PersistentVolumeClaims"))
        && time(condition.last_transition_time.as_ref())
            .is_none_or(|since| now.0.saturating_sub(since.0) < CLAIMS_BIND_WITHIN_MS)
}

/// The pod operations.
#[derive(Clone)]
pub(crate) struct Pods {
    client: kube::Client,
    pub(crate) ids: Ids,
    backoff: Backoff,
}

impl Pods {
    pub(crate) fn new(client: kube::Client, ids: Ids, backoff: Backoff) -> Self {
        Self {
            client,
            ids,
            backoff,
        }
    }

    /// The member pods of workload `id` in namespace `ns` (those its controller
    /// keeps), numbered, oldest id first.
    pub(crate) async fn of_workload(&self, ns: &str, id: WorkloadId) -> Result<Vec<core::Pod>> {
        let selector = labels::selector(&[(WORKLOAD_ID, &id.0.to_string())]);
        let params = ListParams::default().labels(&selector);
        self.listed(ns, &params, |e| to_core(e, "workload", &id.0.to_string()))
            .await
    }

    /// Every pod made for the workloads `ids` in namespace `ns` (members, and pool
    /// pods claimed out of them), numbered, oldest id first: one request.
    pub(crate) async fn made_for(&self, ns: &str, ids: &[WorkloadId]) -> Result<Vec<core::Pod>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
        let selector = format!("{},{OWNER} in ({})", labels::selector(&[]), list.join(","));
        let params = ListParams::default().labels(&selector);
        self.listed(ns, &params, |e| to_core(e, "workload", &list.join(",")))
            .await
    }

    /// Every pod of podgate's in namespace `ns`, numbered, oldest id first.
    pub(crate) async fn in_namespace(&self, ns: &str) -> Result<Vec<core::Pod>> {
        let params = ListParams::default().labels(&labels::selector(&[]));
        self.listed(ns, &params, |e| to_core(e, "namespace", ns))
            .await
    }

    /// Numbers every pod of podgate's that has no id yet, in every namespace: what
    /// the controllers made since the last pass, so that a read finds it numbered and
    /// writes nothing. One label-selected list, plus one write per new pod; answers
    /// how many it numbered.
    pub(crate) async fn number_new(&self) -> Result<usize> {
        let api: Api<core::Pod> = Api::all(self.client.clone());
        let selector = format!("{},!{POD_ID}", labels::selector(&[]));
        let params = ListParams::default().labels(&selector);
        let found = Box::pin(lists::all(&api, &params, &self.backoff))
            .await
            .map_err(|e| to_core(e, "pod", "new"))?;
        let mut numbered = 0;
        for pod in found {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let api: Api<core::Pod> = Api::namespaced(self.client.clone(), &ns);
            if self.numbered(&api, pod).await?.is_some() {
                numbered += 1;
            }
        }
        Ok(numbered)
    }

    /// The pods `params` selects in `ns`, numbered, oldest id first; a failed list is
    /// reported through `fail`.
    async fn listed(
        &self,
        ns: &str,
        params: &ListParams,
        fail: impl FnOnce(kube::Error) -> Error,
    ) -> Result<Vec<core::Pod>> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        // Boxed: a paged list and the numbering of new pods, several calls deep.
        let found = Box::pin(lists::all(&api, params, &self.backoff))
            .await
            .map_err(fail)?;
        Box::pin(self.numbered_all(ns, found)).await
    }

    /// `found` (pods of namespace `ns`), each numbered, oldest id first.
    pub(crate) async fn numbered_all(
        &self,
        ns: &str,
        found: Vec<core::Pod>,
    ) -> Result<Vec<core::Pod>> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        let mut pods = Vec::with_capacity(found.len());
        for pod in found {
            pods.extend(self.numbered(&api, pod).await?);
        }
        pods.sort_by_key(pod_id);
        Ok(pods)
    }

    /// The pod with its ids (`None` once it is gone), giving it ids when it has none yet: fresh ids are written
    /// onto the pod conditionally on the version read, so when two replicas number one
    /// pod at once, one write wins and the other reads the winner's ids.
    async fn numbered(
        &self,
        api: &Api<core::Pod>,
        mut pod: core::Pod,
    ) -> Result<Option<core::Pod>> {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let mut conflicts = CONFLICTS;
        loop {
            if pod_id(&pod).is_some() {
                return Ok(Some(pod));
            }
            let fail = |e| to_core(e, "pod", &name);
            let mut numbered = pod.clone();
            give_ids(&self.ids, &mut numbered).await?;
            let post = PostParams::default();
            match self
                .backoff
                .call(|| api.replace(&name, &post, &numbered))
                .await
            {
                Ok(written) => return Ok(Some(written)),
                Err(kube::Error::Api(status)) if status.is_conflict() && conflicts > 0 => {
                    conflicts -= 1;
                    match self
                        .backoff
                        .call(|| api.get_opt(&name))
                        .await
                        .map_err(fail)?
                    {
                        Some(now) => pod = now,
                        None => return Ok(None),
                    }
                }
                // Deleted since it was listed: it is not there to show.
                Err(kube::Error::Api(status)) if status.is_not_found() => return Ok(None),
                Err(e) => return Err(fail(e)),
            }
        }
    }
}

impl Pods {
    /// The pod numbered `pod` in namespace `ns` (one label-selected list), as the API
    /// server shows it.
    pub(crate) async fn by_id(&self, ns: &str, pod: PodId) -> Result<core::Pod> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        let selector = labels::selector(&[(POD_ID, &pod.0.to_string())]);
        let params = ListParams::default().labels(&selector);
        self.backoff
            .call(|| api.list(&params))
            .await
            .map_err(|e| to_core(e, "pod", &pod.0.to_string()))?
            .items
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found("pod", pod))
    }

    /// podgate's pods in namespace `ns` placed on `node` (a field selector on
    /// `spec.nodeName`: one request), numbered, oldest id first.
    pub(crate) async fn on_node(&self, ns: &str, node: &str) -> Result<Vec<core::Pod>> {
        let params = ListParams::default()
            .labels(&labels::selector(&[]))
            .fields(&format!("spec.nodeName={node}"));
        self.listed(ns, &params, |e| to_core(e, "node", node)).await
    }

    /// Deletes the pods of workload `id` (or only `only`, which must be one of them);
    /// the workload's controller makes new ones, which get new ids.
    pub(crate) async fn recreate(
        &self,
        ns: &str,
        id: WorkloadId,
        only: Option<PodId>,
    ) -> Result<()> {
        let pods = self.of_workload(ns, id).await?;
        let victims: Vec<&core::Pod> = pods
            .iter()
            .filter(|p| only.is_none() || pod_id(p) == only)
            .collect();
        if let (Some(pod), true) = (only, victims.is_empty()) {
            return Err(Error::not_found("pod", pod));
        }
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        let params = DeleteParams::default();
        for pod in victims {
            let name = pod.metadata.name.clone().unwrap_or_default();
            self.backoff
                .delete(&api, &name, &params)
                .await
                .map_err(|e| to_core(e, "pod", &name))?;
        }
        Ok(())
    }

    /// Deletes the pods of workload `id` that were made from another template than
    /// `template_hash` and are not ready. A StatefulSet's rolling update waits for its
    /// pods to be ready before it replaces them, so one stuck (an image that cannot be
    /// pulled, a crash loop) would keep the fix from ever rolling out; deleted, it is
    /// made again from the new template (Kubernetes' own advice for a StatefulSet).
    pub(crate) async fn unstick(
        &self,
        ns: &str,
        id: WorkloadId,
        template_hash: &str,
    ) -> Result<()> {
        let pods = self.of_workload(ns, id).await?;
        let ready = |p: &core::Pod| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        };
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        for pod in pods.iter().filter(|p| {
            labels::value(&p.metadata, TEMPLATE_HASH) != Some(template_hash)
                && !ready(p)
                && p.metadata.deletion_timestamp.is_none()
        }) {
            let name = pod.metadata.name.clone().unwrap_or_default();
            self.backoff
                .delete(&api, &name, &DeleteParams::default())
                .await
                .map_err(|e| to_core(e, "pod", &name))?;
        }
        Ok(())
    }

    /// The log of `container` in the pod named `name`, its last `tail_lines` lines when
    /// given (`pods/log`).
    pub(crate) async fn log(
        &self,
        ns: &str,
        name: &str,
        container: &str,
        tail_lines: Option<u64>,
    ) -> Result<String> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), ns);
        let params = LogParams {
            container: Some(container.to_owned()),
            tail_lines: tail_lines.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            ..LogParams::default()
        };
        self.backoff
            .call(|| api.logs(name, &params))
            .await
            .map_err(|e| to_core(e, "pod", name))
    }
}

/// Gives `pod` (not yet written) a fresh pod id and container ids.
pub(crate) async fn give_ids(ids: &Ids, pod: &mut core::Pod) -> Result<()> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    // Main containers take the first ids, init containers the ones after them.
    let containers = pod.spec.as_ref().map_or(1, |s| {
        s.containers.len() + s.init_containers.as_ref().map_or(0, Vec::len)
    });
    let fail = |e| to_core(e, "pod", &name);
    let id = ids.allocate(IdKind::Pod, 1).await.map_err(fail)?;
    let first = ids
        .allocate(IdKind::Container, containers as u64)
        .await
        .map_err(fail)?;
    pod.metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(POD_ID.to_owned(), id.to_string());
    pod.metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(FIRST_CONTAINER.to_owned(), first.to_string());
    Ok(())
}

/// A pod's id, once numbered.
pub(crate) fn pod_id(pod: &core::Pod) -> Option<PodId> {
    labels::value(&pod.metadata, POD_ID)?
        .parse()
        .ok()
        .map(PodId)
}

fn container_state(status: Option<&core::ContainerStatus>) -> (ContainerState, u32, bool) {
    let Some(status) = status else {
        return (
            ContainerState::Waiting {
                reason: "ContainerCreating".to_owned(),
            },
            0,
            false,
        );
    };
    let state = status.state.as_ref();
    let shown = if let Some(running) = state.and_then(|s| s.running.as_ref()) {
        ContainerState::Running {
            started_at: time(running.started_at.as_ref()).unwrap_or(Timestamp(0)),
        }
    } else if let Some(done) = state.and_then(|s| s.terminated.as_ref()) {
        ContainerState::Terminated {
            reason: done.reason.clone().unwrap_or_default(),
            exit_code: done.exit_code,
        }
    } else {
        ContainerState::Waiting {
            reason: state
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.clone())
                .unwrap_or_else(|| "ContainerCreating".to_owned()),
        }
    };
    (
        shown,
        u32::try_from(status.restart_count).unwrap_or(0),
        status.ready,
    )
}

/// The workload a pod was made for.
pub(crate) fn owner(pod: &core::Pod) -> Option<WorkloadId> {
    labels::value(&pod.metadata, OWNER)
        .or_else(|| labels::value(&pod.metadata, WORKLOAD_ID))?
        .parse()
        .ok()
        .map(WorkloadId)
}

/// A numbered Kubernetes pod of `tenant`'s as podgate shows it, with the template it
/// was made from (kept on the pod). `None` for a pod not yet numbered, or not made by
/// podgate.
pub(crate) fn to_pod(pod: &core::Pod, tenant: &TenantKey) -> Option<Pod> {
    to_pods(std::slice::from_ref(pod), tenant, None).pop()
}

/// Numbered pods of `tenant`'s as podgate shows them (see [`to_pod`]). Each distinct
/// template is read once (pods of one workload share theirs); `known` is a template
/// already read and its digest (`podgate.io/template-hash`), whose pods use it as is.
pub(crate) fn to_pods(
    raw: &[core::Pod],
    tenant: &TenantKey,
    known: Option<(&str, &Arc<PodTemplate>)>,
) -> Vec<Pod> {
    let mut templates: HashMap<String, Arc<PodTemplate>> = known
        .map(|(hash, template)| (hash.to_owned(), template.clone()))
        .into_iter()
        .collect();
    raw.iter()
        .filter_map(|pod| {
            let hash = labels::value(&pod.metadata, TEMPLATE_HASH);
            let template = match hash.and_then(|h| templates.get(h)) {
                Some(template) => template.clone(),
                None => {
                    let text = pod.metadata.annotations.as_ref()?.get(TEMPLATE)?;
                    let template: Arc<PodTemplate> = Arc::new(serde_json::from_str(text).ok()?);
                    if let Some(hash) = hash {
                        templates.insert(hash.to_owned(), template.clone());
                    }
                    template
                }
            };
            shown(pod, tenant, template)
        })
        .collect()
}

/// A numbered pod as shown, made from `template`.
fn shown(pod: &core::Pod, tenant: &TenantKey, template: Arc<PodTemplate>) -> Option<Pod> {
    let id = pod_id(pod)?;
    let workload = owner(pod)?;
    let meta = &pod.metadata;
    let first = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(FIRST_CONTAINER))
        .and_then(|v| v.parse::<u64>().ok())?;
    let status = pod.status.as_ref();
    let statuses = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    let conditions = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let condition = |kind: &str| conditions.iter().find(|c| c.type_ == kind);
    let scheduled = condition("PodScheduled");
    let phase = match status.and_then(|s| s.phase.as_deref()) {
        Some("Running") => PodPhase::Running,
        Some("Succeeded") => PodPhase::Succeeded,
        Some("Failed") => PodPhase::Failed,
        Some("Unknown") => PodPhase::Unknown,
        _ => PodPhase::Pending,
    };
    let containers = template
        .containers
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let (state, restart_count, ready) =
                container_state(statuses.iter().find(|s| s.name == spec.name));
            ContainerStatus {
                id: ContainerId(first.saturating_add(i as u64)),
                name: spec.name.clone(),
                image: spec.image.clone(),
                state,
                restart_count,
                ready,
            }
        })
        .collect();
    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    let main = template.containers.len() as u64;
    let init_containers = template
        .init_containers
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let (state, restart_count, ready) =
                container_state(init_statuses.iter().find(|s| s.name == spec.name));
            ContainerStatus {
                id: ContainerId(first.saturating_add(main).saturating_add(i as u64)),
                name: spec.name.clone(),
                image: spec.image.clone(),
                state,
                restart_count,
                ready,
            }
        })
        .collect();
    // A pod put off only until its claims are bound is starting, not unplaceable.
    let unscheduled =
        scheduled.filter(|c| c.status == "False" && !waits_for_claims(c, Timestamp::now()));
    Some(Pod {
        id,
        name: meta.name.clone().unwrap_or_default(),
        tenant: tenant.clone(),
        workload,
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        zone: None,
        ip: status.and_then(|s| s.pod_ip.clone()),
        created_at: time(meta.creation_timestamp.as_ref()).unwrap_or(Timestamp(0)),
        phase,
        reason: unscheduled
            .and_then(|c| c.reason.clone())
            .or_else(|| status.and_then(|s| s.reason.clone())),
        message: unscheduled
            .and_then(|c| c.message.clone())
            .or_else(|| status.and_then(|s| s.message.clone())),
        containers,
        init_containers,
        terminating: meta.deletion_timestamp.is_some(),
        scheduled_at: scheduled
            .filter(|c| c.status == "True")
            .and_then(|c| time(c.last_transition_time.as_ref())),
        started_at: condition("Ready")
            .filter(|c| c.status == "True")
            .and_then(|c| time(c.last_transition_time.as_ref())),
        group: None,
        claimed_by: meta
            .annotations
            .as_ref()
            .and_then(|a| a.get(CLAIMED_BY).cloned()),
        template,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use podgate_core::ClusterBackend;
    use podgate_core::model::{ContainerSpec, NamespaceId, WorkloadSpec};

    use super::*;
    use crate::conformance::{OnACluster, unique, until};
    use crate::testing::quick;

    #[test]
    fn a_pod_waiting_for_its_claims_is_starting_until_claims_should_have_bound() {
        use k8s_openapi::api::core::v1::PodCondition;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
        let at = |ms: i64| {
            Some(Time(
                k8s_openapi::jiff::Timestamp::from_millisecond(ms).unwrap(),
            ))
        };
        let put_off = |message: &str, since: i64| PodCondition {
            type_: "PodScheduled".to_owned(),
            status: "False".to_owned(),
            reason: Some("Unschedulable".to_owned()),
            message: Some(message.to_owned()),
            last_transition_time: at(since),
            ..PodCondition::default()
        };
        let claims = "0/6 nodes are available: pod has unbound immediate PersistentVolumeClaims.";
        let now = Timestamp(1_000_000);
        assert!(waits_for_claims(&put_off(claims, 990_000), now), "10 s in");
        assert!(
            !waits_for_claims(&put_off(claims, 900_000), now),
            "100 s in: the claim will not bind"
        );
        let full = "0/6 nodes are available: 6 Insufficient cpu.";
        assert!(!waits_for_claims(&put_off(full, 990_000), now), "no room");
        let mut placed = put_off(claims, 990_000);
        placed.status = "True".to_owned();
        assert!(!waits_for_claims(&placed, now));
    }

    /// A pod of podgate's made for workload `workload`, of `two_containers`' template:
    /// not yet placed, not yet numbered.
    pub(crate) fn podgate_pod(name: &str, workload: u64) -> core::Pod {
        let mut pod_labels = labels::base();
        pod_labels.insert(WORKLOAD_ID.to_owned(), workload.to_string());
        pod_labels.insert(OWNER.to_owned(), workload.to_string());
        let template = serde_json::to_string(&*two_containers()).unwrap();
        core::Pod {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(pod_labels),
                annotations: Some(BTreeMap::from([(TEMPLATE.to_owned(), template)])),
                ..ObjectMeta::default()
            },
            spec: Some(core::PodSpec {
                containers: ["app", "sidecar"]
                    .map(|name| core::Container {
                        name: name.to_owned(),
                        image: Some("nginx".to_owned()),
                        ..Default::default()
                    })
                    .to_vec(),
                ..Default::default()
            }),
            status: None,
        }
    }

    /// A template of two containers, `app` and `sidecar`.
    fn two_containers() -> Arc<PodTemplate> {
        Arc::new(PodTemplate {
            containers: ["app", "sidecar"]
                .map(|n| ContainerSpec {
                    name: n.to_owned(),
                    image: "nginx".to_owned(),
                    ..Default::default()
                })
                .to_vec(),
            ..Default::default()
        })
    }

    /// Whether the pod runs and every container of it is ready.
    fn running(pod: &core::Pod) -> bool {
        let status = pod.status.as_ref();
        status.and_then(|s| s.phase.as_deref()) == Some("Running")
            && status
                .and_then(|s| s.container_statuses.as_ref())
                .is_some_and(|c| c.iter().all(|c| c.ready))
    }

    /// In a new NCS namespace: the StatefulSet `two` of two pods of two containers,
    /// and beside it `one`, of one pod; waits until the three pods run, and numbers
    /// none of them. Answers the namespace and the id of `two`.
    async fn two_pods_and_one_other(f: &OnACluster) -> (String, WorkloadId) {
        let b = &f.backend;
        let tenant = b
            .create_tenant(crate::testing::new_tenant(
                TenantKey::Namespace(NamespaceId(0)),
                &unique("token"),
            ))
            .await
            .unwrap()
            .key;
        let mut two = WorkloadSpec::stateful("two", two_containers());
        two.replicas = 2;
        let two = b.create_workload(&tenant, two).await.unwrap().id;
        b.create_workload(&tenant, WorkloadSpec::stateful("one", two_containers()))
            .await
            .unwrap();
        let ns = b.workloads.namespace(&tenant);
        let api: Api<core::Pod> = Api::namespaced(b.client.clone(), &ns);
        until("three running pods", || async {
            let found = api.list(&ListParams::default()).await.unwrap().items;
            (found.len() == 3 && found.iter().all(running)).then_some(())
        })
        .await;
        (ns, two)
    }

    /// The ids of those of `pods` not being deleted.
    fn live_ids(pods: &[core::Pod]) -> Vec<PodId> {
        pods.iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter_map(pod_id)
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn pods_are_numbered_once_even_by_two_replicas_at_once() {
        let f = OnACluster::quick().await;
        let (ns, two) = two_pods_and_one_other(&f).await;
        let client = f.backend.client.clone();
        let ids = Ids::new(client.clone(), &f.backend.config.system_namespace, quick());
        let replica = |_| Pods::new(client.clone(), ids.clone(), quick());
        let (a, b) = (replica(0), replica(1));
        let (seen_a, seen_b) = tokio::join!(a.of_workload(&ns, two), b.of_workload(&ns, two));
        let ids_of =
            |pods: &[core::Pod]| pods.iter().map(|p| pod_id(p).unwrap()).collect::<Vec<_>>();
        let (seen_a, seen_b) = (seen_a.unwrap(), seen_b.unwrap());
        assert_eq!(
            ids_of(&seen_a),
            ids_of(&seen_b),
            "both replicas see the same ids"
        );
        assert_eq!(seen_a.len(), 2, "only the workload's pods");
        let again = a.of_workload(&ns, two).await.unwrap();
        assert_eq!(ids_of(&again), ids_of(&seen_a), "ids are kept");

        let tenant = TenantKey::Namespace(NamespaceId(1));
        let shown: Vec<Pod> = again.iter().map(|p| to_pod(p, &tenant).unwrap()).collect();
        let first = shown[0].containers[0].id.0;
        assert_eq!(
            shown[0].containers[1].id.0,
            first + 1,
            "containers in template order"
        );
        assert_ne!(shown[0].containers[0].id, shown[1].containers[0].id);
        assert_eq!(shown[0].phase, PodPhase::Running);
        assert!(
            matches!(shown[0].containers[1].state, ContainerState::Running { .. }),
            "{:?}",
            shown[0].containers[1]
        );
    }

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn pods_numbered_between_requests_are_read_without_a_write() {
        let f = OnACluster::quick().await;
        let (ns, two) = two_pods_and_one_other(&f).await;
        let b = &f.backend;
        assert_eq!(b.number_pods().await.unwrap(), 3, "the three new pods");
        assert_eq!(b.number_pods().await.unwrap(), 0, "nothing new since");
        let (listed, n) = f.requests(b.pods.of_workload(&ns, two)).await;
        assert_eq!(live_ids(&listed.unwrap()).len(), 2);
        assert_eq!(n, 1, "one list, no write");
    }

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn pods_found_by_id_recreated_and_their_logs_read() {
        let f = OnACluster::quick().await;
        let (ns, two) = two_pods_and_one_other(&f).await;
        let pods = &f.backend.pods;
        let listed = pods.of_workload(&ns, two).await.unwrap();
        let (first, other) = (pod_id(&listed[0]).unwrap(), pod_id(&listed[1]).unwrap());
        let (found, n) = f.requests(pods.by_id(&ns, first)).await;
        assert_eq!(n, 1);
        assert_eq!(found.unwrap().metadata.name, listed[0].metadata.name);
        assert!(matches!(
            pods.by_id(&unique("podgate-namespace-none"), first).await,
            Err(Error::NotFound { .. })
        ));

        // The pods the scheduler placed on the first one's node, of either workload.
        let node = listed[0].spec.as_ref().unwrap().node_name.clone().unwrap();
        let api: Api<core::Pod> = Api::namespaced(f.backend.client.clone(), &ns);
        let mut there: Vec<String> = api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| p.spec.as_ref().unwrap().node_name.as_deref() == Some(node.as_str()))
            .map(|p| p.metadata.name.unwrap())
            .collect();
        there.sort();
        let on_node = pods.on_node(&ns, &node).await.unwrap();
        let mut names: Vec<String> = on_node
            .iter()
            .map(|p| p.metadata.name.clone().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, there, "only the pods on that node");
        assert!(
            on_node.iter().all(|p| pod_id(p).is_some()),
            "numbered on first sight"
        );
        let (again, n) = f.requests(pods.on_node(&ns, &node)).await;
        assert_eq!(live_ids(&again.unwrap()), live_ids(&on_node));
        assert_eq!(n, 1, "a node's pods, once numbered: one request");
        let placed: Vec<String> = api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter_map(|p| p.spec.and_then(|s| s.node_name))
            .collect();
        let idle = (1..=6)
            .map(|i| format!("node-{i}"))
            .find(|n| !placed.contains(n))
            .unwrap();
        assert!(pods.on_node(&ns, &idle).await.unwrap().is_empty());

        // What KWOK's container wrote: four lines, the last two asked for.
        let name = listed[0].metadata.name.clone().unwrap();
        let (log, n) = f.requests(pods.log(&ns, &name, "app", Some(2))).await;
        assert_eq!(log.unwrap(), "a line on stderr\nready\n");
        assert_eq!(n, 1);
        assert!(matches!(
            pods.log(&ns, "w-9-0", "app", None).await,
            Err(Error::NotFound { .. })
        ));

        assert!(matches!(
            pods.recreate(&ns, two, Some(PodId(999_999_999))).await,
            Err(Error::NotFound { .. })
        ));
        pods.recreate(&ns, two, Some(first)).await.unwrap();
        // The StatefulSet makes the pod again: a new pod, numbered anew.
        let ids = until("the first pod made again", || async {
            let ids = live_ids(&pods.of_workload(&ns, two).await.unwrap());
            (ids.len() == 2 && !ids.contains(&first)).then_some(ids)
        })
        .await;
        assert!(ids.contains(&other), "only that pod went");
        pods.recreate(&ns, two, None).await.unwrap();
        until("both pods made again", || async {
            let now = live_ids(&pods.of_workload(&ns, two).await.unwrap());
            (now.len() == 2 && now.iter().all(|id| !ids.contains(id))).then_some(())
        })
        .await;
    }

    #[test]
    fn a_running_pod_shows_its_states_and_restarts() {
        let mut pod = podgate_pod("w-1-0", 1);
        pod.metadata
            .labels
            .as_mut()
            .unwrap()
            .insert(POD_ID.to_owned(), "4".to_owned());
        pod.metadata
            .annotations
            .as_mut()
            .unwrap()
            .insert(FIRST_CONTAINER.to_owned(), "10".to_owned());
        pod.status = Some(core::PodStatus {
            phase: Some("Running".to_owned()),
            pod_ip: Some("10.0.0.9".to_owned()),
            container_statuses: Some(vec![
                core::ContainerStatus {
                    name: "app".to_owned(),
                    ready: true,
                    restart_count: 2,
                    state: Some(core::ContainerState {
                        running: Some(core::ContainerStateRunning { started_at: None }),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                core::ContainerStatus {
                    name: "sidecar".to_owned(),
                    state: Some(core::ContainerState {
                        waiting: Some(core::ContainerStateWaiting {
                            reason: Some("ImagePullBackOff".to_owned()),
                            message: None,
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        });
        let shown = to_pod(&pod, &TenantKey::System).unwrap();
        assert_eq!(shown.id, PodId(4));
        assert_eq!(shown.phase, PodPhase::Running);
        assert_eq!(shown.ip.as_deref(), Some("10.0.0.9"));
        assert_eq!(shown.containers[0].id, ContainerId(10));
        assert_eq!(shown.containers[0].restart_count, 2);
        assert!(shown.containers[0].ready);
        assert_eq!(
            shown.containers[1].state,
            ContainerState::Waiting {
                reason: "ImagePullBackOff".to_owned()
            }
        );
    }
}

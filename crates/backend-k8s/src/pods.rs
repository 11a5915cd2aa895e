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
    let unscheduled = scheduled.filter(|c| c.status == "False");
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
    use podgate_core::model::{ContainerSpec, NamespaceId};

    use super::*;
    use crate::testing::{fake, quick};

    /// A pod as a StatefulSet controller makes it: two containers, not yet placed.
    pub(crate) fn controller_pod(name: &str, workload: u64) -> core::Pod {
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
                containers: vec![
                    core::Container {
                        name: "app".to_owned(),
                        ..Default::default()
                    },
                    core::Container {
                        name: "sidecar".to_owned(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }),
            status: None,
        }
    }

    /// Pods `w-1-0` and `w-1-1` of workload 1 in `podgate-ncs-1`, as its controller
    /// makes them; the namespace's pod API.
    async fn two_pods_of_workload_1(client: &kube::Client) -> Api<core::Pod> {
        let api: Api<core::Pod> = Api::namespaced(client.clone(), "podgate-ncs-1");
        for name in ["w-1-0", "w-1-1"] {
            api.create(&PostParams::default(), &controller_pod(name, 1))
                .await
                .unwrap();
        }
        api
    }

    /// The template of `controller_pod`'s two containers.
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pods_are_numbered_once_even_by_two_replicas_at_once() {
        let (client, _) = fake().await;
        let api = two_pods_of_workload_1(&client).await;
        api.create(&PostParams::default(), &controller_pod("w-2-0", 2))
            .await
            .unwrap();
        let ids = Ids::new(client.clone(), "podgate-system", quick());
        let replica = |_| Pods::new(client.clone(), ids.clone(), quick());
        let (a, b) = (replica(0), replica(1));
        let (seen_a, seen_b) = tokio::join!(
            a.of_workload("podgate-ncs-1", WorkloadId(1)),
            b.of_workload("podgate-ncs-1", WorkloadId(1))
        );
        let ids_of =
            |pods: &[core::Pod]| pods.iter().map(|p| pod_id(p).unwrap()).collect::<Vec<_>>();
        let (seen_a, seen_b) = (seen_a.unwrap(), seen_b.unwrap());
        assert_eq!(
            ids_of(&seen_a),
            ids_of(&seen_b),
            "both replicas see the same ids"
        );
        assert_eq!(seen_a.len(), 2, "only the workload's pods");
        let again = a.of_workload("podgate-ncs-1", WorkloadId(1)).await.unwrap();
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
        assert_eq!(shown[0].phase, PodPhase::Pending, "no status yet");
        assert_eq!(
            shown[0].containers[0].state,
            ContainerState::Waiting {
                reason: "ContainerCreating".to_owned()
            }
        );
    }

    #[tokio::test]
    async fn pods_found_by_id_recreated_and_their_logs_read() {
        let (client, plan) = fake().await;
        let api = two_pods_of_workload_1(&client).await;
        let pods = Pods::new(
            client.clone(),
            Ids::new(client.clone(), "podgate-system", quick()),
            quick(),
        );
        let listed = pods
            .of_workload("podgate-ncs-1", WorkloadId(1))
            .await
            .unwrap();
        let first = pod_id(&listed[0]).unwrap();
        let before = plan.requests();
        let found = pods.by_id("podgate-ncs-1", first).await.unwrap();
        assert_eq!(plan.requests() - before, 1);
        assert_eq!(found.metadata.name, listed[0].metadata.name);
        assert!(matches!(
            pods.by_id("podgate-ncs-2", first).await,
            Err(Error::NotFound { .. })
        ));

        let mut placed = controller_pod("w-1-9", 1);
        placed.spec.as_mut().unwrap().node_name = Some("node-7".to_owned());
        api.create(&PostParams::default(), &placed).await.unwrap();
        let on_node = pods.on_node("podgate-ncs-1", "node-7").await.unwrap();
        assert_eq!(on_node.len(), 1, "only the pod on that node");
        assert_eq!(on_node[0].metadata.name.as_deref(), Some("w-1-9"));
        assert!(pod_id(&on_node[0]).is_some(), "numbered on first sight");
        let before = plan.requests();
        assert_eq!(
            pods.on_node("podgate-ncs-1", "node-7").await.unwrap(),
            on_node
        );
        assert_eq!(
            plan.requests() - before,
            1,
            "a node's pods, once numbered: one request"
        );
        assert!(
            pods.on_node("podgate-ncs-1", "node-8")
                .await
                .unwrap()
                .is_empty()
        );
        api.delete("w-1-9", &DeleteParams::default()).await.unwrap();

        plan.set_log("podgate-ncs-1", "w-1-0", "app", "one\ntwo\nthree\n");
        assert_eq!(
            pods.log("podgate-ncs-1", "w-1-0", "app", Some(2))
                .await
                .unwrap(),
            "two\nthree\n"
        );
        assert!(matches!(
            pods.log("podgate-ncs-1", "w-9-0", "app", None).await,
            Err(Error::NotFound { .. })
        ));

        assert!(matches!(
            pods.recreate("podgate-ncs-1", WorkloadId(1), Some(PodId(999)))
                .await,
            Err(Error::NotFound { .. })
        ));
        pods.recreate("podgate-ncs-1", WorkloadId(1), Some(first))
            .await
            .unwrap();
        let left = pods
            .of_workload("podgate-ncs-1", WorkloadId(1))
            .await
            .unwrap();
        assert_eq!(left.len(), 1, "only that pod went");
        assert_ne!(pod_id(&left[0]), Some(first));
        pods.recreate("podgate-ncs-1", WorkloadId(1), None)
            .await
            .unwrap();
        assert!(
            pods.of_workload("podgate-ncs-1", WorkloadId(1))
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_running_pod_shows_its_states_and_restarts() {
        let mut pod = controller_pod("w-1-0", 1);
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

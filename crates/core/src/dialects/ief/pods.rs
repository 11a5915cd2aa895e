//! The pod list of the seed (`seeds/001`).

use std::sync::Arc;

use super::definition::{self, DeploymentMeta};
use super::error::IefError;
use super::ids::{deployment_of, deployment_uuid, pod_uuid};
use super::request;
use super::service::{IefCaller, IefService, Reply};
use super::wire::{
    ContainerDefOut, ContainerResp, EnvPods, HostContainerPort, ListPodsParams, ListPodsReply,
    PodRequestOut, PodResponse,
};
use crate::model::{
    ContainerState, ContainerStatus, Pod, PodPhase, PodQuery, PodTemplate, WorkloadId,
};

/// The most pods one page returns.
pub const MAX_PODS_LIMIT: u64 = 1000;

/// Waiting reasons that mean the container cannot be created (IEF's CREATE_FAIL).
const CREATE_FAILURES: [&str; 6] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

/// The family's pod `state` of a pod.
fn state_of(pod: &Pod) -> &'static str {
    let failing = || {
        pod.init_containers
            .iter()
            .chain(&pod.containers)
            .any(|c| matches!(&c.state, ContainerState::Waiting { reason } if CREATE_FAILURES.contains(&reason.as_str())))
    };
    if pod.terminating {
        return "TERMINATING";
    }
    match pod.phase {
        PodPhase::Unknown => "UNKNOWN",
        PodPhase::Pending if failing() => "CREATE_FAIL",
        PodPhase::Pending => "PENDING",
        PodPhase::Running => "RUNNING",
        PodPhase::Succeeded => "SUCCEEDED",
        PodPhase::Failed => "FAILED",
    }
}

fn container_resp(def: &ContainerDefOut, status: Option<&ContainerStatus>) -> ContainerResp {
    let (state, reason) = match status.map(|s| &s.state) {
        Some(ContainerState::Running { .. }) => ("running", String::new()),
        Some(ContainerState::Waiting { reason }) => ("waiting", reason.clone()),
        Some(ContainerState::Terminated { reason, .. }) => ("terminated", reason.clone()),
        None => ("waiting", String::new()),
    };
    ContainerResp {
        args: def.args.clone(),
        command: def.command.clone(),
        name: def.name.clone(),
        envs: def
            .envs
            .iter()
            .map(|e| EnvPods {
                name: e.name.clone(),
                value: e.value.clone(),
            })
            .collect(),
        image_url: def.image_url.clone(),
        version: def.version.clone(),
        liveness_probe: def.liveness_probe.clone(),
        readiness_probe: def.readiness_probe.clone(),
        ports: def
            .ports
            .iter()
            .map(|p| HostContainerPort {
                container_port: p.container_port,
                host_port: p.host_port,
                host_ip: p.host_ip.clone(),
            })
            .collect(),
        resources: def.resources.clone(),
        volumes: def.volumes.clone(),
        restarts: status.map_or(0, |s| s.restart_count),
        message: String::new(),
        reason,
        is_ready: status.is_some_and(|s| s.ready).to_string(),
        privileged: def.privileged,
        container_id: status
            .filter(|s| !matches!(s.state, ContainerState::Waiting { .. }))
            .map(|s| s.id.runtime_id())
            .unwrap_or_default(),
        state: state.to_owned(),
        npu_type: def.npu_type.clone(),
    }
}

fn pod_resp(
    project_id: &str,
    pod: &Pod,
    def: &PodRequestOut,
    meta: &DeploymentMeta,
) -> PodResponse {
    let containers =
        |defs: &[ContainerDefOut], statuses: &[ContainerStatus]| -> Vec<ContainerResp> {
            defs.iter()
                .map(|c| container_resp(c, statuses.iter().find(|s| s.name == c.name)))
                .collect()
        };
    PodResponse {
        id: pod_uuid(pod.id),
        name: pod.name.clone(),
        description: meta.description.clone(),
        configs: def.configs.clone(),
        affinity: def.affinity.clone(),
        init_containers: containers(&def.init_containers, &pod.init_containers),
        containers: containers(&def.containers, &pod.containers),
        // A node deployment's pod names its node from the start, also while Pending.
        node_id: pod
            .node
            .clone()
            .or_else(|| meta.node_ids.first().cloned())
            .unwrap_or_default(),
        deployment_id: deployment_uuid(pod.workload),
        project_id: project_id.to_owned(),
        reason: pod.reason.clone().unwrap_or_default(),
        message: pod.message.clone().unwrap_or_default(),
        created_at: pod.created_at.to_rfc3339_millis(),
        updated_at: pod.changed_at().to_rfc3339_millis(),
        state: state_of(pod).to_owned(),
    }
}

impl IefService {
    /// `GET /v3/{project_id}/edgemgr/pods`: exactly one of node_id, group_id,
    /// deployment_id and deployment_ids.
    pub async fn list_pods(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &ListPodsParams,
    ) -> Reply<ListPodsReply> {
        let tenant = self.project(caller, project_id).await?;
        let given = [
            params.node_id.is_some(),
            params.group_id.is_some(),
            params.deployment_id.is_some(),
            params.deployment_ids.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(IefError::one_filter());
        }
        let page = request::page(
            params.limit.as_ref(),
            params.offset.as_ref(),
            10,
            MAX_PODS_LIMIT,
        )?;
        if params.plugin_instance_name.is_some() {
            // podgate runs no plugins: no pod belongs to a plugin instance.
            return Ok(ListPodsReply {
                count: 0,
                pods: Vec::new(),
            });
        }
        let ids = |list: &str| -> Vec<WorkloadId> {
            list.split(',')
                .map(str::trim)
                .filter_map(deployment_of)
                .collect()
        };
        let query = if let Some(node) = &params.node_id {
            PodQuery::Node(tenant.clone(), node.clone())
        } else if let Some(group) = &params.group_id {
            PodQuery::Group(tenant.clone(), group.clone())
        } else if let Some(one) = &params.deployment_id {
            PodQuery::Workloads(tenant.clone(), ids(one).into_iter().take(1).collect())
        } else {
            PodQuery::Workloads(
                tenant.clone(),
                ids(params.deployment_ids.as_deref().unwrap_or_default()),
            )
        };
        let found = self.backend.list_pods(&query, page).await?;
        // Pods of one deployment share its template and workload: read each once.
        type Known = (Arc<PodTemplate>, PodRequestOut, WorkloadId, DeploymentMeta);
        let mut known: Vec<Known> = Vec::new();
        let mut pods = Vec::with_capacity(found.items.len());
        for pod in found.items {
            let at = known
                .iter()
                .position(|(t, _, w, _)| Arc::ptr_eq(t, &pod.template) && *w == pod.workload);
            let at = match at {
                Some(i) => i,
                None => {
                    let workload = match self.backend.get_workload(&tenant, pod.workload).await {
                        Ok(w) => w,
                        // Deleted between the two reads: its pods are going too.
                        Err(crate::Error::NotFound { .. }) => continue,
                        Err(other) => return Err(other.into()),
                    };
                    known.push((
                        pod.template.clone(),
                        definition::read_pod(&pod.template)?,
                        pod.workload,
                        DeploymentMeta::read(&workload.spec.annotations)?,
                    ));
                    known.len() - 1
                }
            };
            if let Some((_, def, _, meta)) = known.get(at) {
                pods.push(pod_resp(project_id, &pod, def, meta));
            }
        }
        Ok(ListPodsReply {
            count: found.total,
            pods,
        })
    }
}

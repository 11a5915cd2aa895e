//! Deployments: create, list, show, update, delete, and the two pod actions.

use std::collections::BTreeMap;

use super::definition::{self, DeploymentMeta, GROUP_LABEL, NODE_LABEL};
use super::error::IefError;
use super::ids::deployment_uuid;
use super::request;
use super::service::{IefCaller, IefService, Reply};
use super::wire::{
    CreateDeploymentRequest, DeleteDeploymentParams, DeploymentResp, ListDeploymentsParams,
    ListDeploymentsReply, PodRequestOut, UpdateDeploymentRequest,
};
use crate::model::{
    ConfigKind, ConfigObject, ConfigQuery, PageRequest, PodQuery, TenantKey, Workload,
    WorkloadKind, WorkloadOrder, WorkloadQuery, WorkloadSpec,
};

/// The most deployments one page of the list returns.
pub const MAX_DEPLOYMENTS_LIMIT: u64 = 100;

/// A deployment as replies show it.
pub(super) fn deployment_resp(project: &str, workload: &Workload) -> Reply<DeploymentResp> {
    let meta = DeploymentMeta::read(&workload.spec.annotations)?;
    let template = definition::read_pod(&workload.spec.template)?;
    Ok(DeploymentResp {
        id: deployment_uuid(workload.id),
        name: workload.spec.name.clone(),
        replicas: workload.spec.replicas,
        ready_replicas: workload.status.ready.min(workload.spec.replicas),
        description: meta.description,
        group_id: meta.group_id.unwrap_or_default(),
        node_ids: meta.node_ids,
        tags: meta.tags,
        api_version: "v3".to_owned(),
        source: meta.source,
        project_id: project.to_owned(),
        created_at: workload.created_at.to_rfc3339_millis(),
        updated_at: workload.updated_at.to_rfc3339_millis(),
        template,
        state: String::new(),
        source_id: String::new(),
        annotations: meta.annotations,
    })
}

impl IefService {
    /// Every config map and secret `pod` reads must exist in the project, with the key
    /// an env var reads; otherwise the field that names it is refused.
    async fn check_config_refs(&self, tenant: &TenantKey, pod: &PodRequestOut) -> Reply<()> {
        let mut known: BTreeMap<(ConfigKind, String), Option<ConfigObject>> = BTreeMap::new();
        for (kind, name, key, field) in request::config_refs(pod, "deployment.template") {
            let slot = (kind, name.clone());
            if !known.contains_key(&slot) {
                let found = self
                    .backend
                    .list_configs(&ConfigQuery {
                        tenant: tenant.clone(),
                        kind,
                        name: Some(name.clone()),
                    })
                    .await?;
                known.insert(slot.clone(), found.into_iter().next());
            }
            let Some(object) = known.get(&slot).and_then(Option::as_ref) else {
                return Err(IefError::invalid(
                    &field,
                    format!("{} {name} does not exist in the project", kind.name()),
                ));
            };
            if let Some(key) = key
                && !object.config.data.contains_key(&key)
            {
                return Err(IefError::invalid(
                    &field,
                    format!("{} {name} has no key {key}", kind.name()),
                ));
            }
        }
        Ok(())
    }

    /// `POST /v3/{project_id}/edgemgr/deployments`.
    pub async fn create_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        req: &CreateDeploymentRequest,
    ) -> Reply<DeploymentResp> {
        let tenant = self.project(caller, project_id).await?;
        let nodes = self.backend.list_nodes().await?;
        let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        let groups: Vec<String> = nodes.iter().filter_map(|n| n.group.clone()).collect();
        let new = request::new_deployment(req, &names, &groups)?;
        self.check_config_refs(&tenant, &new.pod).await?;
        let workload = self
            .backend
            .create_workload(
                &tenant,
                WorkloadSpec {
                    name: new.name,
                    labels: new.meta.labels(),
                    annotations: new.meta.annotations()?,
                    template: definition::to_template(&new.pod, &new.meta)?,
                    kind: WorkloadKind::Deployment,
                    replicas: new.replicas,
                    pool: None,
                    autoscaler: None,
                    object_name: None,
                },
            )
            .await?;
        deployment_resp(project_id, &workload)
    }

    /// `GET /v3/{project_id}/edgemgr/deployments`.
    pub async fn list_deployments(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &ListDeploymentsParams,
    ) -> Reply<ListDeploymentsReply> {
        let tenant = self.project(caller, project_id).await?;
        let page = request::page(
            params.limit.as_ref(),
            params.offset.as_ref(),
            10,
            MAX_DEPLOYMENTS_LIMIT,
        )?;
        let (_, desc) = request::sort(
            params.sort.as_deref(),
            &["created_at"],
            ("created_at", true),
        )?;
        let label = match (&params.node_id, &params.group_id) {
            (Some(_), Some(_)) => {
                return Err(IefError::invalid(
                    "node_id",
                    "give node_id or group_id, not both",
                ));
            }
            (Some(node), None) => Some((NODE_LABEL.to_owned(), node.clone())),
            (None, Some(group)) => Some((GROUP_LABEL.to_owned(), group.clone())),
            (None, None) => None,
        };
        let query = WorkloadQuery {
            tenants: Some(vec![tenant]),
            label,
            name_contains: params.name.clone().filter(|n| !n.is_empty()),
            order: if desc {
                WorkloadOrder::IdDesc
            } else {
                WorkloadOrder::Id
            },
            ..WorkloadQuery::default()
        };
        let found = self.backend.list_workloads(&query, page).await?;
        Ok(ListDeploymentsReply {
            count: found.total,
            deployments: found
                .items
                .iter()
                .map(|w| deployment_resp(project_id, w))
                .collect::<Reply<_>>()?,
        })
    }

    /// `GET /v3/{project_id}/edgemgr/deployments/{id}`.
    pub async fn get_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
    ) -> Reply<DeploymentResp> {
        let tenant = self.project(caller, project_id).await?;
        deployment_resp(project_id, &self.deployment(&tenant, id).await?)
    }

    /// `PUT /v3/{project_id}/edgemgr/deployments/{id}`: a new template replaces the old
    /// one (the pods roll), `replicas` scales, `description` alone touches no pod.
    pub async fn update_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        req: &UpdateDeploymentRequest,
    ) -> Reply<DeploymentResp> {
        let tenant = self.project(caller, project_id).await?;
        let workload = self.deployment(&tenant, id).await?;
        let mut meta = DeploymentMeta::read(&workload.spec.annotations)?;
        let change = request::deployment_change(req, meta.group_id.is_some())?;
        if let Some(description) = change.description {
            meta.description = description;
        }
        let template = match &change.pod {
            Some(pod) => {
                self.check_config_refs(&tenant, pod).await?;
                definition::to_template(pod, &meta)?
            }
            None => workload.spec.template.clone(),
        };
        let spec = WorkloadSpec {
            annotations: meta.annotations()?,
            template,
            replicas: change.replicas.unwrap_or(workload.spec.replicas),
            ..workload.spec
        };
        let updated = self
            .backend
            .update_workload(&tenant, workload.id, spec)
            .await?;
        // The update reply (`UpdateDeploymentResponse`) has no annotations.
        let mut reply = deployment_resp(project_id, &updated)?;
        reply.annotations = None;
        Ok(reply)
    }

    /// `DELETE /v3/{project_id}/edgemgr/deployments/{id}`: the deployment and its pods
    /// go. podgate never waits for nodes to confirm, so `force_delete` (validated)
    /// changes nothing.
    pub async fn delete_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        params: &DeleteDeploymentParams,
    ) -> Reply<()> {
        let tenant = self.project(caller, project_id).await?;
        request::force_delete(params.force_delete.as_deref())?;
        let workload = self.deployment(&tenant, id).await?;
        self.backend.delete_workload(&tenant, workload.id).await?;
        Ok(())
    }

    /// Replaces the named pod of a deployment with a new one.
    async fn replace_pod(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        pod_name: &str,
    ) -> Reply<()> {
        let tenant = self.project(caller, project_id).await?;
        let workload = self.deployment(&tenant, id).await?;
        let pods = self
            .backend
            .list_pods(
                &PodQuery::Workload(tenant.clone(), workload.id),
                PageRequest::ALL,
            )
            .await?;
        let pod = pods
            .items
            .iter()
            .find(|p| p.name == pod_name && !p.terminating)
            .ok_or_else(|| IefError::not_found("pod", pod_name))?;
        self.backend
            .recreate_pods(&tenant, workload.id, Some(pod.id))
            .await?;
        Ok(())
    }

    /// `POST /v3/{project_id}/edgemgr/deployments/{id}/pods/{pod_name}/restart`: the
    /// pod is replaced by a new one (Kubernetes cannot restart a pod in place).
    pub async fn restart_pod(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        pod_name: &str,
    ) -> Reply<()> {
        self.replace_pod(caller, project_id, id, pod_name).await
    }

    /// `DELETE /v3/{project_id}/edgemgr/deployments/{id}/pods/{pod_name}`: the pod
    /// goes and the deployment makes a new one.
    pub async fn delete_pod(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        pod_name: &str,
    ) -> Reply<()> {
        self.replace_pod(caller, project_id, id, pod_name).await
    }
}

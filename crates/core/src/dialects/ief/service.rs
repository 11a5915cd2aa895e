//! The IEF use-cases: deployments, pods, nodes and node groups of a project, plus the
//! provisioning of projects.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::definition::IefDefinition;
use super::error::IefError;
use super::ids::{deployment_of, deployment_uuid, pod_uuid};
use super::parse;
use super::wire::{
    ContainerResp, CreateDeploymentRequest, DeploymentReply, DeploymentResp, GroupResp,
    ListDeploymentsReply, ListGroupsReply, ListNodesReply, ListPodsParams, ListPodsReply, NodeResp,
    NumOrText, PageParams, PodResponse, UpdateDeploymentRequest,
};
use crate::backend::ClusterBackend;
use crate::model::{
    ContainerState, NewTenant, PageRequest, Pod, PodPhase, PodQuery, TenantKey, TenantKind,
    Workload, WorkloadId, WorkloadKind, WorkloadPhase, WorkloadQuery, WorkloadSpec,
};
use crate::secret::{Token, TokenHash};
use crate::validate;

type Reply<T> = Result<T, IefError>;

/// Who is calling: the operator, who reaches every project, or the holder of one
/// project's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IefCaller {
    /// Reaches every project.
    Operator,
    /// Reaches one project.
    Project(String),
}

/// The IEF edge-application service over any [`ClusterBackend`].
#[derive(Debug, Clone)]
pub struct IefService {
    backend: Arc<dyn ClusterBackend>,
}

/// The most items one page returns.
pub const MAX_LIMIT: u64 = 1000;

/// Decodes a request body, naming what is wrong on failure.
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| IefError::bad_body(format!("at {}: {}", e.path(), e.inner())))
}

/// The page a `limit`/`offset` pair asks for: limit 1..=1000 (default 10), offset ≥ 0
/// (default 0), integers given as numbers or strings.
pub fn page(limit: Option<&NumOrText>, offset: Option<&NumOrText>) -> Reply<PageRequest> {
    let int = |v: &NumOrText| -> Option<i128> {
        match v {
            NumOrText::Num(n) if *n < 0.0 && n.fract() == 0.0 => Some(-1),
            NumOrText::Num(n) if n.fract() == 0.0 && n.is_finite() => {
                Some(i128::from(super::definition::whole(*n)))
            }
            NumOrText::Num(_) => None,
            NumOrText::Text(s) => s.trim().parse::<i128>().ok(),
        }
    };
    let show = |v: &NumOrText| match v {
        NumOrText::Num(n) => n.to_string(),
        NumOrText::Text(s) => s.clone(),
    };
    let limit = match limit {
        None => 10,
        Some(v) => int(v)
            .filter(|n| (1..=i128::from(MAX_LIMIT)).contains(n))
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| IefError::limit(show(v)))?,
    };
    let offset = match offset {
        None => 0,
        Some(v) => int(v)
            .filter(|n| *n >= 0)
            .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
            .ok_or_else(|| IefError::offset(show(v)))?,
    };
    Ok(PageRequest::new(offset, limit))
}

fn state_of(phase: PodPhase) -> &'static str {
    match phase {
        PodPhase::Pending => "PENDING",
        PodPhase::Running => "RUNNING",
        PodPhase::Succeeded => "SUCCEEDED",
        PodPhase::Failed => "FAILED",
        PodPhase::Unknown => "UNKNOWN",
    }
}

impl IefService {
    /// A service over `backend`.
    pub fn new(backend: Arc<dyn ClusterBackend>) -> Self {
        Self { backend }
    }

    /// Creates a project and its token (returned this once; only its hash is kept).
    pub async fn create_project(&self, project_id: &str) -> crate::Result<Token> {
        let ok = !project_id.is_empty()
            && project_id.len() <= 64
            && project_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(crate::Error::invalid(
                "project_id",
                "must be 1-64 letters, digits, '-' or '_'",
            ));
        }
        let token = Token::generate()?;
        self.backend
            .create_tenant(NewTenant {
                key: TenantKey::Project(project_id.to_owned()),
                token_hash: token.hash(),
                privileged: false,
                attributes: serde_json::Value::Null,
            })
            .await?;
        Ok(token)
    }

    /// The caller an `X-Auth-Token` stands for.
    /// Takes the presented text, or its [`TokenHash`] when the caller has it already.
    pub async fn authenticate(&self, token: impl Into<TokenHash>) -> Reply<IefCaller> {
        match crate::dialects::authenticate(self.backend.as_ref(), TenantKind::Project, token)
            .await?
        {
            TenantKey::Project(project) => Ok(IefCaller::Project(project)),
            _ => Err(IefError::auth()),
        }
    }

    /// The project a caller names, if it may reach it and it exists; a foreign project
    /// answers exactly like an unknown one.
    async fn project(&self, caller: &IefCaller, project_id: &str) -> Reply<TenantKey> {
        if let IefCaller::Project(own) = caller
            && own != project_id
        {
            return Err(IefError::project_not_found());
        }
        let key = TenantKey::Project(project_id.to_owned());
        match self.backend.get_tenant(&key).await {
            Ok(_) => Ok(key),
            Err(crate::Error::NotFound { .. }) => Err(IefError::project_not_found()),
            Err(other) => Err(other.into()),
        }
    }

    async fn deployment(&self, tenant: &TenantKey, id: &str) -> Reply<Workload> {
        let workload = deployment_of(id).ok_or_else(|| IefError::deployment_not_found(id))?;
        self.backend
            .get_workload(tenant, workload)
            .await
            .map_err(|e| match e {
                crate::Error::NotFound { .. } => IefError::deployment_not_found(id),
                other => other.into(),
            })
    }

    fn deployment_resp(project: &str, workload: &Workload) -> Reply<DeploymentResp> {
        let def = IefDefinition::from_template(&workload.spec.template)?;
        let state = match workload.status.phase {
            WorkloadPhase::Running => "RUNNING",
            WorkloadPhase::CreateFailed => "FAILED",
            WorkloadPhase::Updating => "UPDATING",
            WorkloadPhase::Creating => "PENDING",
            WorkloadPhase::Abnormal => "ABNORMAL",
        };
        Ok(DeploymentResp {
            id: deployment_uuid(workload.id),
            name: workload.spec.name.clone(),
            description: def.description.clone(),
            replicas: workload.spec.replicas,
            ready_replicas: workload.status.ready.min(workload.spec.replicas),
            node_ids: def.node_ids.clone(),
            group_id: def.group_id.clone(),
            project_id: project.to_owned(),
            template: def.template_out(),
            state: state.to_owned(),
            created_at: workload.created_at.to_rfc3339_millis(),
            updated_at: workload.updated_at.to_rfc3339_millis(),
        })
    }

    fn replicas(value: Option<i64>) -> Reply<u32> {
        match value {
            None => Ok(1),
            Some(n) if (0..=1000).contains(&n) => Ok(u32::try_from(n).unwrap_or(1)),
            Some(n) => Err(IefError::invalid(
                "replicas",
                format!("must be 0..=1000, got {n}"),
            )),
        }
    }

    /// `POST /v3/{project_id}/edgemgr/deployments`.
    pub async fn create_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        req: &CreateDeploymentRequest,
    ) -> Reply<DeploymentReply> {
        let tenant = self.project(caller, project_id).await?;
        let d = req
            .deployment
            .as_ref()
            .ok_or_else(|| IefError::invalid("deployment", "is required"))?;
        let name = d
            .name
            .as_ref()
            .ok_or_else(|| IefError::invalid("name", "is required"))?;
        validate::ief_deployment_name(name).map_err(|r| IefError::invalid("name", r))?;
        let description = d.description.clone().unwrap_or_default();
        if description.chars().count() > 255 {
            return Err(IefError::invalid(
                "description",
                "must be at most 255 characters",
            ));
        }
        let node_ids = d.node_ids.clone().unwrap_or_default();
        let group = match (&node_ids[..], &d.group_id) {
            ([_], None) => false,
            ([], Some(_)) => true,
            _ => {
                return Err(IefError::invalid(
                    "node_ids",
                    "give exactly one node in node_ids, or a group_id",
                ));
            }
        };
        let nodes = self.backend.list_nodes().await?;
        if let Some(node) = node_ids.first()
            && !nodes.iter().any(|n| n.name == *node)
        {
            return Err(IefError::placement_not_found("Node", node));
        }
        if let Some(g) = &d.group_id
            && !nodes.iter().any(|n| n.group.as_ref() == Some(g))
        {
            return Err(IefError::placement_not_found("Node group", g));
        }
        let spec = d
            .template
            .as_ref()
            .and_then(|t| t.spec.as_ref())
            .ok_or_else(|| IefError::invalid("template.spec", "is required"))?;
        let (containers, init_containers) = parse::containers(spec)?;
        let configs = parse::configs(spec.configs.as_ref(), group)?;
        let definition = IefDefinition {
            description,
            containers,
            init_containers,
            configs,
            node_ids,
            group_id: d.group_id.clone(),
            affinity: spec.affinity.clone(),
        };
        let workload = self
            .backend
            .create_workload(
                &tenant,
                WorkloadSpec {
                    name: name.clone(),
                    labels: BTreeMap::new(),
                    template: definition.to_template()?,
                    kind: WorkloadKind::Deployment,
                    replicas: Self::replicas(d.replicas)?,
                    pool: None,
                },
            )
            .await?;
        Ok(DeploymentReply {
            deployment: Self::deployment_resp(project_id, &workload)?,
        })
    }

    /// `GET /v3/{project_id}/edgemgr/deployments`.
    pub async fn list_deployments(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &PageParams,
    ) -> Reply<ListDeploymentsReply> {
        let tenant = self.project(caller, project_id).await?;
        let page = page(params.limit.as_ref(), params.offset.as_ref())?;
        let query = WorkloadQuery {
            tenants: Some(vec![tenant]),
            ..WorkloadQuery::default()
        };
        let found = self.backend.list_workloads(&query, page).await?;
        Ok(ListDeploymentsReply {
            count: found.total,
            deployments: found
                .items
                .iter()
                .map(|w| Self::deployment_resp(project_id, w))
                .collect::<Reply<_>>()?,
        })
    }

    /// `GET /v3/{project_id}/edgemgr/deployments/{id}`.
    pub async fn get_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
    ) -> Reply<DeploymentReply> {
        let tenant = self.project(caller, project_id).await?;
        let workload = self.deployment(&tenant, id).await?;
        Ok(DeploymentReply {
            deployment: Self::deployment_resp(project_id, &workload)?,
        })
    }

    /// `PUT /v3/{project_id}/edgemgr/deployments/{id}`: each field given replaces the
    /// current one.
    pub async fn update_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        req: &UpdateDeploymentRequest,
    ) -> Reply<DeploymentReply> {
        let tenant = self.project(caller, project_id).await?;
        let workload = self.deployment(&tenant, id).await?;
        let d = req
            .deployment
            .as_ref()
            .ok_or_else(|| IefError::invalid("deployment", "is required"))?;
        let mut def = IefDefinition::from_template(&workload.spec.template)?;
        if let Some(description) = &d.description {
            if description.chars().count() > 255 {
                return Err(IefError::invalid(
                    "description",
                    "must be at most 255 characters",
                ));
            }
            def.description = description.clone();
        }
        if let Some(spec) = d.template.as_ref().and_then(|t| t.spec.as_ref()) {
            let (containers, init_containers) = parse::containers(spec)?;
            def.containers = containers;
            def.init_containers = init_containers;
            if spec.configs.is_some() {
                def.configs = parse::configs(spec.configs.as_ref(), def.group_id.is_some())?;
            }
            if spec.affinity.is_some() {
                def.affinity = spec.affinity.clone();
            }
        }
        let replicas = match d.replicas {
            Some(_) => Self::replicas(d.replicas)?,
            None => workload.spec.replicas,
        };
        let spec = WorkloadSpec {
            template: def.to_template()?,
            replicas,
            ..workload.spec
        };
        let updated = self
            .backend
            .update_workload(&tenant, workload.id, spec)
            .await?;
        Ok(DeploymentReply {
            deployment: Self::deployment_resp(project_id, &updated)?,
        })
    }

    /// `DELETE /v3/{project_id}/edgemgr/deployments/{id}`.
    pub async fn delete_deployment(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
    ) -> Reply<()> {
        let tenant = self.project(caller, project_id).await?;
        let workload = self.deployment(&tenant, id).await?;
        self.backend.delete_workload(&tenant, workload.id).await?;
        Ok(())
    }

    /// `POST /v3/{project_id}/edgemgr/deployments/{id}/pods/{pod_name}/restart`: the pod
    /// is replaced by a new one.
    pub async fn restart_pod(
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
            .find(|p| p.name == pod_name)
            .ok_or_else(|| IefError::pod_not_found(pod_name))?;
        self.backend
            .recreate_pods(&tenant, workload.id, Some(pod.id))
            .await?;
        Ok(())
    }

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
        let page = page(params.limit.as_ref(), params.offset.as_ref())?;
        let ids = |list: &str| -> Vec<WorkloadId> {
            list.split(',')
                .map(str::trim)
                .filter_map(deployment_of)
                .collect()
        };
        let query = if let Some(node) = &params.node_id {
            PodQuery::Node(tenant, node.clone())
        } else if let Some(group) = &params.group_id {
            PodQuery::Group(tenant, group.clone())
        } else if let Some(one) = &params.deployment_id {
            PodQuery::Workloads(tenant, ids(one).into_iter().take(1).collect())
        } else {
            PodQuery::Workloads(
                tenant,
                ids(params.deployment_ids.as_deref().unwrap_or_default()),
            )
        };
        let found = self.backend.list_pods(&query, page).await?;
        // Pods of one deployment share its template: parse each definition once.
        let mut definitions: Vec<(Arc<crate::model::PodTemplate>, IefDefinition)> = Vec::new();
        let mut pods = Vec::with_capacity(found.items.len());
        for pod in found.items {
            let known = definitions
                .iter()
                .position(|(t, _)| Arc::ptr_eq(t, &pod.template));
            let index = match known {
                Some(i) => i,
                None => {
                    definitions.push((
                        pod.template.clone(),
                        IefDefinition::from_template(&pod.template)?,
                    ));
                    definitions.len() - 1
                }
            };
            if let Some((_, def)) = definitions.get(index) {
                pods.push(Self::pod_resp(project_id, &pod, def));
            }
        }
        Ok(ListPodsReply {
            count: found.total,
            pods,
        })
    }

    fn pod_resp(project_id: &str, pod: &Pod, def: &IefDefinition) -> PodResponse {
        let containers = def
            .containers
            .iter()
            .map(|c| {
                let status = pod.containers.iter().find(|s| s.name == c.name);
                let (state, reason) = match status.map(|s| &s.state) {
                    Some(ContainerState::Running { .. }) => ("running", String::new()),
                    Some(ContainerState::Waiting { reason }) => ("waiting", reason.clone()),
                    Some(ContainerState::Terminated { reason, .. }) => {
                        ("terminated", reason.clone())
                    }
                    None => ("waiting", String::new()),
                };
                ContainerResp {
                    def: c.clone(),
                    restarts: status.map_or(0, |s| s.restart_count),
                    message: String::new(),
                    reason,
                    is_ready: status.is_some_and(|s| s.ready).to_string(),
                    container_id: status
                        .filter(|s| s.ready)
                        .map(|s| s.id.runtime_id())
                        .unwrap_or_default(),
                    state: state.to_owned(),
                }
            })
            .collect();
        PodResponse {
            id: pod_uuid(pod.id),
            name: pod.name.clone(),
            description: def.description.clone(),
            configs: def.configs.clone(),
            affinity: def.affinity.clone(),
            init_containers: Vec::new(),
            containers,
            node_id: pod.node.clone().unwrap_or_default(),
            deployment_id: deployment_uuid(pod.workload),
            project_id: project_id.to_owned(),
            reason: pod.reason.clone().unwrap_or_default(),
            message: pod.message.clone().unwrap_or_default(),
            created_at: pod.created_at.to_rfc3339_millis(),
            updated_at: pod.changed_at().to_rfc3339_millis(),
            state: state_of(pod.phase).to_owned(),
        }
    }

    /// `GET /v2/{project_id}/edgemgr/nodes`: the topology's nodes.
    pub async fn list_nodes(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &PageParams,
    ) -> Reply<ListNodesReply> {
        self.project(caller, project_id).await?;
        let page = page(params.limit.as_ref(), params.offset.as_ref())?;
        let nodes: Vec<NodeResp> = self
            .backend
            .list_nodes()
            .await?
            .into_iter()
            .map(|n| NodeResp {
                id: n.name.clone(),
                name: n.name,
                state: if n.ready { "RUNNING" } else { "OFFLINE" }.to_owned(),
                group_id: n.group,
                region: n.region,
                zone: n.zone,
            })
            .collect();
        let page = crate::model::Page::from_vec(nodes, page);
        Ok(ListNodesReply {
            count: page.total,
            nodes: page.items,
        })
    }

    /// `GET /v2/{project_id}/edgemgr/groups`: the topology's node groups.
    pub async fn list_groups(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &PageParams,
    ) -> Reply<ListGroupsReply> {
        self.project(caller, project_id).await?;
        let page = page(params.limit.as_ref(), params.offset.as_ref())?;
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for n in self.backend.list_nodes().await? {
            if let Some(g) = n.group {
                groups.entry(g).or_default().push(n.name);
            }
        }
        let groups: Vec<GroupResp> = groups
            .into_iter()
            .map(|(id, node_ids)| GroupResp {
                name: id.clone(),
                id,
                node_ids,
            })
            .collect();
        let page = crate::model::Page::from_vec(groups, page);
        Ok(ListGroupsReply {
            count: page.total,
            groups: page.items,
        })
    }
}

//! Nodes and node groups: the cluster's nodes and their group labels, as IEF shows
//! them to a project.

use std::collections::BTreeMap;

use super::definition::{DeploymentMeta, GROUP_LABEL, NODE_LABEL};
use super::error::IefError;
use super::ids::deployment_uuid;
use super::request;
use super::service::{IefCaller, IefService, Reply};
use super::wire::{
    EdgeGroupResp, EdgeNodeResp, GroupDeployment, ListGroupsParams, ListGroupsReply,
    ListNodesParams, ListNodesReply, NodeReply, Tag,
};
use crate::model::{Node, Page, PageRequest, TenantKey, Workload, WorkloadQuery};

/// The node states of the family; podgate's nodes are RUNNING or UNCONNECTED.
const NODE_STATES: [&str; 6] = [
    "UNCONNECTED",
    "RUNNING",
    "FAIL",
    "STOPPED",
    "UPGRADING",
    "FREEZE",
];

fn state(node: &Node) -> &'static str {
    if node.ready { "RUNNING" } else { "UNCONNECTED" }
}

/// The project's deployments, for counting them per node and listing them per group.
struct Deployments(Vec<Workload>);

impl Deployments {
    /// How many of them target `node`: deployments to it and to its group.
    fn on(&self, node: &Node) -> u64 {
        self.0
            .iter()
            .filter(|w| {
                w.spec.labels.get(NODE_LABEL) == Some(&node.name)
                    || node
                        .group
                        .as_ref()
                        .is_some_and(|g| w.spec.labels.get(GROUP_LABEL) == Some(g))
            })
            .count() as u64
    }

    fn of_group(&self, project: &str, group: &str) -> Reply<Vec<GroupDeployment>> {
        self.0
            .iter()
            .filter(|w| w.spec.labels.get(GROUP_LABEL).map(String::as_str) == Some(group))
            .map(|w| {
                Ok(GroupDeployment {
                    id: deployment_uuid(w.id),
                    name: w.spec.name.clone(),
                    description: DeploymentMeta::read(&w.spec.annotations)?.description,
                    project_id: project.to_owned(),
                    created_at: w.created_at.to_rfc3339_millis(),
                    updated_at: w.updated_at.to_rfc3339_millis(),
                })
            })
            .collect()
    }
}

fn node_resp(project: &str, node: &Node, deployments: &Deployments) -> EdgeNodeResp {
    EdgeNodeResp {
        id: node.name.clone(),
        name: node.name.clone(),
        description: String::new(),
        project_id: project.to_owned(),
        state: state(node).to_owned(),
        cpu: node.capacity.cpu_millis / 1000,
        memory: node.capacity.memory_mib,
        os_type: "linux".to_owned(),
        deployment_num: deployments.on(node),
        enable_gpu: node.capacity.gpu > 0,
        gpu_num: node.capacity.gpu,
        enable_npu: node
            .extended
            .keys()
            .any(|k| k.starts_with("huawei.com/Ascend")),
        group_ids: node.group.iter().cloned().collect(),
        attributes: node
            .labels
            .iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
    }
}

/// The node groups of `nodes`, by name, each with its nodes in the cluster's order.
fn groups(nodes: &[Node]) -> BTreeMap<&str, Vec<&Node>> {
    let mut groups: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for node in nodes {
        if let Some(group) = &node.group {
            groups.entry(group.as_str()).or_default().push(node);
        }
    }
    groups
}

fn group_resp(
    project: &str,
    name: &str,
    members: &[&Node],
    deployments: &Deployments,
) -> Reply<EdgeGroupResp> {
    Ok(EdgeGroupResp {
        id: name.to_owned(),
        name: name.to_owned(),
        description: String::new(),
        project_id: project.to_owned(),
        cpu: members.iter().map(|n| n.capacity.cpu_millis / 1000).sum(),
        memory: members.iter().map(|n| n.capacity.memory_mib).sum(),
        gpu_num: members.iter().map(|n| n.capacity.gpu).sum(),
        nodes: members
            .iter()
            .map(|n| node_resp(project, n, deployments))
            .collect(),
        deployments: deployments.of_group(project, name)?,
    })
}

impl IefService {
    async fn deployments(&self, tenant: TenantKey) -> Reply<Deployments> {
        let query = WorkloadQuery {
            tenants: Some(vec![tenant]),
            ..WorkloadQuery::default()
        };
        Ok(Deployments(
            self.backend
                .list_workloads(&query, PageRequest::ALL)
                .await?
                .items,
        ))
    }

    /// `GET /v2/{project_id}/edgemgr/nodes`.
    pub async fn list_nodes(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &ListNodesParams,
    ) -> Reply<ListNodesReply> {
        let tenant = self.project(caller, project_id).await?;
        let page = request::page(params.limit.as_ref(), params.offset.as_ref(), 500, 1000)?;
        let (key, desc) = request::sort(
            params.sort.as_deref(),
            &["name", "created_at"],
            ("created_at", false),
        )?;
        if let Some(s) = &params.state
            && !NODE_STATES.contains(&s.as_str())
        {
            return Err(IefError::invalid(
                "state",
                format!("must be one of {NODE_STATES:?}"),
            ));
        }
        let mut nodes: Vec<Node> = self
            .backend
            .list_nodes()
            .await?
            .into_iter()
            .filter(|n| {
                params
                    .name
                    .as_ref()
                    .is_none_or(|f| n.name.contains(f.as_str()))
            })
            .filter(|n| params.state.as_ref().is_none_or(|s| state(n) == s))
            .filter(|n| {
                params
                    .group_id
                    .as_ref()
                    .is_none_or(|g| n.group.as_ref() == Some(g))
            })
            .collect();
        // The cluster lists nodes in the order they joined: that is `created_at`.
        if key == "name" {
            nodes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        if desc {
            nodes.reverse();
        }
        let deployments = self.deployments(tenant).await?;
        let page = Page::from_vec(nodes, page);
        Ok(ListNodesReply {
            nodes: page
                .items
                .iter()
                .map(|n| node_resp(project_id, n, &deployments))
                .collect(),
            count: page.total,
        })
    }

    /// `GET /v2/{project_id}/edgemgr/nodes/{node_id}`.
    pub async fn get_node(
        &self,
        caller: &IefCaller,
        project_id: &str,
        node_id: &str,
    ) -> Reply<NodeReply> {
        let tenant = self.project(caller, project_id).await?;
        let node = self
            .backend
            .list_nodes()
            .await?
            .into_iter()
            .find(|n| n.name == node_id)
            .ok_or_else(|| IefError::not_found("node", node_id))?;
        let deployments = self.deployments(tenant).await?;
        Ok(NodeReply {
            node: node_resp(project_id, &node, &deployments),
        })
    }

    /// `GET /v2/{project_id}/edgemgr/groups`.
    pub async fn list_groups(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &ListGroupsParams,
    ) -> Reply<ListGroupsReply> {
        let tenant = self.project(caller, project_id).await?;
        let page = request::page(params.limit.as_ref(), params.offset.as_ref(), 10, 1000)?;
        let (_, desc) = request::sort(params.sort.as_deref(), &["name"], ("name", false))?;
        let nodes = self.backend.list_nodes().await?;
        let mut found: Vec<(&str, Vec<&Node>)> = groups(&nodes)
            .into_iter()
            .filter(|(name, _)| params.name.as_deref().is_none_or(|n| n == *name))
            .collect();
        if desc {
            found.reverse();
        }
        let deployments = self.deployments(tenant).await?;
        let page = Page::from_vec(found, page);
        Ok(ListGroupsReply {
            count: page.total,
            edge_groups: page
                .items
                .iter()
                .map(|(name, members)| group_resp(project_id, name, members, &deployments))
                .collect::<Reply<_>>()?,
        })
    }

    /// `GET /v2/{project_id}/edgemgr/groups/{group_id}`.
    pub async fn get_group(
        &self,
        caller: &IefCaller,
        project_id: &str,
        group_id: &str,
    ) -> Reply<EdgeGroupResp> {
        let tenant = self.project(caller, project_id).await?;
        let nodes = self.backend.list_nodes().await?;
        let all = groups(&nodes);
        let members = all
            .get(group_id)
            .ok_or_else(|| IefError::not_found("group", group_id))?;
        let deployments = self.deployments(tenant).await?;
        group_resp(project_id, group_id, members, &deployments)
    }
}

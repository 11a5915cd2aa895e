//! The NCS use-cases: one method per Action, plus the provisioning NCS needs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::action::{NcsAction, VERSION};
use super::cache::{DefinitionCache, InfoCache};
use super::config::NcsConfig;
use super::definition::NcsDefinition;
use super::error::NcsError;
use super::request::{self, Context};
use super::rules;
use super::wire::{
    ContainerImage, ContainerOut, CreateReply, CreateRequest, ImagesReply, InfoReply, Instance,
    InstanceContainer, InstancesReply, ListAllParams, ListReply, ModifyRequest, Num,
    RequestIdReply, ResetSpecTypeRequest, ResourcePoolInfo, SecurityContextOut, WorkloadInfo,
    WorkloadParams, WorkloadSummary,
};
use crate::backend::ClusterBackend;
use crate::model::{
    ContainerId, ContainerState, ContainerStatus, Eip, NamespaceId, NewTenant, PageRequest,
    PodPhase, PodQuery, TenantKey, TenantKind, Workload, WorkloadId, WorkloadPhase, WorkloadQuery,
    WorkloadSpec,
};
use crate::secret::{Token, TokenHash};
use crate::validate::strict;

type Reply<T> = Result<T, NcsError>;

/// Who is calling: the operator (a program linking the library, or the admin), who
/// reaches every namespace, or the holder of one namespace's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NcsCaller {
    /// Reaches every namespace.
    Operator,
    /// Reaches one namespace only.
    Namespace {
        /// The namespace.
        id: NamespaceId,
        /// Whether it may run privileged containers (from its record, read when the
        /// token was checked: a request reads it once).
        privileged: bool,
    },
}

/// The NCS stateful-workload service over any [`ClusterBackend`].
#[derive(Debug, Clone)]
pub struct NcsService {
    backend: Arc<dyn ClusterBackend>,
    config: Arc<NcsConfig>,
    definitions: Arc<DefinitionCache>,
    infos: Arc<InfoCache>,
}

fn request_id() -> String {
    // Encoded straight into its text, without the formatting machinery.
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_lower(&mut text)
        .to_owned()
}

fn ok() -> RequestIdReply {
    RequestIdReply {
        RequestId: request_id(),
    }
}

/// The vendor's name of a workload phase.
pub fn workload_status(phase: WorkloadPhase) -> &'static str {
    match phase {
        WorkloadPhase::Creating => "Creating",
        WorkloadPhase::CreateFailed => "CreateFail",
        WorkloadPhase::Running => "Running",
        WorkloadPhase::Updating => "Updating",
        WorkloadPhase::Abnormal => "Abnormal",
    }
}

/// The vendor's name of a pod phase (`StatefulWorkloadStatus`); an unknown pod is
/// reported as failed, the vendor having no such value.
pub fn pod_status(phase: PodPhase) -> &'static str {
    match phase {
        PodPhase::Pending => "Pending",
        PodPhase::Running => "Running",
        PodPhase::Succeeded => "Succeeded",
        PodPhase::Failed | PodPhase::Unknown => "Failed",
    }
}

/// The vendor's name of a container's state.
pub fn container_status(status: &ContainerStatus) -> &'static str {
    match &status.state {
        ContainerState::Running { .. } => "running",
        ContainerState::Terminated { .. } => "terminated",
        ContainerState::Waiting { reason } if reason == "CrashLoopBackOff" => "restart_process",
        ContainerState::Waiting { .. } if status.restart_count > 0 => "restart_fail",
        ContainerState::Waiting { .. } => "waiting",
    }
}

/// Decodes a request's parameters (a JSON object; a query string's pairs are one of
/// strings), naming the offending field on failure.
pub fn decode<T: DeserializeOwned>(params: &serde_json::Value) -> Reply<T> {
    // Tracking the path costs an allocation per field: only a rejected object is
    // decoded again, with tracking, to name what is wrong.
    if let Ok(decoded) = T::deserialize(strict::Deserializer::new(params)) {
        return Ok(decoded);
    }
    serde_path_to_error::deserialize(strict::Deserializer::new(params)).map_err(|e| {
        let path = e.path().to_string();
        NcsError::invalid_format(if path == "." {
            "the request body"
        } else {
            &path
        })
    })
}

/// The reply of any Action, serialised exactly as the Action's own reply type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum NcsReply {
    /// `CreateStatefulWorkload`.
    Create(CreateReply),
    /// Actions that reply with the request id only.
    Done(RequestIdReply),
    /// `DescribeStatefulWorkloads`, `DescribeStatefulWorkloadsAllNamespaces`.
    List(ListReply),
    /// `DescribeStatefulWorkloadInfo`.
    Info(InfoReply),
    /// `DescribeStatefulWorkloadInstances`.
    Instances(InstancesReply),
    /// `DescribeStatefulWorkloadImages`.
    Images(ImagesReply),
}

impl NcsReply {
    /// The reply as a JSON value.
    pub fn into_json(self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Appends the reply's JSON text to `out`: what goes on the wire.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self {
            Self::Info(info) => info.write_json(out),
            other => serde_json::to_writer(out, other),
        }
    }
}

impl NcsService {
    /// A service over `backend` with `config`.
    pub fn new(backend: Arc<dyn ClusterBackend>, config: NcsConfig) -> Self {
        Self {
            backend,
            config: Arc::new(config),
            definitions: Arc::default(),
            infos: Arc::default(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &NcsConfig {
        &self.config
    }

    /// The backend underneath.
    pub fn backend(&self) -> &Arc<dyn ClusterBackend> {
        &self.backend
    }

    // ---- provisioning ------------------------------------------------------------

    /// Creates a namespace (with the given id, or the next free one) and its token.
    /// The token is returned this once; only its hash is stored.
    pub async fn create_namespace(
        &self,
        id: Option<NamespaceId>,
        privileged: bool,
    ) -> crate::Result<(NamespaceId, Token)> {
        if let Some(NamespaceId(n)) = id
            && (n == 0 || i64::try_from(n).is_err())
        {
            return Err(crate::Error::invalid(
                "NamespaceId",
                "must be a positive long (1..=2^63-1)",
            ));
        }
        let token = Token::generate()?;
        let tenant = self
            .backend
            .create_tenant(NewTenant {
                key: TenantKey::Namespace(id.unwrap_or(NamespaceId(0))),
                token_hash: token.hash(),
                privileged,
                attributes: serde_json::Value::Null,
            })
            .await?;
        match tenant.key {
            TenantKey::Namespace(ns) => Ok((ns, token)),
            other => Err(crate::Error::backend(format!(
                "asked for a namespace, got {other}"
            ))),
        }
    }

    /// Adds an EIP to the inventory.
    pub async fn add_eip(&self, id: &str, address: &str) -> crate::Result<Eip> {
        if id.is_empty() || id.len() > 128 {
            return Err(crate::Error::invalid("EipId", "must be 1-128 characters"));
        }
        if address.parse::<std::net::IpAddr>().is_err() {
            return Err(crate::Error::invalid("Address", "must be an IP address"));
        }
        self.backend.create_eip(id, address).await
    }

    /// The caller a bearer token stands for.
    /// Takes the presented text, or its [`TokenHash`] when the caller has it already.
    pub async fn authenticate(&self, bearer: impl Into<TokenHash>) -> Reply<NcsCaller> {
        let record =
            crate::dialects::authenticate(self.backend.as_ref(), TenantKind::Namespace, bearer)
                .await?;
        match record.key {
            TenantKey::Namespace(id) => Ok(NcsCaller::Namespace {
                id,
                privileged: record.privileged,
            }),
            _ => Err(NcsError::auth_failure()),
        }
    }

    // ---- dispatch ----------------------------------------------------------------

    /// Checks `Version`: absent → MissingParameter, another value →
    /// InvalidParameterValue.
    pub fn check_version(version: Option<&str>) -> Reply<()> {
        match version {
            None => Err(NcsError::missing("Version")),
            Some(VERSION) => Ok(()),
            Some(other) => Err(NcsError::invalid_value("Version", other)),
        }
    }

    /// The Action named `name`: absent → MissingParameter, unknown →
    /// InvalidParameterValue.
    pub fn action(name: Option<&str>) -> Reply<NcsAction> {
        let name = name.ok_or_else(|| NcsError::missing("Action"))?;
        NcsAction::from_name(name).ok_or_else(|| NcsError::invalid_value("Action", name))
    }

    /// Runs an Action with its parameters (a JSON object, as a POST body carries
    /// them; a GET request's query pairs are an object of strings) and returns its
    /// reply: what the Action's own method answers.
    pub async fn call(
        &self,
        caller: &NcsCaller,
        action: NcsAction,
        params: &serde_json::Value,
    ) -> Reply<NcsReply> {
        use NcsAction as A;
        use NcsReply as R;
        // The writes that build a workload spec run boxed: their state is large, and
        // held inline it makes every call's future as large, which each read then
        // moves (`cargo bench --bench sim`, describe at 1k resident: 716 ns inline,
        // 661–674 ns boxed; docs/benchmarks.md).
        Ok(match action {
            A::CreateStatefulWorkload => {
                R::Create(Box::pin(self.create(caller, &decode(params)?)).await?)
            }
            A::RedeployStatefulWorkload => {
                R::Done(Box::pin(self.redeploy(caller, &decode(params)?)).await?)
            }
            A::RestartContainer => R::Done(self.restart_container(caller, &decode(params)?).await?),
            A::RestartStatefulWorkloadInstance => {
                R::Done(self.restart_instance(caller, &decode(params)?).await?)
            }
            A::DeleteStatefulWorkload => R::Done(self.delete(caller, &decode(params)?).await?),
            A::ResetStatefulWorkloadSpecType => {
                R::Done(Box::pin(self.reset_spec_type(caller, &decode(params)?)).await?)
            }
            A::DescribeStatefulWorkloads => {
                R::List(self.describe_workloads(caller, &decode(params)?).await?)
            }
            A::DescribeStatefulWorkloadsAllNamespaces => R::List(
                self.describe_all_namespaces(caller, &decode(params)?)
                    .await?,
            ),
            A::DescribeStatefulWorkloadInfo => {
                R::Info(self.describe_info(caller, &decode(params)?).await?)
            }
            A::DescribeStatefulWorkloadInstances => {
                R::Instances(self.describe_instances(caller, &decode(params)?).await?)
            }
            A::DescribeStatefulWorkloadImages => {
                R::Images(self.describe_images(caller, &decode(params)?).await?)
            }
            A::ModifyStatefulWorkload => {
                R::Done(Box::pin(self.modify(caller, &decode(params)?)).await?)
            }
            A::AssociateEipOfStatefulWorkload => {
                R::Done(self.associate_eip(caller, &decode(params)?).await?)
            }
            A::UnAssociateEipOfStatefulWorkload => {
                R::Done(self.unassociate_eip(caller, &decode(params)?).await?)
            }
        })
    }

    // ---- helpers -----------------------------------------------------------------

    /// The namespace a caller names, if the caller may reach it and it exists; a
    /// foreign namespace answers exactly like an unknown one.
    async fn namespace(&self, caller: &NcsCaller, value: Option<&Num>) -> Reply<(TenantKey, bool)> {
        let ns = Self::reachable(caller, value)?;
        match caller {
            // Its own namespace: the record was read with the token.
            NcsCaller::Namespace { privileged, .. } => Ok((TenantKey::Namespace(ns), *privileged)),
            NcsCaller::Operator => self.existing(ns).await,
        }
    }

    /// The namespace a caller names, if the caller may reach it (whether it exists is
    /// not asked of the backend); a foreign namespace is reported as unknown.
    fn reachable(caller: &NcsCaller, value: Option<&Num>) -> Reply<NamespaceId> {
        let ns = NamespaceId(request::required_id(value, "NamespaceId")?);
        if let NcsCaller::Namespace { id: own, .. } = caller
            && *own != ns
        {
            return Err(NcsError::not_found("namespace", ns));
        }
        Ok(ns)
    }

    /// The namespace `ns` and whether it is privileged, if it exists.
    async fn existing(&self, ns: NamespaceId) -> Reply<(TenantKey, bool)> {
        let key = TenantKey::Namespace(ns);
        match self.backend.get_tenant(&key).await {
            Ok(tenant) => Ok((key, tenant.privileged)),
            Err(crate::Error::NotFound { .. }) => Err(NcsError::not_found("namespace", ns)),
            Err(other) => Err(other.into()),
        }
    }

    /// The workload a caller names, with the errors [`Self::namespace`] gives first.
    /// A backend keeps workloads only of namespaces it has, so a workload found
    /// proves its namespace: the namespace is read only when no workload answers, to
    /// tell which of the two is missing.
    async fn workload(
        &self,
        caller: &NcsCaller,
        ns: Option<&Num>,
        id: Option<&Num>,
    ) -> Reply<(TenantKey, Workload)> {
        let ns = Self::reachable(caller, ns)?;
        let id = match request::required_id(id, "StatefulWorkloadId") {
            Ok(id) => WorkloadId(id),
            Err(e) => {
                self.existing(ns).await?;
                return Err(e);
            }
        };
        let tenant = TenantKey::Namespace(ns);
        match self.backend.get_workload(&tenant, id).await {
            Ok(workload) => Ok((tenant, workload)),
            Err(crate::Error::NotFound { .. }) => {
                self.existing(ns).await?;
                Err(NcsError::not_found("StatefulWorkload", id))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The workload a changing request names, as [`Self::workload`] finds it, and
    /// whether its namespace is privileged (which only changes need to know).
    async fn to_change(
        &self,
        caller: &NcsCaller,
        ns: Option<&Num>,
        id: Option<&Num>,
    ) -> Reply<(TenantKey, bool, Workload)> {
        let (tenant, workload) = self.workload(caller, ns, id).await?;
        let privileged = self.backend.get_tenant(&tenant).await?.privileged;
        Ok((tenant, privileged, workload))
    }

    /// The workload `params` name, found as [`Self::workload`] finds it.
    async fn named(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<(TenantKey, Workload)> {
        self.workload(
            caller,
            params.NamespaceId.as_ref(),
            params.StatefulWorkloadId.as_ref(),
        )
        .await
    }

    async fn context_zones(&self) -> Reply<BTreeSet<String>> {
        Ok(self
            .backend
            .list_nodes()
            .await?
            .into_iter()
            .map(|n| n.zone)
            .collect())
    }

    fn summary(workload: &Workload) -> WorkloadSummary {
        let template = &workload.spec.template;
        WorkloadSummary {
            NamespaceId: namespace_of(&workload.tenant),
            StatefulWorkloadId: workload.id.0,
            Name: workload.spec.name.clone(),
            Placement: super::wire::Placement {
                ZoneId: template.placement.zones.clone(),
            },
            Status: workload_status(workload.status.phase).to_owned(),
            StatefulWorkloadStatus: pod_status(workload.status.pod_phase).to_owned(),
            CreateAt: workload.created_at.to_iso8601(),
            UpdateAt: workload.updated_at.to_iso8601(),
            Images: template
                .containers
                .iter()
                .map(|c| c.image.clone())
                .collect(),
        }
    }

    // ---- Actions -----------------------------------------------------------------

    /// `CreateStatefulWorkload`.
    pub async fn create(&self, caller: &NcsCaller, req: &CreateRequest) -> Reply<CreateReply> {
        // The field rules first, in the table's order, before the namespace is looked up.
        request::check(req, "")?;
        let (tenant, privileged) = self.namespace(caller, req.NamespaceId.as_ref()).await?;
        let zones = self.context_zones().await?;
        let ctx = Context {
            config: &self.config,
            zones: &zones,
            privileged,
        };
        let (name, labels, definition) = request::create(&ctx, req)?;
        let spec = WorkloadSpec {
            labels,
            ..WorkloadSpec::stateful(name.clone(), definition.to_shared_template()?)
        };
        let workload = self
            .backend
            .create_workload(&tenant, spec)
            .await
            .map_err(|e| match e {
                crate::Error::AlreadyExists { .. } => NcsError::duplicate("Name", &name),
                other => other.into(),
            })?;
        Ok(CreateReply {
            StatefulWorkloadId: workload.id.0,
            RequestId: request_id(),
        })
    }

    /// `RedeployStatefulWorkload`: a new pod from the current spec.
    pub async fn redeploy(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<RequestIdReply> {
        let (tenant, workload) = self.named(caller, params).await?;
        self.backend
            .recreate_pods(&tenant, workload.id, None)
            .await?;
        Ok(ok())
    }

    /// `RestartStatefulWorkloadInstance`: the pod is replaced by force.
    pub async fn restart_instance(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<RequestIdReply> {
        self.redeploy(caller, params).await
    }

    /// `RestartContainer`: one container restarts in place; its restart count grows.
    pub async fn restart_container(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<RequestIdReply> {
        let (tenant, workload) = self.named(caller, params).await?;
        let given = request::required(&params.ContainerId, "ContainerId")?;
        let container = ContainerId::from_runtime_id(given)
            .or_else(|| {
                given
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(ContainerId)
            })
            .ok_or_else(|| NcsError::not_found("container", given))?;
        self.backend
            .restart_container(&tenant, workload.id, container)
            .await
            .map_err(|e| match e {
                crate::Error::NotFound { .. } => NcsError::not_found("container", given),
                other => other.into(),
            })?;
        Ok(ok())
    }

    /// `DeleteStatefulWorkload`: refused while Creating or Updating.
    pub async fn delete(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<RequestIdReply> {
        let (tenant, workload) = self.named(caller, params).await?;
        if matches!(
            workload.status.phase,
            WorkloadPhase::Creating | WorkloadPhase::Updating
        ) {
            return Err(crate::Error::IncorrectState(format!(
                "the workload is {}",
                workload_status(workload.status.phase)
            ))
            .into());
        }
        self.backend.delete_workload(&tenant, workload.id).await?;
        Ok(ok())
    }

    /// `ResetStatefulWorkloadSpecType`: new spec type and container resources;
    /// NothingToUpdate when both are what they were.
    pub async fn reset_spec_type(
        &self,
        caller: &NcsCaller,
        req: &ResetSpecTypeRequest,
    ) -> Reply<RequestIdReply> {
        let (tenant, privileged, workload) = self
            .to_change(
                caller,
                req.NamespaceId.as_ref(),
                req.StatefulWorkloadId.as_ref(),
            )
            .await?;
        let current = NcsDefinition::from_template(&workload.spec.template)?;
        let zones = BTreeSet::new();
        let ctx = Context {
            config: &self.config,
            zones: &zones,
            privileged,
        };
        let next = request::reset_spec_type(&ctx, req, &current)?;
        if next == current {
            return Err(crate::Error::NothingToUpdate.into());
        }
        let spec = WorkloadSpec {
            template: next.to_shared_template()?,
            ..workload.spec
        };
        self.backend
            .update_workload(&tenant, workload.id, spec)
            .await?;
        Ok(ok())
    }

    /// `ModifyStatefulWorkload`: full replace of the definition; containers matched by
    /// name.
    pub async fn modify(&self, caller: &NcsCaller, req: &ModifyRequest) -> Reply<RequestIdReply> {
        let (tenant, privileged, workload) = self
            .to_change(
                caller,
                req.NamespaceId.as_ref(),
                req.StatefulWorkloadId.as_ref(),
            )
            .await?;
        let current = NcsDefinition::from_template(&workload.spec.template)?;
        let zones = BTreeSet::new();
        let ctx = Context {
            config: &self.config,
            zones: &zones,
            privileged,
        };
        let (labels, next) = request::modify(&ctx, req, &current)?;
        let spec = WorkloadSpec {
            labels,
            template: next.to_shared_template()?,
            ..workload.spec
        };
        self.backend
            .update_workload(&tenant, workload.id, spec)
            .await?;
        Ok(ok())
    }

    /// `DescribeStatefulWorkloads`: every workload of one namespace.
    pub async fn describe_workloads(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<ListReply> {
        let (tenant, _) = self.namespace(caller, params.NamespaceId.as_ref()).await?;
        let query = WorkloadQuery {
            tenants: Some(vec![tenant]),
            ..WorkloadQuery::default()
        };
        let page = self
            .backend
            .list_workloads(&query, PageRequest::ALL)
            .await?;
        Ok(ListReply {
            TotalCount: page.total,
            StatefulWorkloads: page.items.iter().map(Self::summary).collect(),
            RequestId: request_id(),
        })
    }

    /// `DescribeStatefulWorkloadsAllNamespaces`: every workload the caller can reach,
    /// `Limit` (> 0, default 20) after `Offset` (≥ 0, default 0).
    pub async fn describe_all_namespaces(
        &self,
        caller: &NcsCaller,
        params: &ListAllParams,
    ) -> Reply<ListReply> {
        request::check(params, "")?;
        let limit = params
            .Limit
            .as_ref()
            .and_then(rules::positive)
            .unwrap_or(20);
        let offset = params
            .Offset
            .as_ref()
            .and_then(rules::non_negative)
            .unwrap_or(0);
        let query = WorkloadQuery {
            tenants: match caller {
                NcsCaller::Operator => None,
                NcsCaller::Namespace { id, .. } => Some(vec![TenantKey::Namespace(*id)]),
            },
            tenant_kind: Some(TenantKind::Namespace),
            ..WorkloadQuery::default()
        };
        let page = self
            .backend
            .list_workloads(&query, PageRequest::new(offset, limit))
            .await?;
        Ok(ListReply {
            TotalCount: page.total,
            StatefulWorkloads: page.items.iter().map(Self::summary).collect(),
            RequestId: request_id(),
        })
    }

    /// `DescribeStatefulWorkloadInfo`: the full definition and its state. A workload
    /// that reads as at its last describe is answered from that describe's reply.
    pub async fn describe_info(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<InfoReply> {
        let (_, workload) = self.named(caller, params).await?;
        if let Some(known) = self.infos.get(&workload, request_id) {
            return Ok(known);
        }
        let reply = InfoReply::new(self.info(&workload)?, request_id());
        self.infos.put(workload, reply.clone());
        Ok(reply)
    }

    /// The `DescribeStatefulWorkloadInfo` reply about `workload`.
    fn info(&self, workload: &Workload) -> Reply<WorkloadInfo> {
        let def = self.definitions.get(&workload.spec.template)?;
        let namespace = namespace_of(&workload.tenant);
        let mut labels: BTreeMap<String, String> = workload.spec.labels.clone();
        labels.insert("netease/tenantId".to_owned(), namespace.to_string());
        let containers = def
            .containers
            .iter()
            .map(|c| ContainerOut {
                Name: c.name.clone(),
                NamespaceId: namespace,
                Image: c.image.clone(),
                LogDirs: c.log_dirs.clone(),
                Args: c.args.clone(),
                Command: c.command.clone(),
                Envs: c.envs.clone(),
                ResourceRequirements: c.resources_out(),
                DataDisks: c.data_disks.clone(),
                SshKeyIds: c.ssh_key_ids.clone(),
                SecurityContext: SecurityContextOut {
                    Privilege: c.privilege,
                    Capabilities: c.capabilities.clone(),
                },
                LivenessProbe: c.liveness.clone(),
                ReadinessProbe: c.readiness.clone(),
                Volumes: c.volumes.clone(),
            })
            .collect();
        Ok(WorkloadInfo {
            StatefulWorkloadId: workload.id.0,
            NamespaceId: namespace,
            Name: workload.spec.name.clone(),
            Placement: def.placement(),
            Status: workload_status(workload.status.phase).to_owned(),
            StatefulWorkloadStatus: pod_status(workload.status.pod_phase).to_owned(),
            CreateAt: workload.created_at.to_iso8601(),
            UpdateAt: workload.updated_at.to_iso8601(),
            SpecType: def.spec_type.clone().unwrap_or_default(),
            PayType: def.pay_type.clone(),
            PackageId: None,
            VirtualPrivateCloud: def.vpc.clone(),
            SecurityGroupIds: def.security_group_ids.clone(),
            ContainerType: def.container_type.clone(),
            SysCmds: def.sys_cmds.clone(),
            Containers: containers,
            EipId: workload.eip.clone(),
            Labels: labels,
            OperationLocks: Vec::new(),
            Kind: "statefulsets".to_owned(),
            ClusterId: self.config.cluster_id,
            ImagePullSecretIds: def.image_pull_secret_ids.clone(),
            ResourcePoolInfo: ResourcePoolInfo {
                ResourcePoolId: "default".to_owned(),
                ResourcePoolName: "default".to_owned(),
                Owner: "public".to_owned(),
            },
        })
    }

    /// `DescribeStatefulWorkloadInstances`: the workload's pods and containers.
    pub async fn describe_instances(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<InstancesReply> {
        let (tenant, workload) = self.named(caller, params).await?;
        let pods = self
            .backend
            .list_pods(&PodQuery::Workload(tenant, workload.id), PageRequest::ALL)
            .await?;
        let pods = pods
            .items
            .into_iter()
            .map(|pod| Instance {
                PodId: pod.id.0,
                PodName: pod.name,
                Status: pod_status(pod.phase).to_owned(),
                Ip: pod.ip.unwrap_or_default(),
                ZoneId: pod.zone.into_iter().collect(),
                CreateAt: pod.created_at.to_iso8601(),
                Containers: pod
                    .containers
                    .iter()
                    .map(|c| InstanceContainer {
                        Name: c.name.clone(),
                        Image: c.image.clone(),
                        Status: container_status(c).to_owned(),
                        ContainerId: c.id.0,
                        DockerContainerId: c.id.runtime_id(),
                    })
                    .collect(),
            })
            .collect();
        Ok(InstancesReply {
            Pods: pods,
            RequestId: request_id(),
        })
    }

    /// `DescribeStatefulWorkloadImages`.
    pub async fn describe_images(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<ImagesReply> {
        let (_, workload) = self.named(caller, params).await?;
        Ok(ImagesReply {
            NamespaceId: namespace_of(&workload.tenant),
            StatefulWorkloadId: workload.id.0,
            Containers: workload
                .spec
                .template
                .containers
                .iter()
                .map(|c| ContainerImage {
                    ContainerName: c.name.clone(),
                    Image: c.image.clone(),
                })
                .collect(),
            RequestId: request_id(),
        })
    }

    /// `AssociateEipOfStatefulWorkload`.
    pub async fn associate_eip(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<RequestIdReply> {
        let (tenant, workload) = self.named(caller, params).await?;
        let eip = request::required(&params.EipId, "EipId")?;
        self.backend
            .associate_eip(&tenant, workload.id, eip)
            .await
            .map_err(|e| eip_error(e, eip))?;
        Ok(ok())
    }

    /// `UnAssociateEipOfStatefulWorkload`.
    pub async fn unassociate_eip(
        &self,
        caller: &NcsCaller,
        params: &WorkloadParams,
    ) -> Reply<RequestIdReply> {
        let (tenant, workload) = self.named(caller, params).await?;
        let eip = request::required(&params.EipId, "EipId")?;
        self.backend
            .unassociate_eip(&tenant, workload.id, eip)
            .await
            .map_err(|e| eip_error(e, eip))?;
        Ok(ok())
    }
}

fn eip_error(error: crate::Error, eip: &str) -> NcsError {
    match error {
        crate::Error::NotFound { kind: "eip", .. } => NcsError::invalid_value("EipId", eip),
        other => other.into(),
    }
}

fn namespace_of(tenant: &TenantKey) -> u64 {
    match tenant {
        TenantKey::Namespace(ns) => ns.0,
        _ => 0,
    }
}

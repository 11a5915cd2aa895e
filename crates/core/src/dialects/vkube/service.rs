//! The V-Kube use-cases: regions, image and port checks, the order, deploy, pod log
//! and pod status, plus the provisioning of orders.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::VkubeError;
use super::request;
use super::rules;
use super::wire::{
    CheckPortsReply, CheckPortsRequest, CreatedOrder, DeployReply, DeployRequest, Order,
    OrderInput, PodStatusReply, ServiceOptions, StatusOk,
};
use crate::backend::{ClusterBackend, ClusterBackendExt};
use crate::model::{
    NewTenant, PageRequest, Placement, PodQuery, PodTemplate, Tenant, TenantKey, TenantKind,
    Timestamp, Workload, WorkloadKind, WorkloadSpec,
};
use crate::secret::{Token, TokenHash};
use crate::validate;

type Reply<T> = Result<T, VkubeError>;

/// Settings of the V-Kube service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VkubeConfig {
    /// MiB of memory one resource unit buys (default 1024: 1 GiB).
    pub unit_mib: u64,
    /// The ingress/egress bandwidth annotation every pod gets, if any (default `1024M`).
    pub bandwidth: Option<String>,
}

impl Default for VkubeConfig {
    fn default() -> Self {
        Self {
            unit_mib: 1024,
            bandwidth: Some("1024M".to_owned()),
        }
    }
}

/// The caller: the holder of one order's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VkubeCaller {
    /// The order the secret reaches.
    pub order: String,
    /// The order's record, as read when the secret was checked: a request reads it
    /// once.
    record: Tenant,
}

/// The V-Kube container-marketplace service over any [`ClusterBackend`].
#[derive(Debug, Clone)]
pub struct VkubeService {
    backend: Arc<dyn ClusterBackend>,
    config: VkubeConfig,
}

fn order_id() -> crate::Result<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::Error::backend(format!("random source: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl VkubeService {
    /// A service over `backend` with `config`.
    pub fn new(backend: Arc<dyn ClusterBackend>, config: VkubeConfig) -> Self {
        Self { backend, config }
    }

    // ---- provisioning ----------------------------------------------------------

    /// Creates an order and its secret (returned this once; only its hash is kept).
    pub async fn create_order(&self, input: OrderInput) -> crate::Result<CreatedOrder> {
        let options = input.serviceOptions.clone().unwrap_or_default();
        rules::resource_unit(&options.resourceUnit)
            .map_err(|r| crate::Error::invalid("serviceOptions.resourceUnit", r))?;
        let now = Timestamp::now().unix_seconds();
        let order = Order {
            createdAt: now,
            updatedAt: now,
            duration: input.duration.unwrap_or(serde_json::json!(0)),
            serviceExpiredDate: input.serviceExpiredDate.unwrap_or_default(),
            amount: input.amount.unwrap_or(serde_json::json!(0)),
            amountPaid: input.amountPaid.unwrap_or(serde_json::json!(0)),
            serviceID: input.serviceID.unwrap_or_default(),
            service: input
                .service
                .unwrap_or_else(|| "Container Service".to_owned()),
            serviceCategoryID: input.serviceCategoryID.unwrap_or_default(),
            provider: input
                .provider
                .unwrap_or_else(|| "v-kube-service".to_owned()),
            address: input.address.unwrap_or_default(),
            recipient: input.recipient.unwrap_or_default(),
            id: order_id()?,
            serviceOptions: ServiceOptions {
                portSpecification: options.portSpecification,
                resourceUnit: options.resourceUnit,
            },
            status: input.status.unwrap_or_else(|| "OrderFiled".to_owned()),
            publicKey: input.publicKey.unwrap_or_default(),
        };
        let secret = Token::generate()?;
        let attributes =
            serde_json::to_value(&order).map_err(|e| crate::Error::backend(e.to_string()))?;
        self.backend
            .create_tenant(NewTenant {
                key: TenantKey::Order(order.id.clone()),
                token_hash: secret.hash(),
                privileged: false,
                attributes,
            })
            .await?;
        Ok(CreatedOrder {
            order,
            secret: secret.expose().to_owned(),
        })
    }

    /// The caller a `secret` header stands for.
    /// Takes the presented text, or its [`TokenHash`] when the caller has it already.
    pub async fn authenticate(&self, secret: impl Into<TokenHash>) -> Reply<VkubeCaller> {
        let record =
            crate::dialects::authenticate(self.backend.as_ref(), TenantKind::Order, secret).await?;
        match &record.key {
            TenantKey::Order(order) => Ok(VkubeCaller {
                order: order.clone(),
                record,
            }),
            _ => Err(VkubeError::unauthorized()),
        }
    }

    // ---- no auth ---------------------------------------------------------------

    /// `GET /k8s/regions`: the regions, sorted; `[]` when they cannot be read.
    pub async fn regions(&self) -> Vec<String> {
        match self.backend.list_nodes().await {
            Ok(nodes) => nodes
                .into_iter()
                .map(|n| n.region)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// `GET /k8s/images?image&tag`: 200 when the image exists, 404 when it does not,
    /// 400 when either part is missing or malformed.
    pub async fn check_image(&self, image: Option<&str>, tag: Option<&str>) -> Reply<StatusOk> {
        let (Some(image), Some(tag)) = (image, tag) else {
            return Err(VkubeError::image_format());
        };
        if rules::image_name(image).is_err() || rules::image_tag(tag).is_err() {
            return Err(VkubeError::image_format());
        }
        if self.backend.image_exists(&format!("{image}:{tag}")).await? {
            Ok(StatusOk {
                status: "OK".to_owned(),
            })
        } else {
            Err(VkubeError::image_missing())
        }
    }

    /// `POST /k8s/checkports`: which of the ports are in use anywhere in the region.
    pub async fn check_ports(&self, req: &CheckPortsRequest) -> Reply<CheckPortsReply> {
        let (Some(region), Some(ports)) = (&req.region, &req.ports) else {
            return Err(VkubeError::field_empty());
        };
        if region.is_empty() || ports.is_empty() {
            return Err(VkubeError::field_empty());
        }
        let ports = ports
            .iter()
            .map(|p| {
                p.as_i64()
                    .filter(|n| validate::port(*n).is_ok())
                    .and_then(|n| u16::try_from(n).ok())
            })
            .collect::<Option<Vec<u16>>>()
            .ok_or_else(|| VkubeError::bad_request("ports must be integers in 1..=65535"))?;
        let (occupied, status) = match self.backend.occupied_host_ports(region, &ports, None).await
        {
            Ok(taken) if taken.is_empty() => (taken, "NotOccupied"),
            Ok(taken) => (taken, "PortsOccupied"),
            Err(crate::Error::NotFound { .. }) => (Vec::new(), "NoResource"),
            Err(_) => (Vec::new(), "InternalErr"),
        };
        Ok(CheckPortsReply {
            occupied,
            status: status.to_owned(),
        })
    }

    // ---- with a secret ---------------------------------------------------------

    /// `GET /k8s/order`: the caller's order.
    pub async fn order(&self, caller: &VkubeCaller) -> Reply<Order> {
        serde_json::from_value(caller.record.attributes.clone()).map_err(|_| VkubeError::server())
    }

    /// `POST /k8s/deploy`: runs the order's pod; a second deploy replaces the first.
    pub async fn deploy(&self, caller: &VkubeCaller, req: &DeployRequest) -> Reply<DeployReply> {
        let order = self.order(caller).await?;
        let quota = rules::resource_unit(&order.serviceOptions.resourceUnit)
            .map_err(|_| VkubeError::server())?
            .saturating_mul(self.config.unit_mib);
        let (region, containers) = request::deploy(req)?;
        if !self.regions().await.iter().any(|known| known == region) {
            return Err(VkubeError::bad_request(format!(
                "region {region} does not exist"
            )));
        }
        let (specs, memory_total) = request::containers(containers)?;
        if memory_total > quota {
            return Err(VkubeError::bad_request(format!(
                "memory {memory_total}Mi exceeds the order's quota of {quota}Mi"
            )));
        }
        let mut annotations = BTreeMap::new();
        if let Some(bandwidth) = &self.config.bandwidth {
            annotations.insert(
                "kubernetes.io/ingress-bandwidth".to_owned(),
                bandwidth.clone(),
            );
            annotations.insert(
                "kubernetes.io/egress-bandwidth".to_owned(),
                bandwidth.clone(),
            );
        }
        let template = Arc::new(PodTemplate {
            containers: specs,
            placement: Placement {
                region: Some(region.to_owned()),
                host_ports_unique_in_region: true,
                ..Placement::default()
            },
            annotations,
            ..PodTemplate::default()
        });
        let tenant = TenantKey::Order(caller.order.clone());
        let spec = WorkloadSpec {
            name: caller.order.clone(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            template,
            kind: WorkloadKind::Single,
            replicas: 1,
            pool: None,
            autoscaler: None,
            object_name: None,
        };
        // A deploy makes the order's pod, or replaces the one there (the name is taken:
        // the order's workload exists). Of deploys at once one makes it and the others
        // replace it in turn.
        let workload = match self.backend.create_workload(&tenant, spec.clone()).await {
            Err(crate::Error::AlreadyExists { .. }) => {
                let existing = self.backend.find_workload(&tenant, &caller.order).await?;
                self.backend
                    .update_workload(&tenant, existing.id, spec)
                    .await?
            }
            made => made?,
        };
        let pod = self.pod_of(&tenant, &workload).await?;
        Ok(DeployReply {
            status: "OK".to_owned(),
            name: pod.name,
        })
    }

    async fn workload(&self, caller: &VkubeCaller) -> Reply<(TenantKey, Workload)> {
        let tenant = TenantKey::Order(caller.order.clone());
        let workload = self
            .backend
            .find_workload(&tenant, &caller.order)
            .await
            .map_err(|e| match e {
                crate::Error::NotFound { .. } => VkubeError::pod_not_found(),
                other => other.into(),
            })?;
        Ok((tenant, workload))
    }

    async fn pod_of(&self, tenant: &TenantKey, workload: &Workload) -> Reply<crate::model::Pod> {
        let pods = self
            .backend
            .list_pods(
                &PodQuery::Workload(tenant.clone(), workload.id),
                PageRequest::ALL,
            )
            .await?;
        // The order's pod: the newest one not being deleted (a replaced pod may still
        // be terminating).
        pods.items
            .into_iter()
            .filter(|p| !p.terminating)
            .max_by_key(|p| p.id)
            .ok_or_else(VkubeError::pod_not_found)
    }

    /// `GET /k8s/pod/log`: the log of the pod's first container (or `container`), the
    /// last `tail_lines` lines when given.
    pub async fn pod_log(
        &self,
        caller: &VkubeCaller,
        container: Option<&str>,
        tail_lines: Option<&str>,
    ) -> Reply<String> {
        let (tenant, workload) = self.workload(caller).await?;
        let pod = self.pod_of(&tenant, &workload).await?;
        let tail = match tail_lines {
            None => None,
            Some(t) => Some(
                t.trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| {
                        VkubeError::bad_request(format!(
                            "tailLines must be an integer in 0..=9223372036854775807, got {t:?}"
                        ))
                    })?,
            ),
        };
        let container = match container {
            Some(name) => name.to_owned(),
            None => pod
                .containers
                .first()
                .map(|c| c.name.clone())
                .ok_or_else(VkubeError::pod_not_found)?,
        };
        if !pod.containers.iter().any(|c| c.name == container) {
            return Err(VkubeError::bad_request(format!(
                "container {container} is not in the pod"
            )));
        }
        Ok(self
            .backend
            .container_log(&tenant, pod.id, &container, tail)
            .await?)
    }

    /// `GET /k8s/pod/status`: the pod's Kubernetes status, spec and annotations.
    pub async fn pod_status(&self, caller: &VkubeCaller) -> Reply<PodStatusReply> {
        let (tenant, workload) = self.workload(caller).await?;
        let pod = self.pod_of(&tenant, &workload).await?;
        let raw = self.backend.raw_pod(&tenant, pod.id).await?;
        Ok(PodStatusReply {
            name: raw.metadata.name.unwrap_or(pod.name),
            podStatus: raw.status.unwrap_or_default(),
            podSpec: raw.spec.unwrap_or_default(),
            annotations: raw.metadata.annotations.unwrap_or_default(),
        })
    }
}

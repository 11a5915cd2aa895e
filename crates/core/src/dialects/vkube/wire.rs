//! V-Kube wire types (`seeds/002`), field names exactly the vendor's.

#![allow(non_snake_case)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use validator::Validate;

use super::rules;
use crate::validate;

/// `serviceOptions` of an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::ServiceOptions))]
pub struct ServiceOptions {
    /// How ports are given (free text).
    #[serde(default)]
    pub portSpecification: String,
    /// `N-Unit-Resource`: the memory quota is N units, 1..=1000000.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "^([1-9][0-9]{0,5}|1000000)-Unit-Resource$")
    )]
    pub resourceUnit: String,
}

/// An order, as `GET /k8s/order` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::Order))]
pub struct Order {
    /// Unix seconds.
    pub createdAt: i64,
    /// Unix seconds.
    pub updatedAt: i64,
    /// How long the order runs.
    pub duration: serde_json::Value,
    /// When the service expires.
    pub serviceExpiredDate: String,
    /// Amount due.
    pub amount: serde_json::Value,
    /// Amount paid.
    pub amountPaid: serde_json::Value,
    /// The service bought.
    pub serviceID: String,
    /// Its name.
    pub service: String,
    /// Its category.
    pub serviceCategoryID: String,
    /// The provider.
    pub provider: String,
    /// The buyer's address.
    pub address: String,
    /// The provider's address.
    pub recipient: String,
    /// The order's id.
    pub id: String,
    /// Options bought.
    pub serviceOptions: ServiceOptions,
    /// Order status.
    pub status: String,
    /// The buyer's public key.
    pub publicKey: String,
}

/// An order to provision: every field optional but `serviceOptions.resourceUnit`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::OrderInput))]
pub struct OrderInput {
    /// How long the order runs.
    #[serde(default)]
    pub duration: Option<serde_json::Value>,
    /// When the service expires.
    #[serde(default)]
    pub serviceExpiredDate: Option<String>,
    /// Amount due.
    #[serde(default)]
    pub amount: Option<serde_json::Value>,
    /// Amount paid.
    #[serde(default)]
    pub amountPaid: Option<serde_json::Value>,
    /// The service bought.
    #[serde(default)]
    pub serviceID: Option<String>,
    /// Its name.
    #[serde(default)]
    pub service: Option<String>,
    /// Its category.
    #[serde(default)]
    pub serviceCategoryID: Option<String>,
    /// The provider.
    #[serde(default)]
    pub provider: Option<String>,
    /// The buyer's address.
    #[serde(default)]
    pub address: Option<String>,
    /// The provider's address.
    #[serde(default)]
    pub recipient: Option<String>,
    /// Options bought (required: `resourceUnit`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub serviceOptions: Option<ServiceOptions>,
    /// Order status.
    #[serde(default)]
    pub status: Option<String>,
    /// The buyer's public key.
    #[serde(default)]
    pub publicKey: Option<String>,
}

/// A provisioned order with its secret (shown this once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::CreatedOrder))]
pub struct CreatedOrder {
    /// The order.
    #[serde(flatten)]
    pub order: Order,
    /// The secret that reaches the order.
    pub secret: String,
}

/// `POST /k8s/checkports` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::CheckPortsRequest))]
pub struct CheckPortsRequest {
    /// The region.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_length = 1)
    )]
    pub region: Option<String>,
    /// The ports, each 1..=65535.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = openapi::ports))]
    pub ports: Option<Vec<serde_json::Value>>,
}

/// `POST /k8s/checkports` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::CheckPortsReply))]
pub struct CheckPortsReply {
    /// The ports in use.
    pub occupied: Vec<u16>,
    /// NoResource, InternalErr, PortsOccupied or NotOccupied.
    pub status: String,
}

/// `{"status":"OK"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::StatusOk))]
pub struct StatusOk {
    /// `OK`.
    pub status: String,
}

/// A port mapping of a deploy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::DeployPort))]
pub struct DeployPort {
    /// Container port.
    #[serde(default)]
    #[validate(required, custom(function = "validate::port_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 65535)
    )]
    pub containerPort: Option<i64>,
    /// Host port.
    #[serde(default)]
    #[validate(custom(function = "validate::port_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65535))]
    pub hostPort: Option<i64>,
}

/// A container's resources in a deploy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::DeployResource))]
pub struct DeployResource {
    /// Memory, `Mi` or `Gi`, more than 0.
    #[serde(default)]
    #[validate(required, custom(function = "rules::memory_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = r"^\+?([0-9]*[1-9][0-9]*(\.[0-9]*)?|[0-9]*\.[0-9]*[1-9][0-9]*)(Mi|Gi)$"
        )
    )]
    pub memory: Option<String>,
}

/// A container of a deploy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::DeployContainer))]
pub struct DeployContainer {
    /// DNS-1123 label.
    #[serde(default)]
    #[validate(required, custom(function = "validate::dns1123_label_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = validate::dns1123_label_schema)
    )]
    pub name: Option<String>,
    /// Image.
    #[serde(default)]
    #[validate(
        required,
        length(min = 1, code = "required"),
        custom(function = "validate::image_reference_field")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = validate::image_reference_schema)
    )]
    pub imageName: Option<String>,
    /// Port mappings.
    #[serde(default)]
    pub ports: Option<Vec<DeployPort>>,
    /// Resources (checked on their own).
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub resource: Option<DeployResource>,
    /// Newline-separated command.
    #[serde(default)]
    pub command: Option<String>,
    /// Newline-separated arguments.
    #[serde(default)]
    pub args: Option<String>,
}

/// `nodeSelector` of a deploy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::NodeSelector))]
pub struct NodeSelector {
    /// The region.
    #[serde(default)]
    #[validate(required, length(min = 1, code = "required"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_length = 1)
    )]
    pub region: Option<String>,
}

/// `POST /k8s/deploy` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::DeployRequest))]
pub struct DeployRequest {
    /// Where to run (checked on its own).
    #[serde(default)]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub nodeSelector: Option<NodeSelector>,
    /// What to run (each checked on its own).
    #[serde(default)]
    #[validate(required, length(min = 1, code = "required"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_items = 1)
    )]
    pub containers: Option<Vec<DeployContainer>>,
}

/// `POST /k8s/deploy` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::DeployReply))]
pub struct DeployReply {
    /// `OK`.
    pub status: String,
    /// The pod's name.
    pub name: String,
}

/// `GET /k8s/pod/status` reply: the Kubernetes Pod's status, spec and annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::PodStatusReply))]
pub struct PodStatusReply {
    /// The pod's name.
    pub name: String,
    /// Its status.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub podStatus: k8s_openapi::api::core::v1::PodStatus,
    /// Its spec.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub podSpec: k8s_openapi::api::core::v1::PodSpec,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
}

/// The error body's inner object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::ErrorBody))]
pub struct ErrorBody {
    /// The HTTP status.
    pub code: u16,
    /// The message.
    pub message: String,
}

/// The error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = vkube::ErrorReply))]
pub struct ErrorReply {
    /// The error.
    pub error: ErrorBody,
}

/// Schemas the derive cannot state.
#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};

    /// At least one port, each an integer in 1..=65535.
    pub(super) fn ports() -> utoipa::openapi::Array {
        ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(65535)),
            )
            .min_items(Some(1))
            .build()
    }
}

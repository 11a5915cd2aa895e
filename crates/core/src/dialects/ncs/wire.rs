//! NCS wire types: requests and replies of the 14 Actions, field names exactly the
//! vendor's (`seeds/003`, SPEC §4).
//!
//! Requests keep every field optional and loosely typed where the vendor accepts
//! several forms (ids and resources as numbers or strings), so that the service can
//! answer a missing or bad value with the vendor's own error naming the field.

#![allow(non_snake_case)]

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use validator::Validate;

use super::rules;
use crate::validate;

/// A number the vendor accepts either as a JSON number or as a string of digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::Num))]
#[serde(untagged)]
pub enum Num {
    /// A JSON integer.
    Int(i64),
    /// A string, to be parsed (also a JSON number that is not an `i64`).
    Text(String),
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Num;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number or a string of digits")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num::Int(v))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(i64::try_from(v).map_or_else(|_| Num::Text(v.to_string()), Num::Int))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num::Text(v.to_string()))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Num, E> {
                Ok(Num::Text(v.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Num, E> {
                Ok(Num::Text(v))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl From<u64> for Num {
    fn from(value: u64) -> Self {
        i64::try_from(value).map_or_else(|_| Self::Text(value.to_string()), Self::Int)
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(n) => n.fmt(f),
            Self::Text(s) => s.fmt(f),
        }
    }
}

/// One string, or several (the vendor's table and example disagree on
/// `SecurityGroupIds`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::OneOrMany))]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single string.
    One(String),
    /// An array of strings.
    Many(Vec<String>),
}

impl OneOrMany {
    /// As a list.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s],
            Self::Many(v) => v,
        }
    }
}

/// `Placement`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::Placement))]
pub struct Placement {
    /// Zones the instance may run in.
    #[serde(default)]
    pub ZoneId: Vec<String>,
}

/// `VirtualPrivateCloud`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::VirtualPrivateCloud))]
pub struct VirtualPrivateCloud {
    /// VPC id.
    #[serde(default)]
    pub VpcId: String,
    /// Subnet id; `None` for the classic network.
    #[serde(default)]
    pub SubnetId: String,
}

/// `Envs[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::Env))]
pub struct Env {
    /// Variable name (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "rules::env_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^[A-Za-z_.-][A-Za-z0-9_.-]{0,2047}$"
        )
    )]
    pub Name: Option<String>,
    /// Literal value (required when `Type` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 20480, message = "longer than 20480 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 20480))]
    pub Value: Option<String>,
    /// Absent, or `Secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::env_type_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^Secret$"))]
    pub Type: Option<String>,
    /// The secret, when `Type` is `Secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::positive_field"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::positive))]
    pub SecretId: Option<Num>,
    /// The key of the secret, when `Type` is `Secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Key: Option<String>,
}

/// `Limits` / `Requests` in a request: numbers or strings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ResourceAmounts))]
pub struct ResourceAmounts {
    /// Millicores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::non_negative_field"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::non_negative))]
    pub Cpu: Option<Num>,
    /// MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::non_negative_field"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::non_negative))]
    pub Memory: Option<Num>,
    /// Whole GPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::gpu_field"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::gpus))]
    pub Gpu: Option<Num>,
}

/// `ResourceRequirements` in a request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ResourceRequirements))]
pub struct ResourceRequirements {
    /// Most the container may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Limits: Option<ResourceAmounts>,
    /// Reserved for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Requests: Option<ResourceAmounts>,
}

/// `SecurityContext` (the table spells the keys in lower case, the examples
/// capitalised: both are accepted).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::SecurityContext))]
pub struct SecurityContext {
    /// Privileged (root) container.
    #[serde(default, alias = "privilege", skip_serializing_if = "Option::is_none")]
    pub Privilege: Option<bool>,
    /// Added capabilities.
    #[serde(
        default,
        alias = "capabilities",
        skip_serializing_if = "Option::is_none"
    )]
    pub Capabilities: Option<Vec<String>>,
}

/// `Exec` of a probe.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::Exec))]
pub struct Exec {
    /// The command.
    #[serde(default)]
    #[validate(length(min = 1, code = "required"))]
    #[cfg_attr(feature = "openapi", schema(required = true, min_items = 1))]
    pub Command: Vec<String>,
}

/// `LivenessProbe` / `ReadinessProbe`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::Probe))]
pub struct Probe {
    /// The command to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub Exec: Option<Exec>,
    /// Seconds between runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::probe_seconds_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3600))]
    pub PeriodSeconds: Option<i64>,
    /// Seconds before a run times out (`timeoutSeconds` in the table).
    #[serde(
        default,
        alias = "timeoutSeconds",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(custom(function = "rules::probe_seconds_field"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3600))]
    pub TimeoutSeconds: Option<i64>,
}

/// `Emptydirs[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::EmptyDir))]
pub struct EmptyDir {
    /// `Memory` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::medium_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^Memory$"))]
    pub Medium: Option<String>,
    /// Where it is mounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "validate::absolute_path_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^/")
    )]
    pub MountPath: Option<String>,
    /// `ro` or `rw` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::emptydir_mode_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(ro|rw)$"))]
    pub Mode: Option<String>,
    /// Unique within the container; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "validate::dns1123_label_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    )]
    pub Name: Option<String>,
}

/// `Secrets[]` of a volume.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::SecretVolume))]
pub struct SecretVolume {
    /// The secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "rules::positive_field"))]
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = openapi::positive))]
    pub SecretId: Option<Num>,
    /// Where it is mounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "validate::absolute_path_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^/")
    )]
    pub MountPath: Option<String>,
    /// `ro` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::secret_mode_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^ro$"))]
    pub Mode: Option<String>,
}

/// `Volumes[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::Volume))]
pub struct Volume {
    /// `Emptydir` or `Secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "rules::volume_type_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^(Emptydir|Secret)$")
    )]
    pub VolumeType: Option<String>,
    /// Required for `Emptydir`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Emptydirs: Option<Vec<EmptyDir>>,
    /// Required for `Secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Secrets: Option<Vec<SecretVolume>>,
}

/// `DataDisks[]` in a request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::DataDisk))]
pub struct DataDisk {
    /// `CloudSsd`, `CloudHighPerformanceSsd` or `CloudLocal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "rules::disk_type_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^(CloudSsd|CloudHighPerformanceSsd|CloudLocal)$"
        )
    )]
    pub DiskType: Option<String>,
    /// The disk's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "rules::disk_name_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_length = 1, max_length = 63)
    )]
    pub DiskName: Option<String>,
    /// Where it is mounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "validate::absolute_path_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, pattern = "^/")
    )]
    pub MountPath: Option<String>,
    /// Size in GB, > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "rules::positive_field"))]
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = openapi::positive))]
    pub DiskSize: Option<Num>,
}

/// `Containers[]` of create and modify.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ContainerDef))]
pub struct ContainerDef {
    /// Container name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^[a-z]([-a-z0-9]{0,22}[a-z0-9])?$"
        )
    )]
    pub Name: Option<String>,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "validate::image_reference_field"))]
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = validate::image_reference_schema))]
    pub Image: Option<String>,
    /// Log directories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::log_dirs_field"))]
    pub LogDirs: Option<Vec<String>>,
    /// Docker CMD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Args: Option<Vec<String>>,
    /// Docker ENTRYPOINT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Command: Option<Vec<String>>,
    /// Environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::envs))]
    pub Envs: Option<Vec<Env>>,
    /// Resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ResourceRequirements: Option<ResourceRequirements>,
    /// Privileges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub SecurityContext: Option<SecurityContext>,
    /// SSH keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::positive_ids_field"))]
    pub SshKeyIds: Option<Vec<Num>>,
    /// Liveness probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub LivenessProbe: Option<Probe>,
    /// Readiness probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ReadinessProbe: Option<Probe>,
    /// Volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = openapi::volumes))]
    pub Volumes: Option<Vec<Volume>>,
    /// Data disks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub DataDisks: Option<Vec<DataDisk>>,
}

/// `CreateStatefulWorkload` body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::CreateRequest))]
pub struct CreateRequest {
    /// Zones (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub Placement: Option<Placement>,
    /// Spec type (required when PayType is PostPaid, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub SpecType: Option<String>,
    /// `PostPaid` (default) or `PrePaid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::pay_type_field"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(PostPaid|PrePaid)$"))]
    pub PayType: Option<String>,
    /// `Standard` or `HighPerformance` (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "rules::container_type_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            pattern = "^(Standard|HighPerformance)$"
        )
    )]
    pub ContainerType: Option<String>,
    /// Containers (required, non-empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, length(min = 1))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_items = 1)
    )]
    pub Containers: Option<Vec<ContainerDef>>,
    /// sysctl settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::sys_cmds_field"))]
    pub SysCmds: Option<Vec<String>>,
    /// Security groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub SecurityGroupIds: Option<OneOrMany>,
    /// VPC (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub VirtualPrivateCloud: Option<VirtualPrivateCloud>,
    /// Namespace (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub NamespaceId: Option<Num>,
    /// Workload name (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required, custom(function = "validate::dns1123_label_field"))]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = validate::dns1123_label_schema)
    )]
    pub Name: Option<String>,
    /// User labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::labels_field"))]
    pub Labels: Option<BTreeMap<String, String>>,
    /// Image pull secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::positive_ids_field"))]
    pub ImagePullSecretIds: Option<Vec<Num>>,
}

/// `ModifyStatefulWorkload` body: the full definition; omitted fields are cleared.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ModifyRequest))]
pub struct ModifyRequest {
    /// Namespace (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub NamespaceId: Option<Num>,
    /// Workload (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub StatefulWorkloadId: Option<Num>,
    /// sysctl settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::sys_cmds_field"))]
    pub SysCmds: Option<Vec<String>>,
    /// User labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::labels_field"))]
    pub Labels: Option<BTreeMap<String, String>>,
    /// Containers, matched by name (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(required)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub Containers: Option<Vec<ContainerDef>>,
    /// Image pull secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::positive_ids_field"))]
    pub ImagePullSecretIds: Option<Vec<Num>>,
}

/// A container of `ResetStatefulWorkloadSpecType`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ResetContainer))]
pub struct ResetContainer {
    /// Container name (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub Name: Option<String>,
    /// New resources (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = openapi::reset_resources)
    )]
    pub ResourceRequirements: Option<ResourceRequirements>,
}

/// `ResetStatefulWorkloadSpecType` body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ResetSpecTypeRequest))]
pub struct ResetSpecTypeRequest {
    /// Namespace (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub NamespaceId: Option<Num>,
    /// Workload (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub StatefulWorkloadId: Option<Num>,
    /// New spec type (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub SpecType: Option<String>,
    /// New resources per container (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, min_items = 1)
    )]
    pub Containers: Option<Vec<ResetContainer>>,
}

/// The parameters of the GET Actions that name one workload (and, for some, a
/// container or an EIP).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::WorkloadParams))]
pub struct WorkloadParams {
    /// Namespace (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub NamespaceId: Option<Num>,
    /// Workload (required except for `DescribeStatefulWorkloads`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub StatefulWorkloadId: Option<Num>,
    /// `RestartContainer`: the DockerContainerId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ContainerId: Option<String>,
    /// `(Un)AssociateEipOfStatefulWorkload`: the EIP's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub EipId: Option<String>,
}

/// `DescribeStatefulWorkloadsAllNamespaces` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ListAllParams))]
pub struct ListAllParams {
    /// Page size, > 0, default 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::positive_field"))]
    pub Limit: Option<Num>,
    /// Items to skip, ≥ 0, default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::non_negative_field"))]
    pub Offset: Option<Num>,
}

// ---------------------------------------------------------------------------------
// Replies

/// A reply carrying only the request id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::RequestIdReply))]
pub struct RequestIdReply {
    /// The request's id (uuid).
    pub RequestId: String,
}

/// `CreateStatefulWorkload` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::CreateReply))]
pub struct CreateReply {
    /// The new workload's id.
    pub StatefulWorkloadId: u64,
    /// The request's id.
    pub RequestId: String,
}

/// A workload in the list replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::WorkloadSummary))]
pub struct WorkloadSummary {
    /// Namespace.
    pub NamespaceId: u64,
    /// Workload id.
    pub StatefulWorkloadId: u64,
    /// Name.
    pub Name: String,
    /// Zones.
    pub Placement: Placement,
    /// Creating, CreateFail, Running, Updating or Abnormal.
    pub Status: String,
    /// Pending, Running, Succeeded or Failed.
    pub StatefulWorkloadStatus: String,
    /// ISO-8601.
    pub CreateAt: String,
    /// ISO-8601.
    pub UpdateAt: String,
    /// The containers' images.
    pub Images: Vec<String>,
}

/// `DescribeStatefulWorkloads` and `DescribeStatefulWorkloadsAllNamespaces` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ListReply))]
pub struct ListReply {
    /// Matches before paging.
    pub TotalCount: u64,
    /// This page.
    pub StatefulWorkloads: Vec<WorkloadSummary>,
    /// The request's id.
    pub RequestId: String,
}

/// Resource amounts in a reply: strings, as the vendor prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ResourceAmountsOut))]
pub struct ResourceAmountsOut {
    /// Millicores.
    pub Cpu: String,
    /// MB.
    pub Memory: String,
    /// Whole GPUs.
    pub Gpu: String,
}

/// `ResourceRequirements` in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ResourceRequirementsOut))]
pub struct ResourceRequirementsOut {
    /// Limits.
    pub Limits: ResourceAmountsOut,
    /// Requests.
    pub Requests: ResourceAmountsOut,
}

/// `SecurityContext` in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::SecurityContextOut))]
pub struct SecurityContextOut {
    /// Privileged.
    pub Privilege: bool,
    /// Added capabilities.
    pub Capabilities: Vec<String>,
}

/// `DataDisks[]` in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::DataDiskOut))]
pub struct DataDiskOut {
    /// Disk id (a string, as the table says).
    pub DiskId: String,
    /// The disk's volume id (uuid).
    pub DiskUuid: String,
    /// Name.
    pub DiskName: String,
    /// Size in GB.
    pub DiskSize: u64,
    /// Type.
    pub DiskType: String,
    /// Mount path.
    pub MountPath: String,
}

/// An env var in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::EnvOut))]
pub struct EnvOut {
    /// Name.
    pub Name: String,
    /// Literal value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Value: Option<String>,
    /// `Secret` for secret-backed values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Type: Option<String>,
    /// The secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub SecretId: Option<u64>,
    /// The key of the secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Key: Option<String>,
}

/// A probe in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ProbeOut))]
pub struct ProbeOut {
    /// The command.
    pub Exec: Exec,
    /// Seconds between runs.
    pub PeriodSeconds: i64,
    /// Seconds before a run times out.
    pub TimeoutSeconds: i64,
}

/// An emptyDir in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::EmptyDirOut))]
pub struct EmptyDirOut {
    /// Name (generated when the request gave none).
    pub Name: String,
    /// `Memory`.
    pub Medium: String,
    /// Mount path.
    pub MountPath: String,
    /// `ro` or `rw`.
    pub Mode: String,
}

/// A secret volume in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::SecretVolumeOut))]
pub struct SecretVolumeOut {
    /// The secret.
    pub SecretId: u64,
    /// Mount path.
    pub MountPath: String,
    /// `ro`.
    pub Mode: String,
}

/// A volume in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::VolumeOut))]
pub struct VolumeOut {
    /// `Emptydir` or `Secret`.
    pub VolumeType: String,
    /// For `Emptydir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Emptydirs: Option<Vec<EmptyDirOut>>,
    /// For `Secret`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Secrets: Option<Vec<SecretVolumeOut>>,
}

/// A container in `DescribeStatefulWorkloadInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ContainerOut))]
pub struct ContainerOut {
    /// Name.
    pub Name: String,
    /// The workload's namespace (the vendor's example prints it here too).
    pub NamespaceId: u64,
    /// Image.
    pub Image: String,
    /// Log directories.
    pub LogDirs: Vec<String>,
    /// Docker CMD.
    pub Args: Vec<String>,
    /// Docker ENTRYPOINT.
    pub Command: Vec<String>,
    /// Environment.
    pub Envs: Vec<EnvOut>,
    /// Resources.
    pub ResourceRequirements: ResourceRequirementsOut,
    /// Data disks.
    pub DataDisks: Vec<DataDiskOut>,
    /// SSH keys.
    pub SshKeyIds: Vec<u64>,
    /// Privileges.
    pub SecurityContext: SecurityContextOut,
    /// Liveness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub LivenessProbe: Option<ProbeOut>,
    /// Readiness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ReadinessProbe: Option<ProbeOut>,
    /// Volumes.
    pub Volumes: Vec<VolumeOut>,
}

/// `OperationLocks[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::OperationLock))]
pub struct OperationLock {
    /// Why (`financial`).
    pub LockReason: String,
}

/// `ResourcePoolInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ResourcePoolInfo))]
pub struct ResourcePoolInfo {
    /// Pool id.
    pub ResourcePoolId: String,
    /// Pool name.
    pub ResourcePoolName: String,
    /// `public` or `private`.
    pub Owner: String,
}

/// What `DescribeStatefulWorkloadInfo` says about a workload: its reply but the
/// `RequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::WorkloadInfo))]
pub struct WorkloadInfo {
    /// Workload id.
    pub StatefulWorkloadId: u64,
    /// Namespace.
    pub NamespaceId: u64,
    /// Name.
    pub Name: String,
    /// Zones.
    pub Placement: Placement,
    /// Creating, CreateFail, Running, Updating or Abnormal.
    pub Status: String,
    /// Pending, Running, Succeeded or Failed.
    pub StatefulWorkloadStatus: String,
    /// ISO-8601.
    pub CreateAt: String,
    /// ISO-8601.
    pub UpdateAt: String,
    /// Spec type.
    pub SpecType: String,
    /// `PostPaid` or `PrePaid`.
    pub PayType: String,
    /// Resource package (prepaid workloads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub PackageId: Option<u64>,
    /// VPC.
    pub VirtualPrivateCloud: VirtualPrivateCloud,
    /// Security groups.
    pub SecurityGroupIds: Vec<String>,
    /// `Standard` or `HighPerformance`.
    pub ContainerType: String,
    /// sysctl settings.
    pub SysCmds: Vec<String>,
    /// Containers.
    pub Containers: Vec<ContainerOut>,
    /// The held EIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub EipId: Option<String>,
    /// User and system labels, sorted by key.
    pub Labels: BTreeMap<String, String>,
    /// Locks (empty unless suspended).
    pub OperationLocks: Vec<OperationLock>,
    /// `statefulsets`.
    pub Kind: String,
    /// Cluster id.
    pub ClusterId: u64,
    /// Image pull secrets.
    pub ImagePullSecretIds: Vec<u64>,
    /// Resource pool.
    pub ResourcePoolInfo: ResourcePoolInfo,
}

/// `DescribeStatefulWorkloadInfo` reply: the workload's [`WorkloadInfo`] and the
/// request's id, one JSON object with `RequestId` last.
///
/// The description is read-only: replies about a workload that reads the same share
/// it and its JSON text, rendered once ([`InfoReply::write_json`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoReply {
    described: Arc<Described>,
    /// The request's id.
    pub RequestId: String,
}

/// A description and its JSON text without the closing brace (empty if it did not
/// render).
#[derive(Debug, PartialEq, Eq)]
struct Described {
    info: WorkloadInfo,
    head: Box<str>,
}

impl InfoReply {
    /// The reply describing `info`, for the request `request_id`.
    pub fn new(info: WorkloadInfo, request_id: String) -> Self {
        let head = serde_json::to_string(&info)
            .ok()
            .and_then(|text| text.strip_suffix('}').map(Box::from))
            .unwrap_or_default();
        Self {
            described: Arc::new(Described { info, head }),
            RequestId: request_id,
        }
    }

    /// What the reply says about the workload.
    pub fn info(&self) -> &WorkloadInfo {
        &self.described.info
    }

    /// The same description for another request; nothing of it is copied.
    pub fn with_request_id(&self, request_id: String) -> Self {
        Self {
            described: self.described.clone(),
            RequestId: request_id,
        }
    }

    /// Appends the reply's JSON text to `out`: the description's text, rendered once,
    /// then the `RequestId`. The same text as serialising the reply.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let head = &self.described.head;
        if head.len() <= 1 {
            return serde_json::to_writer(out, self);
        }
        out.reserve(head.len() + self.RequestId.len() + 16);
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(b",\"RequestId\":");
        serde_json::to_writer(&mut *out, &self.RequestId)?;
        out.push(b'}');
        Ok(())
    }
}

/// [`InfoReply`] as it goes on the wire.
#[derive(Serialize)]
struct InfoWire<'a> {
    #[serde(flatten)]
    info: &'a WorkloadInfo,
    RequestId: &'a str,
}

/// [`InfoReply`] as it comes off the wire.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::InfoReply))]
struct InfoWireOwned {
    #[serde(flatten)]
    info: WorkloadInfo,
    /// The request's id.
    RequestId: String,
}

impl Serialize for InfoReply {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        InfoWire {
            info: self.info(),
            RequestId: &self.RequestId,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for InfoReply {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = InfoWireOwned::deserialize(deserializer)?;
        Ok(Self::new(wire.info, wire.RequestId))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for InfoReply {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <InfoWireOwned as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for InfoReply {
    fn name() -> std::borrow::Cow<'static, str> {
        <InfoWireOwned as utoipa::ToSchema>::name()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <InfoWireOwned as utoipa::ToSchema>::schemas(schemas);
    }
}

/// A container in `DescribeStatefulWorkloadInstances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::InstanceContainer))]
pub struct InstanceContainer {
    /// Name.
    pub Name: String,
    /// Image.
    pub Image: String,
    /// running, waiting, terminated, restart_process or restart_fail.
    pub Status: String,
    /// Numeric id.
    pub ContainerId: u64,
    /// The runtime's id (what `RestartContainer` takes).
    pub DockerContainerId: String,
}

/// A pod in `DescribeStatefulWorkloadInstances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::Instance))]
pub struct Instance {
    /// Pod id.
    pub PodId: u64,
    /// Pod name.
    pub PodName: String,
    /// Pending, Running, Succeeded, Failed or Unknown.
    pub Status: String,
    /// Internal IP ("" until it has one).
    pub Ip: String,
    /// Zone.
    pub ZoneId: Vec<String>,
    /// ISO-8601.
    pub CreateAt: String,
    /// Containers.
    pub Containers: Vec<InstanceContainer>,
}

/// `DescribeStatefulWorkloadInstances` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::InstancesReply))]
pub struct InstancesReply {
    /// The pods (possibly none).
    pub Pods: Vec<Instance>,
    /// The request's id.
    pub RequestId: String,
}

/// A container in `DescribeStatefulWorkloadImages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ContainerImage))]
pub struct ContainerImage {
    /// Container name.
    pub ContainerName: String,
    /// Image.
    pub Image: String,
}

/// `DescribeStatefulWorkloadImages` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ImagesReply))]
pub struct ImagesReply {
    /// Namespace.
    pub NamespaceId: u64,
    /// Workload.
    pub StatefulWorkloadId: u64,
    /// Containers and their images.
    pub Containers: Vec<ContainerImage>,
    /// The request's id.
    pub RequestId: String,
}

/// The error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ncs::ErrorReply))]
pub struct ErrorReply {
    /// The request's id.
    pub RequestId: String,
    /// The error code.
    pub Code: String,
    /// The message.
    pub Message: String,
}

/// Schemas of the numbers the vendor takes as a JSON integer or a string of digits,
/// with the bounds their rules set (`rules::non_negative`). A string's value is held to
/// them as well; a pattern cannot say so, so a string of digits beyond the bound is
/// valid here and refused by the rule.
#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};

    use crate::validate::shapes;

    /// Environment variables, or none: each a literal `Value`, or a secret's (`Type`
    /// `Secret` with its `SecretId` and a `Key`).
    pub(super) fn envs() -> Schema {
        let literal = shapes::given("Value", Type::String).property("Type", shapes::null());
        let secret = shapes::given("Type", Type::String)
            .property(
                "Key",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1)),
            )
            .required("Key")
            .required("SecretId");
        shapes::list_or_null(
            shapes::one_shape("ncs.Env", [literal, secret]),
            "Environment variables: each a Value, or a secret's (Type, SecretId and Key).",
        )
    }

    /// Volumes, or none: an `Emptydir` volume lists its `Emptydirs`, a `Secret` one its
    /// `Secrets`.
    pub(super) fn volumes() -> Schema {
        let of = |kind: &str, list: &str| {
            ObjectBuilder::new()
                .property(
                    "VolumeType",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([kind])),
                )
                .property(
                    list,
                    utoipa::openapi::schema::ArrayBuilder::new().min_items(Some(1)),
                )
                .required(list)
        };
        shapes::list_or_null(
            shapes::one_shape(
                "ncs.Volume",
                [of("Emptydir", "Emptydirs"), of("Secret", "Secrets")],
            ),
            "Volumes: an Emptydir volume with its Emptydirs, a Secret one with its Secrets.",
        )
    }

    /// A spec-type reset's resources: both `Limits` and `Requests`, each with `Cpu` and
    /// `Memory`.
    pub(super) fn reset_resources() -> Schema {
        let amounts = || {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .required("Cpu")
                .required("Memory")
        };
        AllOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name(
                "ncs.ResourceRequirements",
            ))
            .item(
                ObjectBuilder::new()
                    .property("Limits", amounts())
                    .property("Requests", amounts())
                    .required("Limits")
                    .required("Requests"),
            )
            .description(Some(
                "The new resources: Limits and Requests, each with Cpu and Memory.",
            ))
            .into()
    }

    fn whole(minimum: i64, maximum: i64, digits: &str, description: &str) -> Schema {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .minimum(Some(minimum))
                    .maximum(Some(maximum)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(digits))
                    .max_length(Some(19)),
            )
            .description(Some(description))
            .build()
            .into()
    }

    /// `rules::positive`: ids and sizes.
    pub(super) fn positive() -> Schema {
        whole(
            1,
            i64::MAX,
            "^[0-9]*[1-9][0-9]*$",
            "A positive integer, or a string of its digits.",
        )
    }

    /// `rules::non_negative`: amounts.
    pub(super) fn non_negative() -> Schema {
        whole(
            0,
            i64::MAX,
            "^[0-9]+$",
            "A non-negative integer, or a string of its digits.",
        )
    }

    /// `rules::gpu_field`: a whole count of devices.
    pub(super) fn gpus() -> Schema {
        whole(
            0,
            i64::from(u32::MAX),
            "^[0-9]{1,10}$",
            "A count of GPUs (0 to 4294967295), or a string of its digits.",
        )
    }
}

//! Tenants: who owns objects, and the hashed token that proves it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::NamespaceId;
use crate::secret::TokenHash;

/// Names the tenant that owns an object. A tenant only ever reaches its own objects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TenantKey {
    /// An NCS namespace.
    Namespace(NamespaceId),
    /// An IEF project (`project_id`).
    Project(String),
    /// A V-Kube order (its `id`).
    Order(String),
    /// The system itself: openYuanrong pod pools, which have no tenant in the vendor's
    /// API.
    System,
}

impl TenantKey {
    /// The kind of tenant this key names.
    pub fn kind(&self) -> TenantKind {
        match self {
            Self::Namespace(_) => TenantKind::Namespace,
            Self::Project(_) => TenantKind::Project,
            Self::Order(_) => TenantKind::Order,
            Self::System => TenantKind::System,
        }
    }
}

impl fmt::Display for TenantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Namespace(id) => write!(f, "namespace {id}"),
            Self::Project(id) => write!(f, "project {id}"),
            Self::Order(id) => write!(f, "order {id}"),
            Self::System => f.write_str("system"),
        }
    }
}

/// The kinds of tenant, one per dialect that has tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TenantKind {
    /// NCS namespaces (`NamespaceId`, bearer token).
    Namespace,
    /// IEF projects (`X-Auth-Token`).
    Project,
    /// V-Kube orders (`secret`).
    Order,
    /// The system tenant.
    System,
}

impl TenantKind {
    /// The kind's name in messages ("namespace", "project", "order", "system").
    pub fn name(self) -> &'static str {
        match self {
            Self::Namespace => "namespace",
            Self::Project => "project",
            Self::Order => "order",
            Self::System => "system",
        }
    }

    /// The dialect whose tenants these are: `ncs`, `ief`, `vkube`, or `yuanrong` for
    /// the system tenant (openYuanrong's pools).
    pub fn dialect(self) -> &'static str {
        match self {
            Self::Namespace => "ncs",
            Self::Project => "ief",
            Self::Order => "vkube",
            Self::System => "yuanrong",
        }
    }
}

/// A tenant to create. For a namespace with id 0 the backend allocates the next free id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    /// The tenant's key; `Namespace(NamespaceId(0))` asks for an allocated id.
    pub key: TenantKey,
    /// The hash of the tenant's token; the token itself is never stored.
    pub token_hash: TokenHash,
    /// Whether the tenant may use privileged settings (privileged containers,
    /// sysctls and capabilities outside the allow-lists).
    pub privileged: bool,
    /// Data the owning dialect keeps with the tenant (a V-Kube order's fields);
    /// `Null` when none.
    pub attributes: serde_json::Value,
}

impl NewTenant {
    /// A tenant `key` reached by the token that hashes to `token_hash`: not privileged,
    /// with no dialect attributes.
    pub fn new(key: TenantKey, token_hash: TokenHash) -> Self {
        Self {
            key,
            token_hash,
            privileged: false,
            attributes: serde_json::Value::Null,
        }
    }
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// The tenant's key.
    pub key: TenantKey,
    /// The hash of the tenant's token.
    pub token_hash: TokenHash,
    /// Whether the tenant may use privileged settings.
    pub privileged: bool,
    /// Data the owning dialect keeps with the tenant.
    #[serde(default)]
    pub attributes: serde_json::Value,
}

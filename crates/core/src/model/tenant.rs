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
}

impl TenantKey {
    /// The kind of tenant this key names.
    pub fn kind(&self) -> TenantKind {
        match self {
            Self::Namespace(_) => TenantKind::Namespace,
        }
    }
}

impl fmt::Display for TenantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Namespace(id) => write!(f, "namespace {id}"),
        }
    }
}

/// The kinds of tenant, one per dialect that has tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TenantKind {
    /// NCS namespaces (`NamespaceId`, bearer token).
    Namespace,
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
}

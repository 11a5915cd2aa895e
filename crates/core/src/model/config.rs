//! Config maps and secrets: named key-value data a tenant's pods mount or read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{TenantKey, Timestamp};

/// Which of the two kinds of config data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConfigKind {
    /// Plain text values (Kubernetes `ConfigMap`).
    ConfigMap,
    /// Secret values, base64 (Kubernetes `Secret`).
    Secret,
}

impl ConfigKind {
    /// The kind's name in messages and errors ("configmap", "secret").
    pub fn name(self) -> &'static str {
        match self {
            Self::ConfigMap => "configmap",
            Self::Secret => "secret",
        }
    }
}

/// A config map or secret to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConfig {
    /// Which kind.
    pub kind: ConfigKind,
    /// Unique among the tenant's objects of this kind; a DNS-1123 subdomain, as pods
    /// name it.
    pub name: String,
    /// The keys and their values. For a secret each value is base64 (standard
    /// alphabet, padded), as in a Kubernetes Secret's `data`.
    pub data: BTreeMap<String, String>,
    /// Data the owning dialect keeps with the object and the cluster does not
    /// interpret (a description, a secret's type).
    pub attributes: BTreeMap<String, String>,
}

/// A stored config map or secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigObject {
    /// Its owner.
    pub tenant: TenantKey,
    /// Its id: unique across the backend and never reused (a uuid).
    pub id: String,
    /// What it holds; its name never changes.
    #[serde(flatten)]
    pub config: NewConfig,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Which config objects a list returns: a tenant's objects of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigQuery {
    /// Whose.
    pub tenant: TenantKey,
    /// Which kind.
    pub kind: ConfigKind,
    /// Only the one with exactly this name.
    pub name: Option<String>,
}

//! The IEF service: projects and their tokens, and what every call does first (find
//! the caller's project). The use-cases live beside it, one file per kind of object:
//! `deployments.rs`, `pods.rs`, `nodes.rs`, `configs.rs`.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::error::IefError;
use super::ids::deployment_of;
use crate::backend::ClusterBackend;
use crate::model::{NewTenant, TenantKey, TenantKind, Workload};
use crate::secret::{Token, TokenHash};
use crate::validate::strict;

pub(super) type Reply<T> = Result<T, IefError>;

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
    pub(super) backend: Arc<dyn ClusterBackend>,
}

/// Decodes a request body or query, naming what is wrong on failure.
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    serde_path_to_error::deserialize(strict::Deserializer::new(value))
        .map_err(|e| IefError::bad_body(format!("at {}: {}", e.path(), e.inner())))
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
            .key
        {
            TenantKey::Project(project) => Ok(IefCaller::Project(project)),
            _ => Err(IefError::auth()),
        }
    }

    /// The project a caller names, if it may reach it and it exists; a foreign project
    /// answers exactly like an unknown one.
    pub(super) async fn project(&self, caller: &IefCaller, project_id: &str) -> Reply<TenantKey> {
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

    /// The project's deployment with this id; another project's answers alike.
    pub(super) async fn deployment(&self, tenant: &TenantKey, id: &str) -> Reply<Workload> {
        let workload = deployment_of(id).ok_or_else(|| IefError::not_found("workload", id))?;
        self.backend
            .get_workload(tenant, workload)
            .await
            .map_err(|e| match e {
                crate::Error::NotFound { .. } => IefError::not_found("workload", id),
                other => other.into(),
            })
    }
}

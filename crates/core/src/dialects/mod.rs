//! The vendor dialects: wire types, use-cases and error mapping, one module each.
//!
//! What they share lives here: the token check every dialect's auth makes, and the way a
//! dialect keeps its own definition of a workload in an annotation of its template
//! (ADR 0001).

pub mod ief;
pub mod ncs;
pub mod vkube;
pub mod yuanrong;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::ClusterBackend;
use std::collections::BTreeMap;

use crate::model::{Tenant, TenantKind};
use crate::secret::TokenHash;
use crate::{Error, Result};

/// What every dialect's error is, so that an edge renders any of them one way: the
/// vendor's HTTP status and body. Each dialect maps [`Error`] into its own error once
/// (`From<Error>`), in its `error.rs`.
pub trait DialectError: std::error::Error + Send + Sync + 'static {
    /// The vendor's error body.
    type Reply: Serialize;

    /// The HTTP status the vendor answers this error with.
    fn http_status(&self) -> u16;

    /// The vendor's body for this error.
    fn reply(&self) -> Self::Reply;

    /// The vendor's code for this error, as text: NCS's `Code`, IEF's `error_code`,
    /// openYuanrong's `code`, V-Kube's `error.code` (the HTTP status).
    fn code(&self) -> String;

    /// The error for a request that failed outside the dialect's handlers and is
    /// answered with `status` (whatever [`DialectError::http_status`] says): a path it
    /// does not serve (404), a method its route does not take (405), a handler that
    /// panicked (500) or ran out of time (504).
    fn outside(status: u16, message: &str) -> Self
    where
        Self: Sized;
}

/// The tenant of `kind` that `token` belongs to; `Unauthenticated` when none does.
pub(crate) async fn authenticate(
    backend: &dyn ClusterBackend,
    kind: TenantKind,
    presented: impl Into<TokenHash>,
) -> Result<Tenant> {
    let hash = presented.into();
    match backend.find_tenant_by_token(kind, &hash).await {
        Ok(tenant) if tenant.key.kind() == kind && tenant.token_hash.ct_eq(&hash) => Ok(tenant),
        Ok(_) | Err(Error::NotFound { .. }) => Err(Error::Unauthenticated),
        Err(other) => Err(other),
    }
}

/// A dialect's definition read back from the annotation `annotation` (of a pod
/// template, or of a workload).
pub(crate) fn read_definition<T: DeserializeOwned>(
    annotations: &BTreeMap<String, String>,
    annotation: &str,
    dialect: &str,
) -> Result<T> {
    let text = annotations
        .get(annotation)
        .ok_or_else(|| Error::backend(format!("workload carries no {dialect} definition")))?;
    serde_json::from_str(text)
        .map_err(|e| Error::backend(format!("stored {dialect} definition unreadable: {e}")))
}

/// A dialect's definition as the text of its template annotation.
pub(crate) fn write_definition<T: Serialize>(definition: &T, dialect: &str) -> Result<String> {
    serde_json::to_string(definition)
        .map_err(|e| Error::backend(format!("{dialect} definition not serialisable: {e}")))
}

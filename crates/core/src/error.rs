//! The core error type: what went wrong, by meaning, independent of any dialect.

use std::fmt;

/// Result alias used across podgate-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an operation failed, by meaning.
///
/// Backends map their own failures into this enum once; each dialect maps it once more
/// into the vendor's code, message and HTTP status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The object does not exist, or belongs to another tenant (the two answer alike).
    #[error("{kind} {id} not found")]
    NotFound {
        /// What kind of object was looked up ("workload", "namespace", "eip", ...).
        kind: &'static str,
        /// The id or name that was looked up.
        id: String,
    },
    /// An object with this name or id exists already.
    #[error("{kind} {id} already exists")]
    AlreadyExists {
        /// What kind of object.
        kind: &'static str,
        /// The conflicting name or id.
        id: String,
    },
    /// A field has a value the operation cannot accept.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, as the caller named it.
        field: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The object is in a state that forbids the operation right now.
    #[error("incorrect state: {0}")]
    IncorrectState(String),
    /// The update would change nothing.
    #[error("nothing to update")]
    NothingToUpdate,
    /// The caller is known but not allowed to do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The caller could not be identified.
    #[error("unauthenticated")]
    Unauthenticated,
    /// A concurrent change won; retrying with fresh state may succeed.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend cannot do this at all.
    #[error("{operation} is not supported by the {backend} backend")]
    Unsupported {
        /// The operation asked for.
        operation: &'static str,
        /// The backend that cannot do it.
        backend: &'static str,
    },
    /// The backend failed; `temporary` says whether a retry may succeed.
    #[error("backend failure: {source}")]
    Backend {
        /// Whether retrying may succeed.
        temporary: bool,
        /// The underlying failure (logged, never shown to clients).
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(kind: &'static str, id: impl fmt::Display) -> Self {
        Self::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    /// Shorthand for [`Error::AlreadyExists`].
    pub fn already_exists(kind: &'static str, id: impl fmt::Display) -> Self {
        Self::AlreadyExists {
            kind,
            id: id.to_string(),
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for a permanent [`Error::Backend`] carrying a message.
    pub fn backend(message: impl Into<String>) -> Self {
        Self::Backend {
            temporary: false,
            source: message.into().into(),
        }
    }
}

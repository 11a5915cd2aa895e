//! Errors of setting up a simulator (operations themselves use `podgate_core::Error`).

/// Why a simulator could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A configuration file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A configuration file is not what it should be.
    #[error("{path} is not a valid {what}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What it should hold.
        what: &'static str,
        /// Why it does not.
        reason: String,
    },
}

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
    /// The simulator's file could not be opened, read or written.
    #[cfg(feature = "sqlite")]
    #[error("simulator file {path}: {source}")]
    Storage {
        /// The file.
        path: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// Another process (another `podgate`, say) has the file open.
    #[error("simulator file {path} is in use by another process")]
    InUse {
        /// The file.
        path: String,
    },
    /// The file is damaged: SQLite's integrity check failed, or a stored record cannot
    /// be read. Nothing is reset: restore the file from a copy or move it away.
    #[error("simulator file {path} is damaged: {detail}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The file was written by a newer podgate, with a schema this one does not know.
    #[error(
        "simulator file {path} has schema version {found}; this podgate reads versions up to \
         {supported}"
    )]
    NewerSchema {
        /// The file.
        path: String,
        /// The file's schema version.
        found: i64,
        /// The newest version this build reads.
        supported: i64,
    },
    /// The file is an SQLite database, but not a podgate simulator's.
    #[error("{path} is not a podgate simulator file")]
    Foreign {
        /// The file.
        path: String,
    },
}

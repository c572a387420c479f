//! The one error type of the SDK.
//!
//! Variants are the things a caller can act on; every message names what was wrong.
//! Bindings map these to their idiom (C status codes, Python / Kotlin exception classes,
//! JS `Error` with a `code`) through [`StorageError::code`].

/// Result alias used by every store.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Everything that can go wrong in a storage call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    /// The record asked for does not exist.
    #[error("{what} not found: {id:?}")]
    NotFound {
        /// Kind of record (`"device"`, `"event"`, ...).
        what: &'static str,
        /// The id that was looked up.
        id: String,
    },
    /// An argument was rejected before anything was written.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or field that was wrong.
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The operation contradicts stored state (duplicate id, forbidden transition, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Stored bytes could not be decoded: the file is damaged or was written by something else.
    #[error("corrupted data: {0}")]
    Corrupted(String),
    /// The file was written by a format version this build does not read.
    #[error("unsupported format version {found} (this build reads version {supported}); no data was changed")]
    VersionMismatch {
        /// Version found in the file.
        found: u32,
        /// Version this build reads and writes.
        supported: u32,
    },
    /// Another process (or another handle in this process) holds the database.
    #[error("database is locked by another handle: {0}")]
    Locked(String),
    /// The operating system refused an I/O operation.
    #[error("I/O error: {0}")]
    Io(String),
    /// The storage engine failed (out of space, internal redb error, ...).
    #[error("storage engine error: {0}")]
    Backend(String),
    /// The handle was closed with `close()`.
    #[error("storage is closed")]
    Closed,
}

impl StorageError {
    /// A stable, machine-readable name of the variant, used by every binding.
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::NotFound { .. } => "NOT_FOUND",
            StorageError::InvalidInput { .. } => "INVALID_INPUT",
            StorageError::Conflict(_) => "CONFLICT",
            StorageError::Corrupted(_) => "CORRUPTED",
            StorageError::VersionMismatch { .. } => "VERSION_MISMATCH",
            StorageError::Locked(_) => "LOCKED",
            StorageError::Io(_) => "IO",
            StorageError::Backend(_) => "BACKEND",
            StorageError::Closed => "CLOSED",
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StorageError::InvalidInput { field, reason: reason.into() }
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        StorageError::NotFound { what, id: id.into() }
    }
}

impl From<std::io::Error> for StorageError {
    fn from(e: std::io::Error) -> Self {
        StorageError::Io(e.to_string())
    }
}

impl From<serde_json::Error> for StorageError {
    fn from(e: serde_json::Error) -> Self {
        StorageError::Corrupted(format!("stored JSON does not decode: {e}"))
    }
}

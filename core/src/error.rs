//! The one error type of the SDK.
//!
//! Variants are the things a caller can act on; every message names what was wrong.
//! Bindings map these to their idiom (C status codes, Python / Kotlin exception classes,
//! JS `Error` with a `code`) by matching on the variant; [`StorageError::code`] is the stable
//! name they expose.

use std::sync::Arc;

/// Result alias used by every store.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Everything that can go wrong in a storage call.
///
/// `#[non_exhaustive]`: a later version may add a variant, so a `match` outside this crate
/// needs a fallback arm.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
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
    #[error("I/O error: {message}")]
    Io {
        /// What was attempted, on which path, and why it failed.
        message: String,
        /// The operating system's error, when there is one (`std::error::Error::source`).
        #[source]
        source: Option<Cause>,
    },
    /// The storage engine failed (out of space, internal redb error, ...).
    #[error("storage engine error: {message}")]
    Backend {
        /// What failed.
        message: String,
        /// The engine's own error, when there is one (`std::error::Error::source`).
        #[source]
        source: Option<Cause>,
    },
    /// The handle was closed with `close()`.
    #[error("storage is closed")]
    Closed,
    /// The database was opened read-only (`StorageManager::open_read_only`): nothing can be
    /// written through this handle.
    #[error("database is read-only: {0}")]
    ReadOnly(String),
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
            StorageError::Io { .. } => "IO",
            StorageError::Backend { .. } => "BACKEND",
            StorageError::Closed => "CLOSED",
            StorageError::ReadOnly(_) => "READ_ONLY",
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StorageError::InvalidInput { field, reason: reason.into() }
    }

    /// An `Io` error with the operating system's error kept as its source.
    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Self {
        StorageError::Io { message: message.into(), source: Some(Cause::new(source)) }
    }

    /// A `Backend` error with the engine's error kept as its source.
    #[cfg(not(target_arch = "wasm32"))] // only redb's errors have a source
    pub(crate) fn backend(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        StorageError::Backend { message: message.into(), source: Some(Cause::new(source)) }
    }

    /// A `Backend` error that has no underlying error (an invariant the engine found broken).
    pub(crate) fn backend_msg(message: impl Into<String>) -> Self {
        StorageError::Backend { message: message.into(), source: None }
    }

    /// One error of every variant, for the bindings' tests that check they map each one.
    #[doc(hidden)]
    pub fn one_of_each() -> Vec<StorageError> {
        vec![
            StorageError::not_found("device", "d"),
            StorageError::invalid("metric", "must not be empty"),
            StorageError::Conflict("duplicate id".into()),
            StorageError::Corrupted("bad chunk".into()),
            StorageError::VersionMismatch { found: 9, supported: 1 },
            StorageError::Locked("held".into()),
            StorageError::io("cannot open x", std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
            StorageError::backend_msg("engine failed"),
            StorageError::Closed,
            StorageError::ReadOnly("opened read-only".into()),
        ]
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        StorageError::NotFound { what, id: id.into() }
    }
}

impl From<std::io::Error> for StorageError {
    fn from(e: std::io::Error) -> Self {
        StorageError::io(e.to_string(), e)
    }
}

/// The underlying error of an `Io` or `Backend` failure, shared so that `StorageError` stays
/// `Clone`. Two causes are equal when their messages are.
#[derive(Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Arc::new(e))
    }

    /// The underlying error, e.g. to downcast to `std::io::Error`.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.0.as_ref()
    }
}

impl std::fmt::Debug for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl From<serde_json::Error> for StorageError {
    fn from(e: serde_json::Error) -> Self {
        StorageError::Corrupted(format!("stored JSON does not decode: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn one_of_each_covers_every_variant() {
        let mut seen = [false; 10];
        for e in StorageError::one_of_each() {
            // No wildcard: a new variant fails to compile here until it is counted.
            let i = match e {
                StorageError::NotFound { .. } => 0,
                StorageError::InvalidInput { .. } => 1,
                StorageError::Conflict(_) => 2,
                StorageError::Corrupted(_) => 3,
                StorageError::VersionMismatch { .. } => 4,
                StorageError::Locked(_) => 5,
                StorageError::Io { .. } => 6,
                StorageError::Backend { .. } => 7,
                StorageError::Closed => 8,
                StorageError::ReadOnly(_) => 9,
            };
            seen[i] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
    }

    #[test]
    fn io_errors_keep_their_source() {
        let e = StorageError::from(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"));
        let source = e.source().expect("an I/O error keeps the OS error");
        assert_eq!(source.to_string(), "denied");
        let StorageError::Io { source: Some(cause), .. } = &e else { panic!("{e:?}") };
        assert_eq!(cause.get().downcast_ref::<std::io::Error>().unwrap().kind(), std::io::ErrorKind::PermissionDenied);
        assert_eq!(e.to_string(), "I/O error: denied");
    }
}

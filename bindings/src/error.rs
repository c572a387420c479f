//! The public error of the bindings: one variant per variant of the core's `StorageError`.
//!
//! Foreign code catches these by kind (`StorageError.NotFound` in Python,
//! `StorageException.NotFound` in Kotlin); each carries the core's message, which names what
//! was wrong. No other error type crosses the boundary.

use neotalk_storage::StorageError as CoreError;

/// Everything that can go wrong in a storage call; the message names what was wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum StorageError {
    /// The record asked for does not exist (code `NOT_FOUND`).
    #[error("{0}")]
    NotFound(String),
    /// An argument was rejected before anything was written (code `INVALID_INPUT`).
    #[error("{0}")]
    InvalidInput(String),
    /// The operation contradicts stored state, e.g. a duplicate id (code `CONFLICT`).
    #[error("{0}")]
    Conflict(String),
    /// Stored bytes could not be decoded (code `CORRUPTED`).
    #[error("{0}")]
    Corrupted(String),
    /// The file has a format version this build does not read (code `VERSION_MISMATCH`).
    #[error("{0}")]
    VersionMismatch(String),
    /// Another handle holds the database (code `LOCKED`).
    #[error("{0}")]
    Locked(String),
    /// The operating system refused an I/O operation (code `IO`).
    #[error("{0}")]
    Io(String),
    /// The storage engine failed (code `BACKEND`).
    #[error("{0}")]
    Backend(String),
    /// The storage was closed with `close()` (code `CLOSED`).
    #[error("{0}")]
    Closed(String),
    /// The database was opened read-only (code `READ_ONLY`).
    #[error("{0}")]
    ReadOnly(String),
}

impl StorageError {
    /// An `InvalidInput` naming `field`, in the core's wording.
    pub(crate) fn invalid(field: &str, reason: impl std::fmt::Display) -> Self {
        StorageError::InvalidInput(format!("invalid {field}: {reason}"))
    }
}

/// Replication errors take the core's kinds (`neotalk_storage_replicate`'s conversion).
impl From<neotalk_storage_replicate::ReplicationError> for StorageError {
    fn from(e: neotalk_storage_replicate::ReplicationError) -> Self {
        CoreError::from(e).into()
    }
}

impl From<CoreError> for StorageError {
    fn from(e: CoreError) -> Self {
        let message = e.to_string();
        match e {
            CoreError::NotFound { .. } => StorageError::NotFound(message),
            CoreError::InvalidInput { .. } => StorageError::InvalidInput(message),
            CoreError::Conflict(_) => StorageError::Conflict(message),
            CoreError::Corrupted(_) => StorageError::Corrupted(message),
            CoreError::VersionMismatch { .. } => StorageError::VersionMismatch(message),
            CoreError::Locked(_) => StorageError::Locked(message),
            CoreError::Io { .. } => StorageError::Io(message),
            CoreError::Backend { .. } => StorageError::Backend(message),
            CoreError::Closed => StorageError::Closed(message),
            CoreError::ReadOnly(_) => StorageError::ReadOnly(message),
            // CoreError is non_exhaustive. A variant added to core but not yet here is still a
            // failure; the test below fails until it is mapped to a class of its own.
            _ => StorageError::Backend(message),
        }
    }
}

/// Result of every exported call.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_variant_maps_to_its_code() {
        let cases: Vec<_> = CoreError::one_of_each()
            .into_iter()
            .map(|e| {
                // The Python / Kotlin class is named like the core variant.
                let variant = format!("{e:?}").split([' ', '(', '{']).next().unwrap().to_string();
                (e, variant)
            })
            .collect();
        for (core, variant) in cases {
            let code = core.code();
            let message = core.to_string();
            let mapped = StorageError::from(core);
            let name = format!("{mapped:?}");
            assert!(name.starts_with(&variant), "{code} mapped to {name}");
            assert_eq!(mapped.to_string(), message);
        }
    }
}

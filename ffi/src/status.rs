//! `nts_status`: the result code of every call.

use neotalk_storage::StorageError;
use std::ffi::{c_char, CStr};

/// Result of every `nts_*` call. `NTS_OK` is 0; the others name what went wrong, and
/// nts_last_error_message() gives the details.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum nts_status {
    /// Success.
    NTS_OK = 0,
    /// The record asked for does not exist.
    NTS_NOT_FOUND = 1,
    /// An argument or a field of a JSON record was rejected; nothing was written.
    NTS_INVALID_INPUT = 2,
    /// The operation contradicts stored state (duplicate id, ...).
    NTS_CONFLICT = 3,
    /// Stored bytes could not be decoded.
    NTS_CORRUPTED = 4,
    /// The database file has a format version this build does not read.
    NTS_VERSION_MISMATCH = 5,
    /// Another handle or process holds the database.
    NTS_LOCKED = 6,
    /// The operating system refused an I/O operation.
    NTS_IO = 7,
    /// The storage engine failed.
    NTS_BACKEND = 8,
    /// The handle was closed with nts_storage_close().
    NTS_CLOSED = 9,
    /// A required pointer argument was NULL.
    NTS_NULL_POINTER = 10,
    /// A string argument is not valid UTF-8.
    NTS_INVALID_UTF8 = 11,
    /// A caller-provided buffer is too small; the required size was written to the count output.
    NTS_BUFFER_TOO_SMALL = 12,
    /// The library hit an internal bug (a Rust panic); the call had no effect that can be relied on.
    NTS_PANIC = 13,
    /// The database was opened read-only; nothing can be written through this handle.
    NTS_READ_ONLY = 14,
}

impl From<&StorageError> for nts_status {
    fn from(e: &StorageError) -> Self {
        match e {
            StorageError::NotFound { .. } => nts_status::NTS_NOT_FOUND,
            StorageError::InvalidInput { .. } => nts_status::NTS_INVALID_INPUT,
            StorageError::Conflict(_) => nts_status::NTS_CONFLICT,
            StorageError::Corrupted(_) => nts_status::NTS_CORRUPTED,
            StorageError::VersionMismatch { .. } => nts_status::NTS_VERSION_MISMATCH,
            StorageError::Locked(_) => nts_status::NTS_LOCKED,
            StorageError::Io { .. } => nts_status::NTS_IO,
            StorageError::Backend { .. } => nts_status::NTS_BACKEND,
            StorageError::Closed => nts_status::NTS_CLOSED,
            StorageError::ReadOnly(_) => nts_status::NTS_READ_ONLY,
            // StorageError is non_exhaustive. A variant added to core but not yet here is
            // still a failure, never OK; the test below fails until it is mapped.
            _ => nts_status::NTS_BACKEND,
        }
    }
}

impl nts_status {
    /// The constant's name without the `NTS_` prefix.
    fn name(self) -> &'static CStr {
        match self {
            nts_status::NTS_OK => c"OK",
            nts_status::NTS_NOT_FOUND => c"NOT_FOUND",
            nts_status::NTS_INVALID_INPUT => c"INVALID_INPUT",
            nts_status::NTS_CONFLICT => c"CONFLICT",
            nts_status::NTS_CORRUPTED => c"CORRUPTED",
            nts_status::NTS_VERSION_MISMATCH => c"VERSION_MISMATCH",
            nts_status::NTS_LOCKED => c"LOCKED",
            nts_status::NTS_IO => c"IO",
            nts_status::NTS_BACKEND => c"BACKEND",
            nts_status::NTS_CLOSED => c"CLOSED",
            nts_status::NTS_NULL_POINTER => c"NULL_POINTER",
            nts_status::NTS_INVALID_UTF8 => c"INVALID_UTF8",
            nts_status::NTS_BUFFER_TOO_SMALL => c"BUFFER_TOO_SMALL",
            nts_status::NTS_PANIC => c"PANIC",
            nts_status::NTS_READ_ONLY => c"READ_ONLY",
        }
    }
}

/// The name of a status code ("OK", "NOT_FOUND", ... as in StorageError::code()), or
/// "UNKNOWN" for a value that is not an nts_status. The string is static: do not free it.
#[no_mangle]
pub extern "C" fn nts_status_name(status: i32) -> *const c_char {
    const ALL: [nts_status; 15] = [
        nts_status::NTS_OK,
        nts_status::NTS_NOT_FOUND,
        nts_status::NTS_INVALID_INPUT,
        nts_status::NTS_CONFLICT,
        nts_status::NTS_CORRUPTED,
        nts_status::NTS_VERSION_MISMATCH,
        nts_status::NTS_LOCKED,
        nts_status::NTS_IO,
        nts_status::NTS_BACKEND,
        nts_status::NTS_CLOSED,
        nts_status::NTS_NULL_POINTER,
        nts_status::NTS_INVALID_UTF8,
        nts_status::NTS_BUFFER_TOO_SMALL,
        nts_status::NTS_PANIC,
        nts_status::NTS_READ_ONLY,
    ];
    match ALL.iter().find(|s| **s as i32 == status) {
        Some(s) => s.name().as_ptr(),
        None => c"UNKNOWN".as_ptr(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_storage_error_maps_to_its_own_status() {
        let mut statuses = Vec::new();
        for err in StorageError::one_of_each() {
            let status = nts_status::from(&err);
            statuses.push(status as i32);
            // The C name equals the core's machine-readable code.
            let name = unsafe { std::ffi::CStr::from_ptr(nts_status_name(status as i32)) };
            assert_eq!(name.to_str().unwrap(), err.code());
        }
        statuses.sort();
        statuses.dedup();
        assert_eq!(statuses.len(), StorageError::one_of_each().len(), "each variant has a status of its own");
    }

    #[test]
    fn unknown_values_have_a_name_too() {
        let name = unsafe { std::ffi::CStr::from_ptr(nts_status_name(999)) };
        assert_eq!(name.to_str().unwrap(), "UNKNOWN");
    }
}

//! The frame of every entry point: panic containment, status codes, the thread's last error.

use crate::status::nts_status;
use neotalk_storage::StorageError;
use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A failed call: the status returned to C and the message kept for nts_last_error_message().
#[derive(Debug)]
pub struct FfiError {
    /// Status returned to the caller.
    pub status: nts_status,
    /// Text for nts_last_error_message().
    pub message: String,
}

impl FfiError {
    /// An error with an explicit status.
    pub fn new(status: nts_status, message: impl Into<String>) -> Self {
        FfiError { status, message: message.into() }
    }

    /// A required pointer argument was NULL.
    pub fn null(arg: &str) -> Self {
        FfiError::new(nts_status::NTS_NULL_POINTER, format!("argument {arg} is NULL"))
    }

    /// An argument was rejected by the binding (sizes, values with no C representation).
    pub fn invalid(arg: &str, why: impl std::fmt::Display) -> Self {
        FfiError::new(nts_status::NTS_INVALID_INPUT, format!("invalid {arg}: {why}"))
    }

    /// A lookup found nothing (core returned `None`).
    pub fn not_found(what: &str, id: &str) -> Self {
        FfiError::new(nts_status::NTS_NOT_FOUND, format!("{what} not found: {id}"))
    }
}

impl FfiError {
    /// The same error, its message naming the series it is about.
    pub fn in_series(self, device_id: &str, metric: &str) -> Self {
        FfiError { status: self.status, message: format!("series {device_id}/{metric}: {}", self.message) }
    }
}

impl From<StorageError> for FfiError {
    fn from(e: StorageError) -> Self {
        FfiError { status: nts_status::from(&e), message: e.to_string() }
    }
}

/// Replication errors take the core's kinds (`neotalk_storage_replicate`'s conversion).
impl From<neotalk_storage_replicate::ReplicationError> for FfiError {
    fn from(e: neotalk_storage_replicate::ReplicationError) -> Self {
        StorageError::from(e).into()
    }
}

/// Result of an entry point body.
pub type FfiResult<T = ()> = Result<T, FfiError>;

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

fn set_last_error(message: String) {
    // Messages never hold NUL in practice; strip any so the text survives as a C string.
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(text));
}

fn clear_last_error() {
    LAST_ERROR.with(|e| {
        if let Ok(mut slot) = e.try_borrow_mut() {
            if slot.is_some() {
                *slot = None;
            }
        }
    });
}

/// Runs an entry point body: converts its error into a status and message, and stops any panic
/// at the boundary (reported as `NTS_PANIC`), so nothing unwinds into C.
pub fn run(body: impl FnOnce() -> FfiResult) -> nts_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            clear_last_error();
            nts_status::NTS_OK
        }
        Ok(Err(e)) => {
            set_last_error(e.message);
            e.status
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".into());
            // Dropping a panic payload can itself panic; never let that escape either.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            set_last_error(format!("internal error (panic) in neotalk-storage: {what}"));
            nts_status::NTS_PANIC
        }
    }
}

/// Runs a body that returns nothing and cannot fail (the `*_free` functions), containing panics.
pub fn run_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

/// The message of the last failed nts_* call on this thread, or "" when the last call
/// succeeded. The text belongs to the library and stays valid until the next nts_* call
/// on this thread: copy it to keep it. Never NULL.
#[no_mangle]
pub extern "C" fn nts_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| match e.try_borrow() {
        Ok(slot) => slot.as_ref().map_or(c"".as_ptr(), |s| s.as_ptr()),
        Err(_) => c"".as_ptr(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn last() -> String {
        unsafe { CStr::from_ptr(nts_last_error_message()) }.to_str().unwrap().to_string()
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = run(|| panic!("boom {}", 42));
        assert_eq!(status, nts_status::NTS_PANIC);
        assert!(last().contains("boom 42"), "{}", last());
        let status = run(|| std::panic::panic_any(7u8));
        assert_eq!(status, nts_status::NTS_PANIC);
        assert!(last().contains("unknown panic payload"));
        run_void(|| panic!("in free"));
    }

    #[test]
    fn success_clears_the_message_and_errors_keep_theirs() {
        assert_eq!(run(|| Err(FfiError::null("db"))), nts_status::NTS_NULL_POINTER);
        assert_eq!(last(), "argument db is NULL");
        assert_eq!(run(|| Err(StorageError::Closed.into())), nts_status::NTS_CLOSED);
        assert_eq!(last(), "storage is closed");
        assert_eq!(run(|| Ok(())), nts_status::NTS_OK);
        assert_eq!(last(), "");
    }

    #[test]
    fn messages_are_per_thread() {
        run(|| Err(FfiError::invalid("x", "here")));
        std::thread::spawn(|| {
            assert_eq!(last(), "");
            run(|| Err(FfiError::invalid("y", "there")));
            assert_eq!(last(), "invalid y: there");
        })
        .join()
        .unwrap();
        assert_eq!(last(), "invalid x: here");
    }

    #[test]
    fn nul_bytes_in_a_message_do_not_lose_it() {
        run(|| Err(FfiError::invalid("id", "a\0b")));
        assert_eq!(last(), "invalid id: a\\0b");
    }
}

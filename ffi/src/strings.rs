//! Strings returned by the library and their one free function.

use crate::call::run_void;
use std::ffi::{c_char, CString};

/// Frees a string returned by any nts_* function (JSON results). NULL is ignored.
/// Freeing a string twice, or one that the library did not return, is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn nts_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    run_void(|| drop(CString::from_raw(s)));
}

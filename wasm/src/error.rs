//! `StorageError` -> JS `Error` with a `code` property (and `field` for invalid input).

use js_sys::{Error, Reflect};
use neotalk_storage::StorageError;
use wasm_bindgen::JsValue;

/// Result of every exported method: the error side is the JS `Error` to throw.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// The JS `Error` thrown for `e`: `name` is `"StorageError"`, `code` is
/// [`StorageError::code`], `field` names the rejected argument of `INVALID_INPUT`.
pub(crate) fn js_error(e: StorageError) -> JsValue {
    let err = Error::new(&e.to_string());
    err.set_name("StorageError");
    // Reflect::set on a fresh Error object cannot fail (it is extensible).
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    if let StorageError::InvalidInput { field, .. } = &e {
        let _ = Reflect::set(&err, &"field".into(), &(*field).into());
    }
    err.into()
}

/// An `INVALID_INPUT` error for argument `field`.
pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> JsValue {
    js_error(StorageError::InvalidInput { field, reason: reason.into() })
}

/// Converts a core result into one whose error is a thrown JS `Error`.
pub(crate) trait IntoJs<T> {
    /// Maps the error with [`js_error`].
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for neotalk_storage::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(js_error)
    }
}

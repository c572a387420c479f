//! One generic frame per call shape, so an entry point is only its argument conversion.
//!
//! Each helper checks the output pointer first, then the handle, then runs `body` (which
//! reads the remaining arguments and calls core) inside [`run`], so every entry point
//! reports bad pointers, closed handles and core errors the same way and contains panics.
//!
//! | shape | helper |
//! |---|---|
//! | no output (writes, deletes) | [`unit`] |
//! | one JSON record in, no output | [`record_in`] |
//! | JSON out (`char **out_json`, required) | [`json_out`] |
//! | JSON out that the caller may skip (NULL) | [`opt_json_out`] |
//! | a record by id, `NTS_NOT_FOUND` when absent | [`get_json`] |
//! | one scalar out (`uint64_t *`, `bool *`, a struct) | [`scalar_out`] |
//! | one scalar out that the caller may skip (NULL) | [`opt_scalar_out`] |

use crate::args::{json_arg, out_handle, out_ptr, set_json, str_arg};
use crate::call::{run, FfiError, FfiResult};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::StorageManager;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::ffi::c_char;

/// A call with no output: `body` does the work.
///
/// # Safety
/// `db` as for [`handle`].
pub unsafe fn unit(db: *const nts_storage, body: impl FnOnce(&StorageManager) -> FfiResult) -> nts_status {
    run(|| body(handle(db)?))
}

/// A call taking one JSON record (decoded by core, see [`json_arg`]) and returning nothing.
///
/// # Safety
/// `db` as for [`handle`], `json` as for [`json_arg`].
pub unsafe fn record_in<T: DeserializeOwned>(
    db: *const nts_storage,
    json: *const c_char,
    name: &'static str,
    body: impl FnOnce(&StorageManager, T) -> FfiResult,
) -> nts_status {
    run(|| {
        let db = handle(db)?;
        body(db, json_arg(json, name)?)
    })
}

/// A call whose result is JSON in a required `*out_json` (free with nts_string_free()).
///
/// # Safety
/// `db` as for [`handle`], `out_json` as for [`out_handle`].
pub unsafe fn json_out<T: Serialize>(
    db: *const nts_storage,
    out_json: *mut *mut c_char,
    body: impl FnOnce(&StorageManager) -> FfiResult<T>,
) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let value = body(handle(db)?)?;
        set_json(out, &value)
    })
}

/// As [`json_out`], but `out_json` may be NULL when the caller does not want the result.
///
/// # Safety
/// As [`json_out`].
pub unsafe fn opt_json_out<T: Serialize>(
    db: *const nts_storage,
    out_json: *mut *mut c_char,
    body: impl FnOnce(&StorageManager) -> FfiResult<T>,
) -> nts_status {
    run(|| {
        let out = if out_json.is_null() { None } else { Some(out_handle(out_json, "out_json")?) };
        let value = body(handle(db)?)?;
        out.map_or(Ok(()), |o| set_json(o, &value))
    })
}

/// A lookup by the string id `id` (argument `id_name`): the record as JSON in `*out_json`,
/// or NTS_NOT_FOUND naming `what` and the id when `body` finds nothing.
///
/// # Safety
/// As [`json_out`]; `id` as for [`str_arg`].
pub unsafe fn get_json<T: Serialize>(
    db: *const nts_storage,
    id: *const c_char,
    id_name: &str,
    what: &str,
    out_json: *mut *mut c_char,
    body: impl FnOnce(&StorageManager, &str) -> FfiResult<Option<T>>,
) -> nts_status {
    json_out(db, out_json, |db| {
        let id = str_arg(id, id_name)?;
        body(db, id)?.ok_or_else(|| FfiError::not_found(what, id))
    })
}

/// A call whose result is one plain value written to the required `*out` (argument `name`).
///
/// # Safety
/// `db` as for [`handle`], `out` as for [`out_ptr`].
pub unsafe fn scalar_out<T>(
    db: *const nts_storage,
    out: *mut T,
    name: &str,
    body: impl FnOnce(&StorageManager) -> FfiResult<T>,
) -> nts_status {
    run(|| {
        let out = out_ptr(out, name)?;
        out.write(body(handle(db)?)?);
        Ok(())
    })
}

/// As [`scalar_out`], but `out` may be NULL when the caller does not want the value.
///
/// # Safety
/// As [`scalar_out`].
pub unsafe fn opt_scalar_out<T>(
    db: *const nts_storage,
    out: *mut T,
    name: &str,
    body: impl FnOnce(&StorageManager) -> FfiResult<T>,
) -> nts_status {
    run(|| {
        let out = if out.is_null() { None } else { Some(out_ptr(out, name)?) };
        let value = body(handle(db)?)?;
        if let Some(out) = out {
            out.write(value);
        }
        Ok(())
    })
}

//! Checked conversion of C arguments: pointers, strings, arrays, JSON, outputs.
//!
//! Every helper names the argument it rejects, so the message says which one was wrong.

use crate::call::{FfiError, FfiResult};
use crate::status::nts_status;
use neotalk_storage::{Page, TimeRange};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::ffi::{c_char, CStr, CString};
use std::mem::MaybeUninit;

/// Borrows a NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
pub unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    CStr::from_ptr(ptr).to_str().map_err(|e| {
        FfiError::new(nts_status::NTS_INVALID_UTF8, format!("argument {name} is not valid UTF-8 (at byte {})", e.valid_up_to()))
    })
}

/// Parses a JSON string argument into `T` through the core's one user-input path
/// ([`neotalk_storage::from_json`]): the core's defaults for omitted fields, unknown fields
/// refused; malformed JSON or a wrong shape is `NTS_INVALID_INPUT` naming the argument and
/// the field.
///
/// # Safety
/// As [`str_arg`].
pub unsafe fn json_arg<T: DeserializeOwned>(ptr: *const c_char, name: &'static str) -> FfiResult<T> {
    let text = str_arg(ptr, name)?;
    Ok(neotalk_storage::from_json(name, text)?)
}

/// Borrows a caller array of `len` elements; NULL is accepted only when `len` is 0.
///
/// # Safety
/// `ptr` is NULL or points to `len` initialised elements that outlive the call.
pub unsafe fn slice_arg<'a, T>(ptr: *const T, len: usize, name: &str) -> FfiResult<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    check_len::<T>(len, name)?;
    if !ptr.is_aligned() {
        return Err(FfiError::invalid(name, "pointer is not aligned for its element type"));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// Borrows a caller output array of `len` elements (possibly uninitialised memory); NULL is
/// accepted only when `len` is 0.
///
/// # Safety
/// `ptr` is NULL or points to `len` writable elements that outlive the call.
pub unsafe fn slice_out<'a, T>(ptr: *mut T, len: usize, name: &str) -> FfiResult<&'a mut [MaybeUninit<T>]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    check_len::<T>(len, name)?;
    if !ptr.is_aligned() {
        return Err(FfiError::invalid(name, "pointer is not aligned for its element type"));
    }
    Ok(std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<T>>(), len))
}

/// A length no real array can have (more bytes than the address space allows) is refused.
fn check_len<T>(len: usize, name: &str) -> FfiResult<()> {
    let max = isize::MAX as usize / std::mem::size_of::<T>().max(1);
    if len > max {
        return Err(FfiError::invalid(name, format!("length {len} exceeds the largest possible array ({max})")));
    }
    Ok(())
}

/// Checks an output pointer; the caller's memory may be uninitialised, so it is written with
/// `MaybeUninit::write`, never read.
///
/// # Safety
/// `ptr` is NULL or valid for writes of `T`.
pub unsafe fn out_ptr<'a, T>(ptr: *mut T, name: &str) -> FfiResult<&'a mut MaybeUninit<T>> {
    if !ptr.is_null() && !ptr.is_aligned() {
        return Err(FfiError::invalid(name, "pointer is not aligned for its type"));
    }
    ptr.cast::<MaybeUninit<T>>().as_mut().ok_or_else(|| FfiError::null(name))
}

/// Checks a pointer output and sets it to NULL, so it is NULL whenever the call fails.
///
/// # Safety
/// `ptr` is NULL or valid for writes of a pointer.
pub unsafe fn out_handle<'a, T>(ptr: *mut *mut T, name: &str) -> FfiResult<&'a mut MaybeUninit<*mut T>> {
    let out = out_ptr(ptr, name)?;
    out.write(std::ptr::null_mut());
    Ok(out)
}

/// A new library-owned C string (free with nts_string_free()).
pub fn owned_string(text: String) -> FfiResult<*mut c_char> {
    let c = CString::new(text).map_err(|_| FfiError::new(nts_status::NTS_BACKEND, "result text holds a NUL byte"))?;
    Ok(c.into_raw())
}

/// Serializes `value` as JSON into a new string stored in `out` (free with nts_string_free()).
pub fn set_json<T: Serialize + ?Sized>(out: &mut MaybeUninit<*mut c_char>, value: &T) -> FfiResult {
    let text =
        serde_json::to_string(value).map_err(|e| FfiError::new(nts_status::NTS_BACKEND, format!("result does not serialize: {e}")))?;
    out.write(owned_string(text)?);
    Ok(())
}

/// `end` of a time range that means "no upper bound": the range is then start <= timestamp
/// (a record or point at INT64_MAX included). Every other end is exclusive, as in
/// [start, end). Every function that takes a time range follows this.
pub const NTS_OPEN_END: i64 = i64::MAX;

/// The C range convention: half-open `[start, end)`, or `start..` when `end` is
/// [`NTS_OPEN_END`].
pub fn range_arg(start: i64, end: i64) -> FfiResult<TimeRange> {
    Ok(TimeRange::half_open(start, (end != NTS_OPEN_END).then_some(end))?)
}

/// A `limit` argument meaning "no limit": every matching record. A limit of 0 returns nothing.
pub const NTS_NO_LIMIT: usize = usize::MAX;

/// A `limit` argument as the core's page: [`NTS_NO_LIMIT`] is `None`, any other value (0
/// included) is the limit.
pub fn limit_arg(limit: usize) -> Page {
    page_arg(0, limit)
}

/// An `offset` and a `limit` argument as the core's page.
pub fn page_arg(offset: usize, limit: usize) -> Page {
    Page { offset, limit: (limit != NTS_NO_LIMIT).then_some(limit) }
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As [`str_arg`].
pub unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    str_arg(ptr, name).map(Some)
}

/// An optional JSON argument: NULL is `None`.
///
/// # Safety
/// As [`str_arg`].
pub unsafe fn opt_json_arg<T: DeserializeOwned>(ptr: *const c_char, name: &'static str) -> FfiResult<Option<T>> {
    if ptr.is_null() {
        return Ok(None);
    }
    json_arg(ptr, name).map(Some)
}

/// A unit enum variant named by a string (`"Approved"`), parsed by the core type's `FromStr`
/// (case and underscores ignored; a wrong name lists the valid ones).
///
/// # Safety
/// As [`str_arg`].
pub unsafe fn enum_arg<T: std::str::FromStr<Err = neotalk_storage::StorageError>>(ptr: *const c_char, name: &str) -> FfiResult<T> {
    Ok(str_arg(ptr, name)?.parse::<T>()?)
}

/// A caller vector of `dimension` floats (embeddings, queries); NULL only when `dimension` is 0.
///
/// # Safety
/// As [`slice_arg`].
pub unsafe fn floats_arg(ptr: *const f32, dimension: usize, name: &str) -> FfiResult<Vec<f32>> {
    Ok(slice_arg(ptr, dimension, name)?.to_vec())
}

/// Writes a plain value into a checked output pointer.
///
/// # Safety
/// As [`out_ptr`].
pub unsafe fn set_out<T>(ptr: *mut T, name: &str, value: T) -> FfiResult {
    out_ptr(ptr, name)?.write(value);
    Ok(())
}

//! `nts_points`: a range-query result set read point by point into `nts_point` structs.

use crate::args::out_ptr;
use crate::call::{run, run_void, FfiError, FfiResult};
use crate::status::nts_status;
use neotalk_storage::{DataPoint, MetricValue};
use std::ffi::{c_char, CString};

/// Which field of an nts_point holds the value.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum nts_value_kind {
    /// `float_value` (a finite double).
    NTS_VALUE_FLOAT = 0,
    /// `int_value`.
    NTS_VALUE_INTEGER = 1,
    /// `bool_value`.
    NTS_VALUE_BOOLEAN = 2,
    /// `string_value` / `string_len`.
    NTS_VALUE_STRING = 3,
    /// `binary_value` / `binary_len`.
    NTS_VALUE_BINARY = 4,
}

/// One telemetry point read from an nts_points result set. Pointers in it belong to the
/// result set and stay valid until nts_points_free().
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nts_point {
    /// Unix milliseconds.
    pub timestamp: i64,
    /// Which value field is set.
    pub kind: nts_value_kind,
    /// The value when kind is NTS_VALUE_FLOAT; for NTS_VALUE_INTEGER and NTS_VALUE_BOOLEAN
    /// also the value as a double (integer converted, true = 1.0); 0.0 for strings and bytes.
    pub float_value: f64,
    /// The value when kind is NTS_VALUE_INTEGER.
    pub int_value: i64,
    /// The value when kind is NTS_VALUE_BOOLEAN.
    pub bool_value: bool,
    /// The value when kind is NTS_VALUE_STRING (UTF-8, NUL-terminated), else NULL.
    pub string_value: *const c_char,
    /// Length of string_value in bytes, without the terminating NUL (it may contain NULs).
    pub string_len: usize,
    /// The bytes when kind is NTS_VALUE_BINARY (NULL when there are none), else NULL.
    pub binary_value: *const u8,
    /// Length of binary_value in bytes (0 unless kind is NTS_VALUE_BINARY).
    pub binary_len: usize,
    /// Whether quality is set.
    pub has_quality: bool,
    /// Quality indicator when has_quality.
    pub quality: f32,
    /// The point's metadata as JSON, or NULL when it has none.
    pub metadata_json: *const c_char,
}

/// A point with its NUL-terminated strings prepared once, so nts_point can borrow them.
struct Row {
    point: DataPoint,
    string: Option<Vec<u8>>,
    metadata: Option<CString>,
}

/// The result of a range query (opaque): read with nts_points_next(), free with nts_points_free().
pub struct nts_points {
    rows: Vec<Row>,
    next: usize,
}

impl nts_points {
    /// A result set over `points`, positioned before the first.
    pub fn new(points: Vec<DataPoint>) -> FfiResult<Box<Self>> {
        let rows = points
            .into_iter()
            .map(|point| {
                let string = match &point.value {
                    MetricValue::String(s) => {
                        let mut bytes = Vec::with_capacity(s.len() + 1);
                        bytes.extend_from_slice(s.as_bytes());
                        bytes.push(0);
                        Some(bytes)
                    }
                    _ => None,
                };
                let metadata = match &point.metadata {
                    Some(m) => Some(
                        CString::new(m.to_string())
                            .map_err(|_| FfiError::new(nts_status::NTS_BACKEND, "metadata JSON holds a NUL byte"))?,
                    ),
                    None => None,
                };
                Ok(Row { point, string, metadata })
            })
            .collect::<FfiResult<Vec<_>>>()?;
        Ok(Box::new(nts_points { rows, next: 0 }))
    }

    /// Wraps into a raw handle for C.
    pub fn into_raw(self: Box<Self>) -> *mut nts_points {
        Box::into_raw(self)
    }
}

fn view(row: &Row) -> nts_point {
    let p = &row.point;
    let (kind, float_value, int_value, bool_value) = match &p.value {
        MetricValue::Float(f) => (nts_value_kind::NTS_VALUE_FLOAT, *f, 0, false),
        MetricValue::Integer(i) => (nts_value_kind::NTS_VALUE_INTEGER, *i as f64, *i, false),
        MetricValue::Boolean(b) => (nts_value_kind::NTS_VALUE_BOOLEAN, if *b { 1.0 } else { 0.0 }, 0, *b),
        MetricValue::String(_) => (nts_value_kind::NTS_VALUE_STRING, 0.0, 0, false),
        MetricValue::Binary(_) => (nts_value_kind::NTS_VALUE_BINARY, 0.0, 0, false),
    };
    let binary = match &p.value {
        MetricValue::Binary(b) if !b.is_empty() => Some(b.as_slice()),
        _ => None,
    };
    nts_point {
        timestamp: p.timestamp,
        kind,
        float_value,
        int_value,
        bool_value,
        string_value: row.string.as_ref().map_or(std::ptr::null(), |s| s.as_ptr().cast()),
        string_len: row.string.as_ref().map_or(0, |s| s.len() - 1),
        binary_value: binary.map_or(std::ptr::null(), |b| b.as_ptr()),
        binary_len: binary.map_or(0, |b| b.len()),
        has_quality: p.quality.is_some(),
        quality: p.quality.unwrap_or(0.0),
        metadata_json: row.metadata.as_ref().map_or(std::ptr::null(), |m| m.as_ptr()),
    }
}

/// Number of points in the result set (all of them, however many were already read).
#[no_mangle]
pub unsafe extern "C" fn nts_points_len(points: *const nts_points, out_len: *mut usize) -> nts_status {
    run(|| {
        let out = out_ptr(out_len, "out_len")?;
        let set = points.as_ref().ok_or_else(|| FfiError::null("points"))?;
        out.write(set.rows.len());
        Ok(())
    })
}

/// Reads the next point into `*out` and sets `*has_point` to true; at the end sets
/// `*has_point` to false and leaves `*out` unchanged.
#[no_mangle]
pub unsafe extern "C" fn nts_points_next(points: *mut nts_points, out: *mut nts_point, has_point: *mut bool) -> nts_status {
    run(|| {
        let has = out_ptr(has_point, "has_point")?;
        let out = out_ptr(out, "out")?;
        let set = points.as_mut().ok_or_else(|| FfiError::null("points"))?;
        match set.rows.get(set.next) {
            Some(row) => {
                out.write(view(row));
                set.next += 1;
                has.write(true);
            }
            None => {
                has.write(false);
            }
        }
        Ok(())
    })
}

/// Frees a result set and every string its points pointed to. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn nts_points_free(points: *mut nts_points) {
    if points.is_null() {
        return;
    }
    run_void(|| drop(Box::from_raw(points)));
}

/// Stores a new result set over `points` in `out`.
pub fn set_points(out: &mut std::mem::MaybeUninit<*mut nts_points>, points: Vec<DataPoint>) -> FfiResult {
    out.write(nts_points::new(points)?.into_raw());
    Ok(())
}

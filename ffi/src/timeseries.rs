//! Telemetry (`TimeSeriesStore`): typed hot paths for firmware, JSON for the rest.

use crate::args::{limit_arg, out_handle, out_ptr, range_arg, slice_arg, slice_out, str_arg};
use crate::arrays::{free_c_array, into_c_array};
use crate::call::{run, run_void, FfiError, FfiResult};
use crate::points::{nts_points, set_points};
use crate::shapes::{json_out, opt_scalar_out, record_in, scalar_out, unit};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::{AggregateBucket, Column, DataPoint, RangeOptions, TelemetryPoint};
use std::ffi::c_char;

/// Limit and order of a range query. Pass NULL for "oldest first, no limit".
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct nts_range_options {
    /// Return at most this many points; NTS_NO_LIMIT for all (0 returns none).
    pub limit: usize,
    /// Newest point first (with a limit, the newest points are kept).
    pub newest_first: bool,
}

unsafe fn range_options(opts: *const nts_range_options) -> RangeOptions {
    match opts.as_ref() {
        Some(o) => RangeOptions { limit: limit_arg(o.limit).limit, newest_first: o.newest_first },
        None => RangeOptions::default(),
    }
}

/// The series named by the `device_id` and `metric` arguments.
///
/// # Safety
/// As [`str_arg`].
pub unsafe fn series_arg<'a>(device_id: *const c_char, metric: *const c_char) -> FfiResult<(&'a str, &'a str)> {
    Ok((str_arg(device_id, "device_id")?, str_arg(metric, "metric")?))
}

/// Points the caller to the typed readers when a double-only path meets another value type.
fn typed_hint(e: neotalk_storage::StorageError) -> FfiError {
    let e = FfiError::from(e);
    FfiError::new(e.status, format!("{}; nts_ts_query_range_points() and nts_ts_query_latest_json() read any type", e.message))
}

/// Writes one float point. It goes through the write buffer (group commit, see
/// StorageOptions.write_buffer); nts_storage_flush() commits the buffer and makes it durable.
/// NaN and infinities are NTS_INVALID_INPUT.
#[no_mangle]
pub unsafe extern "C" fn nts_ts_write(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    timestamp: i64,
    value: f64,
) -> nts_status {
    unit(db, |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        Ok(db.timeseries().write(device_id, metric, DataPoint::new(timestamp, value))?)
    })
}

/// Writes one binary point (a camera snapshot, a file): `len` bytes at `data` (NULL only when
/// len is 0), copied. Like nts_ts_write() it goes through the write buffer. Values over
/// StorageOptions.max_binary_value_bytes (16 MiB by default) are NTS_INVALID_INPUT naming
/// `value`. Read the bytes with nts_ts_query_range_points() (`binary_value`, `binary_len`)
/// or as base64 with nts_ts_query_latest_json().
#[no_mangle]
pub unsafe extern "C" fn nts_ts_write_binary(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    timestamp: i64,
    data: *const u8,
    len: usize,
) -> nts_status {
    unit(db, |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        let bytes = slice_arg(data, len, "data")?;
        Ok(db.timeseries().write(device_id, metric, DataPoint::new(timestamp, bytes))?)
    })
}

/// Writes `count` float points of one series in one transaction: point i is
/// (timestamps[i], values[i]). Either all are stored or none; NaN or an infinity anywhere is
/// NTS_INVALID_INPUT naming `values`. Both arrays may be NULL only when count is 0. The
/// series is written as a float column straight from the arrays (no copy); for integers use
/// nts_ts_write_series_int64().
#[no_mangle]
pub unsafe extern "C" fn nts_ts_write_series(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    timestamps: *const i64,
    values: *const f64,
    count: usize,
) -> nts_status {
    unit(db, |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        let (ts, vs) = (slice_arg(timestamps, count, "timestamps")?, slice_arg(values, count, "values")?);
        Ok(db.timeseries().write_columns(device_id, metric, ts, Column::Float(vs))?)
    })
}

/// Writes `count` integer points of one series in one transaction, as
/// nts_ts_write_series() does for doubles: the series stores integers (read them with
/// nts_ts_query_range_int64()); nothing is converted.
#[no_mangle]
pub unsafe extern "C" fn nts_ts_write_series_int64(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    timestamps: *const i64,
    values: *const i64,
    count: usize,
) -> nts_status {
    unit(db, |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        let (ts, vs) = (slice_arg(timestamps, count, "timestamps")?, slice_arg(values, count, "values")?);
        Ok(db.timeseries().write_columns(device_id, metric, ts, Column::Integer(vs))?)
    })
}

/// Writes typed points of any series in one transaction. `points_json` is a JSON array of
/// TelemetryPoint: `[{"device_id": "d", "metric": "m", "point": {"timestamp": 1000,
/// "value": 21.5, "quality": null, "metadata": null}}, ...]`; a value may be a number,
/// integer, bool, string or bytes as `{"base64": "..."}`; `quality` and `metadata` may be
/// omitted.
#[no_mangle]
pub unsafe extern "C" fn nts_ts_write_batch_json(db: *const nts_storage, points_json: *const c_char) -> nts_status {
    record_in(db, points_json, "points_json", |db, points: Vec<TelemetryPoint>| Ok(db.timeseries().write_batch(&points)?))
}

/// Copies the points of one float series with start <= timestamp < end (or start <=
/// timestamp when `end` is NTS_OPEN_END) into the caller's arrays (`capacity` elements each)
/// and sets `*out_count` to the number of points.
///
/// When more than `capacity` points match, nothing is copied, `*out_count` is set to the
/// number needed and the call returns NTS_BUFFER_TOO_SMALL (pass capacity 0 and NULL
/// arrays to ask for the size). Values are not converted: a range holding integer, boolean or
/// string values fails with NTS_INVALID_INPUT naming the type found (read integers with
/// nts_ts_query_range_int64(), any type with nts_ts_query_range_points()). `opts` may be
/// NULL. An unknown series gives 0 points.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nts_ts_query_range(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    opts: *const nts_range_options,
    out_timestamps: *mut i64,
    out_values: *mut f64,
    capacity: usize,
    out_count: *mut usize,
) -> nts_status {
    run(|| {
        let count = out_ptr(out_count, "out_count")?;
        let db = handle(db)?;
        let (device_id, metric) = series_arg(device_id, metric)?;
        let ts_out = slice_out(out_timestamps, capacity, "out_timestamps")?;
        let vs_out = slice_out(out_values, capacity, "out_values")?;
        let cols = db.timeseries().query_range_columns_with(device_id, metric, range_arg(start, end)?, range_options(opts))?;
        let (ts, vs) = cols.into_floats().map_err(typed_hint)?;
        copy_out(&ts, &vs, ts_out, vs_out, capacity, count)
    })
}

/// Copies columns into the caller's arrays, or reports the size needed.
fn copy_out<T: Copy>(
    ts: &[i64],
    vs: &[T],
    ts_out: &mut [std::mem::MaybeUninit<i64>],
    vs_out: &mut [std::mem::MaybeUninit<T>],
    capacity: usize,
    count: &mut std::mem::MaybeUninit<usize>,
) -> FfiResult<()> {
    if ts.len() > capacity {
        count.write(ts.len());
        return Err(FfiError::new(nts_status::NTS_BUFFER_TOO_SMALL, format!("{} points match; the arrays hold {capacity}", ts.len())));
    }
    for (i, (t, v)) in ts.iter().zip(vs).enumerate() {
        ts_out[i].write(*t);
        vs_out[i].write(*v);
    }
    count.write(ts.len());
    Ok(())
}

/// nts_ts_query_range() for an integer series: the values are copied as int64_t; a range
/// holding another value type fails with NTS_INVALID_INPUT naming the type found.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nts_ts_query_range_int64(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    opts: *const nts_range_options,
    out_timestamps: *mut i64,
    out_values: *mut i64,
    capacity: usize,
    out_count: *mut usize,
) -> nts_status {
    run(|| {
        let count = out_ptr(out_count, "out_count")?;
        let db = handle(db)?;
        let (device_id, metric) = series_arg(device_id, metric)?;
        let ts_out = slice_out(out_timestamps, capacity, "out_timestamps")?;
        let vs_out = slice_out(out_values, capacity, "out_values")?;
        let cols = db.timeseries().query_range_columns_with(device_id, metric, range_arg(start, end)?, range_options(opts))?;
        let (ts, vs) = cols.into_integers().map_err(typed_hint)?;
        copy_out(&ts, &vs, ts_out, vs_out, capacity, count)
    })
}

/// Runs a range query (as nts_ts_query_range(), any value type) and returns its result set
/// in `*out`; read it with nts_points_next(), free it with nts_points_free().
#[no_mangle]
pub unsafe extern "C" fn nts_ts_query_range_points(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    opts: *const nts_range_options,
    out: *mut *mut nts_points,
) -> nts_status {
    run(|| {
        let out = out_handle(out, "out")?;
        let db = handle(db)?;
        let (device_id, metric) = series_arg(device_id, metric)?;
        let points = db.timeseries().query_range_with(device_id, metric, range_arg(start, end)?, range_options(opts))?;
        set_points(out, points)
    })
}

/// The newest point of a float series as (timestamp, value). NTS_NOT_FOUND when the series
/// has no point; a value of another type (integer, boolean, string) fails with
/// NTS_INVALID_INPUT naming it (use nts_ts_query_latest_json()).
#[no_mangle]
pub unsafe extern "C" fn nts_ts_query_latest(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    out_timestamp: *mut i64,
    out_value: *mut f64,
) -> nts_status {
    run(|| {
        let ts_out = out_ptr(out_timestamp, "out_timestamp")?;
        let v_out = out_ptr(out_value, "out_value")?;
        let db = handle(db)?;
        let (device_id, metric) = series_arg(device_id, metric)?;
        let p = latest(db, device_id, metric)?;
        v_out.write(p.value.to_float().map_err(typed_hint)?);
        ts_out.write(p.timestamp);
        Ok(())
    })
}

fn latest(db: &neotalk_storage::StorageManager, device_id: &str, metric: &str) -> FfiResult<DataPoint> {
    db.timeseries().query_latest(device_id, metric)?.ok_or_else(|| FfiError::not_found("point of series", &format!("{device_id}/{metric}")))
}

/// The newest point of a series as DataPoint JSON (`{"timestamp", "value", "quality",
/// "metadata"}`), any value type. NTS_NOT_FOUND when the series has no point.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_ts_query_latest_json(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        latest(db, device_id, metric)
    })
}

/// Aggregates of start <= timestamp < end (no upper bound with NTS_OPEN_END) in buckets of
/// `bucket_ms` (> 0) starting at multiples of `bucket_ms` from the Unix epoch, oldest first,
/// as a JSON array of AggregateBucket `{"bucket_start", "count", "sum", "min", "max", "avg",
/// "first", "last"}`. `count` counts every point; the other fields cover only numeric (float
/// or integer) values and are null in a bucket without any. `first` is the value with the
/// earliest timestamp in the bucket, `last` the one with the latest (whatever the order they
/// were written in). Buckets without points are left out. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_ts_query_aggregated(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    bucket_ms: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        Ok(db.timeseries().query_aggregated(device_id, metric, range_arg(start, end)?, bucket_ms)?)
    })
}

/// Ids of devices with at least one stored point, as a JSON array of strings ordered by id.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_ts_list_devices(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.timeseries().list_devices_with_data()?))
}

/// Metrics with at least one stored point for `device_id`, as a JSON array of strings.
/// NTS_NOT_FOUND when the device is neither registered nor has telemetry.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_ts_list_metrics(db: *const nts_storage, device_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.timeseries().list_metrics(str_arg(device_id, "device_id")?)?))
}

/// Deletes the points of one series with start <= timestamp < end (every point from start on
/// with NTS_OPEN_END, INT64_MAX included) and sets `*out_removed`
/// to how many were removed (`out_removed` may be NULL).
#[no_mangle]
pub unsafe extern "C" fn nts_ts_delete_range(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    out_removed: *mut u64,
) -> nts_status {
    opt_scalar_out(db, out_removed, "out_removed", |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        Ok(db.timeseries().delete_range(device_id, metric, range_arg(start, end)?)?)
    })
}

/// Deletes every point of every metric of `device_id` (the device stays registered) and sets
/// `*out_removed` to how many were removed (`out_removed` may be NULL).
#[no_mangle]
pub unsafe extern "C" fn nts_ts_delete_device(db: *const nts_storage, device_id: *const c_char, out_removed: *mut u64) -> nts_status {
    opt_scalar_out(db, out_removed, "out_removed", |db| Ok(db.timeseries().delete_device(str_arg(device_id, "device_id")?)?))
}

/// Deletes every point of `metric` on every device and sets `*out_removed` to how many were
/// removed (`out_removed` may be NULL).
#[no_mangle]
pub unsafe extern "C" fn nts_ts_delete_metric(db: *const nts_storage, metric: *const c_char, out_removed: *mut u64) -> nts_status {
    opt_scalar_out(db, out_removed, "out_removed", |db| Ok(db.timeseries().delete_metric(str_arg(metric, "metric")?)?))
}

/// Sets `*out_tier_ms` to the width (ms) of the rollup tier nts_ts_query_aggregated() with the
/// same arguments reads, or to 0 when it reads raw points (tiers: `"rollups"` in the options
/// of nts_storage_open()).
#[no_mangle]
pub unsafe extern "C" fn nts_ts_aggregation_tier(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    bucket_ms: i64,
    out_tier_ms: *mut i64,
) -> nts_status {
    scalar_out(db, out_tier_ms, "out_tier_ms", |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        Ok(db.timeseries().aggregation_tier(device_id, metric, range_arg(start, end)?, bucket_ms)?.unwrap_or(0))
    })
}

/// Recomputes every rollup tier from the raw points (after a change of the configured tiers);
/// `*out_buckets` (may be NULL) is set to how many buckets were written.
#[no_mangle]
pub unsafe extern "C" fn nts_ts_rebuild_rollups(db: *const nts_storage, out_buckets: *mut u64) -> nts_status {
    opt_scalar_out(db, out_buckets, "out_buckets", |db| Ok(db.timeseries().rebuild_rollups()?))
}

/// Runs a range query of one float series (as nts_ts_query_range()) into arrays the library
/// allocates, so no size probe is needed: `*out_timestamps` and `*out_values` hold
/// `*out_count` points (both NULL when there are none). Free them with one
/// nts_series_free(timestamps, values, count). Another value type is NTS_INVALID_INPUT naming
/// it. `opts` may be NULL.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nts_ts_query_range_alloc(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    opts: *const nts_range_options,
    out_timestamps: *mut *mut i64,
    out_values: *mut *mut f64,
    out_count: *mut usize,
) -> nts_status {
    run(|| {
        let ts_out = out_handle(out_timestamps, "out_timestamps")?;
        let vs_out = out_handle(out_values, "out_values")?;
        let count = out_ptr(out_count, "out_count")?;
        count.write(0);
        let db = handle(db)?;
        let (device_id, metric) = series_arg(device_id, metric)?;
        let cols = db.timeseries().query_range_columns_with(device_id, metric, range_arg(start, end)?, range_options(opts))?;
        let (ts, vs) = cols.into_floats().map_err(typed_hint)?;
        let ((ts, n), (vs, _)) = (into_c_array(ts), into_c_array(vs));
        ts_out.write(ts);
        vs_out.write(vs);
        count.write(n);
        Ok(())
    })
}

/// Frees the arrays of nts_ts_query_range_alloc() with the count returned with them. NULL
/// arrays are ignored. Freeing twice, or with another count, is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn nts_series_free(timestamps: *mut i64, values: *mut f64, count: usize) {
    run_void(|| {
        free_c_array(timestamps, count);
        free_c_array(values, count);
    });
}

/// The newest point of each of `count` float series, series i being (device_ids[i],
/// metrics[i]), from one consistent snapshot: out_timestamps[i] and out_values[i] are set and
/// out_found[i] is true when the series has a point; out_found[i] is false (and the other two
/// are 0) when it has none. A series holding another value type is NTS_INVALID_INPUT naming
/// it. The five arrays hold `count` elements (NULL only when count is 0).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nts_ts_query_latest_batch(
    db: *const nts_storage,
    device_ids: *const *const c_char,
    metrics: *const *const c_char,
    count: usize,
    out_timestamps: *mut i64,
    out_values: *mut f64,
    out_found: *mut bool,
) -> nts_status {
    run(|| {
        let ts_out = slice_out(out_timestamps, count, "out_timestamps")?;
        let vs_out = slice_out(out_values, count, "out_values")?;
        let found_out = slice_out(out_found, count, "out_found")?;
        let db = handle(db)?;
        let (devices, metrics) = (slice_arg(device_ids, count, "device_ids")?, slice_arg(metrics, count, "metrics")?);
        // Each element is checked like a string argument, the message naming its index.
        let element = |ptr: *const c_char, name: &str, i: usize| {
            str_arg(ptr, name).map_err(|e| FfiError::new(e.status, format!("{} (element {i})", e.message)))
        };
        let series = (0..count)
            .map(|i| Ok((element(devices[i], "device_ids", i)?, element(metrics[i], "metrics", i)?)))
            .collect::<FfiResult<Vec<(&str, &str)>>>()?;
        let latest = db.timeseries().query_latest_batch(&series)?;
        let mut values = Vec::with_capacity(count);
        for (p, (device, metric)) in latest.iter().zip(&series) {
            let value = match p {
                Some(p) => Some((p.timestamp, p.value.to_float().map_err(|e| typed_hint(e).in_series(device, metric))?)),
                None => None,
            };
            values.push(value);
        }
        for (i, value) in values.into_iter().enumerate() {
            let (t, v) = value.unwrap_or((0, 0.0));
            ts_out[i].write(t);
            vs_out[i].write(v);
            found_out[i].write(value.is_some());
        }
        Ok(())
    })
}

/// One bucket of nts_ts_query_aggregated_buckets(): the fields of AggregateBucket (see
/// nts_ts_query_aggregated()), the numeric ones NaN when `has_numeric` is false.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nts_bucket {
    /// Start of the bucket (Unix ms), a multiple of bucket_ms from the epoch.
    pub bucket_start: i64,
    /// Points of any value type in the bucket.
    pub count: u64,
    /// Whether the bucket holds numeric (float or integer) values; the fields below cover only those.
    pub has_numeric: bool,
    /// Sum of the numeric values.
    pub sum: f64,
    /// Smallest numeric value.
    pub min: f64,
    /// Largest numeric value.
    pub max: f64,
    /// Mean of the numeric values.
    pub avg: f64,
    /// The numeric value with the earliest timestamp in the bucket.
    pub first: f64,
    /// The numeric value with the latest timestamp in the bucket.
    pub last: f64,
}

impl From<&AggregateBucket> for nts_bucket {
    fn from(b: &AggregateBucket) -> Self {
        let num = |v: Option<f64>| v.unwrap_or(f64::NAN);
        nts_bucket {
            bucket_start: b.bucket_start,
            count: b.count,
            has_numeric: b.sum.is_some(),
            sum: num(b.sum),
            min: num(b.min),
            max: num(b.max),
            avg: num(b.avg),
            first: num(b.first),
            last: num(b.last),
        }
    }
}

/// nts_ts_query_aggregated() as a C array: `*out_buckets` holds `*out_count` buckets, oldest
/// first (NULL when there are none); free it with nts_buckets_free(buckets, count).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nts_ts_query_aggregated_buckets(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    bucket_ms: i64,
    out_buckets: *mut *mut nts_bucket,
    out_count: *mut usize,
) -> nts_status {
    run(|| {
        let out = out_handle(out_buckets, "out_buckets")?;
        let count = out_ptr(out_count, "out_count")?;
        count.write(0);
        let db = handle(db)?;
        let (device_id, metric) = series_arg(device_id, metric)?;
        let buckets = db.timeseries().query_aggregated(device_id, metric, range_arg(start, end)?, bucket_ms)?;
        let (ptr, n) = into_c_array(buckets.iter().map(nts_bucket::from).collect());
        out.write(ptr);
        count.write(n);
        Ok(())
    })
}

/// Frees the buckets of nts_ts_query_aggregated_buckets() with the count returned with them.
/// NULL is ignored. Freeing twice, or with another count, is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn nts_buckets_free(buckets: *mut nts_bucket, count: usize) {
    run_void(|| free_c_array(buckets, count));
}

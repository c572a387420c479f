//! Telemetry: [`TimeSeriesStore`] and its records.
//!
//! Per-record calls take [`DataPoint`] / [`TelemetryPoint`] records. The hot paths cross as
//! packed buffers instead, so a million points cost one copy, not a million conversions:
//! [`TimeSeriesStore::write_packed`] takes little-endian `i64` timestamps and `f64` values
//! (the core's float column), and [`TimeSeriesStore::query_range_packed`] returns a float
//! column the same way. Nothing is converted: a series of another value type is refused.
//!
//! Time ranges are `start` (included) and `end` (excluded), or no upper bound when `end` is
//! `None` (Python `None`, Kotlin `null`): then every point from `start` on, `i64::MAX`
//! included, is in range.

use crate::error::{Result, StorageError};
use crate::mirror::{from_core, from_core_all, mirror_record, to_core};
use neotalk_storage as core;
use neotalk_storage::{Column, TimeRange};
use std::borrow::Cow;
use std::sync::Arc;

/// Bytes of one bucket in [`TimeSeriesStore::query_aggregated_packed`].
const AGGREGATE_ROW_BYTES: usize = 8 + 8 + 1 + 6 * 8;

/// The value of one telemetry point.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum MetricValue {
    /// A whole number.
    Integer {
        /// The number.
        value: i64,
    },
    /// A finite floating-point number (NaN and infinities are rejected on write).
    Float {
        /// The number.
        value: f64,
    },
    /// A flag.
    Boolean {
        /// The flag.
        value: bool,
    },
    /// Text, at most 64 KiB.
    String {
        /// The text.
        value: String,
    },
    /// Bytes (Python `bytes`, Kotlin `ByteArray`), at most
    /// `StorageOptions.max_binary_value_bytes` (16 MiB by default); stored apart from the
    /// compressed chunks. In a device snapshot the bytes are left out (`binary_bytes` is
    /// their size).
    Binary {
        /// The bytes.
        value: Vec<u8>,
    },
}

impl From<MetricValue> for core::MetricValue {
    fn from(v: MetricValue) -> Self {
        match v {
            MetricValue::Integer { value } => core::MetricValue::Integer(value),
            MetricValue::Float { value } => core::MetricValue::Float(value),
            MetricValue::Boolean { value } => core::MetricValue::Boolean(value),
            MetricValue::String { value } => core::MetricValue::String(value),
            MetricValue::Binary { value } => core::MetricValue::Binary(value),
        }
    }
}

impl From<core::MetricValue> for MetricValue {
    fn from(v: core::MetricValue) -> Self {
        match v {
            core::MetricValue::Integer(value) => MetricValue::Integer { value },
            core::MetricValue::Float(value) => MetricValue::Float { value },
            core::MetricValue::Boolean(value) => MetricValue::Boolean { value },
            core::MetricValue::String(value) => MetricValue::String { value },
            core::MetricValue::Binary(value) => MetricValue::Binary { value },
        }
    }
}

crate::mirror::mirror_by_from!(MetricValue => core::MetricValue);

mirror_record! {
    /// One telemetry sample.
    DataPoint => core::DataPoint {
        /// Unix milliseconds.
        timestamp: i64,
        /// The sampled value.
        value: MetricValue,
        /// Optional quality indicator (finite; conventionally 0..=1).
        #[uniffi(default)]
        quality: Option<f32>,
        /// Optional free-form metadata, as JSON text.
        #[uniffi(default)]
        metadata: Option<String>,
    }
}

mirror_record! {
    /// A point addressed to a series, for [`TimeSeriesStore::write_batch`].
    TelemetryPoint => core::TelemetryPoint {
        /// Device id.
        device_id: String,
        /// Metric name.
        metric: String,
        /// The sample.
        point: DataPoint,
    }
}

/// A series, named by device and metric.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SeriesKey {
    /// Device id.
    pub device_id: String,
    /// Metric name.
    pub metric: String,
}

/// Options of [`TimeSeriesStore::query_range_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, uniffi::Record)]
pub struct RangeOptions {
    /// Return at most this many points.
    #[uniffi(default)]
    pub limit: Option<i64>,
    /// Newest point first (the limit then keeps the newest points).
    #[uniffi(default)]
    pub newest_first: bool,
}

impl TryFrom<RangeOptions> for core::RangeOptions {
    type Error = StorageError;
    fn try_from(o: RangeOptions) -> Result<Self> {
        Ok(core::RangeOptions { limit: to_core("limit", o.limit)?, newest_first: o.newest_first })
    }
}

mirror_record! {
    /// Aggregates of the points in one time bucket `[bucket_start, bucket_start + bucket_ms)`.
    ///
    /// `count` counts every point; the numeric fields are set only when the bucket holds numeric
    /// values, and then cover just those values.
    AggregateBucket => core::AggregateBucket {
        /// Start of the bucket (Unix ms), a multiple of `bucket_ms` from the epoch.
        bucket_start: i64,
        /// Number of points of any type.
        count: i64,
        /// Sum of numeric values.
        sum: Option<f64>,
        /// Smallest numeric value.
        min: Option<f64>,
        /// Largest numeric value.
        max: Option<f64>,
        /// Mean of numeric values.
        avg: Option<f64>,
        /// Numeric value with the earliest timestamp.
        first: Option<f64>,
        /// Numeric value with the latest timestamp.
        last: Option<f64>,
    }
}

/// The points of a range for a bulk read in one buffer where it can be: a list of records
/// costs a foreign call's worth of lifting per field, so a range of plain numbers crosses
/// as two packed columns instead (the common case: every point a float, or every point an
/// integer, none with quality or metadata) and the foreign layer builds its records from
/// them; any other range crosses as records.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum PointBatch {
    /// Every point a float without quality or metadata: little-endian `i64` timestamps and
    /// `f64` values, `8 * n` bytes each.
    Floats {
        /// Little-endian `i64` Unix ms.
        timestamps: Vec<u8>,
        /// Little-endian `f64` values.
        values: Vec<u8>,
    },
    /// Every point an integer without quality or metadata: little-endian `i64` timestamps
    /// and `i64` values.
    Integers {
        /// Little-endian `i64` Unix ms.
        timestamps: Vec<u8>,
        /// Little-endian `i64` values.
        values: Vec<u8>,
    },
    /// Any other range, point by point.
    Points {
        /// The points.
        points: Vec<DataPoint>,
    },
}

impl PointBatch {
    fn of(points: Vec<core::DataPoint>) -> PointBatch {
        use core::MetricValue::{Float, Integer};
        let timestamps = || points.iter().flat_map(|p| p.timestamp.to_le_bytes()).collect();
        if let Some(values) = plain_column(&points, |v| if let Float(x) = v { Some(x.to_le_bytes()) } else { None }) {
            return PointBatch::Floats { timestamps: timestamps(), values };
        }
        if let Some(values) = plain_column(&points, |v| if let Integer(x) = v { Some(x.to_le_bytes()) } else { None }) {
            return PointBatch::Integers { timestamps: timestamps(), values };
        }
        PointBatch::Points { points: from_core_all(points) }
    }
}

/// The newest points of many series ([`TimeSeriesStore::query_latest_batch_json`]): one
/// byte per series asked, 1 where it has a point, and those points in the same order.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LatestPoints {
    /// One byte per series asked: 1 when it has a point (the next one in `points`), 0 when not.
    pub present: Vec<u8>,
    /// The points of the series that have one, in the order asked.
    pub points: PointBatch,
}

impl LatestPoints {
    fn of(latest: Vec<Option<core::DataPoint>>) -> LatestPoints {
        let present = latest.iter().map(|p| u8::from(p.is_some())).collect();
        LatestPoints { present, points: PointBatch::of(latest.into_iter().flatten().collect()) }
    }
}

/// One series of a [`TimeSeriesStore`] (`TimeSeriesStore.series(device_id, metric)`): its
/// calls carry no strings across the boundary, which is most of the cost of a call that
/// reads one point (a string argument costs uniffi two allocation calls in Python). The
/// Python layer keeps one per series it reads the latest point of.
#[derive(uniffi::Object)]
pub struct Series {
    store: core::TimeSeriesStore,
    device_id: String,
    metric: String,
}

#[uniffi::export]
impl Series {
    /// The newest point of the series: no point, or one, as a [`PointBatch`] (a plain float
    /// or integer crosses as two 8-byte buffers, cheaper to lift than a record).
    pub fn latest(&self) -> Result<PointBatch> {
        Ok(PointBatch::of(self.store.query_latest(&self.device_id, &self.metric)?.into_iter().collect()))
    }
}

/// A fixed list of series of a [`TimeSeriesStore`] (`TimeSeriesStore.series_set(json)`):
/// reading their newest points again (a dashboard's refresh) crosses no strings, which
/// uniffi's Python side writes one by one. The Python layer keeps one per list it is asked.
#[derive(uniffi::Object)]
pub struct SeriesSet {
    store: core::TimeSeriesStore,
    series: Vec<(String, String)>,
}

#[uniffi::export]
impl SeriesSet {
    /// The newest point of each series, in the order given, from one snapshot (as
    /// `query_latest_batch_json`).
    pub fn latest(&self) -> Result<LatestPoints> {
        let keys: Vec<(&str, &str)> = self.series.iter().map(|(d, m)| (d.as_str(), m.as_str())).collect();
        Ok(LatestPoints::of(self.store.query_latest_batch(&keys)?))
    }
}

/// The packed values of `points` when every one is plain (no quality, no metadata) and
/// `value` packs it; `None` as soon as one is not.
fn plain_column(points: &[core::DataPoint], value: impl Fn(&core::MetricValue) -> Option<[u8; 8]>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(8 * points.len());
    for p in points {
        if p.quality.is_some() || p.metadata.is_some() {
            return None;
        }
        out.extend_from_slice(&value(&p.value)?);
    }
    Some(out)
}

/// Points of one series as two packed buffers of equal item count: `timestamps` holds
/// little-endian `i64` Unix ms, `values` little-endian `f64` (integers converted to `f64`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PackedSeries {
    /// `8 * n` bytes: little-endian `i64` timestamps.
    pub timestamps: Vec<u8>,
    /// `8 * n` bytes: little-endian `f64` values.
    pub values: Vec<u8>,
}

/// The value type of a packed column in [`TimeSeriesStore::write_packed_column`]; each is
/// written as the core's column of that type, nothing converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PackedValueType {
    /// Little-endian `f64`, 8 bytes each (numpy `float64`).
    Float,
    /// Little-endian `i64`, 8 bytes each (numpy `int64`).
    Integer,
    /// One byte each, 0 or 1 (numpy `bool`).
    Boolean,
}

impl PackedValueType {
    /// Bytes per value.
    fn width(self) -> usize {
        match self {
            PackedValueType::Float | PackedValueType::Integer => 8,
            PackedValueType::Boolean => 1,
        }
    }

    /// The type's name in messages.
    fn name(self) -> &'static str {
        match self {
            PackedValueType::Float => "f64",
            PackedValueType::Integer => "i64",
            PackedValueType::Boolean => "bool (one byte, 0 or 1)",
        }
    }
}

/// The 8-byte little-endian items of a packed buffer (`field` names it in errors). On a
/// little-endian target an aligned buffer (uniffi hands over a fresh heap allocation, so in
/// practice every one) is read in place: a copy here would add the input's size again to the
/// peak memory of a large write. Otherwise the items are copied once into a typed vector.
fn le_items<'a, T: bytemuck::Pod>(field: &str, bytes: &'a [u8], decode: fn([u8; 8]) -> T) -> Result<Cow<'a, [T]>> {
    if bytes.len() % 8 != 0 {
        return Err(StorageError::invalid(field, format!("{} bytes is not a whole number of 8-byte values", bytes.len())));
    }
    if cfg!(target_endian = "little") {
        if let Ok(items) = bytemuck::try_cast_slice(bytes) {
            return Ok(Cow::Borrowed(items));
        }
    }
    Ok(Cow::Owned(bytes.chunks_exact(8).map(|c| decode(c.try_into().expect("chunks are 8 bytes"))).collect()))
}

/// Checks that `values` holds exactly `count` values of `kind`.
fn check_values(values: &[u8], kind: PackedValueType, count: usize) -> Result<()> {
    let width = kind.width();
    if values.len() % width != 0 {
        return Err(StorageError::invalid(
            "values",
            format!("{} bytes is not a whole number of {}-byte {} values", values.len(), width, kind.name()),
        ));
    }
    if values.len() / width != count {
        return Err(StorageError::invalid(
            "values",
            format!("{} timestamps but {} values; the counts must match", count, values.len() / width),
        ));
    }
    Ok(())
}

/// Encodes a float column into packed buffers; the core refuses columns of other types
/// (naming the type found), and this binding adds where to read them.
fn pack(columns: core::Columns) -> Result<PackedSeries> {
    let (ts, vs) = columns.into_floats().map_err(|e| match e {
        core::StorageError::InvalidInput { field, reason } => {
            core::StorageError::InvalidInput { field, reason: format!("{reason}; query_range reads every value type") }
        }
        other => other,
    })?;
    Ok(PackedSeries {
        timestamps: ts.iter().flat_map(|t| t.to_le_bytes()).collect(),
        values: vs.iter().flat_map(|v| v.to_le_bytes()).collect(),
    })
}

/// The bindings' range form: `[start, end)`, or `start..` when `end` is `None`.
fn range(start: i64, end: Option<i64>) -> Result<TimeRange> {
    Ok(TimeRange::half_open(start, end)?)
}

crate::store_object::store_object! {
    /// Store of telemetry series; obtain it from `StorageManager.timeseries()`.
    ///
    /// Time ranges are half-open: `start` is included, `end` excluded. Writing telemetry also
    /// updates the device's latest metric values and `last_seen` (registering unknown devices).
    TimeSeriesStore => core::TimeSeriesStore
}

#[uniffi::export]
impl TimeSeriesStore {
    /// Queues one point in the write buffer; it is committed with the next group commit, on
    /// `flush()`, before any read, or on close. Invalid points are refused here.
    pub fn write(&self, device_id: String, metric: String, point: DataPoint) -> Result<()> {
        Ok(self.inner.write(&device_id, &metric, to_core("point", point)?)?)
    }

    /// Commits many points of many series in one transaction; all are stored or none.
    pub fn write_batch(&self, points: Vec<TelemetryPoint>) -> Result<()> {
        let points: Vec<core::TelemetryPoint> = to_core("point", points)?;
        Ok(self.inner.write_batch(&points)?)
    }

    /// Commits many points of one series in one transaction.
    pub fn write_series(&self, device_id: String, metric: String, points: Vec<DataPoint>) -> Result<()> {
        Ok(self.inner.write_series(&device_id, &metric, &to_core::<_, Vec<core::DataPoint>>("point", points)?)?)
    }

    /// Commits float points of one series in one transaction from packed buffers:
    /// `timestamps` holds little-endian `i64` Unix ms, `values` little-endian `f64`, with the
    /// same item count. Sizes that are not a multiple of 8 or counts that differ are refused,
    /// and so are NaN and infinities (naming `values`). The series is written as the core's
    /// float column (`write_columns`).
    pub fn write_packed(&self, device_id: String, metric: String, timestamps: Vec<u8>, values: Vec<u8>) -> Result<()> {
        self.write_packed_column(device_id, metric, timestamps, values, PackedValueType::Float)
    }

    /// Like [`TimeSeriesStore::write_packed`], with `values` packed as `value_type` says and
    /// written as the core's column of that type: `f64` floats, `i64` integers, or one byte
    /// per boolean (0 or 1; any other byte is refused, naming its index).
    pub fn write_packed_column(
        &self,
        device_id: String,
        metric: String,
        timestamps: Vec<u8>,
        values: Vec<u8>,
        value_type: PackedValueType,
    ) -> Result<()> {
        let ts = le_items("timestamps", &timestamps, i64::from_le_bytes)?;
        check_values(&values, value_type, ts.len())?;
        match value_type {
            PackedValueType::Float => {
                let vs = le_items("values", &values, f64::from_le_bytes)?;
                Ok(self.inner.write_columns(&device_id, &metric, &ts, Column::Float(&vs))?)
            }
            PackedValueType::Integer => {
                let vs = le_items("values", &values, i64::from_le_bytes)?;
                Ok(self.inner.write_columns(&device_id, &metric, &ts, Column::Integer(&vs))?)
            }
            PackedValueType::Boolean => {
                let vs = values
                    .iter()
                    .enumerate()
                    .map(|(i, b)| match b {
                        0 => Ok(false),
                        1 => Ok(true),
                        other => Err(StorageError::invalid("values", format!("byte {i} is {other}; a boolean is 0 or 1"))),
                    })
                    .collect::<Result<Vec<bool>>>()?;
                Ok(self.inner.write_columns(&device_id, &metric, &ts, Column::Boolean(&vs))?)
            }
        }
    }

    /// Commits everything in the write buffer now.
    pub fn flush(&self) -> Result<()> {
        Ok(self.inner.flush()?)
    }

    /// Points waiting in the write buffer.
    pub fn buffered_points(&self) -> i64 {
        from_core(self.inner.buffered_points())
    }

    /// Points of one series with `start <= timestamp < end`, oldest first. An unknown series
    /// gives an empty list.
    pub fn query_range(&self, device_id: String, metric: String, start: i64, end: Option<i64>) -> Result<Vec<DataPoint>> {
        Ok(from_core_all(self.inner.query_range(&device_id, &metric, range(start, end)?)?))
    }

    /// Points of one series with `start <= timestamp < end`, with a limit and an order.
    pub fn query_range_with(
        &self,
        device_id: String,
        metric: String,
        start: i64,
        end: Option<i64>,
        options: RangeOptions,
    ) -> Result<Vec<DataPoint>> {
        Ok(from_core_all(self.inner.query_range_with(&device_id, &metric, range(start, end)?, options.try_into()?)?))
    }

    /// Like `query_range_with`, as a [`PointBatch`]: packed columns for a range of plain
    /// floats or plain integers, records otherwise (the bulk path of the Python layer).
    pub fn query_range_batch(
        &self,
        device_id: String,
        metric: String,
        start: i64,
        end: Option<i64>,
        options: RangeOptions,
    ) -> Result<PointBatch> {
        Ok(PointBatch::of(self.inner.query_range_with(&device_id, &metric, range(start, end)?, options.try_into()?)?))
    }

    /// Like `query_range_with`, for a float series, returned as packed buffers (see
    /// [`PackedSeries`]) filled from the core's float column. A range holding integer,
    /// boolean or string values is refused with `InvalidInput` naming the type found.
    pub fn query_range_packed(
        &self,
        device_id: String,
        metric: String,
        start: i64,
        end: Option<i64>,
        options: RangeOptions,
    ) -> Result<PackedSeries> {
        pack(self.inner.query_range_columns_with(&device_id, &metric, range(start, end)?, options.try_into()?)?)
    }

    /// The newest point of a series, or none when it has none.
    pub fn query_latest(&self, device_id: String, metric: String) -> Result<Option<DataPoint>> {
        Ok(self.inner.query_latest(&device_id, &metric)?.map(DataPoint::from))
    }

    /// The newest point of each of many series, in the order asked, from one snapshot.
    pub fn query_latest_batch(&self, series: Vec<SeriesKey>) -> Result<Vec<Option<DataPoint>>> {
        let keys: Vec<(&str, &str)> = series.iter().map(|s| (s.device_id.as_str(), s.metric.as_str())).collect();
        Ok(self.inner.query_latest_batch(&keys)?.into_iter().map(|p| p.map(DataPoint::from)).collect())
    }

    /// Like `query_latest_batch`, for the series in `series_json`, a JSON array of
    /// `[device_id, metric]` pairs, as [`LatestPoints`]: the bulk form of the Python layer.
    /// One string crosses instead of two per series (uniffi's Python side writes each string
    /// of a list in Python code, about 8 us apiece) and two packed buffers come back instead
    /// of a record per series. Text that is not such an array is `InvalidInput` naming `series`.
    pub fn query_latest_batch_json(&self, series_json: String) -> Result<LatestPoints> {
        self.series_set(series_json)?.latest()
    }

    /// A handle on one series, whose calls name it without strings (see [`Series`]).
    pub fn series(&self, device_id: String, metric: String) -> Arc<Series> {
        Arc::new(Series { store: self.inner.clone(), device_id, metric })
    }

    /// A handle on the series of `series_json` (as in `query_latest_batch_json`), whose
    /// calls name them without strings (see [`SeriesSet`]). Text that is not a JSON array of
    /// `[device_id, metric]` pairs is `InvalidInput` naming `series`.
    pub fn series_set(&self, series_json: String) -> Result<Arc<SeriesSet>> {
        let series = crate::json::record("series", &series_json)?;
        Ok(Arc::new(SeriesSet { store: self.inner.clone(), series }))
    }

    /// Aggregates of `start <= timestamp < end` in epoch-aligned buckets of `bucket_ms`
    /// (which must be positive); buckets without points are omitted.
    pub fn query_aggregated(
        &self,
        device_id: String,
        metric: String,
        start: i64,
        end: Option<i64>,
        bucket_ms: i64,
    ) -> Result<Vec<AggregateBucket>> {
        Ok(self
            .inner
            .query_aggregated(&device_id, &metric, range(start, end)?, bucket_ms)?
            .into_iter()
            .map(AggregateBucket::from)
            .collect())
    }

    /// [`Self::query_aggregated`] as one buffer, for hosts where a record per bucket costs
    /// more than the query (uniffi lifts a record field by field: about 27 µs a bucket in
    /// Python). One 65-byte little-endian row per bucket: `bucket_start` i64, `count` i64, a
    /// byte that is 1 when the numeric fields are set, then `sum`, `min`, `max`, `avg`,
    /// `first`, `last` as f64 (0.0 when unset).
    pub fn query_aggregated_packed(
        &self,
        device_id: String,
        metric: String,
        start: i64,
        end: Option<i64>,
        bucket_ms: i64,
    ) -> Result<Vec<u8>> {
        let buckets = self.inner.query_aggregated(&device_id, &metric, range(start, end)?, bucket_ms)?;
        let mut out = Vec::with_capacity(buckets.len() * AGGREGATE_ROW_BYTES);
        for b in buckets {
            out.extend_from_slice(&b.bucket_start.to_le_bytes());
            out.extend_from_slice(&b.count.to_le_bytes());
            out.push(u8::from(b.sum.is_some()));
            for v in [b.sum, b.min, b.max, b.avg, b.first, b.last] {
                out.extend_from_slice(&v.unwrap_or(0.0).to_le_bytes());
            }
        }
        Ok(out)
    }

    /// Devices with at least one stored point, ordered by id.
    pub fn list_devices_with_data(&self) -> Result<Vec<String>> {
        Ok(self.inner.list_devices_with_data()?)
    }

    /// Metrics with at least one stored point for `device_id`, ordered by name. A device
    /// that is neither registered nor has telemetry fails with `NotFound`.
    pub fn list_metrics(&self, device_id: String) -> Result<Vec<String>> {
        Ok(self.inner.list_metrics(&device_id)?)
    }

    /// Deletes the points of one series with `start <= timestamp < end`; returns how many
    /// were removed.
    pub fn delete_range(&self, device_id: String, metric: String, start: i64, end: Option<i64>) -> Result<i64> {
        Ok(from_core(self.inner.delete_range(&device_id, &metric, range(start, end)?)?))
    }

    /// Deletes every point of every metric of `device_id` (the device stays registered);
    /// returns how many were removed.
    pub fn delete_device(&self, device_id: String) -> Result<i64> {
        Ok(from_core(self.inner.delete_device(&device_id)?))
    }

    /// Deletes every point of `metric` on every device; returns how many were removed.
    pub fn delete_metric(&self, metric: String) -> Result<i64> {
        Ok(from_core(self.inner.delete_metric(&metric)?))
    }

    /// The rollup tier width (ms) that `query_aggregated` with these arguments reads, or none
    /// when it reads raw points.
    pub fn aggregation_tier(&self, device_id: String, metric: String, start: i64, end: Option<i64>, bucket_ms: i64) -> Result<Option<i64>> {
        Ok(self.inner.aggregation_tier(&device_id, &metric, range(start, end)?, bucket_ms)?)
    }

    /// Recomputes every rollup tier from the raw points (after a change of the configured
    /// tiers); returns how many buckets were written.
    pub fn rebuild_rollups(&self) -> Result<i64> {
        Ok(from_core(self.inner.rebuild_rollups()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_round_trip_and_size_errors() {
        let ts: Vec<u8> = [-5i64, 0, 7].iter().flat_map(|t| t.to_le_bytes()).collect();
        let vs: Vec<u8> = [1.5f64, -2.0, 3.25].iter().flat_map(|v| v.to_le_bytes()).collect();
        let t = le_items("timestamps", &ts, i64::from_le_bytes).unwrap().into_owned();
        assert_eq!(t, [-5, 0, 7]);
        // A buffer that does not start on an 8-byte boundary is copied, with the same items.
        let shifted: Vec<u8> = [0u8].iter().chain(&ts).copied().collect();
        assert_eq!(*le_items("timestamps", &shifted[1..], i64::from_le_bytes).unwrap(), [-5, 0, 7]);
        let v = vec![1.5, -2.0, 3.25];
        let packed = pack(core::Columns { timestamps: t, values: core::ColumnValues::Float(v) }).unwrap();
        assert_eq!((packed.timestamps, packed.values), (ts.clone(), vs.clone()));
        assert!(
            matches!(le_items("timestamps", &ts[..7], i64::from_le_bytes), Err(StorageError::InvalidInput(m)) if m.contains("timestamps"))
        );
        assert!(matches!(check_values(&vs[..9], PackedValueType::Float, 3), Err(StorageError::InvalidInput(m)) if m.contains("values")));
        assert!(
            matches!(check_values(&vs[..16], PackedValueType::Float, 3), Err(StorageError::InvalidInput(m)) if m.contains("3 timestamps but 2 values"))
        );
        assert!(check_values(&[0, 1], PackedValueType::Boolean, 2).is_ok());
        assert!(
            matches!(check_values(&[0, 1], PackedValueType::Boolean, 3), Err(StorageError::InvalidInput(m)) if m.contains("3 timestamps but 2 values"))
        );
        assert!(
            matches!(check_values(&[0; 12], PackedValueType::Integer, 1), Err(StorageError::InvalidInput(m)) if m.contains("8-byte i64"))
        );
        let strings = core::Columns { timestamps: vec![1], values: core::ColumnValues::String(vec!["on".into()]) };
        assert!(matches!(pack(strings), Err(StorageError::InvalidInput(m)) if m.contains("string") && m.contains("query_range")));
        let ints = core::Columns { timestamps: vec![1], values: core::ColumnValues::Integer(vec![3]) };
        assert!(matches!(pack(ints), Err(StorageError::InvalidInput(m)) if m.contains("integer values")));
    }
}

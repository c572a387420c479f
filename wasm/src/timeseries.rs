//! JS class `TimeSeriesStore`: telemetry writes and queries, with packed typed-array paths.

use crate::convert::{
    f64s, from_js, from_js_strict, int, limit, packed_points, packed_series, same_len, string, strings, time_range, timestamps, to_js,
    type_of, u32s,
};
use crate::error::{invalid, IntoJs, JsResult};
use js_sys::{Array, Object, Reflect};
use neotalk_storage::{Column, DataPoint, MetricValue, RangeOptions, TelemetryPoint, TimeSeriesStore};
use wasm_bindgen::prelude::*;

/// The points of `writePoints` as float columns, when every point is `{ timestamp, value }`
/// with numbers and no other key: the common case, read with a few property
/// lookups per point instead of serde. `None` sends the array down the general path (which
/// also words the errors for malformed points).
fn float_points(points: &Array) -> JsResult<Option<(Vec<i64>, Vec<f64>)>> {
    let keys = ["timestamp", "value"].map(JsValue::from_str);
    let n = points.length() as usize;
    let (mut ts, mut values) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for p in points.iter() {
        // Any key besides `timestamp` and `value` (an unknown field, or `quality: null`)
        // takes the checked path, which refuses unknown fields.
        if !p.is_object() || Object::keys(p.unchecked_ref::<Object>()).length() != 2 {
            return Ok(None);
        }
        let (Some(t), Some(v)) = (Reflect::get(&p, &keys[0])?.as_f64(), Reflect::get(&p, &keys[1])?.as_f64()) else {
            return Ok(None);
        };
        ts.push(int("timestamp", t)?);
        values.push(v);
    }
    Ok(Some((ts, values)))
}

/// A JS number is a float: `writePoints` stores numbers as floats on both of its paths (serde
/// reads a whole number as an integer).
fn number_as_float(mut p: DataPoint) -> DataPoint {
    if let MetricValue::Integer(i) = p.value {
        p.value = MetricValue::Float(i as f64);
    }
    p
}

/// The `(deviceId, metric)` arguments of a series.
fn series(device_id: &JsValue, metric: &JsValue) -> JsResult<(String, String)> {
    Ok((string("device_id", device_id)?, string("metric", metric)?))
}

/// Telemetry series `(deviceId, metric)`. Obtain it from `StorageManager.timeseries()`.
#[wasm_bindgen(js_name = TimeSeriesStore)]
pub struct JsTimeSeriesStore {
    pub(crate) inner: TimeSeriesStore,
}

#[wasm_bindgen(js_class = TimeSeriesStore)]
impl JsTimeSeriesStore {
    /// Queues one point in the write buffer (committed by size, `flush()`, the next read or
    /// `close()`; wasm has no background flusher).
    pub fn write(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DataPoint")] point: JsValue,
    ) -> JsResult<()> {
        let (device_id, metric) = series(&device_id, &metric)?;
        let point: DataPoint = from_js_strict("point", point)?;
        self.inner.write(&device_id, &metric, point).js()
    }

    /// Commits points of many series in one transaction; all or none are stored.
    #[wasm_bindgen(js_name = writeBatch)]
    pub fn write_batch(&self, #[wasm_bindgen(unchecked_param_type = "TelemetryPoint[]")] points: JsValue) -> JsResult<()> {
        let points: Vec<TelemetryPoint> = from_js_strict("points", points)?;
        self.inner.write_batch(&points).js()
    }

    /// Commits points of one series, `[{ timestamp, value, quality?, metadata? }, ...]`, in one
    /// transaction; all or none are stored. Numbers are stored as floats (as `writeSeries`
    /// does); booleans and strings keep their types. When every point is a plain
    /// `{ timestamp, value }` with numbers, the points go to the core's column path
    /// (`write_columns`) without serde: this is the fast object path. Timestamps may come in
    /// any order; of equal timestamps the later value wins.
    #[wasm_bindgen(js_name = writePoints)]
    pub fn write_points(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DataPoint[]")] points: JsValue,
    ) -> JsResult<()> {
        let (device_id, metric) = series(&device_id, &metric)?;
        let array =
            points.dyn_ref::<Array>().ok_or_else(|| invalid("points", format!("must be an array of points, not {}", type_of(&points))))?;
        if let Some((ts, values)) = float_points(array)? {
            return self.inner.write_columns(&device_id, &metric, &ts, Column::Float(&values)).js();
        }
        let points: Vec<DataPoint> = from_js_strict("points", points)?;
        let points: Vec<DataPoint> = points.into_iter().map(number_as_float).collect();
        self.inner.write_series(&device_id, &metric, &points).js()
    }

    /// Commits float samples of one series in one transaction: `timestamps[i]` (Unix ms) and
    /// `values[i]` form point `i`.
    #[wasm_bindgen(js_name = writeSeries)]
    pub fn write_series(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float64Array")] timestamps: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float64Array")] values: JsValue,
    ) -> JsResult<()> {
        let (device_id, metric) = series(&device_id, &metric)?;
        let (ts, values) = (f64s("timestamps", &timestamps)?, f64s("values", &values)?);
        same_len("values", ts.len(), values.len())?;
        // The core's float column: NaN and infinities are refused there, naming `values`.
        self.inner.write_columns(&device_id, &metric, &self::timestamps(&ts)?, Column::Float(&values)).js()
    }

    /// Commits float samples of many series in one transaction. Series `k` is
    /// `(deviceIds[k], metrics[k])`; point `i` belongs to series `seriesIndex[i]` and has
    /// `timestamps[i]` and `values[i]`.
    #[wasm_bindgen(js_name = writeColumns)]
    pub fn write_columns(
        &self,
        #[wasm_bindgen(js_name = deviceIds, unchecked_param_type = "string[]")] device_ids: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] metrics: JsValue,
        #[wasm_bindgen(js_name = seriesIndex, unchecked_param_type = "Uint32Array")] series_index: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float64Array")] timestamps: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float64Array")] values: JsValue,
    ) -> JsResult<()> {
        let device_ids = strings("deviceIds", &device_ids)?;
        let metrics = strings("metrics", &metrics)?;
        let series_index = u32s("seriesIndex", &series_index)?;
        let (timestamps, values) = (f64s("timestamps", &timestamps)?, f64s("values", &values)?);
        if metrics.len() != device_ids.len() {
            return Err(invalid("metrics", format!("has {} elements; deviceIds has {}", metrics.len(), device_ids.len())));
        }
        same_len("seriesIndex", timestamps.len(), series_index.len())?;
        let samples = packed_points(&timestamps, &values)?;
        let batch = series_index
            .iter()
            .zip(samples)
            .map(|(&k, point)| {
                let k = k as usize;
                match (device_ids.get(k), metrics.get(k)) {
                    (Some(d), Some(m)) => Ok(TelemetryPoint { device_id: d.clone(), metric: m.clone(), point }),
                    _ => Err(invalid("seriesIndex", format!("{k} is out of range; there are {} series", device_ids.len()))),
                }
            })
            .collect::<JsResult<Vec<_>>>()?;
        self.inner.write_batch(&batch).js()
    }

    /// Commits everything in the write buffer now.
    pub fn flush(&self) -> JsResult<()> {
        self.inner.flush().js()
    }

    /// Points waiting in the write buffer.
    #[wasm_bindgen(js_name = bufferedPoints)]
    pub fn buffered_points(&self) -> usize {
        self.inner.buffered_points()
    }

    /// Points of a float series with `start <= timestamp < end`, packed: `{ timestamps, values }`
    /// as `Float64Array`s, filled from the core's float column. Nothing is converted: a range
    /// holding integer, boolean or string values is `INVALID_INPUT` naming the type found
    /// (`queryRangePoints` reads every type). `-Infinity` as start and `Infinity` or
    /// `undefined` as end leave a bound open (an open end includes the largest timestamp).
    /// With `newestFirst` the newest come first and `limit` keeps the newest. An unknown
    /// series gives empty arrays.
    #[wasm_bindgen(js_name = queryRange, unchecked_return_type = "PackedSeries")]
    pub fn query_range(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        start: f64,
        end: Option<f64>,
        limit_arg: Option<f64>,
        #[wasm_bindgen(js_name = newestFirst)] newest_first: Option<bool>,
    ) -> JsResult<JsValue> {
        let opts = RangeOptions { limit: limit(limit_arg)?, newest_first: newest_first.unwrap_or(false) };
        let (device_id, metric) = series(&device_id, &metric)?;
        let columns = self.inner.query_range_columns_with(&device_id, &metric, time_range(start, end)?, opts).js()?;
        let (ts, values) = columns.into_floats().js()?;
        packed_series(&ts, &values)
    }

    /// The same points as `queryRange`, as `DataPoint` objects (value types, quality and
    /// metadata kept).
    #[wasm_bindgen(js_name = queryRangePoints, unchecked_return_type = "DataPoint[]")]
    pub fn query_range_points(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        start: f64,
        end: Option<f64>,
        limit: Option<f64>,
        #[wasm_bindgen(js_name = newestFirst)] newest_first: Option<bool>,
    ) -> JsResult<JsValue> {
        to_js(&self.range(&device_id, &metric, start, end, limit, newest_first)?)
    }

    fn range(
        &self,
        device_id: &JsValue,
        metric: &JsValue,
        start: f64,
        end: Option<f64>,
        limit_arg: Option<f64>,
        newest_first: Option<bool>,
    ) -> JsResult<Vec<DataPoint>> {
        let opts = RangeOptions { limit: limit(limit_arg)?, newest_first: newest_first.unwrap_or(false) };
        let (device_id, metric) = series(device_id, metric)?;
        self.inner.query_range_with(&device_id, &metric, time_range(start, end)?, opts).js()
    }

    /// The newest point of a series, or `null`.
    #[wasm_bindgen(js_name = queryLatest, unchecked_return_type = "DataPoint | null")]
    pub fn query_latest(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
    ) -> JsResult<JsValue> {
        let (device_id, metric) = series(&device_id, &metric)?;
        to_js(&self.inner.query_latest(&device_id, &metric).js()?)
    }

    /// The newest point of each `[deviceId, metric]` pair, in the order asked (`null` where
    /// a series has none), from one snapshot.
    #[wasm_bindgen(js_name = queryLatestBatch, unchecked_return_type = "(DataPoint | null)[]")]
    pub fn query_latest_batch(&self, #[wasm_bindgen(unchecked_param_type = "[string, string][]")] series: JsValue) -> JsResult<JsValue> {
        let series: Vec<(String, String)> = from_js("series", series)?;
        let refs: Vec<(&str, &str)> = series.iter().map(|(d, m)| (d.as_str(), m.as_str())).collect();
        to_js(&self.inner.query_latest_batch(&refs).js()?)
    }

    /// Aggregates (count, sum, min, max, avg, first, last) of `start <= timestamp < end` in
    /// epoch-aligned buckets of `bucketMs`; empty buckets are omitted.
    #[wasm_bindgen(js_name = queryAggregated, unchecked_return_type = "AggregateBucket[]")]
    pub fn query_aggregated(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = bucketMs)] bucket_ms: f64,
    ) -> JsResult<JsValue> {
        let (device_id, metric) = series(&device_id, &metric)?;
        let buckets = self.inner.query_aggregated(&device_id, &metric, time_range(start, end)?, int("bucket_ms", bucket_ms)?).js()?;
        to_js(&buckets)
    }

    /// Devices with at least one stored point, ordered by id.
    #[wasm_bindgen(js_name = listDevicesWithData)]
    pub fn list_devices_with_data(&self) -> JsResult<Vec<String>> {
        self.inner.list_devices_with_data().js()
    }

    /// Metrics with stored points for `deviceId`; `NOT_FOUND` for an unknown device.
    #[wasm_bindgen(js_name = listMetrics)]
    pub fn list_metrics(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
    ) -> JsResult<Vec<String>> {
        self.inner.list_metrics(&string("device_id", &device_id)?).js()
    }

    /// Deletes the points with `start <= timestamp < end`; returns how many were removed.
    #[wasm_bindgen(js_name = deleteRange)]
    pub fn delete_range(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        start: f64,
        end: Option<f64>,
    ) -> JsResult<f64> {
        let (device_id, metric) = series(&device_id, &metric)?;
        let removed = self.inner.delete_range(&device_id, &metric, time_range(start, end)?).js()?;
        Ok(removed as f64)
    }

    /// Deletes every point of every metric of the device (it stays registered); returns how
    /// many were removed.
    #[wasm_bindgen(js_name = deleteDevice)]
    pub fn delete_device(&self, #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue) -> JsResult<f64> {
        Ok(self.inner.delete_device(&string("device_id", &device_id)?).js()? as f64)
    }

    /// The rollup tier width (ms) that `queryAggregated` with these arguments reads, or `null`
    /// when it reads raw points (tiers: `rollups` in the `StorageManager` options).
    #[wasm_bindgen(js_name = aggregationTier)]
    pub fn aggregation_tier(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = bucketMs)] bucket_ms: f64,
    ) -> JsResult<Option<f64>> {
        let (device_id, metric) = series(&device_id, &metric)?;
        let bucket_ms = int("bucket_ms", bucket_ms)?;
        Ok(self.inner.aggregation_tier(&device_id, &metric, time_range(start, end)?, bucket_ms).js()?.map(|w| w as f64))
    }

    /// Recomputes every rollup tier from the raw points; returns the buckets written.
    #[wasm_bindgen(js_name = rebuildRollups)]
    pub fn rebuild_rollups(&self) -> JsResult<f64> {
        Ok(self.inner.rebuild_rollups().js()? as f64)
    }

    /// Deletes every point of `metric` on every device; returns how many were removed.
    #[wasm_bindgen(js_name = deleteMetric)]
    pub fn delete_metric(&self, #[wasm_bindgen(unchecked_param_type = "string")] metric: JsValue) -> JsResult<f64> {
        Ok(self.inner.delete_metric(&string("metric", &metric)?).js()? as f64)
    }
}

//! Telemetry store (seed section 1).
//!
//! Series `(device_id, metric)` are interned to `u32` ids. Points of a series are stored in
//! compressed chunks of up to 1,024 points (see `chunk`): delta-of-delta timestamps, XOR or
//! decimal-scaled floats, with a summary in front. Chunks of a series never overlap in time;
//! the newest one is the open head, kept raw (see `head`) so that appending to it costs the
//! points appended, and compressed once when it is sealed at 1,024 points. A point belongs to
//! the chunk with the greatest first timestamp at or below its own (or the first chunk, for a
//! point older than all), so a late point rewrites just that chunk.
//!
//! Tables:
//! - `ts_series`: (device_id, metric) -> series id (u32 LE)
//! - `ts_series_by_id`: series id -> (device_id, metric)
//! - `ts_chunks`: (series id, first timestamp) -> encoded chunk
//! - `ts_blobs`, `ts_blob_series`: the bytes of binary values (see `blobs`)
//!
//! Time ranges are any `RangeBounds<i64>` (`start..end`, `start..=end`, `start..`, `..`),
//! normalised by [`TimeRange`] to inclusive bounds, so every `i64` timestamp is reachable. A second point with the
//! same series and timestamp replaces the first. Writing telemetry updates the device's
//! metric snapshot and `last_seen` in the same transaction (registering unknown devices).

mod aggregate;
mod blobs;
mod buffer;
pub(crate) mod chunk;
pub(crate) mod codec;
mod columns;
pub(crate) mod feed;
pub(crate) mod head;
pub(crate) mod point;
mod retention;
mod rollup;
mod tiers;
mod value_serde;

pub use aggregate::AggregateBucket;
pub use buffer::WriteBufferOptions;
pub use columns::{Column, ColumnValues, Columns, ValueType};
pub use point::{DataPoint, MetricValue};
pub use retention::{TimeSeriesCleanup, TimeSeriesRetention};
pub use rollup::{RollupConfig, RollupTier};
pub use value_serde::with_binary_as_bytes;

use crate::error::{Result, StorageError};
use crate::limits::{check_id, TELEMETRY_DELETE_BATCH};
use crate::range::TimeRange;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::cache::HotCache;
use crate::storage::clock::monotonic_ms;
use crate::storage::engine::{Engine, META};
use crate::storage::key::{KeyBuilder, KeyReader};
use crate::stores::device_state::{DeviceStateStore, DeviceTelemetry, TelemetryHooks};
use aggregate::Aggregator;
use buffer::WriteBuffer;
use chunk::ChunkSummary;
use columns::ColumnsBuilder;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::{Bound, RangeBounds};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

const SERIES: &str = "ts_series";
const SERIES_BY_ID: &str = "ts_series_by_id";
const CHUNKS: &str = "ts_chunks";
const NEXT_SERIES_ID: &[u8] = b"ts.next_series_id";

/// A point addressed to a series, for [`TimeSeriesStore::write_batch`]. As input JSON, an
/// unknown field is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryPoint {
    /// Device id.
    pub device_id: String,
    /// Metric name.
    pub metric: String,
    /// The sample.
    pub point: DataPoint,
}

impl TelemetryPoint {
    /// A float / integer / bool / string sample for `device_id` / `metric`.
    pub fn new(device_id: &str, metric: &str, timestamp: i64, value: impl Into<MetricValue>) -> Self {
        TelemetryPoint { device_id: device_id.into(), metric: metric.into(), point: DataPoint::new(timestamp, value) }
    }

    /// Checks the point as every write does (ids, a finite float and quality, string and
    /// metadata limits) without writing it: an importer can refuse one bad row and keep the
    /// rest, where a write refuses the whole batch.
    ///
    /// ```
    /// use neotalk_storage::TelemetryPoint;
    /// assert!(TelemetryPoint::new("pump-1", "power", 0, 1.5).validate().is_ok());
    /// let err = TelemetryPoint::new("pump-1", "", 0, 1.5).validate().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid metric: must not be empty");
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.validate_with(crate::limits::DEFAULT_MAX_BINARY_VALUE_BYTES)
    }

    /// [`Self::validate`] with the store's limit of binary values.
    fn validate_with(&self, max_binary_bytes: usize) -> Result<()> {
        check_id("device_id", &self.device_id)?;
        check_id("metric", &self.metric)?;
        self.point.validate_with(max_binary_bytes)
    }
}

/// Options of [`TimeSeriesStore::query_range_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeOptions {
    /// Return at most this many points.
    pub limit: Option<usize>,
    /// Newest point first (the limit then keeps the newest points).
    pub newest_first: bool,
}

#[derive(Default)]
struct SeriesMap {
    /// Device, then metric: looked up with borrowed names and a fast seeded hash (a batch
    /// of latest points asks for a thousand series per call).
    by_key: foldhash::HashMap<String, foldhash::HashMap<String, u32>>,
    by_id: HashMap<u32, (String, String)>,
    next_id: u32,
    /// Series that ever held a binary value.
    blobs: HashSet<u32>,
}

impl SeriesMap {
    fn load(view: &dyn ReadView) -> Result<Self> {
        let mut map = SeriesMap { next_id: Engine::meta_u64(view, NEXT_SERIES_ID)? as u32, ..Default::default() };
        view.scan(SERIES_BY_ID, &KeyRange::all(), Direction::Forward, &mut |k, v| {
            let id = KeyReader::new(k).u32()?;
            let mut r = KeyReader::new(v);
            map.insert(id, r.str()?, r.str()?);
            Ok(Scan::Continue)
        })?;
        map.blobs = blobs::load_series(view)?;
        Ok(map)
    }

    fn get(&self, device_id: &str, metric: &str) -> Option<u32> {
        self.by_key.get(device_id)?.get(metric).copied()
    }

    /// Records the series `id` of (`device_id`, `metric`).
    fn insert(&mut self, id: u32, device_id: String, metric: String) {
        self.by_key.entry(device_id.clone()).or_default().insert(metric.clone(), id);
        self.by_id.insert(id, (device_id, metric));
        self.next_id = self.next_id.max(id + 1);
    }
}

fn chunk_key(series: u32, first_ts: i64) -> Vec<u8> {
    KeyBuilder::new().u32(series).i64(first_ts).finish()
}

fn chunk_first_ts(k: &[u8]) -> Result<i64> {
    let mut r = KeyReader::new(k);
    r.u32()?;
    r.i64()
}

impl TimeSeriesStore {
    /// What a key of a telemetry table holds, for reports of damage: the series and the
    /// first time of a chunk, or the time of a binary value (the series' names are read from
    /// `view` when they still read).
    pub(crate) fn describe_key(&self, view: &dyn ReadView, table: &str, key: &[u8]) -> Option<String> {
        if table != CHUNKS && table != blobs::BLOBS {
            return None;
        }
        let mut r = KeyReader::new(key);
        let (series, first_ts) = (r.u32().ok()?, r.i64().ok()?);
        let names = view.get(SERIES_BY_ID, &KeyBuilder::new().u32(series).finish()).ok().flatten().and_then(|v| {
            let mut r = KeyReader::new(&v);
            Some(format!("{}/{}", r.str().ok()?, r.str().ok()?))
        });
        let series = names.unwrap_or_else(|| format!("series #{series}"));
        Some(if table == CHUNKS {
            format!("telemetry {series}, the chunk of points from {first_ts} up to the next chunk")
        } else {
            format!("telemetry {series}, the bytes of the binary value at {first_ts}")
        })
    }
}

/// Names the series in a `Corrupted` error met while reading its chunks (the error itself
/// names the table and the key).
fn damaged_in<'a>(device_id: &'a str, metric: &'a str) -> impl FnOnce(StorageError) -> StorageError + 'a {
    move |e| match e {
        StorageError::Corrupted(m) => StorageError::Corrupted(format!("telemetry {device_id}/{metric}: {m}")),
        other => other,
    }
}

fn series_chunks(series: u32) -> KeyRange {
    KeyRange::prefix(KeyBuilder::new().u32(series).finish())
}

/// Chunks of `series` whose first timestamp is in `[from, last]`; with `from` from
/// [`chunk_start_for`] this includes the chunk holding the range's first timestamp.
fn chunks_from(series: u32, from: i64, last: i64) -> KeyRange {
    KeyRange { start: Bound::Included(chunk_key(series, from)), end: Bound::Included(chunk_key(series, last)) }
}

/// The chunk of `series` with the greatest first timestamp `<= ts`: (first timestamp, bytes).
fn chunk_at_or_before(view: &dyn ReadView, series: u32, ts: i64) -> Result<Option<(i64, Vec<u8>)>> {
    let range = KeyRange { start: Bound::Included(chunk_key(series, i64::MIN)), end: Bound::Included(chunk_key(series, ts)) };
    let mut found = None;
    view.scan(CHUNKS, &range, Direction::Reverse, &mut |k, v| {
        found = Some((chunk_first_ts(k)?, v.to_vec()));
        Ok(Scan::Stop)
    })?;
    Ok(found)
}

/// The first timestamp to scan chunks from so the chunk holding `start` is included.
fn chunk_start_for(view: &dyn ReadView, series: u32, start: i64) -> Result<i64> {
    let range = KeyRange { start: Bound::Included(chunk_key(series, i64::MIN)), end: Bound::Included(chunk_key(series, start)) };
    let mut from = start;
    view.scan(CHUNKS, &range, Direction::Reverse, &mut |k, _| {
        from = chunk_first_ts(k)?;
        Ok(Scan::Stop)
    })?;
    Ok(from)
}

/// The first chunk of `series` whose first timestamp is `> after` (any, when `after` is `None`).
fn chunk_after(view: &dyn ReadView, series: u32, after: Option<i64>) -> Result<Option<(i64, Vec<u8>)>> {
    let mut range = series_chunks(series);
    if let Some(ts) = after {
        range.start = Bound::Excluded(chunk_key(series, ts));
    }
    let mut found = None;
    view.scan(CHUNKS, &range, Direction::Forward, &mut |k, v| {
        found = Some((chunk_first_ts(k)?, v.to_vec()));
        Ok(Scan::Stop)
    })?;
    Ok(found)
}

/// Stages `points` (sorted, unique timestamps) as chunks of at most [`chunk::CHUNK_POINTS`] points
/// (fewer when they carry large strings or metadata). With `open_tail` (the points end the
/// series) a last piece of at most [`head::MAX_POINTS`] stays a raw head, to be appended to.
fn put_chunks(batch: &mut WriteBatch, series: u32, points: &[&DataPoint], open_tail: bool) {
    let pieces = chunk::pieces(points);
    let last = pieces.len().saturating_sub(1);
    for (k, piece) in pieces.into_iter().enumerate() {
        let bytes = if open_tail && k == last && piece.len() <= head::MAX_POINTS { head::encode(piece) } else { chunk::encode(piece) };
        batch.put(CHUNKS, chunk_key(series, piece[0].timestamp), bytes);
    }
}

/// Stages the interning of series `(device_id, metric)` as `id`.
fn stage_new_series(batch: &mut WriteBatch, id: u32, device_id: &str, metric: &str) {
    batch.put(SERIES, KeyBuilder::new().str(device_id).str(metric).finish(), id.to_le_bytes().to_vec());
    batch.put(SERIES_BY_ID, KeyBuilder::new().u32(id).finish(), KeyBuilder::new().str(device_id).str(metric).finish());
}

/// The newest chunk of `series`: (first timestamp, bytes).
fn last_chunk(view: &dyn ReadView, series: u32) -> Result<Option<(i64, Vec<u8>)>> {
    let mut found = None;
    view.scan(CHUNKS, &series_chunks(series), Direction::Reverse, &mut |k, v| {
        found = Some((chunk_first_ts(k)?, v.to_vec()));
        Ok(Scan::Stop)
    })?;
    Ok(found)
}

/// Merges `new` (sorted, unique timestamps) into `old` (same); `new` wins equal timestamps.
fn merge_points<'a>(old: &'a [DataPoint], new: &[&'a DataPoint]) -> Vec<&'a DataPoint> {
    let mut out = Vec::with_capacity(old.len() + new.len());
    if old.last().is_none_or(|o| new.first().is_none_or(|p| o.timestamp < p.timestamp)) {
        // Appending (sealing a full head): no interleaving to do.
        out.extend(old);
        out.extend_from_slice(new);
        return out;
    }
    let mut old = old.iter().peekable();
    for &p in new {
        while let Some(o) = old.next_if(|o| o.timestamp < p.timestamp) {
            out.push(o);
        }
        old.next_if(|o| o.timestamp == p.timestamp);
        out.push(p);
    }
    out.extend(old);
    out
}

/// Stages the compression of the head `bytes` (key `first`): its points join the compressed
/// chunk before it while that has room, or else become a compressed chunk of their own.
/// `rewritten`: keys of chunks this batch already rewrote, whose stored bytes are stale.
fn fold_head(view: &dyn ReadView, batch: &mut WriteBatch, series: u32, first: i64, bytes: &[u8], rewritten: &[i64]) -> Result<()> {
    let head_points = chunk::decode(bytes)?;
    let head_refs: Vec<&DataPoint> = head_points.iter().collect();
    let before = match first.checked_sub(1) {
        Some(ts) => chunk_at_or_before(view, series, ts)?,
        None => None,
    };
    if let Some((before_first, before_bytes)) = before {
        let fits = !rewritten.contains(&before_first)
            && !head::is_head(&before_bytes)
            && ChunkSummary::read(&before_bytes)?.count as usize + head_points.len() <= chunk::CHUNK_POINTS;
        if fits {
            let old = chunk::decode(&before_bytes)?;
            batch.delete(CHUNKS, chunk_key(series, first));
            // Split by size if large strings make it too big for one chunk.
            put_chunks(batch, series, &merge_points(&old, &head_refs), false);
            return Ok(());
        }
    }
    batch.put(CHUNKS, chunk_key(series, first), chunk::encode(&head_refs));
    Ok(())
}

/// Stages the writes of `new` (sorted, unique timestamps) into the chunks of `series`: each
/// run of points is merged into the chunk whose span receives it, which is then rewritten
/// (split when it grows past a chunk's size).
/// `seal`: newer points follow in the same batch, so no chunk is left open as a raw head.
fn stage_series_points(view: &dyn ReadView, batch: &mut WriteBatch, series: u32, new: &[&DataPoint], seal: bool) -> Result<()> {
    // Most writes go to the newest chunk: one lookup finds it and shows it has no successor.
    let newest = last_chunk(view, series)?;
    let mut rewritten = Vec::new();
    let mut i = 0;
    while i < new.len() {
        let ts = new[i].timestamp;
        let (target, span_end) = match &newest {
            Some((first, bytes)) if *first <= ts => (Some((*first, bytes.clone())), None),
            _ => {
                let target = match chunk_at_or_before(view, series, ts)? {
                    Some(c) => Some(c),
                    None => chunk_after(view, series, None)?,
                };
                // The target's span ends where the next chunk starts.
                let span_end = match &target {
                    Some((first, _)) => chunk_after(view, series, Some(*first))?.map(|(f, _)| f),
                    None => None,
                };
                (target, span_end)
            }
        };
        let j = match span_end {
            Some(end) => i + new[i..].partition_point(|p| p.timestamp < end),
            None => new.len(),
        };
        let run = &new[i..j];
        let is_newest = span_end.is_none();
        // Small writes keep the newest chunk raw, to append to; a large write pays for
        // compressing it (a compressed head is several times smaller to rewrite).
        let open_tail = run.len() < head::SMALL_WRITE && !seal;
        match target {
            Some((first, bytes)) => {
                let summary = ChunkSummary::read(&bytes)?;
                let appends = is_newest && run[0].timestamp > summary.max_ts;
                let is_head = head::is_head(&bytes);
                if appends
                    && open_tail
                    && is_head
                    && summary.count as usize + run.len() <= head::MAX_POINTS
                    && bytes.len() + run.iter().map(|p| chunk::raw_bytes(p)).sum::<usize>() <= chunk::CHUNK_BYTES
                {
                    // The common case: newer points extend the raw head in place.
                    batch.put(CHUNKS, chunk_key(series, first), head::append(&bytes, &summary, run)?);
                } else if appends && open_tail && is_head {
                    // The head is full: fold it into the chunk before it, and the points
                    // start a new head.
                    fold_head(view, batch, series, first, &bytes, &rewritten)?;
                    put_chunks(batch, series, run, true);
                } else if appends && !is_head && (open_tail || summary.count as usize >= chunk::CHUNK_POINTS) {
                    // A compressed chunk stays as it is; the points start a new head (which is
                    // folded into it later while it has room).
                    put_chunks(batch, series, run, open_tail);
                } else {
                    // Late points, a full head to seal, or a small compressed chunk at the end
                    // (after a delete): merge and rewrite.
                    let old = chunk::decode(&bytes)?;
                    let merged = merge_points(&old, run);
                    // The first piece keeps the chunk's key unless a point older than it came.
                    if merged[0].timestamp != first {
                        batch.delete(CHUNKS, chunk_key(series, first));
                    }
                    put_chunks(batch, series, &merged, is_newest && open_tail);
                    rewritten.push(first);
                }
            }
            None => put_chunks(batch, series, run, open_tail),
        }
        i = j;
    }
    Ok(())
}

/// Stages a columnar append (every timestamp newer than the series' newest point; sorted,
/// unique) straight from the caller's columns: an open newest chunk (a raw head, or a short
/// chunk left by a delete) is filled up to a full chunk with the first new points, and the
/// rest is encoded chunk by chunk from column slices, without a point struct per value.
fn stage_column_append(batch: &mut WriteBatch, series: u32, newest: Option<(i64, Vec<u8>)>, ts: &[i64], values: Column<'_>) -> Result<()> {
    let mut done = 0;
    if let Some((first, bytes)) = newest {
        let count = ChunkSummary::read(&bytes)?.count as usize;
        if head::is_head(&bytes) || count < chunk::CHUNK_POINTS {
            let mut merged = chunk::decode(&bytes)?;
            done = chunk::CHUNK_POINTS.saturating_sub(merged.len()).min(ts.len());
            merged.extend((0..done).map(|i| DataPoint::new(ts[i], values.value(i))));
            if merged.first().map(|p| p.timestamp) != Some(first) {
                batch.delete(CHUNKS, chunk_key(series, first));
            }
            let refs: Vec<&DataPoint> = merged.iter().collect();
            put_chunks(batch, series, &refs, false);
        }
    }
    let (ts, values) = (&ts[done..], values.slice(done..ts.len()));
    for piece in chunk::column_pieces(values) {
        batch.put(CHUNKS, chunk_key(series, ts[piece.start]), chunk::encode_columns(&ts[piece.clone()], values.slice(piece)));
    }
    Ok(())
}

struct Inner {
    engine: Arc<Engine>,
    devices: DeviceStateStore,
    series: RwLock<SeriesMap>,
    buffer: Mutex<WriteBuffer>,
    buffer_opts: WriteBufferOptions,
    /// Latest point per series id, write-through.
    latest: HotCache<u32, DataPoint>,
    /// Configured rollup tiers.
    rollups: RollupConfig,
    /// Whether the stored tiers were built for `rollups` (else queries read raw data).
    rollups_fresh: AtomicBool,
    /// Largest binary value accepted, in bytes.
    max_binary_bytes: usize,
    /// The change log kept for replication sinks.
    feed: feed::TelemetryLog,
}

/// Store of telemetry series. Cheap to clone; obtain it from `StorageManager::timeseries()`.
#[derive(Clone)]
pub struct TimeSeriesStore {
    inner: Arc<Inner>,
}

impl TimeSeriesStore {
    pub(crate) fn new(
        engine: Arc<Engine>,
        devices: DeviceStateStore,
        buffer_opts: WriteBufferOptions,
        cache_series: usize,
        rollups: RollupConfig,
        max_binary_bytes: usize,
    ) -> Result<Self> {
        rollups.validate()?;
        if max_binary_bytes > crate::limits::MAX_BINARY_VALUE_BYTES {
            return Err(StorageError::invalid(
                "max_binary_value_bytes",
                format!("{max_binary_bytes} is over the largest accepted, {}", crate::limits::MAX_BINARY_VALUE_BYTES),
            ));
        }
        let series = SeriesMap::load(&*engine.read()?)?;
        let store = TimeSeriesStore {
            inner: Arc::new(Inner {
                engine,
                devices,
                series: RwLock::new(series),
                buffer: Mutex::new(WriteBuffer::new()),
                buffer_opts,
                latest: HotCache::new(cache_series),
                rollups,
                rollups_fresh: AtomicBool::new(false),
                max_binary_bytes,
                feed: feed::TelemetryLog::default(),
            }),
        };
        store.check_rollups(true)?;
        let (weak, weak2) = (Arc::downgrade(&store.inner), Arc::downgrade(&store.inner));
        store.inner.devices.set_telemetry_hooks(TelemetryHooks {
            before_read: Box::new(move || match weak.upgrade() {
                Some(inner) => TimeSeriesStore { inner }.flush_pending(),
                None => Ok(()),
            }),
            delete_device: Box::new(move |device_id| match weak2.upgrade() {
                Some(inner) => TimeSeriesStore { inner }.delete_device(device_id),
                None => Err(StorageError::Closed),
            }),
        });
        Ok(store)
    }

    /// Re-reads the series map and forgets cached latest points: the tables were replaced
    /// under the store (restore). Call with the engine's write lock held.
    pub(crate) fn reload(&self) -> Result<()> {
        let series = SeriesMap::load(&*self.inner.engine.read()?)?;
        *self.inner.series.write() = series;
        self.inner.latest.update(|c| c.clear());
        // The restored tables carry their own tier stamp: read it, write nothing here.
        self.check_rollups(false)
    }

    /// Queues one point in the write buffer; it is committed with the next group commit
    /// (see [`WriteBufferOptions`]). Invalid points are refused here, not at flush time.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, DataPoint};
    /// let db = StorageManager::in_memory().unwrap();
    /// let ts = db.timeseries();
    /// ts.write("thermo-1", "temperature", DataPoint::new(1_000, 21.5)).unwrap();
    /// ts.flush().unwrap();
    /// assert_eq!(ts.query_latest("thermo-1", "temperature").unwrap().unwrap().timestamp, 1_000);
    /// ```
    pub fn write(&self, device_id: &str, metric: &str, point: DataPoint) -> Result<()> {
        let p = TelemetryPoint { device_id: device_id.into(), metric: metric.into(), point };
        p.validate_with(self.inner.max_binary_bytes)?;
        self.inner.engine.ensure_writable()?;
        let now = monotonic_ms();
        let due = {
            let mut buf = self.inner.buffer.lock();
            buf.push(p, now);
            buf.is_due(now, &self.inner.buffer_opts)
        };
        if due {
            self.flush()?;
        }
        Ok(())
    }

    /// Commits many points of many series in one transaction (after any buffered points, so
    /// write order is kept). Either every point is stored or none is.
    pub fn write_batch(&self, points: &[TelemetryPoint]) -> Result<()> {
        // Arguments first, then the handle's state, as every store call does.
        for p in points {
            p.validate_with(self.inner.max_binary_bytes)?;
        }
        self.inner.engine.ensure_writable()?;
        let _w = self.inner.engine.lock_writes();
        let mut pending = self.inner.buffer.lock().take();
        if pending.is_empty() {
            return self.commit_points(points);
        }
        let buffered = pending.len();
        pending.extend_from_slice(points);
        if let Err(e) = self.commit_points(&pending) {
            pending.truncate(buffered);
            self.inner.buffer.lock().restore(pending, monotonic_ms());
            return Err(e);
        }
        self.inner.buffer.lock().committed();
        Ok(())
    }

    /// Commits many points of one series in one transaction.
    pub fn write_series(&self, device_id: &str, metric: &str, points: &[DataPoint]) -> Result<()> {
        let batch: Vec<TelemetryPoint> =
            points.iter().map(|p| TelemetryPoint { device_id: device_id.into(), metric: metric.into(), point: p.clone() }).collect();
        self.write_batch(&batch)
    }

    /// Commits the points of one series given as columns, in one transaction: point `i` is
    /// `(timestamps[i], values[i])`. Every value is of the column's type ([`Column`]): a float
    /// column takes floats only (NaN and infinities are refused), integers, booleans and
    /// strings are their own column types, and nothing is converted. Timestamps may come in
    /// any order; of equal timestamps the later value wins. Buffered points are committed
    /// first, so write order is kept. Either every point is stored or none is.
    ///
    /// Encodes chunks straight from the columns: when the timestamps are newer than the
    /// series' newest point (ingest), at most one chunk of points is built; unsorted input
    /// costs one sorted copy (24 bytes per point for `i64` + `f64`), within 2x the input.
    ///
    /// Bad input is `InvalidInput` naming the field: `device_id`, `metric`, `values` (count
    /// differs from the timestamps, a non-finite float, a string over 64 KiB).
    ///
    /// ```
    /// use neotalk_storage::{Column, ColumnValues, StorageManager};
    /// let db = StorageManager::in_memory().unwrap();
    /// let ts = db.timeseries();
    /// ts.write_columns("thermo-1", "temperature", &[1_000, 2_000], Column::Float(&[21.5, 21.7])).unwrap();
    /// ts.write_columns("thermo-1", "door", &[1_000], Column::Boolean(&[true])).unwrap();
    /// let cols = ts.query_range_columns("thermo-1", "temperature", 0..).unwrap();
    /// assert_eq!(cols.timestamps, vec![1_000, 2_000]);
    /// assert_eq!(cols.values, ColumnValues::Float(vec![21.5, 21.7]));
    /// assert!(ts.write_columns("thermo-1", "temperature", &[3_000], Column::Float(&[f64::NAN])).is_err());
    /// ```
    pub fn write_columns(&self, device_id: &str, metric: &str, timestamps: &[i64], values: Column<'_>) -> Result<()> {
        check_id("device_id", device_id)?;
        check_id("metric", metric)?;
        values.validate(timestamps.len())?;
        self.inner.engine.ensure_writable()?;
        if timestamps.is_empty() {
            return Ok(());
        }
        let _w = self.inner.engine.lock_writes();
        self.flush_locked()?;
        if timestamps.windows(2).all(|w| w[0] < w[1]) {
            return self.commit_columns(device_id, metric, timestamps, values);
        }
        let (ts, values) = columns::sorted(timestamps, values);
        self.commit_columns(device_id, metric, &ts, values.as_column())
    }

    /// Commits one series' columns (sorted, unique, not empty). Call with the engine's write
    /// lock held.
    fn commit_columns(&self, device_id: &str, metric: &str, ts: &[i64], values: Column<'_>) -> Result<()> {
        let engine = &self.inner.engine;
        let generation = self.inner.devices.cache_generation();
        let view = engine.read()?;
        let mut batch = WriteBatch::new();
        let (id, is_new) = {
            let series = self.inner.series.read();
            match series.get(device_id, metric) {
                Some(id) => (id, false),
                None => {
                    let id = series.next_id;
                    let next =
                        id.checked_add(1).ok_or_else(|| StorageError::invalid("metric", "series id space (2^32 series) exhausted"))?;
                    stage_new_series(&mut batch, id, device_id, metric);
                    batch.put(META, NEXT_SERIES_ID.to_vec(), (next as u64).to_le_bytes().to_vec());
                    (id, true)
                }
            }
        };
        let n = ts.len();
        let newest_point = DataPoint::new(ts[n - 1], values.value(n - 1));
        let newest = last_chunk(&*view, id)?;
        // Points up to the series' newest stored one (`late`) are merged into their chunks
        // point by point; the newer rest is appended straight from the columns, so only the
        // late part pays for a point struct each (re-sending an overlap, a restart's replay).
        let late = match &newest {
            Some((_, bytes)) => {
                let max_ts = ChunkSummary::read(bytes)?.max_ts;
                ts.partition_point(|&t| t <= max_ts)
            }
            None => 0,
        };
        let appends = late == 0;
        self.stage_rollups(&*view, &mut batch, (id, device_id, metric), ts, values.numbers())?;
        let point_path = if n < head::SMALL_WRITE { n } else { late };
        if point_path > 0 {
            // Small writes extend the raw head; late points are merged into the chunks they
            // fall in. When columns follow, the chunks rewritten here are sealed (compressed).
            let points: Vec<DataPoint> = (0..point_path).map(|i| DataPoint::new(ts[i], values.value(i))).collect();
            let refs: Vec<&DataPoint> = points.iter().collect();
            stage_series_points(&*view, &mut batch, id, &refs, point_path < n)?;
        }
        if point_path < n {
            // After late points the newest chunk was rewritten above: the rest starts a chunk.
            let open = if point_path == 0 { newest } else { None };
            stage_column_append(&mut batch, id, open, &ts[point_path..], values.slice(point_path..n))?;
        }
        let mut per_device = HashMap::new();
        per_device.insert(device_id, DeviceTelemetry { newest: HashMap::from([(metric, &newest_point)]), max_ts: newest_point.timestamp });
        let staged = self.inner.devices.stage_telemetry(&*view, generation, &mut batch, &per_device)?;
        let fed = match self.feed_on() {
            true => self.feed_stage(&mut batch, &mut feed::spans_of(id, ts, |i| feed::row_bytes(&values.value(i)))),
            false => None,
        };
        engine.commit(&batch)?;
        self.feed_landed(fed);
        if is_new {
            self.inner.series.write().insert(id, device_id.to_string(), metric.to_string());
        }
        self.inner.devices.apply_staged(staged);
        self.inner.latest.update(|cache| {
            if appends {
                // Newer than every stored point: it is the series' newest.
                cache.put(id, newest_point);
            } else if let Some(cached) = cache.get_mut(&id) {
                if newest_point.timestamp >= cached.timestamp {
                    *cached = newest_point;
                }
            }
        });
        Ok(())
    }

    /// Commits everything in the write buffer now.
    pub fn flush(&self) -> Result<()> {
        self.inner.engine.ensure_open()?;
        let _w = self.inner.engine.lock_writes();
        self.flush_locked()
    }

    fn flush_locked(&self) -> Result<()> {
        let pending = self.inner.buffer.lock().take();
        if pending.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.commit_points(&pending) {
            self.inner.buffer.lock().restore(pending, monotonic_ms());
            return Err(e);
        }
        self.inner.buffer.lock().committed();
        Ok(())
    }

    /// Flushes when the oldest buffered point has waited `max_delay_ms` (background thread).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn flush_if_due(&self) -> Result<()> {
        let due = self.inner.buffer.lock().is_due(monotonic_ms(), &self.inner.buffer_opts);
        if due {
            self.flush()?;
        }
        Ok(())
    }

    /// Points waiting in the write buffer.
    pub fn buffered_points(&self) -> usize {
        self.inner.buffer.lock().points.len()
    }

    /// Reads see buffered writes: commit them first when any are pending.
    fn flush_pending(&self) -> Result<()> {
        // A commit of taken points may still be running (another thread's flush): wait for
        // it through flush(), which takes the writer lock that commit holds.
        let idle = {
            let b = self.inner.buffer.lock();
            b.points.is_empty() && !b.in_flight
        };
        if idle {
            Ok(())
        } else {
            self.flush()
        }
    }

    /// A snapshot that includes every write accepted so far.
    fn read_view(&self) -> Result<Box<dyn ReadView>> {
        self.flush_pending()?;
        self.inner.engine.read()
    }

    /// Writes `points` in one batch. Call with the engine's write lock held.
    fn commit_points(&self, points: &[TelemetryPoint]) -> Result<()> {
        if points.is_empty() {
            return Ok(());
        }
        let engine = &self.inner.engine;
        let generation = self.inner.devices.cache_generation();
        let view = engine.read()?;
        let mut batch = WriteBatch::new();
        let mut new_series: Vec<(u32, &str, &str)> = Vec::new();
        let mut ids = Vec::with_capacity(points.len());
        let names: HashMap<u32, (&str, &str)>;
        {
            let series = self.inner.series.read();
            let mut next_id = series.next_id;
            let mut local: HashMap<(&str, &str), u32> = HashMap::new();
            let mut previous: Option<(&str, &str, u32)> = None;
            for p in points {
                let key = (p.device_id.as_str(), p.metric.as_str());
                // Batches usually hold runs of one series: skip the lookup for those.
                if let Some((d, m, id)) = previous {
                    if d == key.0 && m == key.1 {
                        ids.push(id);
                        continue;
                    }
                }
                let id = match local.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = match series.get(key.0, key.1) {
                            Some(id) => id,
                            None => {
                                let id = next_id;
                                next_id = next_id
                                    .checked_add(1)
                                    .ok_or_else(|| StorageError::invalid("metric", "series id space (2^32 series) exhausted"))?;
                                new_series.push((id, key.0, key.1));
                                id
                            }
                        };
                        local.insert(key, id);
                        id
                    }
                };
                previous = Some((key.0, key.1, id));
                ids.push(id);
            }
            names = local.iter().map(|(key, id)| (*id, *key)).collect();
            if !new_series.is_empty() {
                for (id, d, m) in &new_series {
                    stage_new_series(&mut batch, *id, d, m);
                }
                batch.put(META, NEXT_SERIES_ID.to_vec(), (next_id as u64).to_le_bytes().to_vec());
            }
        }
        let mut per_device: HashMap<&str, DeviceTelemetry<'_>> = HashMap::new();
        let mut newest_by_series: HashMap<u32, &DataPoint> = HashMap::new();
        let mut by_series: HashMap<u32, Vec<&DataPoint>> = HashMap::new();
        let mut new_blob_series = Vec::new();
        // Walk runs of one series: one map update per run rather than per point.
        let mut i = 0;
        while i < points.len() {
            let id = ids[i];
            let j = i + ids[i..].iter().take_while(|&&x| x == id).count();
            let run = &points[i..j];
            // Later points win ties, as later writes of the same key win in the batch.
            let newest_in_run =
                run.iter().map(|p| &p.point).reduce(|a, b| if b.timestamp >= a.timestamp { b } else { a }).expect("runs are not empty");
            let p = &run[0];
            let t = per_device.entry(p.device_id.as_str()).or_insert_with(|| DeviceTelemetry { newest: HashMap::new(), max_ts: i64::MIN });
            t.max_ts = t.max_ts.max(newest_in_run.timestamp);
            let newest = t.newest.entry(p.metric.as_str()).or_insert(newest_in_run);
            if newest_in_run.timestamp >= newest.timestamp {
                *newest = newest_in_run;
            }
            let n = newest_by_series.entry(id).or_insert(newest_in_run);
            if newest_in_run.timestamp >= n.timestamp {
                *n = newest_in_run;
            }
            by_series.entry(id).or_default().extend(run.iter().map(|p| &p.point));
            i = j;
        }
        let mut spans = Vec::new();
        for (id, mut pts) in by_series {
            // Batches usually arrive in time order: then there is nothing to sort or drop.
            if !pts.windows(2).all(|w| w[0].timestamp < w[1].timestamp) {
                // Stable sort, then keep the last of equal timestamps: later writes win.
                pts.sort_by_key(|p| p.timestamp);
                let mut unique: Vec<&DataPoint> = Vec::with_capacity(pts.len());
                for p in pts {
                    match unique.last_mut() {
                        Some(last) if last.timestamp == p.timestamp => *last = p,
                        _ => unique.push(p),
                    }
                }
                pts = unique;
            }
            if !self.inner.rollups.is_empty() {
                let (device_id, metric) = names[&id];
                let (ts, values): (Vec<i64>, Vec<Option<f64>>) = pts.iter().map(|p| (p.timestamp, p.value.as_f64())).unzip();
                self.stage_rollups(&*view, &mut batch, (id, device_id, metric), &ts, rollup::Numbers::Mixed(&values))?;
            }
            let holds_binary = self.has_blobs(id);
            if blobs::stage_writes(&mut batch, id, pts.iter().copied(), holds_binary) {
                new_blob_series.push(id);
            }
            stage_series_points(&*view, &mut batch, id, &pts, false)?;
            if self.feed_on() {
                let times: Vec<i64> = pts.iter().map(|p| p.timestamp).collect();
                spans.extend(feed::spans_of(id, &times, |i| feed::row_bytes(&pts[i].value)));
            }
        }
        let staged = self.inner.devices.stage_telemetry(&*view, generation, &mut batch, &per_device)?;
        let fed = self.feed_stage(&mut batch, &mut spans);
        engine.commit(&batch)?;
        self.feed_landed(fed);
        if !new_series.is_empty() || !new_blob_series.is_empty() {
            let mut series = self.inner.series.write();
            for (id, d, m) in new_series {
                series.insert(id, d.to_string(), m.to_string());
            }
            series.blobs.extend(new_blob_series);
        }
        self.inner.devices.apply_staged(staged);
        self.inner.latest.update(|cache| {
            for (id, p) in newest_by_series {
                if let Some(cached) = cache.get_mut(&id) {
                    if p.timestamp < cached.timestamp {
                        continue;
                    }
                    if matches!(p.value, MetricValue::Binary(_)) {
                        // The cache holds small values only: binary ones are read from ts_blobs.
                        cache.pop(&id);
                    } else {
                        *cached = p.clone();
                    }
                }
            }
        });
        Ok(())
    }

    /// Whether series `id` ever held a binary value (see `blobs`).
    fn has_blobs(&self, id: u32) -> bool {
        self.inner.series.read().blobs.contains(&id)
    }

    /// Fills the binary values of `points` of series `id` (decoded from chunks without their
    /// bytes).
    fn fill_blobs(&self, view: &dyn ReadView, id: u32, points: &mut [DataPoint]) -> Result<()> {
        if self.has_blobs(id) {
            blobs::fill(view, id, points)?;
        }
        Ok(())
    }

    fn series_id(&self, device_id: &str, metric: &str) -> Result<Option<u32>> {
        check_id("device_id", device_id)?;
        check_id("metric", metric)?;
        // Unknown series answer from memory: still refuse them on a closed handle.
        self.inner.engine.ensure_open()?;
        Ok(self.inner.series.read().get(device_id, metric))
    }

    /// Points of one series in `range` (any `RangeBounds<i64>`: `start..end`,
    /// `start..=end`, `start..`, `..`), oldest first.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, TelemetryPoint};
    /// let db = StorageManager::in_memory().unwrap();
    /// let ts = db.timeseries();
    /// ts.write_batch(&[TelemetryPoint::new("d", "m", 1, 1.0), TelemetryPoint::new("d", "m", i64::MAX, 2.0)]).unwrap();
    /// assert_eq!(ts.query_range("d", "m", 0..10).unwrap().len(), 1);
    /// assert_eq!(ts.query_range("d", "m", 0..).unwrap().len(), 2); // i64::MAX included
    /// assert_eq!(ts.query_range("d", "m", ..).unwrap().len(), 2);
    /// ```
    pub fn query_range(&self, device_id: &str, metric: &str, range: impl RangeBounds<i64>) -> Result<Vec<DataPoint>> {
        self.query_range_with(device_id, metric, range, RangeOptions::default())
    }

    /// Points of one series in `range`, with a limit and an order.
    /// An unknown series gives an empty result.
    pub fn query_range_with(
        &self,
        device_id: &str,
        metric: &str,
        range: impl RangeBounds<i64>,
        opts: RangeOptions,
    ) -> Result<Vec<DataPoint>> {
        let range = TimeRange::new(range)?;
        let view = self.read_view()?;
        let Some(id) = self.series_id(device_id, metric)? else { return Ok(Vec::new()) };
        let limit = opts.limit.unwrap_or(usize::MAX);
        let mut out = Vec::new();
        let Some((start, last)) = range.bounds() else { return Ok(out) };
        if limit == 0 {
            return Ok(out);
        }
        if !opts.newest_first {
            return self.read_points(&*view, id, start, last, limit).map_err(damaged_in(device_id, metric));
        }
        let from = chunk_start_for(&*view, id, start)?;
        view.scan(CHUNKS, &chunks_from(id, from, last), Direction::Reverse, &mut |_, v| {
            if ChunkSummary::read(v)?.max_ts < start {
                return Ok(Scan::Stop);
            }
            for p in chunk::decode(v)?.into_iter().rev().filter(|p| range.contains(p.timestamp)) {
                out.push(p);
                if out.len() >= limit {
                    return Ok(Scan::Stop);
                }
            }
            Ok(Scan::Continue)
        })
        .map_err(damaged_in(device_id, metric))?;
        self.fill_blobs(&*view, id, &mut out).map_err(damaged_in(device_id, metric))?;
        Ok(out)
    }

    /// Stored points of `series` in `[start, last]`, oldest first, at most `limit`, with
    /// their binary values.
    fn read_points(&self, view: &dyn ReadView, series: u32, start: i64, last: i64, limit: usize) -> Result<Vec<DataPoint>> {
        let mut out = Vec::new();
        if limit == 0 || start > last {
            return Ok(out);
        }
        let from = chunk_start_for(view, series, start)?;
        view.scan(CHUNKS, &chunks_from(series, from, last), Direction::Forward, &mut |_, v| {
            let s = ChunkSummary::read(v)?;
            if s.max_ts < start {
                return Ok(Scan::Continue);
            }
            out.reserve((s.count as usize).min(limit - out.len()));
            chunk::decode_range_into(v, start, last, &mut out, limit)?;
            Ok(if out.len() >= limit { Scan::Stop } else { Scan::Continue })
        })?;
        self.fill_blobs(view, series, &mut out)?;
        Ok(out)
    }

    /// Points of one series in `range` as columns ([`Columns`]): timestamps and values in
    /// flat vectors filled straight from the chunk decoder, oldest first. The column's type
    /// is the type of the stored values; a range holding values of two types is refused
    /// (`InvalidInput` on `"value type"`, naming both types and the first timestamp of the
    /// second; read such a series with [`Self::query_range`]). An unknown series or an
    /// empty range gives an empty float column. Quality and metadata are not returned.
    ///
    /// ```
    /// use neotalk_storage::{Column, ColumnValues, StorageManager};
    /// let db = StorageManager::in_memory().unwrap();
    /// let ts = db.timeseries();
    /// ts.write_columns("d", "count", &[1, 2, i64::MAX], Column::Integer(&[10, 20, 30])).unwrap();
    /// let cols = ts.query_range_columns("d", "count", 2..).unwrap();
    /// assert_eq!((cols.timestamps, cols.values), (vec![2, i64::MAX], ColumnValues::Integer(vec![20, 30])));
    /// ```
    pub fn query_range_columns(&self, device_id: &str, metric: &str, range: impl RangeBounds<i64>) -> Result<Columns> {
        self.query_range_columns_with(device_id, metric, range, RangeOptions::default())
    }

    /// [`Self::query_range_columns`] with a limit and an order.
    pub fn query_range_columns_with(
        &self,
        device_id: &str,
        metric: &str,
        range: impl RangeBounds<i64>,
        opts: RangeOptions,
    ) -> Result<Columns> {
        let range = TimeRange::new(range)?;
        let view = self.read_view()?;
        let mut out = ColumnsBuilder::new(opts.limit.unwrap_or(usize::MAX));
        let Some(id) = self.series_id(device_id, metric)? else { return Ok(out.finish()) };
        let Some((start, last)) = range.bounds() else { return Ok(out.finish()) };
        if out.is_full() {
            return Ok(out.finish());
        }
        let from = chunk_start_for(&*view, id, start)?;
        let direction = if opts.newest_first { Direction::Reverse } else { Direction::Forward };
        view.scan(CHUNKS, &chunks_from(id, from, last), direction, &mut |_, v| {
            let s = ChunkSummary::read(v)?;
            if s.max_ts < start {
                return Ok(if opts.newest_first { Scan::Stop } else { Scan::Continue });
            }
            out.timestamps.reserve((s.count as usize).min(out.room()));
            chunk::decode_columns_into(v, start, last, opts.newest_first, &mut out)?;
            Ok(if out.is_full() { Scan::Stop } else { Scan::Continue })
        })
        .map_err(damaged_in(device_id, metric))?;
        Ok(out.finish())
    }

    /// The newest point of series `id` with `timestamp >= from`.
    fn latest_in(view: &dyn ReadView, id: u32, from: i64) -> Result<Option<DataPoint>> {
        // The newest point is the last of the newest chunk, kept in its newest-point block:
        // one point is decoded, not the chunk.
        let mut found = None;
        view.scan(CHUNKS, &series_chunks(id), Direction::Reverse, &mut |_, v| {
            if ChunkSummary::read(v)?.max_ts >= from {
                found = chunk::newest_point(v)?;
            }
            Ok(Scan::Stop)
        })?;
        Ok(found.filter(|p| p.timestamp >= from))
    }

    /// The newest point of a series, or `None` when it has none.
    pub fn query_latest(&self, device_id: &str, metric: &str) -> Result<Option<DataPoint>> {
        self.flush_pending()?;
        let Some(id) = self.series_id(device_id, metric)? else { return Ok(None) };
        self.inner.engine.ensure_open()?;
        if let Some(p) = self.inner.latest.get(&id) {
            return Ok(Some(p));
        }
        let generation = self.inner.latest.generation();
        let view = self.inner.engine.read()?;
        let mut found = Self::latest_in(&*view, id, i64::MIN).map_err(damaged_in(device_id, metric))?;
        match &mut found {
            Some(p) if matches!(p.value, MetricValue::Binary(_)) => {
                self.fill_blobs(&*view, id, std::slice::from_mut(p)).map_err(damaged_in(device_id, metric))?
            }
            Some(p) => self.inner.latest.fill(generation, id, p.clone()),
            None => {}
        }
        Ok(found)
    }

    /// The newest point of each of many series, in the order asked, from one snapshot.
    ///
    /// Answers from the hot cache of newest points where it can, and otherwise reads one
    /// point per series from its newest chunk's summary (O(1) per series, no chunk decoded).
    /// The snapshot and the cache are read together under the writer lock (for as long as
    /// the lookups take), so the answers are those of one moment.
    pub fn query_latest_batch(&self, series: &[(&str, &str)]) -> Result<Vec<Option<DataPoint>>> {
        self.flush_pending()?;
        for (d, m) in series {
            check_id("device_id", d)?;
            check_id("metric", m)?;
        }
        self.inner.engine.ensure_open()?;
        let ids: Vec<Option<u32>> = {
            let map = self.inner.series.read();
            series.iter().map(|(d, m)| map.get(d, m)).collect()
        };
        let (view, generation, mut out) = {
            let _w = self.inner.engine.lock_writes();
            let view = self.inner.engine.read()?;
            let generation = self.inner.latest.generation();
            let out: Vec<Option<DataPoint>> = self.inner.latest.get_many(ids.iter().map(|id| id.as_ref()));
            (view, generation, out)
        };
        for ((slot, id), (device_id, metric)) in out.iter_mut().zip(&ids).zip(series) {
            let Some(id) = id else { continue };
            if slot.is_none() {
                *slot = Self::latest_in(&*view, *id, i64::MIN)?;
                match slot {
                    Some(p) if matches!(p.value, MetricValue::Binary(_)) => {
                        self.fill_blobs(&*view, *id, std::slice::from_mut(p)).map_err(damaged_in(device_id, metric))?
                    }
                    Some(p) => self.inner.latest.fill(generation, *id, p.clone()),
                    None => {}
                }
            }
        }
        Ok(out)
    }

    /// Aggregates of the points in `range` (any `RangeBounds<i64>`) in epoch-aligned
    /// buckets of `bucket_ms`; buckets without points are omitted. With rollup tiers
    /// (`StorageOptions::rollups`) the answer comes from the coarsest tier whose width divides
    /// `bucket_ms` and to which the range is aligned ([`aggregation_tier`](Self::aggregation_tier)
    /// says which), else from the raw points.
    pub fn query_aggregated(
        &self,
        device_id: &str,
        metric: &str,
        range: impl RangeBounds<i64>,
        bucket_ms: i64,
    ) -> Result<Vec<AggregateBucket>> {
        let range = TimeRange::new(range)?;
        if bucket_ms <= 0 {
            return Err(StorageError::invalid("bucket_ms", format!("{bucket_ms} must be positive")));
        }
        let view = self.read_view()?;
        let Some(id) = self.series_id(device_id, metric)? else { return Ok(Vec::new()) };
        let Some((start, last)) = range.bounds() else { return Ok(Vec::new()) };
        if let Some(width) = self.answering_tier(&*view, device_id, metric, range, bucket_ms)? {
            return rollup::fold(&*view, id, width, start, last, bucket_ms).map_err(damaged_in(device_id, metric));
        }
        let mut agg = Aggregator::new(bucket_ms);
        let from = chunk_start_for(&*view, id, start)?;
        view.scan(CHUNKS, &chunks_from(id, from, last), Direction::Forward, &mut |_, v| {
            let s = ChunkSummary::read(v)?;
            if s.max_ts < start {
                return Ok(Scan::Continue);
            }
            let whole = s.min_ts >= start && s.max_ts <= last;
            if whole && aggregate::bucket_start(s.min_ts, bucket_ms) == aggregate::bucket_start(s.max_ts, bucket_ms) {
                agg.push_summary(&s);
            } else {
                let (ts, values) = chunk::decode_numeric(v)?;
                for (t, v) in ts.into_iter().zip(values) {
                    if range.contains(t) {
                        agg.push_value(t, v);
                    }
                }
            }
            Ok(Scan::Continue)
        })
        .map_err(damaged_in(device_id, metric))?;
        Ok(agg.finish())
    }

    /// Devices with at least one stored point, ordered by id.
    pub fn list_devices_with_data(&self) -> Result<Vec<String>> {
        let view = self.read_view()?;
        let series: Vec<(u32, String)> = self.inner.series.read().by_id.iter().map(|(id, (d, _))| (*id, d.clone())).collect();
        let mut devices = BTreeSet::new();
        for (id, device) in series {
            if !devices.contains(&device) && Self::has_points(&*view, id)? {
                devices.insert(device);
            }
        }
        Ok(devices.into_iter().collect())
    }

    fn has_points(view: &dyn ReadView, id: u32) -> Result<bool> {
        let mut any = false;
        view.scan(CHUNKS, &series_chunks(id), Direction::Forward, &mut |_, _| {
            any = true;
            Ok(Scan::Stop)
        })?;
        Ok(any)
    }

    /// Metrics with at least one stored point for `device_id`, ordered by name. A device
    /// that is neither registered nor has telemetry fails with `NotFound`.
    pub fn list_metrics(&self, device_id: &str) -> Result<Vec<String>> {
        check_id("device_id", device_id)?;
        let view = self.read_view()?;
        let series: Vec<(u32, String)> =
            self.inner.series.read().by_id.iter().filter(|(_, (d, _))| d == device_id).map(|(id, (_, m))| (*id, m.clone())).collect();
        if series.is_empty() && self.inner.devices.get_device(device_id)?.is_none() {
            return Err(StorageError::not_found("device", device_id));
        }
        let mut metrics = BTreeSet::new();
        for (id, metric) in series {
            if Self::has_points(&*view, id)? {
                metrics.insert(metric);
            }
        }
        Ok(metrics.into_iter().collect())
    }

    /// Deletes the points of one series in `range` (any `RangeBounds<i64>`), in transactions
    /// of at most [`TELEMETRY_DELETE_BATCH`] points; returns how many were removed. The
    /// device's snapshot of the metric then shows the newest remaining point (or is removed).
    pub fn delete_range(&self, device_id: &str, metric: &str, range: impl RangeBounds<i64>) -> Result<u64> {
        let range = TimeRange::new(range)?;
        self.flush()?;
        let Some(id) = self.series_id(device_id, metric)? else { return Ok(0) };
        let Some((start, last)) = range.bounds() else { return Ok(0) };
        let removed =
            self.delete_points(id, start, last, |view, batch| self.stage_snapshot_repair(view, batch, id, device_id, metric, start, last))?;
        self.inner.devices.invalidate(device_id);
        Ok(removed)
    }

    /// Deletes every point of every metric of `device_id` (see [`delete_range`](Self::delete_range):
    /// bounded transactions, the device's snapshots go with the points), and the series'
    /// rollup tiers; returns how many points went.
    /// A device without telemetry removes nothing; the device itself stays registered
    /// (`devices().delete_with_telemetry` removes both).
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, TelemetryPoint};
    /// let db = StorageManager::in_memory().unwrap();
    /// let ts = db.timeseries();
    /// ts.write_batch(&[TelemetryPoint::new("a", "temp", 1, 20.0), TelemetryPoint::new("a", "rh", 1, 40.0), TelemetryPoint::new("b", "temp", 1, 9.0)]).unwrap();
    /// assert_eq!(ts.delete_device("a").unwrap(), 2);
    /// assert_eq!(ts.list_devices_with_data().unwrap(), ["b"]);
    /// assert!(db.devices().get_device("a").unwrap().unwrap().metrics.is_empty());
    /// ```
    pub fn delete_device(&self, device_id: &str) -> Result<u64> {
        check_id("device_id", device_id)?;
        let metrics: Vec<String> =
            self.inner.series.read().by_id.values().filter(|(d, _)| d == device_id).map(|(_, m)| m.clone()).collect();
        self.delete_each_series(metrics.iter().map(|m| (device_id, m.as_str())))
    }

    /// Deletes every point of `metric` on every device (as [`delete_device`](Self::delete_device)
    /// does for one device); returns how many went.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, TelemetryPoint};
    /// let db = StorageManager::in_memory().unwrap();
    /// let ts = db.timeseries();
    /// ts.write_batch(&[TelemetryPoint::new("a", "debug", 1, 1.0), TelemetryPoint::new("b", "debug", 1, 2.0), TelemetryPoint::new("b", "temp", 1, 9.0)]).unwrap();
    /// assert_eq!(ts.delete_metric("debug").unwrap(), 2);
    /// assert_eq!(ts.list_metrics("b").unwrap(), ["temp"]);
    /// ```
    pub fn delete_metric(&self, metric: &str) -> Result<u64> {
        check_id("metric", metric)?;
        let devices: Vec<String> = self.inner.series.read().by_id.values().filter(|(_, m)| m == metric).map(|(d, _)| d.clone()).collect();
        self.delete_each_series(devices.iter().map(|d| (d.as_str(), metric)))
    }

    /// Deletes every point of each series, one after the other.
    fn delete_each_series<'a>(&self, series: impl Iterator<Item = (&'a str, &'a str)>) -> Result<u64> {
        self.inner.engine.ensure_open()?;
        let mut removed = 0;
        for (device_id, metric) in series {
            removed += self.delete_range(device_id, metric, ..)?;
            if let Some(id) = self.series_id(device_id, metric)? {
                self.drop_rollups(id)?;
            }
        }
        Ok(removed)
    }

    /// Deletes the points of series `id` in `[start, last]` in transactions of about
    /// [`TELEMETRY_DELETE_BATCH`] points: chunks wholly inside the range are dropped without decoding,
    /// the (at most two) chunks straddling an edge are rewritten with the points they keep.
    /// `last_round` may stage more changes into the final transaction.
    fn delete_points(
        &self,
        id: u32,
        start: i64,
        last: i64,
        mut last_round: impl FnMut(&dyn ReadView, &mut WriteBatch) -> Result<()>,
    ) -> Result<u64> {
        let engine = &self.inner.engine;
        let mut removed = 0u64;
        let holds_binary = self.has_blobs(id);
        loop {
            let _w = engine.lock_writes();
            let view = engine.read()?;
            let mut batch = WriteBatch::new();
            let mut n = 0u64;
            let mut is_last = true;
            let from = chunk_start_for(&*view, id, start)?;
            view.scan(CHUNKS, &chunks_from(id, from, last), Direction::Forward, &mut |k, v| {
                let s = ChunkSummary::read(v)?;
                if s.max_ts < start {
                    return Ok(Scan::Continue);
                }
                if s.min_ts >= start && s.max_ts <= last {
                    batch.delete(CHUNKS, k.to_vec());
                    n += s.count;
                    if holds_binary {
                        blobs::stage_removal(&mut batch, id, chunk::decode(v)?.iter());
                    }
                } else {
                    let points = chunk::decode(v)?;
                    let kept: Vec<&DataPoint> = points.iter().filter(|p| p.timestamp < start || p.timestamp > last).collect();
                    if kept.len() == points.len() {
                        return Ok(Scan::Continue);
                    }
                    n += (points.len() - kept.len()) as u64;
                    blobs::stage_removal(&mut batch, id, points.iter().filter(|p| p.timestamp >= start && p.timestamp <= last));
                    batch.delete(CHUNKS, k.to_vec());
                    // A raw head keeps being the (raw) head; sealed chunks stay compressed.
                    put_chunks(&mut batch, id, &kept, head::is_head(v));
                }
                if n >= TELEMETRY_DELETE_BATCH as u64 {
                    is_last = false;
                    return Ok(Scan::Stop);
                }
                Ok(Scan::Continue)
            })?;
            if is_last {
                last_round(&*view, &mut batch)?;
            }
            engine.commit(&batch)?;
            self.inner.latest.update(|c| c.pop(&id));
            removed += n;
            if is_last {
                return Ok(removed);
            }
        }
    }

    /// When the device's snapshot of `metric` lies in the deleted range `[start, last]`,
    /// stages its replacement by the newest point outside that range (or its removal).
    #[allow(clippy::too_many_arguments)]
    fn stage_snapshot_repair(
        &self,
        view: &dyn ReadView,
        batch: &mut WriteBatch,
        id: u32,
        device_id: &str,
        metric: &str,
        start: i64,
        last: i64,
    ) -> Result<()> {
        let Some(ts) = self.inner.devices.snapshot_timestamp(view, device_id, metric)? else { return Ok(()) };
        if !(start..=last).contains(&ts) {
            return Ok(());
        }
        let mut newest = match last.checked_add(1) {
            Some(after) => Self::latest_in(view, id, after)?,
            None => None,
        };
        if newest.is_none() && start > i64::MIN {
            // The chunk holding `start - 1` holds the newest point before the range.
            if let Some((_, bytes)) = chunk_at_or_before(view, id, start - 1)? {
                newest = chunk::decode(&bytes)?.into_iter().rev().find(|p| p.timestamp < start);
            }
        }
        // The snapshot of a binary value records its size: read it.
        self.fill_blobs(view, id, newest.as_mut_slice())?;
        self.inner.devices.stage_snapshot_reset(batch, device_id, metric, newest.as_ref());
        Ok(())
    }
}

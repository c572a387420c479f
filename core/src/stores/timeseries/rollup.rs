//! Rollup tiers: per-series statistics in fixed-width, epoch-aligned buckets (count, sum,
//! min, max, first, last), maintained in the transaction that commits the points, so a year of
//! hourly aggregates is read from a few hundred rows instead of every raw chunk.
//!
//! Storage: table `ts_rollups`, key `(series, width_ms, block)`, where a block holds
//! [`BLOCK_BUCKETS`] consecutive buckets of one tier; its value lists the buckets that have
//! points, each as `slot (u8)` + a 72-byte [`BucketRow`]. Blocks rather than one row per
//! bucket: a bulk write of a million 1 Hz points touches about 260 one-minute blocks rather
//! than 16,667 rows, which keeps ingest with tiers close to ingest without.
//!
//! Rules (pinned by `core/tests/rollups.rs`):
//! - A tier's bucket counts every point ever committed into it: deleting or expiring raw
//!   points keeps the rollups (that is their purpose); `delete_device` / `delete_metric`
//!   (whole series) remove them too.
//! - A late point corrects its bucket; an overwritten point (same timestamp) replaces its old
//!   value. The bucket is then recomputed from the raw points when they are all still there;
//!   when some were deleted or expired, count, sum, first and last are corrected exactly and
//!   min / max keep the replaced value's extreme until a rebuild.
//! - Tiers come from `StorageOptions::rollups`. Rows built for another configuration (or data
//!   written before tiers were configured) make the tiers stale: queries then read raw data
//!   until `rebuild_rollups()` recomputes them.

use super::aggregate::AggregateBucket;
use crate::error::{Result, StorageError};
use crate::limits::check_id;
use crate::retention_window::RetentionWindow;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::key::{KeyBuilder, KeyReader};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Bound;

/// Table of rollup blocks.
pub(crate) const ROLLUPS: &str = "ts_rollups";
/// Buckets per stored block.
pub(crate) const BLOCK_BUCKETS: i64 = 64;
/// Most tiers one series may have.
pub(crate) const MAX_TIERS: usize = 8;
/// Widest bucket a tier may have: 400 days.
const MAX_WIDTH_MS: i64 = 400 * 86_400_000;

/// One rollup tier: statistics in buckets of `every`, each kept for `keep` after its start.
///
/// In JSON and YAML: `{"every": "1m", "keep": "90d"}` (windows as in [`RetentionWindow`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupTier {
    /// Bucket width (`1m`, `1h`; at most 400 days, never `forever`).
    pub every: RetentionWindow,
    /// How long a bucket is kept after its start (`forever` keeps every bucket).
    pub keep: RetentionWindow,
}

impl RollupTier {
    /// A tier of `every`-wide buckets kept for `keep`.
    pub fn new(every: RetentionWindow, keep: RetentionWindow) -> Self {
        RollupTier { every, keep }
    }

    /// The bucket width in ms (checked positive by [`RollupConfig::validate`]).
    pub(crate) fn width(&self) -> i64 {
        self.every.as_millis().unwrap_or(i64::MAX)
    }
}

/// Which series get which rollup tiers (`StorageOptions::rollups`). A series takes the
/// tiers of its metric in `by_metric`, else those of its device's type in `by_device_type`,
/// else `tiers`; an empty list means no rollups. Empty by default.
///
/// ```
/// use neotalk_storage::{RollupConfig, StorageManager, StorageOptions};
/// let rollups: RollupConfig =
///     serde_json::from_str(r#"{"tiers": [{"every": "1m", "keep": "90d"}, {"every": "1h", "keep": "5y"}]}"#).unwrap();
/// let db = StorageManager::in_memory_with(StorageOptions { rollups, ..Default::default() }).unwrap();
/// db.timeseries().write_series("d", "m", &[neotalk_storage::DataPoint::new(90_000, 2.0)]).unwrap();
/// assert_eq!(db.timeseries().aggregation_tier("d", "m", 0..7_200_000, 3_600_000).unwrap(), Some(3_600_000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RollupConfig {
    /// Tiers of every series without a more specific entry.
    pub tiers: Vec<RollupTier>,
    /// Tiers per metric name.
    pub by_metric: BTreeMap<String, Vec<RollupTier>>,
    /// Tiers per device type.
    pub by_device_type: BTreeMap<String, Vec<RollupTier>>,
}

impl RollupConfig {
    /// Whether no series has a tier.
    pub fn is_empty(&self) -> bool {
        self.tiers.is_empty() && self.by_metric.values().all(Vec::is_empty) && self.by_device_type.values().all(Vec::is_empty)
    }

    /// Checks every list: at most 8 tiers of distinct, finite, positive widths of
    /// at most 400 days, and valid names. `InvalidInput` naming `rollups`.
    pub fn validate(&self) -> Result<()> {
        let lists = std::iter::once(("tiers", &self.tiers))
            .chain(self.by_metric.iter().map(|(k, v)| (k.as_str(), v)))
            .chain(self.by_device_type.iter().map(|(k, v)| (k.as_str(), v)));
        for (name, tiers) in lists {
            if name != "tiers" {
                check_id("rollups", name)?;
            }
            if tiers.len() > MAX_TIERS {
                return Err(StorageError::invalid("rollups", format!("{name}: {} tiers, at most {MAX_TIERS}", tiers.len())));
            }
            for (i, t) in tiers.iter().enumerate() {
                match t.every.as_millis() {
                    Some(ms) if ms > 0 && ms <= MAX_WIDTH_MS => {}
                    _ => return Err(StorageError::invalid("rollups", format!("{name}: every {} must be from 1ms to 400d", t.every))),
                }
                if tiers[..i].iter().any(|o| o.width() == t.width()) {
                    return Err(StorageError::invalid("rollups", format!("{name}: two tiers of every {}", t.every)));
                }
            }
        }
        Ok(())
    }

    /// The tiers of `metric` on a device of `device_type`.
    pub(crate) fn tiers_for(&self, metric: &str, device_type: Option<&str>) -> &[RollupTier] {
        self.by_metric.get(metric).or_else(|| device_type.and_then(|t| self.by_device_type.get(t))).unwrap_or(&self.tiers)
    }
}

/// The statistics of one bucket. `count` counts every point; the rest cover the numeric
/// (`Float` / `Integer`) ones, `numeric` of them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct BucketRow {
    pub(crate) count: u64,
    pub(crate) numeric: u64,
    pub(crate) sum: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) first_ts: i64,
    pub(crate) first: f64,
    pub(crate) last_ts: i64,
    pub(crate) last: f64,
}

const ROW_BYTES: usize = 72;

impl BucketRow {
    /// Adds one point (its numeric value, if any).
    pub(crate) fn push(&mut self, ts: i64, value: Option<f64>) {
        self.count += 1;
        let Some(v) = value else { return };
        if self.numeric == 0 {
            (self.sum, self.min, self.max, self.first_ts, self.first, self.last_ts, self.last) = (v, v, v, ts, v, ts, v);
        } else {
            self.sum += v;
            self.min = self.min.min(v);
            self.max = self.max.max(v);
            if ts < self.first_ts {
                (self.first_ts, self.first) = (ts, v);
            }
            if ts >= self.last_ts {
                (self.last_ts, self.last) = (ts, v);
            }
        }
        self.numeric += 1;
    }

    /// Takes back a point that was pushed before (an overwritten one) where the bucket's raw
    /// points are no longer all there: count and sum exactly; min / max cannot be taken back.
    fn take_back(&mut self, value: Option<f64>) {
        self.count = self.count.saturating_sub(1);
        if let Some(v) = value {
            self.numeric = self.numeric.saturating_sub(1);
            self.sum -= v;
        }
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        for word in [self.count, self.numeric] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        for f in [self.sum, self.min, self.max] {
            out.extend_from_slice(&f.to_le_bytes());
        }
        for (ts, v) in [(self.first_ts, self.first), (self.last_ts, self.last)] {
            out.extend_from_slice(&ts.to_le_bytes());
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    fn decode(b: &[u8]) -> Self {
        let word = |i: usize| <[u8; 8]>::try_from(&b[i * 8..i * 8 + 8]).expect("8 bytes");
        let f = |i| f64::from_le_bytes(word(i));
        BucketRow {
            count: u64::from_le_bytes(word(0)),
            numeric: u64::from_le_bytes(word(1)),
            sum: f(2),
            min: f(3),
            max: f(4),
            first_ts: i64::from_le_bytes(word(5)),
            first: f(6),
            last_ts: i64::from_le_bytes(word(7)),
            last: f(8),
        }
    }
}

/// The buckets of one block that have points, by slot.
#[derive(Default)]
pub(crate) struct Block {
    pub(crate) rows: BTreeMap<u8, BucketRow>,
}

impl Block {
    fn decode(bytes: &[u8]) -> Result<Self> {
        let bad = || StorageError::Corrupted(format!("{ROLLUPS}: a block of {} bytes is not a list of buckets", bytes.len()));
        if bytes.len() % (ROW_BYTES + 1) != 0 {
            return Err(bad());
        }
        let mut rows = BTreeMap::new();
        for entry in bytes.chunks_exact(ROW_BYTES + 1) {
            if i64::from(entry[0]) >= BLOCK_BUCKETS {
                return Err(bad());
            }
            rows.insert(entry[0], BucketRow::decode(&entry[1..]));
        }
        Ok(Block { rows })
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.rows.len() * (ROW_BYTES + 1));
        for (slot, row) in &self.rows {
            out.push(*slot);
            row.encode_into(&mut out);
        }
        out
    }
}

/// Where a timestamp falls in a tier of `width`: (block index, slot in the block).
pub(crate) fn position(ts: i64, width: i64) -> (i64, u8) {
    let bucket = ts.div_euclid(width);
    (bucket.div_euclid(BLOCK_BUCKETS), bucket.rem_euclid(BLOCK_BUCKETS) as u8)
}

/// Start of the bucket at (`block`, `slot`); the one bucket below `i64::MIN` is clamped
/// there, as the raw aggregation does.
pub(crate) fn bucket_start_of(block: i64, slot: u8, width: i64) -> i64 {
    block.saturating_mul(BLOCK_BUCKETS).saturating_add(i64::from(slot)).saturating_mul(width)
}

/// The inclusive range of raw timestamps of bucket (`block`, `slot`).
pub(crate) fn bucket_span(block: i64, slot: u8, width: i64) -> (i64, i64) {
    let bucket = i128::from(block) * i128::from(BLOCK_BUCKETS) + i128::from(slot);
    let start = bucket * i128::from(width);
    let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    (clamp(start), clamp(start + i128::from(width) - 1))
}

pub(crate) fn block_key(series: u32, width: i64, block: i64) -> Vec<u8> {
    KeyBuilder::new().u32(series).i64(width).i64(block).finish()
}

/// Every block of one tier of a series, from block `first` on.
pub(crate) fn tier_blocks(series: u32, width: i64, first: i64, last: i64) -> KeyRange {
    KeyRange { start: Bound::Included(block_key(series, width, first)), end: Bound::Included(block_key(series, width, last)) }
}

/// Every block of every tier of a series.
pub(crate) fn series_blocks(series: u32) -> KeyRange {
    KeyRange::prefix(KeyBuilder::new().u32(series).finish())
}

/// The block index stored in a rollup key.
pub(crate) fn key_block(key: &[u8]) -> Result<i64> {
    let mut r = KeyReader::new(key);
    r.u32()?;
    r.i64()?;
    r.i64()
}

/// Loads the block stored under `key` (empty when there is none).
pub(crate) fn load_block(view: &dyn ReadView, key: &[u8]) -> Result<Block> {
    match view.get(ROLLUPS, key)? {
        Some(bytes) => Block::decode(&bytes),
        None => Ok(Block::default()),
    }
}

/// The raw points of a series in an inclusive time span, as (timestamp, numeric value).
pub(crate) type RawReader<'a> = dyn FnMut(i64, i64) -> Result<Vec<(i64, Option<f64>)>> + 'a;

/// Stages the tier updates for the `n` points `point(i)` (sorted, unique timestamps) being
/// committed into a series; returns how many buckets it updated. `replaced` holds the stored
/// values of timestamps the points overwrite (empty for an append); `raw` reads the series'
/// stored points (before this commit).
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage_points(
    view: &dyn ReadView,
    batch: &mut WriteBatch,
    series: u32,
    tiers: &[RollupTier],
    n: usize,
    point: &dyn Fn(usize) -> (i64, Option<f64>),
    replaced: &BTreeMap<i64, Option<f64>>,
    raw: &mut RawReader<'_>,
) -> Result<u64> {
    let mut buckets = 0;
    for tier in tiers {
        let width = tier.width();
        let mut i = 0;
        while i < n {
            let (block_index, _) = position(point(i).0, width);
            let key = block_key(series, width, block_index);
            let mut block = load_block(view, &key)?;
            while i < n && position(point(i).0, width).0 == block_index {
                let slot = position(point(i).0, width).1;
                let mut group = Vec::new();
                while i < n && position(point(i).0, width) == (block_index, slot) {
                    group.push(point(i));
                    i += 1;
                }
                let (from, to) = bucket_span(block_index, slot, width);
                let row = block.rows.entry(slot).or_default();
                *row = updated_bucket(*row, &group, replaced, || raw(from, to))?;
                buckets += 1;
            }
            batch.put(ROLLUPS, key, block.encode());
        }
    }
    Ok(buckets)
}

/// `row` after the points of `group` (one bucket) are committed.
fn updated_bucket(
    mut row: BucketRow,
    group: &[(i64, Option<f64>)],
    replaced: &BTreeMap<i64, Option<f64>>,
    raw: impl FnOnce() -> Result<Vec<(i64, Option<f64>)>>,
) -> Result<BucketRow> {
    let overwrites: Vec<Option<f64>> = group.iter().filter_map(|(ts, _)| replaced.get(ts).copied()).collect();
    if overwrites.is_empty() {
        for &(ts, v) in group {
            row.push(ts, v);
        }
        return Ok(row);
    }
    let stored = raw()?;
    if stored.len() as u64 == row.count {
        // Every raw point of the bucket is there: recompute it exactly, new values winning.
        let mut fresh = BucketRow::default();
        let (mut a, mut b) = (stored.iter().peekable(), group.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 < y.0 => a.next(),
                (Some(x), Some(y)) if x.0 == y.0 => {
                    a.next();
                    b.next()
                }
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            let &(ts, v) = next.expect("one side has a point");
            fresh.push(ts, v);
        }
        return Ok(fresh);
    }
    for old in overwrites {
        row.take_back(old);
    }
    for &(ts, v) in group {
        row.push(ts, v);
    }
    Ok(row)
}

/// Folds the tier buckets of `[start, last]` into query buckets of `bucket_ms` (a multiple
/// of `width`; `start` and `last + 1` aligned to `width` or open).
pub(crate) fn fold(view: &dyn ReadView, series: u32, width: i64, start: i64, last: i64, bucket_ms: i64) -> Result<Vec<AggregateBucket>> {
    let (first_block, _) = position(start, width);
    let (last_block, _) = position(last, width);
    let mut out: Vec<(AggregateBucket, u64)> = Vec::new();
    view.scan(ROLLUPS, &tier_blocks(series, width, first_block, last_block), Direction::Forward, &mut |k, v| {
        let block_index = key_block(k)?;
        let block = Block::decode(v)?;
        for (&slot, row) in &block.rows {
            let (from, to) = bucket_span(block_index, slot, width);
            if to < start || from > last {
                continue;
            }
            let bucket_start = super::aggregate::bucket_start(bucket_start_of(block_index, slot, width), bucket_ms);
            if out.last().is_none_or(|(b, _)| b.bucket_start != bucket_start) {
                out.push((empty_bucket(bucket_start), 0));
            }
            let (b, numeric) = out.last_mut().expect("pushed above");
            b.count += row.count;
            if row.numeric > 0 {
                *numeric += row.numeric;
                b.sum = Some(b.sum.map_or(row.sum, |s| s + row.sum));
                b.min = Some(b.min.map_or(row.min, |m| m.min(row.min)));
                b.max = Some(b.max.map_or(row.max, |m| m.max(row.max)));
                b.first.get_or_insert(row.first);
                b.last = Some(row.last);
            }
        }
        Ok(Scan::Continue)
    })?;
    Ok(out
        .into_iter()
        .map(|(mut b, numeric)| {
            b.avg = b.sum.map(|s| s / numeric as f64);
            b
        })
        .collect())
}

fn empty_bucket(bucket_start: i64) -> AggregateBucket {
    AggregateBucket { bucket_start, count: 0, sum: None, min: None, max: None, avg: None, first: None, last: None }
}

/// Stages the removal of the buckets of one tier that start before `cutoff`; returns how many
/// buckets go.
pub(crate) fn stage_expiry(view: &dyn ReadView, batch: &mut WriteBatch, series: u32, width: i64, cutoff: i64) -> Result<u64> {
    let (cut_block, _) = position(cutoff, width);
    let mut removed = 0;
    view.scan(ROLLUPS, &tier_blocks(series, width, i64::MIN, cut_block), Direction::Forward, &mut |k, v| {
        let block_index = key_block(k)?;
        let mut block = Block::decode(v)?;
        let before = block.rows.len();
        block.rows.retain(|&slot, _| bucket_span(block_index, slot, width).0 >= cutoff);
        removed += (before - block.rows.len()) as u64;
        if block.rows.is_empty() {
            batch.delete(ROLLUPS, k.to_vec());
        } else if block.rows.len() != before {
            batch.put(ROLLUPS, k.to_vec(), block.encode());
        }
        Ok(Scan::Continue)
    })?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_cover_negative_times_and_the_extremes() {
        assert_eq!(position(0, 60_000), (0, 0));
        assert_eq!(position(59_999, 60_000), (0, 0));
        assert_eq!(position(60_000, 60_000), (0, 1));
        assert_eq!(position(-1, 60_000), (-1, 63));
        assert_eq!(bucket_span(-1, 63, 60_000), (-60_000, -1));
        assert_eq!(bucket_start_of(-1, 63, 60_000), -60_000);
        let (b, s) = position(i64::MIN, 1000);
        assert_eq!(bucket_span(b, s, 1000).0, i64::MIN);
        let (b, s) = position(i64::MAX, 1000);
        assert_eq!(bucket_span(b, s, 1000).1, i64::MAX);
    }

    #[test]
    fn a_block_round_trips_and_refuses_bad_bytes() {
        let mut row = BucketRow::default();
        row.push(5, Some(2.0));
        row.push(1, Some(-1.0));
        row.push(9, None);
        assert_eq!((row.count, row.numeric, row.sum, row.min, row.max, row.first, row.last), (3, 2, 1.0, -1.0, 2.0, -1.0, 2.0));
        let mut block = Block::default();
        block.rows.insert(3, row);
        let bytes = block.encode();
        assert_eq!(Block::decode(&bytes).unwrap().rows[&3], row);
        assert!(Block::decode(&bytes[1..]).is_err());
        let mut bad = bytes.clone();
        bad[0] = 64;
        assert!(Block::decode(&bad).is_err());
    }

    #[test]
    fn config_validation_names_the_list() {
        let tier = |every: &str| RollupTier::new(every.parse().unwrap(), RetentionWindow::FOREVER);
        let mut c = RollupConfig { tiers: vec![tier("1m"), tier("1h")], ..Default::default() };
        assert!(c.validate().is_ok());
        c.tiers.push(tier("60s"));
        assert!(c.validate().unwrap_err().to_string().contains("two tiers"));
        c.tiers = vec![RollupTier::new(RetentionWindow::FOREVER, RetentionWindow::FOREVER)];
        assert!(c.validate().is_err());
        c.tiers = vec![tier("401d")];
        assert!(c.validate().is_err());
        c.tiers = vec![];
        c.by_metric.insert(String::new(), vec![tier("1m")]);
        assert!(c.validate().is_err());
        assert!(RollupConfig::default().is_empty());
    }
}

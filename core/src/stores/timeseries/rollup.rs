//! Rollup tiers: per-series statistics in fixed-width, epoch-aligned buckets (count, sum,
//! min, max, first, last), maintained in the transaction that commits the points, so a year of
//! hourly aggregates is read from a few hundred rows instead of every raw chunk.
//!
//! Storage: table `ts_rollups`, key `(series, width_ms, block)`, where a block holds
//! [`BLOCK_BUCKETS`] consecutive buckets of one tier, stored by column with the telemetry
//! codecs (a bitmap of the buckets that have points, then counts, sums, minima, maxima,
//! first and last values and their offsets in the bucket). Blocks rather than one row per
//! bucket: a bulk write of a million 1 Hz points touches about 65 one-minute blocks rather
//! than 16,667 rows, and columns of neighbouring buckets compress as raw values do.
//!
//! Rules (pinned by `core/tests/integration/rollups.rs`):
//! - A tier's bucket counts every point ever committed into it: deleting or expiring raw
//!   points keeps the rollups (that is their purpose); `delete_device` / `delete_metric`
//!   (whole series) remove them too.
//! - A late point corrects its bucket; an overwritten point (same timestamp) replaces its old
//!   value. The bucket is then recomputed from the raw points when they are all still there;
//!   when some were deleted or expired, count, sum, first and last are corrected exactly and
//!   min / max keep the replaced value's extreme until a rebuild.
//! - Tiers come from `StorageOptions::rollups`, else `retention.yaml`. Rows built for another
//!   configuration (or data written before tiers were configured) make the tiers stale:
//!   queries then read raw data until `rebuild_rollups()` recomputes them.

use super::aggregate::AggregateBucket;
use super::codec::{floats, integers, timestamps, ByteReader};
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
pub(crate) const BLOCK_BUCKETS: i64 = 256;
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

    /// Adds the points summed up in `other` (a run of the same bucket).
    fn merge(&mut self, other: &BucketRow) {
        if other.numeric > 0 {
            if self.numeric == 0 {
                (self.sum, self.min, self.max) = (other.sum, other.min, other.max);
                (self.first_ts, self.first, self.last_ts, self.last) = (other.first_ts, other.first, other.last_ts, other.last);
            } else {
                (self.sum, self.min, self.max) = (self.sum + other.sum, self.min.min(other.min), self.max.max(other.max));
                if other.first_ts < self.first_ts {
                    (self.first_ts, self.first) = (other.first_ts, other.first);
                }
                if other.last_ts >= self.last_ts {
                    (self.last_ts, self.last) = (other.last_ts, other.last);
                }
            }
            self.numeric += other.numeric;
        }
        self.count += other.count;
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
}

/// The buckets of one block that have points, in slot order (a sorted `Vec`, not a map: a
/// commit's points come in time order, so new buckets are appended; the map's node
/// allocations were a tenth of the tier maintenance time).
#[derive(Default, Debug, PartialEq)]
pub(crate) struct Block {
    rows: Vec<(u8, BucketRow)>,
}

/// Block format (still read): integer columns as delta varints (a byte or more per bucket).
const COLUMNAR_V1: u8 = 1;
/// Block format (written): integer columns as delta-of-delta bit streams, the timestamp codec,
/// so the counts and offsets of regular data take a bit per bucket (13 -> 9.5 bytes per
/// bucket for 1 Hz data).
const COLUMNAR: u8 = 2;

impl Block {
    /// The row of `slot`, added empty when the block has none yet.
    fn row_mut(&mut self, slot: u8) -> &mut BucketRow {
        let at = match self.rows.last() {
            None => 0,
            Some((last, _)) if *last < slot => self.rows.len(),
            _ => match self.rows.binary_search_by_key(&slot, |(s, _)| *s) {
                Ok(i) => return &mut self.rows[i].1,
                Err(i) => i,
            },
        };
        self.rows.insert(at, (slot, BucketRow::default()));
        &mut self.rows[at].1
    }

    /// Decodes the block `block_index` of a tier of `width`.
    fn decode(bytes: &[u8], block_index: i64, width: i64) -> Result<Self> {
        let c = BlockColumns::decode(bytes, block_index, width)?;
        let [sums, mins, maxs, firsts, lasts] = &c.floats;
        let mut rows = Vec::with_capacity(c.slots.len());
        let mut j = 0;
        for (i, &slot) in c.slots.iter().enumerate() {
            let mut row = BucketRow { count: c.counts[i] as u64, numeric: c.numerics[i] as u64, ..Default::default() };
            if row.numeric > 0 {
                let start = bucket_span(block_index, slot, width).0;
                (row.sum, row.min, row.max, row.first, row.last) = (sums[j], mins[j], maxs[j], firsts[j], lasts[j]);
                (row.first_ts, row.last_ts) = (start.wrapping_add(c.first_at[j]), start.wrapping_add(c.last_at[j]));
                j += 1;
            }
            rows.push((slot, row));
        }
        Ok(Block { rows })
    }

    /// Encodes the block `block_index` of a tier of `width`.
    fn encode(&self, block_index: i64, width: i64) -> Vec<u8> {
        let n = self.rows.len();
        let mut out = Vec::with_capacity(64 + n * 16);
        out.push(COLUMNAR);
        let mut bitmap = [0u64; 4];
        for &(s, _) in &self.rows {
            bitmap[usize::from(s / 64)] |= 1 << (s % 64);
        }
        for word in bitmap {
            out.extend_from_slice(&word.to_le_bytes());
        }
        // One scratch column per type, refilled for each field.
        let (mut ints, mut floats) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let numeric = || self.rows.iter().filter(|(_, r)| r.numeric > 0);
        for field in [|r: &BucketRow| r.count, |r: &BucketRow| r.numeric] {
            ints.clear();
            ints.extend(self.rows.iter().map(|(_, r)| field(r) as i64));
            timestamps::encode(&ints, &mut out);
        }
        for field in [|r: &BucketRow| r.sum, |r: &BucketRow| r.min, |r: &BucketRow| r.max, |r: &BucketRow| r.first, |r: &BucketRow| r.last]
        {
            floats.clear();
            floats.extend(numeric().map(|(_, r)| field(r)));
            floats::encode(&floats, &mut out);
        }
        for field in [|r: &BucketRow| r.first_ts, |r: &BucketRow| r.last_ts] {
            ints.clear();
            ints.extend(numeric().map(|(s, r)| field(r).wrapping_sub(bucket_span(block_index, *s, width).0)));
            timestamps::encode(&ints, &mut out);
        }
        out
    }
}

/// A block's columns as stored: one entry per bucket with points, in slot order; the float
/// columns (sum, min, max, first, last) and the offsets of the first and last point's times
/// hold the buckets with numeric values only. Queries fold these without building rows.
struct BlockColumns {
    slots: Vec<u8>,
    counts: Vec<i64>,
    numerics: Vec<i64>,
    floats: [Vec<f64>; 5],
    first_at: Vec<i64>,
    last_at: Vec<i64>,
}

impl BlockColumns {
    fn decode(bytes: &[u8], block_index: i64, width: i64) -> Result<Self> {
        let bad = |why: &str| StorageError::Corrupted(format!("{ROLLUPS}: block {block_index} of width {width}: {why}"));
        let mut r = ByteReader::new(bytes);
        let ints = match r.u8()? {
            COLUMNAR => timestamps::decode,
            COLUMNAR_V1 => integers::decode,
            _ => return Err(bad("unknown block format")),
        };
        let mut bitmap = [0u64; 4];
        for word in &mut bitmap {
            *word = u64::from_le_bytes(r.array::<8>()?);
        }
        let slots: Vec<u8> = (0..=255u8).filter(|&s| bitmap[usize::from(s / 64)] & (1 << (s % 64)) != 0).collect();
        let n = slots.len();
        let counts = ints(&mut r, n)?;
        let numerics = ints(&mut r, n)?;
        let k = numerics.iter().filter(|&&c| c > 0).count();
        let mut columns = [(); 5].map(|_| Vec::new());
        for c in &mut columns {
            *c = floats::decode(&mut r, k)?;
        }
        let first_at = ints(&mut r, k)?;
        let last_at = ints(&mut r, k)?;
        if !r.is_empty() || counts.iter().chain(&numerics).any(|&c| c < 0) {
            return Err(bad("bytes left over or a negative count"));
        }
        Ok(BlockColumns { slots, counts, numerics, floats: columns, first_at, last_at })
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

/// Loads the block `block_index` of a tier of `width` stored under `key` (empty when none).
fn load_block(view: &dyn ReadView, key: &[u8], block_index: i64, width: i64) -> Result<Block> {
    match view.get(ROLLUPS, key)? {
        Some(bytes) => Block::decode(&bytes, block_index, width),
        None => Ok(Block::default()),
    }
}

/// The raw points of a series in an inclusive time span, as (timestamp, numeric value).
pub(crate) type RawReader<'a> = dyn FnMut(i64, i64) -> Result<Vec<(i64, Option<f64>)>> + 'a;

/// The numeric values of the points being committed, by column.
#[derive(Clone, Copy)]
pub(crate) enum Numbers<'a> {
    /// Every value a float.
    Floats(&'a [f64]),
    /// Every value an integer.
    Integers(&'a [i64]),
    /// Booleans or strings: no numeric value.
    Nothing,
    /// Each value's number, if it has one.
    Mixed(&'a [Option<f64>]),
}

impl Numbers<'_> {
    fn at(&self, i: usize) -> Option<f64> {
        match self {
            Numbers::Floats(v) => Some(v[i]),
            Numbers::Integers(v) => Some(v[i] as f64),
            Numbers::Nothing => None,
            Numbers::Mixed(v) => v[i],
        }
    }
}

/// The block being updated while a tier's buckets are staged: loaded on first use, written
/// back when the next block (or the end) comes.
struct OpenBlock {
    series: u32,
    width: i64,
    open: Option<(i64, Block)>,
}

impl OpenBlock {
    fn row(&mut self, view: &dyn ReadView, batch: &mut WriteBatch, block_index: i64, slot: u8) -> Result<&mut BucketRow> {
        if self.open.as_ref().is_none_or(|(b, _)| *b != block_index) {
            self.finish(batch);
            let block = load_block(view, &block_key(self.series, self.width, block_index), block_index, self.width)?;
            self.open = Some((block_index, block));
        }
        let (_, block) = self.open.as_mut().expect("opened above");
        Ok(block.row_mut(slot))
    }

    fn finish(&mut self, batch: &mut WriteBatch) {
        if let Some((b, block)) = self.open.take() {
            batch.put(ROLLUPS, block_key(self.series, self.width, b), block.encode(b, self.width));
        }
    }
}

/// Stages the tier updates for the points `(ts[i], values.at(i))` (sorted, unique timestamps)
/// being committed into a series; returns how many buckets it updated. `replaced` holds the
/// stored values of timestamps the points overwrite (empty for an append); `raw` reads the
/// series' stored points (before this commit).
///
/// Tiers go finest first: the finest folds the points, one run per bucket, and a coarser tier
/// whose width is a multiple of it folds those runs instead of every point again (when the
/// commit overwrites nothing).
pub(crate) fn stage_points(
    (view, batch): (&dyn ReadView, &mut WriteBatch),
    series: u32,
    tiers: &[RollupTier],
    (ts, values): (&[i64], Numbers<'_>),
    replaced: &BTreeMap<i64, Option<f64>>,
    raw: &mut RawReader<'_>,
) -> Result<u64> {
    let mut widths: Vec<i64> = tiers.iter().map(RollupTier::width).collect();
    widths.sort_unstable();
    let mut buckets = 0;
    // The finest tier's run of this commit per bucket: (bucket start, run).
    let mut finest: Option<(i64, Vec<(i64, BucketRow)>)> = None;
    for width in widths {
        let mut block = OpenBlock { series, width, open: None };
        match &finest {
            Some((finer, runs)) if replaced.is_empty() && width % finer == 0 => {
                let mut last = None;
                for (start, run) in runs {
                    let at = position(*start, width);
                    block.row(view, batch, at.0, at.1)?.merge(run);
                    buckets += u64::from(last != Some(at));
                    last = Some(at);
                }
            }
            _ => {
                let mut runs = Vec::new();
                let mut i = 0;
                while i < ts.len() {
                    let (block_index, slot) = position(ts[i], width);
                    let (from, to) = bucket_span(block_index, slot, width);
                    // The points of this bucket, then the bucket is folded in one go.
                    let j = i + run_end(&ts[i..], to);
                    let group = (&ts[i..j], i);
                    let row = block.row(view, batch, block_index, slot)?;
                    if replaced.range(ts[i]..=ts[j - 1]).next().is_none() {
                        let run = push_run(BucketRow::default(), group, values);
                        row.merge(&run);
                        runs.push((from, run));
                    } else {
                        *row = updated_bucket(*row, group, values, replaced, || raw(from, to))?;
                    }
                    buckets += 1;
                    i = j;
                }
                if finest.is_none() && replaced.is_empty() {
                    finest = Some((width, runs));
                }
            }
        }
        block.finish(batch);
    }
    Ok(buckets)
}

/// How many of the sorted `ts` are `<= to`: a galloping search from the front, so a bucket
/// of `n` points costs about `2 log n` reads near each other (a binary search over the whole
/// commit stalled on cache misses: 74 % of the tier maintenance time, measured with perf).
fn run_end(ts: &[i64], to: i64) -> usize {
    let mut hi = 1;
    while hi < ts.len() && ts[hi] <= to {
        hi *= 2;
    }
    let lo = hi / 2;
    let hi = hi.min(ts.len());
    lo + ts[lo..hi].partition_point(|&t| t <= to)
}

/// Adds the points `(ts[k], values.at(offset + k))` of one bucket to `row` (floats in one
/// tight pass: this runs for every committed point of every tier).
fn push_run(mut row: BucketRow, (ts, offset): (&[i64], usize), values: Numbers<'_>) -> BucketRow {
    match values {
        Numbers::Floats(v) => {
            let v = &v[offset..offset + ts.len()];
            let (min, max, sum) = min_max_sum(v);
            let (first, last) = ((ts[0], v[0]), (ts[ts.len() - 1], v[v.len() - 1]));
            if row.numeric == 0 {
                (row.sum, row.min, row.max, (row.first_ts, row.first), (row.last_ts, row.last)) = (sum, min, max, first, last);
            } else {
                (row.sum, row.min, row.max) = (row.sum + sum, row.min.min(min), row.max.max(max));
                if first.0 < row.first_ts {
                    (row.first_ts, row.first) = first;
                }
                if last.0 >= row.last_ts {
                    (row.last_ts, row.last) = last;
                }
            }
            row.count += ts.len() as u64;
            row.numeric += ts.len() as u64;
        }
        _ => {
            for (k, &t) in ts.iter().enumerate() {
                row.push(t, values.at(offset + k));
            }
        }
    }
    row
}

/// Minimum, maximum and sum of finite floats, in four independent lanes so the additions
/// and comparisons do not wait on each other (the sum's rounding may differ from a
/// left-to-right sum in the last bits).
fn min_max_sum(v: &[f64]) -> (f64, f64, f64) {
    let (mut lo, mut hi, mut sum) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4], [0.0; 4]);
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
            sum[k] += c[k];
        }
    }
    for &x in rest {
        lo[0] = lo[0].min(x);
        hi[0] = hi[0].max(x);
        sum[0] += x;
    }
    (lo.into_iter().fold(f64::INFINITY, f64::min), hi.into_iter().fold(f64::NEG_INFINITY, f64::max), (sum[0] + sum[1]) + (sum[2] + sum[3]))
}

/// `row` after the points of one bucket, some of which overwrite stored ones, are committed.
fn updated_bucket(
    mut row: BucketRow,
    (ts, offset): (&[i64], usize),
    values: Numbers<'_>,
    replaced: &BTreeMap<i64, Option<f64>>,
    raw: impl FnOnce() -> Result<Vec<(i64, Option<f64>)>>,
) -> Result<BucketRow> {
    let group: Vec<(i64, Option<f64>)> = ts.iter().enumerate().map(|(k, &t)| (t, values.at(offset + k))).collect();
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
            let &(t, v) = next.expect("one side has a point");
            fresh.push(t, v);
        }
        return Ok(fresh);
    }
    for (t, _) in &group {
        if let Some(old) = replaced.get(t) {
            row.take_back(*old);
        }
    }
    for &(t, v) in &group {
        row.push(t, v);
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
        let c = BlockColumns::decode(v, block_index, width)?;
        let [sums, mins, maxs, firsts, lasts] = &c.floats;
        let mut j = 0;
        for (i, &slot) in c.slots.iter().enumerate() {
            let (count, row_numeric) = (c.counts[i] as u64, c.numerics[i] as u64);
            let at = j;
            j += usize::from(row_numeric > 0);
            let (from, to) = bucket_span(block_index, slot, width);
            if to < start || from > last {
                continue;
            }
            let bucket_start = super::aggregate::bucket_start(bucket_start_of(block_index, slot, width), bucket_ms);
            if out.last().is_none_or(|(b, _)| b.bucket_start != bucket_start) {
                out.push((empty_bucket(bucket_start), 0));
            }
            let (b, numeric) = out.last_mut().expect("pushed above");
            b.count += count;
            if row_numeric > 0 {
                *numeric += row_numeric;
                b.sum = Some(b.sum.map_or(sums[at], |s| s + sums[at]));
                b.min = Some(b.min.map_or(mins[at], |m| m.min(mins[at])));
                b.max = Some(b.max.map_or(maxs[at], |m| m.max(maxs[at])));
                b.first.get_or_insert(firsts[at]);
                b.last = Some(lasts[at]);
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
        let mut block = Block::decode(v, block_index, width)?;
        let before = block.rows.len();
        block.rows.retain(|&(slot, _)| bucket_span(block_index, slot, width).0 >= cutoff);
        removed += (before - block.rows.len()) as u64;
        if block.rows.is_empty() {
            batch.delete(ROLLUPS, k.to_vec());
        } else if block.rows.len() != before {
            batch.put(ROLLUPS, k.to_vec(), block.encode(block_index, width));
        }
        Ok(Scan::Continue)
    })?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_end_finds_the_points_of_a_bucket() {
        let ts: Vec<i64> = (0..1000).map(|i| i * 3).collect();
        for to in [-1, 0, 1, 2, 3, 100, 2_996, 2_997, 5_000] {
            assert_eq!(run_end(&ts, to), ts.partition_point(|&t| t <= to), "to {to}");
        }
        assert_eq!(run_end(&[], 5), 0);
        assert_eq!(run_end(&[7], 5), 0);
    }

    #[test]
    fn positions_cover_negative_times_and_the_extremes() {
        assert_eq!(position(0, 60_000), (0, 0));
        assert_eq!(position(59_999, 60_000), (0, 0));
        assert_eq!(position(60_000, 60_000), (0, 1));
        assert_eq!(position(-1, 60_000), (-1, 255));
        assert_eq!(bucket_span(-1, 255, 60_000), (-60_000, -1));
        assert_eq!(bucket_start_of(-1, 255, 60_000), -60_000);
        assert_eq!(position(256 * 60_000, 60_000), (1, 0));
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
        *block.row_mut(3) = row;
        let bytes = block.encode(-2, 10);
        let back = Block::decode(&bytes, -2, 10).unwrap();
        assert_eq!(back.rows, vec![(3, row)]);
        assert!(Block::decode(&bytes[1..], -2, 10).is_err());
        assert!(Block::decode(&bytes[..bytes.len() - 1], -2, 10).is_err());
        let mut bad = bytes.clone();
        bad[0] = 7;
        assert!(Block::decode(&bad, -2, 10).is_err());
    }

    #[test]
    fn blocks_of_the_first_format_still_read() {
        let mut block = Block::default();
        for slot in 0..=255u8 {
            let mut row = BucketRow::default();
            for k in 0..60 {
                row.push(i64::from(slot) * 60_000 + k * 1000, Some(k as f64 / 4.0));
            }
            row.push(i64::from(slot) * 60_000 + 59_500, None);
            *block.row_mut(slot) = row;
        }
        // The first format: the same columns, integers as delta varints.
        let v2 = block.encode(0, 60_000);
        let c = BlockColumns::decode(&v2, 0, 60_000).unwrap();
        let mut v1 = vec![COLUMNAR_V1];
        v1.extend_from_slice(&v2[1..33]);
        integers::encode(&c.counts, &mut v1);
        integers::encode(&c.numerics, &mut v1);
        for f in &c.floats {
            floats::encode(f, &mut v1);
        }
        integers::encode(&c.first_at, &mut v1);
        integers::encode(&c.last_at, &mut v1);
        assert_eq!(Block::decode(&v1, 0, 60_000).unwrap(), block);
        assert!(v2.len() < v1.len(), "{} bytes against {}", v2.len(), v1.len());
    }

    #[test]
    fn rows_stay_in_slot_order_whatever_order_they_come_in() {
        let mut block = Block::default();
        for (slot, ts) in [(5u8, 1), (2, 2), (9, 3), (2, 4), (0, 5), (9, 6)] {
            block.row_mut(slot).push(ts, Some(ts as f64));
        }
        let slots: Vec<(u8, u64)> = block.rows.iter().map(|(s, r)| (*s, r.count)).collect();
        assert_eq!(slots, [(0, 1), (2, 2), (5, 1), (9, 2)]);
    }

    #[test]
    fn lanes_give_the_same_min_max_and_sum() {
        for n in 0..13 {
            let v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 - 6.5).collect();
            let (lo, hi, sum) = min_max_sum(&v);
            assert_eq!(lo, v.iter().copied().fold(f64::INFINITY, f64::min), "{n}");
            assert_eq!(hi, v.iter().copied().fold(f64::NEG_INFINITY, f64::max), "{n}");
            assert_eq!(sum, v.iter().sum::<f64>(), "{n}: these sums are exact");
        }
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

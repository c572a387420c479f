//! The time-series store's rollup tiers (see `rollup.rs` for the format and the rules):
//! staged with every commit, chosen by `query_aggregated`, expired by `cleanup`, and rebuilt
//! from raw data by `rebuild_rollups`.

use super::rollup::{self, Numbers, RollupTier, ROLLUPS};
use super::{chunk, chunk_start_for, chunks_from, last_chunk, ChunkSummary, TimeSeriesStore, CHUNKS};
use crate::error::Result;
use crate::range::TimeRange;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::META;
use std::collections::BTreeMap;
use std::ops::RangeBounds;
use std::sync::atomic::Ordering;

/// Meta key: JSON of the [`RollupConfig`](super::RollupConfig) the stored tiers were built for.
const BUILT_FOR: &[u8] = b"ts.rollups_built_for";

impl TimeSeriesStore {
    /// Decides at open (and after a restore) whether the stored tiers match the configured
    /// ones. A database without telemetry starts fresh; a configuration other than the one
    /// the tiers were built for makes them stale (and forgets the old stamp, so reopening with
    /// the old configuration cannot trust tiers that missed writes in between).
    pub(crate) fn check_rollups(&self, may_write: bool) -> Result<()> {
        let engine = &self.inner.engine;
        let view = engine.read()?;
        let wanted = serde_json::to_vec(&self.inner.rollups).expect("RollupConfig serializes");
        let stamp = view.get(META, BUILT_FOR)?;
        let fresh = match &stamp {
            _ if self.inner.rollups.is_empty() => true,
            Some(built) => *built == wanted,
            None => !has_telemetry(&*view)?,
        };
        self.inner.rollups_fresh.store(fresh, Ordering::Release);
        if may_write && !engine.backend().is_read_only() {
            let mut batch = WriteBatch::new();
            match (&stamp, fresh && !self.inner.rollups.is_empty()) {
                (None, true) => batch.put(META, BUILT_FOR.to_vec(), wanted),
                (Some(built), false) if *built != wanted => batch.delete(META, BUILT_FOR.to_vec()),
                _ => {}
            }
            if !batch.is_empty() {
                drop(view);
                engine.commit(&batch)?;
            }
        }
        Ok(())
    }

    /// The tiers of one series (reading its device's type only when tiers depend on it).
    fn tiers_of(&self, view: &dyn ReadView, device_id: &str, metric: &str) -> Result<&[RollupTier]> {
        let config = &self.inner.rollups;
        if config.is_empty() {
            return Ok(&[]);
        }
        let device_type = if config.by_device_type.is_empty() { None } else { self.inner.devices.device_type_in(view, device_id)? };
        Ok(config.tiers_for(metric, device_type.as_deref()))
    }

    /// Stages the tier updates of the points `(ts[i], values)` (sorted, unique timestamps)
    /// that this commit writes into series `id`.
    pub(super) fn stage_rollups(
        &self,
        view: &dyn ReadView,
        batch: &mut WriteBatch,
        (id, device_id, metric): (u32, &str, &str),
        ts: &[i64],
        values: Numbers<'_>,
    ) -> Result<()> {
        let tiers = self.tiers_of(view, device_id, metric)?;
        let (Some(&first), Some(&last)) = (ts.first(), ts.last()) else { return Ok(()) };
        if tiers.is_empty() {
            return Ok(());
        }
        let newest = match last_chunk(view, id)? {
            Some((_, bytes)) => Some(ChunkSummary::read(&bytes)?.max_ts),
            None => None,
        };
        // Points newer than every stored one replace nothing; otherwise look up which do.
        let mut replaced = BTreeMap::new();
        if newest.is_some_and(|max| first <= max) {
            let stored: BTreeMap<i64, Option<f64>> = raw_numeric(view, id, first, last)?.into_iter().collect();
            for t in ts {
                if let Some(old) = stored.get(t) {
                    replaced.insert(*t, *old);
                }
            }
        }
        rollup::stage_points((view, batch), id, tiers, (ts, values), &replaced, &mut |from, to| raw_numeric(view, id, from, to))?;
        Ok(())
    }

    /// The tier width (ms) that answers `query_aggregated` with these arguments, or `None`
    /// when raw data does: the coarsest tier of the series whose width divides `bucket_ms` and
    /// to which the range's ends are aligned (or open), provided the tiers are not stale
    /// (see [`rebuild_rollups`](Self::rebuild_rollups)).
    ///
    /// ```
    /// use neotalk_storage::{RetentionWindow, RollupConfig, RollupTier, StorageManager, StorageOptions};
    /// let hourly = RollupTier::new(RetentionWindow::hours(1), RetentionWindow::FOREVER);
    /// let options = StorageOptions { rollups: RollupConfig { tiers: vec![hourly], ..Default::default() }, ..Default::default() };
    /// let db = StorageManager::in_memory_with(options).unwrap();
    /// let ts = db.timeseries();
    /// assert_eq!(ts.aggregation_tier("d", "m", .., 86_400_000).unwrap(), Some(3_600_000));
    /// assert_eq!(ts.aggregation_tier("d", "m", .., 60_000).unwrap(), None, "finer than the tier");
    /// assert_eq!(ts.aggregation_tier("d", "m", 1..7_200_000, 3_600_000).unwrap(), None, "not aligned");
    /// ```
    pub fn aggregation_tier(&self, device_id: &str, metric: &str, range: impl RangeBounds<i64>, bucket_ms: i64) -> Result<Option<i64>> {
        let range = TimeRange::new(range)?;
        let view = self.read_view()?;
        self.answering_tier(&*view, device_id, metric, range, bucket_ms)
    }

    pub(super) fn answering_tier(
        &self,
        view: &dyn ReadView,
        device_id: &str,
        metric: &str,
        range: TimeRange,
        bucket_ms: i64,
    ) -> Result<Option<i64>> {
        crate::limits::check_id("device_id", device_id)?;
        crate::limits::check_id("metric", metric)?;
        if !self.inner.rollups_fresh.load(Ordering::Acquire) || bucket_ms <= 0 {
            return Ok(None);
        }
        let Some((start, last)) = range.bounds() else { return Ok(None) };
        let aligned = |width: i64| {
            bucket_ms % width == 0
                && (start == i64::MIN || start.rem_euclid(width) == 0)
                && (last == i64::MAX || last.wrapping_add(1).rem_euclid(width) == 0)
        };
        Ok(self.tiers_of(view, device_id, metric)?.iter().map(RollupTier::width).filter(|w| aligned(*w)).max())
    }

    /// Removes every tier bucket of series `id` (its telemetry was deleted as a whole).
    pub(super) fn drop_rollups(&self, id: u32) -> Result<()> {
        let engine = &self.inner.engine;
        let _w = engine.lock_writes();
        let view = engine.read()?;
        let mut batch = WriteBatch::new();
        view.scan(ROLLUPS, &rollup::series_blocks(id), Direction::Forward, &mut |k, _| {
            batch.delete(ROLLUPS, k.to_vec());
            Ok(Scan::Continue)
        })?;
        if !batch.is_empty() {
            engine.commit(&batch)?;
        }
        Ok(())
    }

    /// Removes the tier buckets of series `id` (of `device_id` / `metric`) whose start is older
    /// than their tier's `keep` at `now_ms`; returns how many went.
    pub(super) fn expire_rollups(&self, id: u32, device_id: &str, metric: &str, now_ms: i64) -> Result<u64> {
        let engine = &self.inner.engine;
        let _w = engine.lock_writes();
        let view = engine.read()?;
        let mut batch = WriteBatch::new();
        let mut removed = 0;
        for tier in self.tiers_of(&*view, device_id, metric)? {
            if let Some(cutoff) = tier.keep.cutoff(now_ms) {
                removed += rollup::stage_expiry(&*view, &mut batch, id, tier.width(), cutoff)?;
            }
        }
        if !batch.is_empty() {
            engine.commit(&batch)?;
        }
        Ok(removed)
    }

    /// Recomputes every tier of every series from the raw points now stored (after a change of
    /// `StorageOptions::rollups` or `retention.yaml`, or to drop what deleted raw data left in the tiers), one
    /// transaction per series; returns how many buckets were written. Until it has run after a
    /// configuration change, `query_aggregated` reads raw data.
    ///
    /// ```
    /// use neotalk_storage::{DataPoint, RetentionWindow, RollupConfig, RollupTier, StorageManager, StorageOptions};
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = StorageManager::open(dir.path()).unwrap();
    /// db.timeseries().write_series("d", "m", &[DataPoint::new(0, 1.0), DataPoint::new(61_000, 3.0)]).unwrap();
    /// db.close().unwrap();
    /// let minute = RollupTier::new(RetentionWindow::minutes(1), RetentionWindow::FOREVER);
    /// let options = StorageOptions { rollups: RollupConfig { tiers: vec![minute], ..Default::default() }, ..Default::default() };
    /// let db = StorageManager::open_with(dir.path(), options).unwrap();
    /// assert_eq!(db.timeseries().aggregation_tier("d", "m", .., 60_000).unwrap(), None, "stale: built before the tier");
    /// assert_eq!(db.timeseries().rebuild_rollups().unwrap(), 2);
    /// assert_eq!(db.timeseries().aggregation_tier("d", "m", .., 60_000).unwrap(), Some(60_000));
    /// ```
    pub fn rebuild_rollups(&self) -> Result<u64> {
        self.flush()?;
        let engine = &self.inner.engine;
        engine.ensure_writable()?;
        self.inner.rollups_fresh.store(false, Ordering::Release);
        let mut written = 0;
        // Forget the stamp and every stored bucket first: an interruption leaves stale tiers.
        {
            let _w = engine.lock_writes();
            let view = engine.read()?;
            let mut batch = WriteBatch::new();
            batch.delete(META, BUILT_FOR.to_vec());
            view.scan(ROLLUPS, &KeyRange::all(), Direction::Forward, &mut |k, _| {
                batch.delete(ROLLUPS, k.to_vec());
                Ok(Scan::Continue)
            })?;
            engine.commit(&batch)?;
        }
        let series: Vec<(u32, String, String)> =
            self.inner.series.read().by_id.iter().map(|(id, (d, m))| (*id, d.clone(), m.clone())).collect();
        for (id, device_id, metric) in series {
            let _w = engine.lock_writes();
            let view = engine.read()?;
            let tiers = self.tiers_of(&*view, &device_id, &metric)?.to_vec();
            if tiers.is_empty() {
                continue;
            }
            let (ts, values): (Vec<i64>, Vec<Option<f64>>) = raw_numeric(&*view, id, i64::MIN, i64::MAX)?.into_iter().unzip();
            let mut batch = WriteBatch::new();
            let none = BTreeMap::new();
            let points = (ts.as_slice(), Numbers::Mixed(&values));
            written += rollup::stage_points((&*view, &mut batch), id, &tiers, points, &none, &mut |_, _| Ok(Vec::new()))?;
            engine.commit(&batch)?;
        }
        if !self.inner.rollups.is_empty() {
            let mut batch = WriteBatch::new();
            batch.put(META, BUILT_FOR.to_vec(), serde_json::to_vec(&self.inner.rollups).expect("RollupConfig serializes"));
            engine.commit(&batch)?;
        }
        self.inner.rollups_fresh.store(true, Ordering::Release);
        Ok(written)
    }
}

/// Whether any series has a stored chunk.
fn has_telemetry(view: &dyn ReadView) -> Result<bool> {
    let mut any = false;
    view.scan(CHUNKS, &KeyRange::all(), Direction::Forward, &mut |_, _| {
        any = true;
        Ok(Scan::Stop)
    })?;
    Ok(any)
}

/// The stored points of series `id` in `[from, to]`, as (timestamp, numeric value).
fn raw_numeric(view: &dyn ReadView, id: u32, from: i64, to: i64) -> Result<Vec<(i64, Option<f64>)>> {
    let mut out = Vec::new();
    let start = chunk_start_for(view, id, from)?;
    view.scan(CHUNKS, &chunks_from(id, start, to), Direction::Forward, &mut |_, v| {
        let s = ChunkSummary::read(v)?;
        if s.max_ts < from {
            return Ok(Scan::Continue);
        }
        let (ts, values) = chunk::decode_numeric(v)?;
        out.extend(ts.into_iter().zip(values).filter(|(t, _)| (from..=to).contains(t)));
        Ok(Scan::Continue)
    })?;
    Ok(out)
}

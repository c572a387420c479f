//! neotalk-storage on redb (compressed chunks, interned series).

use super::{device, file_len, Engine, Point, Res, METRIC};
use neotalk_storage::{DataPoint, Durability, StorageManager, StorageOptions, TelemetryPoint, TimeSeriesRetention, DATABASE_FILE};
use std::any::Any;
use std::path::PathBuf;

pub struct NeoTalk {
    dir: PathBuf,
    db: Option<StorageManager>,
    devices: Vec<String>,
}

impl NeoTalk {
    /// Opens a store in `dir`. `Durability::Eventual` matches SQLite's WAL + synchronous=NORMAL
    /// (consistent after a crash, the last commits may be lost).
    pub fn open(dir: PathBuf, series: usize, durability: Durability) -> Res<Self> {
        let options = StorageOptions { durability, ..StorageOptions::default() };
        let db = StorageManager::open_with(&dir, options)?;
        Ok(NeoTalk { dir, db: Some(db), devices: (0..series).map(device).collect() })
    }

    fn db(&self) -> Res<&StorageManager> {
        self.db.as_ref().ok_or_else(|| "closed".into())
    }
}

impl Engine for NeoTalk {
    fn prepare(&self, points: &[Point]) -> Box<dyn Any> {
        let batch: Vec<TelemetryPoint> = points
            .iter()
            .map(|&(s, ts, v)| TelemetryPoint { device_id: self.devices[s].clone(), metric: METRIC.into(), point: DataPoint::new(ts, v) })
            .collect();
        Box::new(batch)
    }

    fn ingest_batch(&mut self, batch: &dyn Any) -> Res<()> {
        let batch = batch.downcast_ref::<Vec<TelemetryPoint>>().ok_or("batch was not prepared by this engine")?;
        Ok(self.db()?.timeseries().write_batch(batch)?)
    }

    fn ingest_one(&mut self, (s, ts, v): Point) -> Res<()> {
        Ok(self.db()?.timeseries().write_series(&self.devices[s], METRIC, &[DataPoint::new(ts, v)])?)
    }

    fn range(&mut self, series: usize, start: i64, end: i64) -> Res<(usize, f64)> {
        let points = self.db()?.timeseries().query_range(&self.devices[series], METRIC, start..end)?;
        Ok((points.len(), points.iter().filter_map(|p| p.value.as_f64()).sum()))
    }

    fn latest(&mut self, series: usize) -> Res<Option<(i64, f64)>> {
        let p = self.db()?.timeseries().query_latest(&self.devices[series], METRIC)?;
        Ok(p.and_then(|p| p.value.as_f64().map(|v| (p.timestamp, v))))
    }

    fn aggregate(&mut self, series: usize, start: i64, end: i64, bucket_ms: i64) -> Res<(usize, u64)> {
        let buckets = self.db()?.timeseries().query_aggregated(&self.devices[series], METRIC, start..end, bucket_ms)?;
        Ok((buckets.len(), buckets.iter().map(|b| b.count).sum()))
    }

    fn cleanup(&mut self, _series: usize, cutoff: i64) -> Res<u64> {
        // Retention is in days: a 1-day window evaluated one day after the cutoff.
        let r = TimeSeriesRetention { keep: neotalk_storage::RetentionWindow::days(1), ..Default::default() };
        Ok(self.db()?.timeseries().cleanup(cutoff + 86_400_000, &r)?.points)
    }

    fn compact(&mut self) -> Res<()> {
        self.db()?.compact()?;
        Ok(())
    }

    fn disk_bytes(&mut self) -> Res<u64> {
        self.db()?.flush()?;
        Ok(file_len(&self.dir.join(DATABASE_FILE)))
    }
}

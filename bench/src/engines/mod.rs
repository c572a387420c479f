//! The engines under test, behind one interface.

pub mod neotalk;
pub mod original;
pub mod sqlite;

use std::any::Any;
use std::error::Error;

pub type Res<T> = std::result::Result<T, Box<dyn Error>>;

/// One point of the workload: (series index, timestamp, value).
pub type Point = (usize, i64, f64);

/// What every engine does for the benchmark. Inputs are plain; each engine converts them
/// to its own API (that conversion is part of its measured cost only when it is the layout's,
/// e.g. the original's JSON encoding).
pub trait Engine {
    /// Turns workload points into the engine's API input (untimed: a caller has its data in
    /// that form already, e.g. `TelemetryPoint`s parsed from MQTT).
    fn prepare(&self, points: &[Point]) -> Box<dyn Any> {
        Box::new(points.to_vec())
    }
    /// Writes a prepared batch in one transaction.
    fn ingest_batch(&mut self, batch: &dyn Any) -> Res<()>;
    /// Writes one point in its own transaction.
    fn ingest_one(&mut self, p: Point) -> Res<()>;
    /// Points of `series` in `[start, end)`: (count, sum of values).
    fn range(&mut self, series: usize, start: i64, end: i64) -> Res<(usize, f64)>;
    /// The newest point of `series`.
    fn latest(&mut self, series: usize) -> Res<Option<(i64, f64)>>;
    /// 60 s buckets over `[start, end)`: (buckets, total count).
    fn aggregate(&mut self, series: usize, start: i64, end: i64, bucket_ms: i64) -> Res<(usize, u64)>;
    /// Deletes every point older than `cutoff` in all `series`; returns how many.
    fn cleanup(&mut self, series: usize, cutoff: i64) -> Res<u64>;
    /// Releases free space (redb compaction, SQLite VACUUM).
    fn compact(&mut self) -> Res<()>;
    /// Bytes of the database on disk (all its files).
    fn disk_bytes(&mut self) -> Res<u64>;
}

pub fn device(series: usize) -> String {
    format!("sensor-{series:03}")
}

pub const METRIC: &str = "temperature";

pub fn file_len(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The workload points of a default [`Engine::prepare`].
pub fn points(batch: &dyn Any) -> Res<&[Point]> {
    Ok(batch.downcast_ref::<Vec<Point>>().ok_or("batch was not prepared by this engine")?)
}

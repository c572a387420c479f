//! Binary values (camera snapshots, files): their bytes live outside the compressed chunks.
//!
//! A chunk records only that a point is binary (its kind); the bytes are in `ts_blobs` under
//! the point's own key, (series id, timestamp), so scans and aggregations of a series never
//! read them, and a rewrite of a chunk (a late point, a head sealed) never copies them. A
//! read fills the binary values of the points it returns from there; a point rewritten with
//! another type, a delete and retention remove the bytes with the point, in the same
//! transaction. `ts_blob_series` lists the series that ever held a binary value, so the
//! write path of every other series does no extra work.

use super::point::{DataPoint, MetricValue};
use crate::error::{Result, StorageError};
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::key::{KeyBuilder, KeyReader};
use std::collections::HashSet;

/// (series id, timestamp) -> the bytes of a binary value.
pub(crate) const BLOBS: &str = "ts_blobs";
/// Series id -> nothing: the series that ever held a binary value.
const BLOB_SERIES: &str = "ts_blob_series";

fn blob_key(series: u32, timestamp: i64) -> Vec<u8> {
    KeyBuilder::new().u32(series).i64(timestamp).finish()
}

/// The series that ever held a binary value.
pub(crate) fn load_series(view: &dyn ReadView) -> Result<HashSet<u32>> {
    let mut out = HashSet::new();
    view.scan(BLOB_SERIES, &KeyRange::all(), Direction::Forward, &mut |k, _| {
        out.insert(KeyReader::new(k).u32()?);
        Ok(Scan::Continue)
    })?;
    Ok(out)
}

/// Stages the bytes of the binary points among `points` (of `series`) and, in a series that
/// holds binary values (`known`, or from now on), the removal of the bytes under the other
/// points' timestamps, which may replace binary ones. Returns whether `series` holds binary
/// values for the first time.
pub(crate) fn stage_writes<'a>(
    batch: &mut WriteBatch,
    series: u32,
    points: impl Iterator<Item = &'a DataPoint> + Clone,
    known: bool,
) -> bool {
    let first = !known && points.clone().any(|p| matches!(p.value, MetricValue::Binary(_)));
    if !known && !first {
        return false;
    }
    for p in points {
        match &p.value {
            MetricValue::Binary(bytes) => {
                // Durable at once even under Eventual: megabytes of values left unsynced slow
                // every later non-durable commit (the numeric ingest beside 1 MB camera
                // images at 1/s: 0.74x with a sync every 16 MB, 1.1x with this; `bench binary`).
                batch.make_durable();
                batch.put(BLOBS, blob_key(series, p.timestamp), bytes.clone())
            }
            _ => batch.delete(BLOBS, blob_key(series, p.timestamp)),
        }
    }
    if first {
        batch.put(BLOB_SERIES, KeyBuilder::new().u32(series).finish(), Vec::new());
    }
    first
}

/// Stages the removal of the bytes of the binary points among `points` (of `series`).
pub(crate) fn stage_removal<'a>(batch: &mut WriteBatch, series: u32, points: impl Iterator<Item = &'a DataPoint>) {
    for p in points.filter(|p| matches!(p.value, MetricValue::Binary(_))) {
        batch.delete(BLOBS, blob_key(series, p.timestamp));
    }
}

/// Fills the binary values of `points` of `series`, decoded from chunks without their
/// bytes. Bytes that are missing are `Corrupted`, naming the table and the timestamp.
pub(crate) fn fill(view: &dyn ReadView, series: u32, points: &mut [DataPoint]) -> Result<()> {
    for p in points {
        if let MetricValue::Binary(bytes) = &mut p.value {
            *bytes = view.get(BLOBS, &blob_key(series, p.timestamp))?.ok_or_else(|| {
                StorageError::Corrupted(format!("table {BLOBS}: the bytes of the binary value at timestamp {} are missing", p.timestamp))
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::backend::{Backend, MemoryBackend};

    #[test]
    fn bytes_are_written_filled_and_removed_by_point() {
        let backend = MemoryBackend::new();
        let points = [DataPoint::new(1, vec![1u8, 2]), DataPoint::new(2, 3.5), DataPoint::new(3, vec![4u8])];
        let mut batch = WriteBatch::new();
        assert!(stage_writes(&mut batch, 7, points.iter(), false));
        backend.write(&[&batch], false).unwrap();
        assert_eq!(load_series(&*backend.read().unwrap()).unwrap(), HashSet::from([7]));

        let mut decoded = [DataPoint::new(1, Vec::<u8>::new()), DataPoint::new(2, 3.5), DataPoint::new(3, Vec::<u8>::new())];
        fill(&*backend.read().unwrap(), 7, &mut decoded).unwrap();
        assert_eq!(decoded, points);

        let mut batch = WriteBatch::new();
        stage_removal(&mut batch, 7, points[..1].iter());
        backend.write(&[&batch], false).unwrap();
        let mut missing = [DataPoint::new(1, Vec::<u8>::new())];
        let err = fill(&*backend.read().unwrap(), 7, &mut missing).unwrap_err();
        assert_eq!(err.to_string(), "corrupted data: table ts_blobs: the bytes of the binary value at timestamp 1 are missing");
        // A series without binary values stages nothing.
        let mut batch = WriteBatch::new();
        assert!(!stage_writes(&mut batch, 8, [DataPoint::new(1, 1.0)].iter(), false));
        assert!(batch.is_empty());
    }
}

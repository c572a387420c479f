//! Entry points for the cargo-fuzz targets in `fuzz/`: thin wrappers over crate-private
//! codecs, so the targets keep compiling when a codec is replaced (only this file changes).
//! Not a stable API.

pub use crate::storage::key::{prefix_end, KeyBuilder, KeyReader};

use crate::error::Result;
use crate::stores::timeseries::chunk::{self, ChunkSummary};
use crate::stores::timeseries::head;
use crate::stores::timeseries::point;
use crate::stores::timeseries::DataPoint;

/// Decodes one point in the point encoding (device metric snapshots use it; telemetry
/// itself is stored in compressed chunks).
pub fn decode_point(timestamp: i64, bytes: &[u8]) -> Result<DataPoint> {
    point::decode(timestamp, bytes)
}

/// Encodes one point in the point encoding (without the timestamp).
pub fn encode_point(p: &DataPoint) -> Vec<u8> {
    let mut out = Vec::new();
    point::encode_into(&mut out, &p.value, p.quality, p.metadata.as_ref());
    out
}

/// Decodes a stored telemetry chunk (compressed or a raw head) into its points.
pub fn decode_chunk(bytes: &[u8]) -> Result<Vec<DataPoint>> {
    chunk::decode(bytes)
}

/// The points of a stored chunk with `start <= timestamp <= last` (inclusive, as the store's
/// ranges), at most `limit`, through the range-query decoder.
pub fn decode_chunk_range(bytes: &[u8], start: i64, last: i64, limit: usize) -> Result<Vec<DataPoint>> {
    let mut out = Vec::new();
    chunk::decode_range_into(bytes, start, last, &mut out, limit)?;
    Ok(out)
}

/// Timestamps and numeric values of a stored chunk, through the aggregation decoder.
pub fn decode_chunk_numeric(bytes: &[u8]) -> Result<(Vec<i64>, Vec<Option<f64>>)> {
    chunk::decode_numeric(bytes)
}

/// The summary of a stored chunk: (count, min timestamp, max timestamp, numeric count).
pub fn chunk_summary(bytes: &[u8]) -> Result<(u64, i64, i64, u64)> {
    let s = ChunkSummary::read(bytes)?;
    Ok((s.count, s.min_ts, s.max_ts, s.numeric.map_or(0, |n| n.count)))
}

/// Encodes points as a sealed, compressed chunk.
pub fn encode_chunk(points: &[DataPoint]) -> Vec<u8> {
    chunk::encode(points)
}

/// Encodes points as a raw head.
pub fn encode_head(points: &[DataPoint]) -> Vec<u8> {
    head::encode(points)
}

/// Appends `new` to a raw head written in time order; `new` must be sorted and newer than
/// the head's newest point.
pub fn append_head(bytes: &[u8], new: &[DataPoint]) -> Result<Vec<u8>> {
    let refs: Vec<&DataPoint> = new.iter().collect();
    head::append(bytes, &ChunkSummary::read(bytes)?, &refs)
}

/// Regression tests: one per input the fuzz targets found failing.
#[cfg(test)]
mod regressions {
    use super::*;
    use crate::stores::timeseries::MetricValue;
    use crate::{NewEvent, StorageManager};

    /// fuzz/point_codec `crash-a56eda0c`: a metadata float came back one digit off, because
    /// serde_json's default float parser is not exact (fixed: its `float_roundtrip` feature).
    #[test]
    fn metadata_float_round_trips_exactly() {
        let x = 3.3383333333333338e50_f64;
        let p = DataPoint {
            timestamp: 3_689_348_814_741_910_323,
            value: MetricValue::Boolean(false),
            quality: Some(4.172325e-8),
            metadata: Some(serde_json::json!(x)),
        };
        let bytes = encode_point(&p);
        let q = decode_point(p.timestamp, &bytes).unwrap();
        assert_eq!(q, p);
        assert_eq!(encode_point(&q), bytes);

        // The same holds for every JSON row, e.g. event data.
        let db = StorageManager::in_memory().unwrap();
        let e = NewEvent::new("e", "t", "s", 0, serde_json::json!({"x": x, "y": [1e-320, 0.1, 1.7976931348623157e308]}));
        db.events().append(&e).unwrap();
        assert_eq!(db.events().get("e").unwrap().unwrap().event_data, e.event_data);
    }
}

/// The hand-made seeds of fuzz/chunk_codec decode to the points they were built from (so the
/// fuzzer starts from valid chunks of both layouts).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod chunk_seeds {
    use super::*;
    use crate::stores::timeseries::MetricValue;

    fn seed(name: &str) -> Vec<u8> {
        let path = format!("{}/../fuzz/seeds/chunk_codec/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(bytes[0], 0, "mode byte of a stored-bytes seed");
        bytes[1..].to_vec()
    }

    #[test]
    fn stored_seeds_decode() {
        let chunk = decode_chunk(&seed("stored_chunk")).unwrap();
        assert_eq!(chunk, vec![DataPoint::new(0, 1.5), DataPoint::new(1_000, 1.5), DataPoint::new(2_000, 1.5)]);
        assert_eq!(chunk_summary(&seed("stored_chunk")).unwrap(), (3, 0, 2_000, 3));
        let head = decode_chunk(&seed("stored_head")).unwrap();
        let mut expected = vec![DataPoint::new(10, 2.5), DataPoint::new(20, -3i64), DataPoint::new(30, true), DataPoint::new(40, "on")];
        expected[1].quality = Some(0.5);
        expected[3].metadata = Some(serde_json::json!({"a": 1}));
        assert_eq!(head, expected);
        // The seed is a head in the previous format (no newest-point header): it still decodes,
        // and re-encoding writes the current format, which decodes to the same points.
        assert_eq!(decode_chunk(&encode_head(&head)).unwrap(), head);
        assert_eq!(decode_chunk_numeric(&seed("stored_head")).unwrap().1, vec![Some(2.5), Some(-3.0), None, None]);
        assert!(matches!(head[2].value, MetricValue::Boolean(true)));
    }
}

/// Regression tests for damaged database files found by fuzz/open_file.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod damaged_files {
    use crate::{StorageError, StorageManager, DATABASE_FILE};

    /// The seeds were written by format version 1, before value checksums: restamp them and
    /// seal the values of every table that still iterates, so the damage, not the version
    /// check or the checksum upgrade, is what the test meets.
    fn stamp_current_format(path: &std::path::Path) {
        use crate::storage::backend::checksum::seal;
        use redb::{ReadableDatabase, ReadableTable, TableHandle};
        let def = |name| redb::TableDefinition::<&[u8], &[u8]>::new(name);
        let db = redb::Database::open(path).unwrap();
        let names: Vec<String> = db.begin_read().unwrap().list_tables().unwrap().map(|t| t.name().to_string()).collect();
        let txn = db.begin_write().unwrap();
        for name in &names {
            let entries = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let table = txn.open_table(def(name)).ok()?;
                let all = table.range::<&[u8]>(..).ok()?;
                all.map(|e| e.ok().map(|(k, v)| (k.value().to_vec(), v.value().to_vec()))).collect::<Option<Vec<_>>>()
            }));
            if let Ok(Some(entries)) = entries {
                let mut table = txn.open_table(def(name)).unwrap();
                for (k, v) in entries {
                    let v = if name == crate::storage::engine::META && k == crate::storage::engine::FORMAT_VERSION_KEY {
                        crate::FORMAT_VERSION.to_le_bytes().to_vec()
                    } else {
                        v
                    };
                    table.insert(k.as_slice(), seal(name, &k, &v).as_slice()).unwrap();
                }
            }
        }
        txn.open_table(def(crate::storage::backend::CHECKSUMS_MARKER)).unwrap();
        txn.commit().unwrap();
    }

    fn open_seed(name: &str) -> (tempfile::TempDir, StorageManager) {
        let path = format!("{}/../fuzz/seeds/open_file/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DATABASE_FILE), bytes).unwrap();
        stamp_current_format(&dir.path().join(DATABASE_FILE));
        let db = StorageManager::open(dir.path()).expect("this damaged file opens; the damage is in a table");
        (dir, db)
    }

    /// `crash-c42f0a34`: redb panicked (`Option::unwrap` on `None` in `btree_base.rs`) while
    /// computing table statistics; `table_sizes` must report `Corrupted` instead.
    #[test]
    fn table_stats_of_a_damaged_page_is_an_error_not_a_panic() {
        let (_dir, db) = open_seed("regression-stats-panic.redb");
        let sizes = db.table_sizes();
        assert!(matches!(sizes, Err(StorageError::Corrupted(_))), "{sizes:?}");
        // The rest of the API answers too (any result, no panic).
        let _ = db.check_integrity();
        let _ = db.devices().list_devices();
        let _ = db.events().replay(0, 100);
        let _ = db.timeseries().list_devices_with_data();
        let _ = db.close();
    }
}

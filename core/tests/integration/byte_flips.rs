//! Byte-flip campaign: one random byte of a closed, populated database file is changed per
//! trial; the database must then either read back exactly what was written or report an
//! error (`Corrupted`, or a refusal to open). A read that succeeds with a different answer
//! is silent corruption, the failure this test exists to catch.
//!
//! Trials: 200 by default, `NTS_FLIP_TRIALS=5000` for a long run (tests/reliability.sh);
//! `NTS_FLIP_SEED` replays a run (the seed is printed), `NTS_FLIP_SEED=random` explores.
//!
//! The default seed is fixed, so the README's test command is repeatable. A flip in a key
//! that moved an entry past its range while it stayed in the range's pages once made a range
//! scan stop short without an error (NTS_FLIP_TRIALS=2000, trial 1646); scans now read and
//! check the first entry past their far bound, and `integrity.rs` pins that case.

use crate::common;
use common::env_num;

/// The seed of the README's test command; `NTS_FLIP_SEED=random` draws one.
const DEFAULT_SEED: u64 = 0x5EED_F119;
use neotalk_storage::{AlertRecord, AlertSeverity, DataPoint, NewEvent, StorageManager, DATABASE_FILE};

const SERIES: usize = 5;
const POINTS: i64 = 3_000;

/// Everything the campaign reads back, in a comparable form.
#[derive(Debug, PartialEq)]
struct Contents {
    series: Vec<Vec<DataPoint>>,
    events: Vec<(String, serde_json::Value)>,
    alerts: Vec<(String, String)>,
}

fn populate(db: &StorageManager) {
    for s in 0..SERIES {
        // Decimal random walks (the scaled-integer codec) and raw floats (the XOR codec).
        let points: Vec<DataPoint> = (0..POINTS)
            .map(|i| {
                let v = if s % 2 == 0 { 20.0 + ((i * 7919 + s as i64) % 200) as f64 / 100.0 } else { (i as f64).sin() * 1e3 };
                DataPoint::new(1_700_000_000_000 + i * 1_000, v)
            })
            .collect();
        // In batches, as a gateway writes: several chunks per series.
        for batch in points.chunks(500) {
            db.timeseries().write_series(&format!("dev-{s}"), "m", batch).unwrap();
        }
    }
    for i in 0..200 {
        let e = NewEvent::new(
            &format!("ev-{i}"),
            "device.online",
            "gateway",
            i,
            serde_json::json!({"i": i, "device": format!("dev-{}", i % 5)}),
        );
        db.events().append(&e).unwrap();
    }
    for i in 0..50 {
        db.alerts().create(&AlertRecord::new(&format!("al-{i}"), "hot", AlertSeverity::Warning, &format!("alert {i}"), "rule", i)).unwrap();
    }
}

/// Reads everything; any error is reported as `Err` (a detected problem).
fn read_all(db: &StorageManager) -> Result<Contents, neotalk_storage::StorageError> {
    let mut series = Vec::new();
    for s in 0..SERIES {
        series.push(db.timeseries().query_range(&format!("dev-{s}"), "m", ..)?);
    }
    let events = db.events().replay(0, None)?.into_iter().map(|e| (e.event_id, e.event_data)).collect();
    let alerts = db.alerts().query_range(.., None)?.into_iter().map(|a| (a.alert_id, a.message)).collect();
    Ok(Contents { series, events, alerts })
}

#[test]
fn no_flipped_byte_reads_back_as_a_wrong_value() {
    let trials = env_num("NTS_FLIP_TRIALS").unwrap_or(200);
    let seed = match std::env::var("NTS_FLIP_SEED").as_deref() {
        Ok("random") => fastrand::u64(..),
        _ => env_num("NTS_FLIP_SEED").unwrap_or(DEFAULT_SEED),
    };
    println!("byte flips: {trials} trials, NTS_FLIP_SEED={seed}");
    let source = tempfile::tempdir().unwrap();
    let db = StorageManager::open(source.path()).unwrap();
    populate(&db);
    let expected = read_all(&db).unwrap();
    db.close().unwrap();
    let original = std::fs::read(source.path().join(DATABASE_FILE)).unwrap();

    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut intact, mut detected, mut refused_open, mut series_still_whole) = (0u64, 0u64, 0u64, 0u64);
    let (mut silent, mut salvaged) = (Vec::new(), 0u64);
    for trial in 0..trials {
        let mut bytes = original.clone();
        let offset = rng.usize(..bytes.len());
        let flip = rng.u8(1..);
        bytes[offset] ^= flip;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DATABASE_FILE), &bytes).unwrap();
        let db = match StorageManager::open(dir.path()) {
            Ok(db) => db,
            Err(_) => {
                refused_open += 1;
                continue;
            }
        };
        match read_all(&db) {
            Ok(got) if got == expected => intact += 1,
            Ok(_) => silent.push((trial, offset, flip)),
            Err(_) => {
                detected += 1;
                // One damaged page must not take the other series with it.
                let whole = (0..SERIES)
                    .filter(|s| db.timeseries().query_range(&format!("dev-{s}"), "m", ..).ok().as_ref() == Some(&expected.series[*s]))
                    .count();
                series_still_whole += whole as u64;
                // Salvage copies what is sound: the copy passes the integrity report and
                // holds no point that was not written.
                let _ = db.close();
                salvage_holds_only_written_points(dir.path(), &expected, trial);
                salvaged += 1;
                continue;
            }
        }
        let _ = db.close();
    }
    println!(
        "byte flips: {intact} read back intact, {detected} reported damage on read ({series_still_whole} whole series still readable in those), {refused_open} refused to open, {} silently wrong; {salvaged} damaged databases salvaged into a sound copy",
        silent.len()
    );
    assert!(silent.is_empty(), "silently wrong reads (trial, offset, xor): {silent:?}; replay with NTS_FLIP_SEED={seed}");
}

/// Salvages the damaged database in `dir` and checks the copy: it passes the integrity
/// report, and every point it holds is one of the `expected` series' own.
fn salvage_holds_only_written_points(dir: &std::path::Path, expected: &Contents, trial: u64) {
    let out = tempfile::tempdir().unwrap();
    let report = StorageManager::salvage(dir, out.path()).unwrap_or_else(|e| panic!("trial {trial}: salvage failed: {e}"));
    let db = StorageManager::open(out.path()).unwrap();
    let check = db.integrity_report().unwrap();
    assert!(check.ok, "trial {trial}: the salvaged copy is damaged: {check:?} (salvage: {report:?})");
    for (s, written) in expected.series.iter().enumerate() {
        // A series may fail to read as a whole (a skipped index entry); what reads is right.
        if let Ok(points) = db.timeseries().query_range(&format!("dev-{s}"), "m", ..) {
            assert!(points.iter().all(|p| written.contains(p)), "trial {trial}: dev-{s} holds a point never written");
        }
    }
    db.close().unwrap();
}

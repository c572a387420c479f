//! The `binary` suite: a gateway's seconds, each with one 1 Hz point of 100 numeric sensors
//! (one `write_batch`) and, in one of two neotalk databases, a 1 MB camera snapshot (one
//! `write_series` of a binary point): 600 seconds (120 with `--quick`), under each
//! durability. The numeric commits are timed apart, so the figure is how much the images
//! slow the numeric path (target: by at most 10 %, i.e. >= 0.9x). Then reads: the latest
//! image, the last minute of images, and a 1-minute aggregation of every numeric series with
//! and without images beside them. SQLite does the same workload in one database (a
//! `(series, ts, value)` table and an `(ts, data BLOB)` table; WAL, `synchronous=FULL` against
//! Immediate and `NORMAL` against Eventual) for comparison.

use crate::engines::Res;
use neotalk_storage::{DataPoint, Durability, MetricValue, StorageManager, StorageOptions, TelemetryPoint};
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

const SENSORS: usize = 100;
const IMAGE_BYTES: usize = 1_000_000;
/// 2026-01-01T00:00:00Z.
const START: i64 = 1_767_225_600_000;

/// A 1 MB "image" that does not compress: bytes of a simple LCG, different every second.
fn image(second: i64) -> Vec<u8> {
    let mut x = second as u64 ^ 0x9E37_79B9_7F4A_7C15;
    (0..IMAGE_BYTES)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8
        })
        .collect()
}

fn readings(second: i64) -> Vec<TelemetryPoint> {
    (0..SENSORS)
        .map(|i| {
            let v = 20.0 + ((second * 7 + i as i64 * 13) % 100) as f64 / 10.0;
            TelemetryPoint::new(&format!("sensor-{i}"), "temperature", START + second * 1000, v)
        })
        .collect()
}

fn open(dir: &std::path::Path, durability: Durability) -> Res<StorageManager> {
    Ok(StorageManager::open_with(dir, StorageOptions { durability, ..Default::default() })?)
}

pub fn run(quick: bool) -> Res<()> {
    let seconds: i64 = if quick { 120 } else { 600 };
    println!(
        "neotalk-storage-bench binary{}: {seconds} s of {SENSORS} sensors at 1 Hz, with and without a 1 MB camera snapshot per second; SQLite {}",
        if quick { " --quick" } else { "" },
        rusqlite::version()
    );
    println!("machine: {}", crate::machine());
    for durability in [Durability::Immediate, Durability::Eventual] {
        println!("\n== durability {durability:?}");
        workload(seconds, durability)?;
    }
    Ok(())
}

fn workload(seconds: i64, durability: Durability) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let numeric_only = open(&dir.path().join("numeric"), durability)?;
    let with_images = open(&dir.path().join("images"), durability)?;
    let conn = Connection::open(dir.path().join("sqlite.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", if durability == Durability::Immediate { "FULL" } else { "NORMAL" })?;
    conn.execute_batch(
        "CREATE TABLE telemetry (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
         CREATE TABLE images (ts INTEGER PRIMARY KEY, data BLOB NOT NULL);",
    )?;

    let (mut plain, mut beside, mut images) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut sqlite_numeric, mut sqlite_images) = (Duration::ZERO, Duration::ZERO);
    for s in 0..seconds {
        let batch = readings(s);
        let picture = image(s);
        // Alternate who goes first, so neither always meets a warm cache.
        for k in 0..2 {
            if (s + k) % 2 == 0 {
                let t = Instant::now();
                numeric_only.timeseries().write_batch(&batch)?;
                plain += t.elapsed();
            } else {
                let t = Instant::now();
                with_images.timeseries().write_batch(&batch)?;
                beside += t.elapsed();
                let t = Instant::now();
                with_images.timeseries().write_series("cam-1", "snapshot", &[DataPoint::new(START + s * 1000, picture.clone())])?;
                images += t.elapsed();
            }
        }
        let t = Instant::now();
        let tx = conn.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO telemetry (series, ts, value) VALUES (?1, ?2, ?3)")?;
            for (i, p) in batch.iter().enumerate() {
                stmt.execute(params![i as i64, p.point.timestamp, p.point.value.as_f64().unwrap_or(0.0)])?;
            }
        }
        tx.commit()?;
        sqlite_numeric += t.elapsed();
        let t = Instant::now();
        conn.execute("INSERT INTO images (ts, data) VALUES (?1, ?2)", params![START + s * 1000, picture])?;
        sqlite_images += t.elapsed();
    }
    let points = (seconds as usize * SENSORS) as f64;
    let rate = |d: Duration| points / d.as_secs_f64();
    println!("{:<62} {:>14} {:>14} {:>8}", "ingest of the numeric points", "no images", "beside images", "ratio");
    println!(
        "{:<62} {:>14.0} {:>14.0} {:>7.2}x  (target >= 0.9; SQLite beside images {:.0})",
        "  points/s, one write_batch of 100 points per second",
        rate(plain),
        rate(beside),
        plain.as_secs_f64() / beside.as_secs_f64(),
        rate(sqlite_numeric)
    );
    let mb = (seconds as usize * IMAGE_BYTES) as f64 / 1e6;
    println!(
        "{:<62} {:>14.1} {:>14} {:>7.2}x  (SQLite {:.1} MB/s)",
        "  images written, MB/s (neotalk, then neotalk/SQLite)",
        mb / images.as_secs_f64(),
        "",
        sqlite_images.as_secs_f64() / images.as_secs_f64(),
        mb / sqlite_images.as_secs_f64()
    );

    // Reads, best of 5.
    let end = START + seconds * 1000;
    let ts = with_images.timeseries();
    let latest = ts.query_latest("cam-1", "snapshot")?.ok_or("no image")?;
    if latest.value != MetricValue::Binary(image(seconds - 1)) {
        return Err("the latest image read back differs".into());
    }
    let latest_time = crate::best_of(5, &mut || {
        ts.query_latest("cam-1", "snapshot")?;
        Ok(())
    })?;
    let sqlite_latest = crate::best_of(5, &mut || {
        let data: Vec<u8> = conn.query_row("SELECT data FROM images ORDER BY ts DESC LIMIT 1", [], |r| r.get(0))?;
        assert_eq!(data.len(), IMAGE_BYTES);
        Ok(())
    })?;
    let minute = crate::best_of(5, &mut || {
        let got = ts.query_range("cam-1", "snapshot", end - 60_000..end)?;
        assert_eq!(got.len(), 60);
        Ok(())
    })?;
    let sqlite_minute = crate::best_of(5, &mut || {
        let mut stmt = conn.prepare_cached("SELECT ts, data FROM images WHERE ts >= ?1 AND ts < ?2 ORDER BY ts")?;
        let rows: Vec<(i64, Vec<u8>)> =
            stmt.query_map(params![end - 60_000, end], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        assert_eq!(rows.len(), 60);
        Ok(())
    })?;
    let aggregate = |db: &StorageManager| -> Res<()> {
        for i in 0..SENSORS {
            db.timeseries().query_aggregated(&format!("sensor-{i}"), "temperature", START..end, 60_000)?;
        }
        Ok(())
    };
    let agg_plain = crate::best_of(5, &mut || aggregate(&numeric_only))?;
    let agg_beside = crate::best_of(5, &mut || aggregate(&with_images))?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("\n{:<62} {:>14} {:>14} {:>8}", "reads (best of 5), ms", "neotalk", "SQLite", "faster");
    for (label, ours, theirs) in
        [("  the latest image (1 MB)", latest_time, sqlite_latest), ("  the last minute of images (60 MB)", minute, sqlite_minute)]
    {
        println!("{label:<62} {:>14.3} {:>14.3} {:>7.2}x", ms(ours), ms(theirs), theirs.as_secs_f64() / ours.as_secs_f64());
    }
    println!(
        "{:<62} {:>14.3} {:>14.3} {:>7.2}x  (no images, beside images; ratio)",
        "  1-minute aggregation of all 100 numeric series",
        ms(agg_plain),
        ms(agg_beside),
        agg_plain.as_secs_f64() / agg_beside.as_secs_f64()
    );
    numeric_only.close()?;
    with_images.close()?;
    Ok(())
}

//! The `rollups` suite: one series of 1 Hz data (a year; 30 days with `--quick`) written day by
//! day with `write_columns` into two neotalk databases, one with the tiers
//! `[{every: 1m, keep: 90d}, {every: 1h, keep: 5y}]` and one without, and into SQLite (one
//! `(ts INTEGER PRIMARY KEY, value REAL)` table, a prepared INSERT, one transaction per day).
//! Then a 1-hour aggregation over the whole range: from the 1h tier, from the raw chunks (the
//! database without tiers) and SQLite's `GROUP BY`, checking all three agree. Then the disk
//! bytes of the tiers against the raw chunks, after a cleanup has expired what the 1m tier
//! no longer keeps.

use crate::engines::Res;
use neotalk_storage::{
    AggregateBucket, Column, Durability, RetentionWindow, RollupConfig, RollupTier, StorageManager, StorageOptions, TimeSeriesRetention,
};
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
/// 2026-01-01T00:00:00Z.
const START: i64 = 1_767_225_600_000;

/// One day of 1 Hz values: a daily cycle plus a slow drift, rounded to 2 decimals.
fn day(d: i64) -> (Vec<i64>, Vec<f64>) {
    let ts: Vec<i64> = (0..86_400).map(|s| START + d * DAY + s * 1000).collect();
    let values = (0..86_400)
        .map(|s| {
            let t = (d * 86_400 + s) as f64;
            let v = 20.0 + 5.0 * (t / 86_400.0 * std::f64::consts::TAU).sin() + (t / 1e6).sin() + ((s * 7919) % 13) as f64 / 100.0;
            (v * 100.0).round() / 100.0
        })
        .collect();
    (ts, values)
}

fn tiers() -> RollupConfig {
    let tier = |every: &str, keep: &str| RollupTier::new(every.parse().expect("window"), keep.parse().expect("window"));
    RollupConfig { tiers: vec![tier("1m", "90d"), tier("1h", "5y")], ..Default::default() }
}

fn open(dir: &std::path::Path, rollups: RollupConfig) -> Res<StorageManager> {
    Ok(StorageManager::open_with(dir, StorageOptions { durability: Durability::Eventual, rollups, ..Default::default() })?)
}

fn ratio_row(label: &str, a: f64, b: f64, unit: &str) {
    println!("{label:<58} {a:>12.3} {b:>12.3} {:>9.1}x  {unit}", b / a);
}

fn same(tier: &[AggregateBucket], raw: &[AggregateBucket]) -> bool {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
        (a, b) => a == b,
    };
    tier.len() == raw.len()
        && tier.iter().zip(raw).all(|(t, r)| {
            (t.bucket_start, t.count, t.min, t.max, t.first, t.last) == (r.bucket_start, r.count, r.min, r.max, r.first, r.last)
                && close(t.sum, r.sum)
        })
}

pub fn run(quick: bool) -> Res<()> {
    let days = if quick { 30 } else { 365 };
    println!(
        "neotalk-storage-bench rollups{}: 1 series x {days} days of 1 Hz ({} points), tiers 1m (keep 90d) + 1h (keep 5y); SQLite {}",
        if quick { " --quick" } else { "" },
        days * 86_400,
        rusqlite::version()
    );
    println!("machine: {}\n", crate::machine());
    let dir = tempfile::tempdir()?;
    let tiered = open(&dir.path().join("tiered"), tiers())?;
    let plain = open(&dir.path().join("plain"), RollupConfig::default())?;
    let conn = Connection::open(dir.path().join("sqlite.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch("CREATE TABLE telemetry (ts INTEGER PRIMARY KEY, value REAL NOT NULL)")?;

    let (mut with, mut without, mut sqlite) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for d in 0..days {
        let (ts, values) = day(d);
        // Alternate who goes first, so neither always meets a warm cache.
        for k in 0..2 {
            let (db, total) = if (d + k) % 2 == 0 { (&tiered, &mut with) } else { (&plain, &mut without) };
            let t = Instant::now();
            db.timeseries().write_columns("sensor", "temperature", &ts, Column::Float(&values))?;
            *total += t.elapsed();
        }
        let t = Instant::now();
        let tx = conn.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO telemetry (ts, value) VALUES (?1, ?2)")?;
            for (t, v) in ts.iter().zip(&values) {
                stmt.execute(params![t, v])?;
            }
        }
        tx.commit()?;
        sqlite += t.elapsed();
    }
    let points = (days * 86_400) as f64;
    println!("{:<58} {:>12} {:>12} {:>10}", "figure", "without", "with tiers", "with/without");
    println!(
        "{:<58} {:>12.0} {:>12.0} {:>9.2}x  points/s (higher is better; SQLite {:.0})",
        "ingest, write_columns of one day per call",
        points / without.as_secs_f64(),
        points / with.as_secs_f64(),
        without.as_secs_f64() / with.as_secs_f64(),
        points / sqlite.as_secs_f64()
    );

    // The 1-hour aggregation of the whole range, repeated; each engine's best run counts.
    let range = START..START + days * DAY;
    let runs = 5;
    let ts = tiered.timeseries();
    assert_eq!(ts.aggregation_tier("sensor", "temperature", range.clone(), HOUR)?, Some(HOUR), "the 1h tier answers");
    let best = |f: &mut dyn FnMut() -> Res<()>| crate::best_of(runs, f);
    let mut from_tier = Vec::new();
    let tier_time = best(&mut || {
        from_tier = ts.query_aggregated("sensor", "temperature", range.clone(), HOUR)?;
        Ok(())
    })?;
    let mut from_raw = Vec::new();
    let raw_time = best(&mut || {
        from_raw = plain.timeseries().query_aggregated("sensor", "temperature", range.clone(), HOUR)?;
        Ok(())
    })?;
    let mut grouped: Vec<(i64, u64, f64, f64, f64)> = Vec::new();
    let sqlite_time = best(&mut || {
        let mut stmt = conn.prepare_cached(
            "SELECT ts / 3600000 * 3600000 AS b, COUNT(*), SUM(value), MIN(value), MAX(value) FROM telemetry \
             WHERE ts >= ?1 AND ts < ?2 GROUP BY b ORDER BY b",
        )?;
        grouped = stmt
            .query_map(params![range.start, range.end], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<Result<_, _>>()?;
        Ok(())
    })?;
    if !same(&from_tier, &from_raw) {
        return Err("the 1h tier and the raw chunks disagree".into());
    }
    let agrees = grouped.len() == from_tier.len()
        && grouped.iter().zip(&from_tier).all(|(g, t)| {
            (g.0, g.1, Some(g.3), Some(g.4)) == (t.bucket_start, t.count, t.min, t.max)
                && t.sum.is_some_and(|s| (s - g.2).abs() <= 1e-9 * s.abs())
        });
    if !agrees {
        return Err("the 1h tier and SQLite's GROUP BY disagree".into());
    }
    println!("\n{:<58} {:>12} {:>12} {:>10}", "1-hour aggregation of the whole range (best of 5)", "other", "1h tier", "faster");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    ratio_row("  from raw chunks (neotalk without tiers), ms", ms(tier_time), ms(raw_time), "");
    ratio_row("  SQLite GROUP BY over the raw table, ms", ms(tier_time), ms(sqlite_time), "");
    println!("  ({} buckets; count, min, max, first, last identical, sums within 1e-9)", from_tier.len());

    // Disk: expire what the 1m tier no longer keeps (raw data is kept), then compare bytes.
    let keep_raw = TimeSeriesRetention { keep: RetentionWindow::FOREVER, ..Default::default() };
    let expired = ts.cleanup(range.end, &keep_raw)?.rollup_buckets;
    let sizes = tiered.table_sizes()?;
    let bytes = |name: &str| sizes.iter().find(|t| t.name == name).map_or(0, |t| t.stored_bytes);
    let (raw, rollups) = (bytes("ts_chunks"), bytes("ts_rollups"));
    println!(
        "\ndisk (stored bytes): raw chunks {raw}, tiers {rollups} ({:.1} % of raw) after expiring {expired} one-minute buckets older than 90 days",
        rollups as f64 * 100.0 / raw as f64
    );
    tiered.close()?;
    plain.close()?;
    Ok(())
}

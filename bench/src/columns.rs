//! Columnar telemetry against SQLite, side by side in one process: `write_columns` ingest,
//! a 10k-point `query_range_columns` read, and the newest point of 1,000 series in one
//! `query_latest_batch`; plus the peak memory of one `write_columns` call (a child process
//! per size, so each peak is its own).
//!
//! SQLite gets the same transactions: one per columnar call (the same points), a range
//! `SELECT` and, for the latest values, one `SELECT ... ORDER BY ts DESC LIMIT 1` per
//! series inside one read transaction.

use crate::engines::{device, Res, METRIC};
use crate::rss;
use crate::workload::{ts, walk, Rng};
use crate::{per_sec, Report, MB};
use neotalk_storage::{Column, Durability, StorageManager, StorageOptions};
use rusqlite::{params, Connection};
use std::path::Path;
use std::time::{Duration, Instant};

/// Sizes of the columnar suite.
struct Sizes {
    series: usize,
    points: usize,
    /// Points of one series in one `write_columns` call (and one SQLite transaction).
    per_call: usize,
    range_points: usize,
    range_queries: usize,
    latest_series: usize,
    latest_points: usize,
    latest_rounds: usize,
}

impl Sizes {
    fn new(quick: bool) -> Self {
        if quick {
            Sizes {
                series: 20,
                points: 20_000,
                per_call: 10_000,
                range_points: 10_000,
                range_queries: 50,
                latest_series: 1_000,
                latest_points: 200,
                latest_rounds: 20,
            }
        } else {
            Sizes {
                series: 100,
                points: 100_000,
                per_call: 10_000,
                range_points: 10_000,
                range_queries: 200,
                latest_series: 1_000,
                latest_points: 1_000,
                latest_rounds: 50,
            }
        }
    }
}

fn open_neotalk(dir: &Path) -> Res<StorageManager> {
    Ok(StorageManager::open_with(dir, StorageOptions { durability: Durability::Eventual, ..StorageOptions::default() })?)
}

fn open_sqlite(path: &Path) -> Res<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS points (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;",
    )?;
    Ok(conn)
}

fn sqlite_insert(conn: &mut Connection, series: usize, ts: &[i64], vs: &[f64]) -> Res<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached("INSERT OR REPLACE INTO points (series, ts, value) VALUES (?1, ?2, ?3)")?;
        for (t, v) in ts.iter().zip(vs) {
            stmt.execute(params![series as i64, t, v])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Writes `points` per series in calls of `per_call`, alternating which engine goes first;
/// returns the time each engine took.
fn ingest(db: &StorageManager, conn: &mut Connection, series: usize, points: usize, per_call: usize) -> Res<[Duration; 2]> {
    let devices: Vec<String> = (0..series).map(device).collect();
    let mut times = [Duration::ZERO; 2];
    let mut step = 0;
    for (s, name) in devices.iter().enumerate() {
        let values = walk(points, s as u64 + 1);
        let stamps: Vec<i64> = (0..points).map(ts).collect();
        for start in (0..points).step_by(per_call) {
            let end = (start + per_call).min(points);
            let (t, v) = (&stamps[start..end], &values[start..end]);
            for k in 0..2 {
                let clock = Instant::now();
                match (step + k) % 2 {
                    0 => db.timeseries().write_columns(name, METRIC, t, Column::Float(v))?,
                    _ => sqlite_insert(conn, s, t, v)?,
                }
                times[(step + k) % 2] += clock.elapsed();
            }
            step += 1;
        }
    }
    Ok(times)
}

fn sqlite_range(conn: &Connection, series: usize, start: i64, end: i64) -> Res<(usize, f64)> {
    let mut stmt = conn.prepare_cached("SELECT ts, value FROM points WHERE series = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts")?;
    let mut rows = stmt.query(params![series as i64, start, end])?;
    let (mut n, mut sum) = (0, 0.0);
    while let Some(row) = rows.next()? {
        let _ts: i64 = row.get(0)?;
        sum += row.get::<_, f64>(1)?;
        n += 1;
    }
    Ok((n, sum))
}

/// The newest point of each of `series` series inside one read transaction.
fn sqlite_latest_batch(conn: &mut Connection, series: usize) -> Res<Vec<Option<(i64, f64)>>> {
    let tx = conn.transaction()?;
    let mut out = Vec::with_capacity(series);
    {
        let mut stmt = tx.prepare_cached("SELECT ts, value FROM points WHERE series = ?1 ORDER BY ts DESC LIMIT 1")?;
        for s in 0..series {
            let mut rows = stmt.query(params![s as i64])?;
            out.push(match rows.next()? {
                Some(row) => Some((row.get(0)?, row.get(1)?)),
                None => None,
            });
        }
    }
    tx.commit()?;
    Ok(out)
}

pub fn run(quick: bool, report: &mut Report) -> Res<()> {
    let z = Sizes::new(quick);
    let dir = tempfile::tempdir()?;
    let db = open_neotalk(&dir.path().join("neotalk"))?;
    let mut conn = open_sqlite(&dir.path().join("sqlite.db"))?;

    // Columnar ingest.
    let times = ingest(&db, &mut conn, z.series, z.points, z.per_call)?;
    let n = (z.series * z.points) as f64;
    report.add(
        format!("columnar ingest (write_columns, {} pts/call)", z.per_call),
        "points/s",
        true,
        [per_sec(n, times[0]), per_sec(n, times[1]), None],
    );

    // 10k-point range reads through columns.
    let devices: Vec<String> = (0..z.series).map(device).collect();
    let mut rng = Rng::new(7);
    let mut times = [Duration::ZERO; 2];
    let span = z.range_points.min(z.points);
    for q in 0..z.range_queries {
        let s = rng.below(z.series);
        let i = rng.below(z.points - span + 1);
        let (start, end) = (ts(i), ts(i + span));
        let mut got = [(0, 0i64); 2];
        for k in 0..2 {
            let e = (q + k) % 2;
            let clock = Instant::now();
            let (count, sum) = match e {
                0 => {
                    let (t, v) = db.timeseries().query_range_columns(&devices[s], METRIC, start..end)?.into_floats()?;
                    (t.len(), v.iter().sum::<f64>())
                }
                _ => sqlite_range(&conn, s, start, end)?,
            };
            times[e] += clock.elapsed();
            got[e] = (count, (sum * 100.0).round() as i64);
        }
        if got[0] != got[1] || got[0].0 != span {
            return Err(format!("range reads disagree: {got:?}, expected {span} points").into());
        }
    }
    let q = z.range_queries as f64;
    report.add(
        format!("range read, {span} points (query_range_columns)"),
        "queries/s",
        true,
        [per_sec(q, times[0]), per_sec(q, times[1]), None],
    );
    drop(db);
    drop(conn);

    // The newest point of 1,000 series: one batch against one transaction of single selects.
    let ldir = tempfile::tempdir()?;
    let db = open_neotalk(&ldir.path().join("neotalk"))?;
    let mut conn = open_sqlite(&ldir.path().join("sqlite.db"))?;
    ingest(&db, &mut conn, z.latest_series, z.latest_points, z.latest_points)?;
    let names: Vec<String> = (0..z.latest_series).map(device).collect();
    let keys: Vec<(&str, &str)> = names.iter().map(|d| (d.as_str(), METRIC)).collect();
    let check = |ours: &[Option<neotalk_storage::DataPoint>], theirs: &[Option<(i64, f64)>]| -> Res<()> {
        let ours: Vec<Option<(i64, f64)>> =
            ours.iter().map(|p| p.as_ref().map(|p| (p.timestamp, p.value.to_float().unwrap_or(f64::NAN)))).collect();
        if ours != theirs || ours.iter().any(|p| p.map(|(t, _)| t) != Some(ts(z.latest_points - 1))) {
            return Err("latest values disagree".into());
        }
        Ok(())
    };
    let mut times = [Duration::ZERO; 2];
    for round in 0..z.latest_rounds {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for k in 0..2 {
            let e = (round + k) % 2;
            let clock = Instant::now();
            match e {
                0 => ours = db.timeseries().query_latest_batch(&keys)?,
                _ => theirs = sqlite_latest_batch(&mut conn, z.latest_series)?,
            }
            times[e] += clock.elapsed();
        }
        check(&ours, &theirs)?;
    }
    let b = z.latest_rounds as f64;
    report.add(
        format!("latest of {} series, one batch", z.latest_series),
        "batches/s",
        true,
        [per_sec(b, times[0]), per_sec(b, times[1]), None],
    );
    // Cold: both reopened, so neither has a cache; the first batch reads from the files.
    drop(db);
    drop(conn);
    let db = open_neotalk(&ldir.path().join("neotalk"))?;
    let mut conn = open_sqlite(&ldir.path().join("sqlite.db"))?;
    let clock = Instant::now();
    let ours = db.timeseries().query_latest_batch(&keys)?;
    let cold_ours = clock.elapsed();
    let clock = Instant::now();
    let theirs = sqlite_latest_batch(&mut conn, z.latest_series)?;
    let cold_theirs = clock.elapsed();
    check(&ours, &theirs)?;
    report.add(
        format!("latest of {} series, first batch after reopening", z.latest_series),
        "batches/s",
        true,
        [per_sec(1.0, cold_ours), per_sec(1.0, cold_theirs), None],
    );

    // Peak memory of one call, in a child process per size and engine.
    for points in [1_000_000usize, 5_000_000] {
        let mut peaks = [None, None, None];
        for (i, engine) in ["neotalk", "sqlite"].iter().enumerate() {
            let out =
                std::process::Command::new(std::env::current_exe()?).args(["--child-columns", engine, &points.to_string()]).output()?;
            if !out.status.success() {
                return Err(format!("child write of {engine} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
            }
            let text = String::from_utf8_lossy(&out.stdout);
            let growth = text.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()).ok_or("child printed no growth")?;
            peaks[i] = Some(growth / MB);
            if i == 0 {
                println!("    write_columns of {points} points: peak grew by {:.1} B/point (input: 16 B/point)", growth / points as f64);
            }
        }
        report.add(format!("peak RSS growth, one call of {}M points", points / 1_000_000), "MB", false, peaks);
    }
    Ok(())
}

/// `--child-columns <engine> <points>`: builds the columns of one series, then writes them in
/// one call (one SQLite transaction), and prints `growth <bytes>`: how far the peak resident
/// set rose above the peak with the input already built.
pub fn child(engine: &str, points: usize) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let stamps: Vec<i64> = (0..points).map(ts).collect();
    let values = walk(points, 3);
    let (neotalk, mut sqlite) = match engine {
        "neotalk" => (Some(open_neotalk(&dir.path().join("neotalk"))?), None),
        "sqlite" => (None, Some(open_sqlite(&dir.path().join("sqlite.db"))?)),
        other => return Err(format!("unknown engine {other}").into()),
    };
    // A first small write creates the series and the table's pages, outside the measurement.
    match (&neotalk, &mut sqlite) {
        (Some(db), _) => db.timeseries().write_columns("warm", METRIC, &[0], Column::Float(&[0.0]))?,
        (_, Some(conn)) => sqlite_insert(conn, 999, &[0], &[0.0])?,
        _ => unreachable!(),
    }
    let (before, _) = rss::rss();
    match (&neotalk, &mut sqlite) {
        (Some(db), _) => db.timeseries().write_columns(&device(0), METRIC, &stamps, Column::Float(&values))?,
        (_, Some(conn)) => sqlite_insert(conn, 0, &stamps, &values)?,
        _ => unreachable!(),
    }
    let (after, _) = rss::rss();
    println!("growth {}", after.saturating_sub(before));
    Ok(())
}

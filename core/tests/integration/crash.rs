//! Crash test: a child process ingests telemetry, events and alerts in a loop and is killed
//! with SIGKILL at a random moment; the database must then open, pass redb's integrity check,
//! hold every commit the child reported, and hold no half-written batch.
//!
//! The child is this test binary re-run with `--ignored --exact crash_child_process` and the
//! `NTS_CRASH_*` variables; it prints `C <batch> <stage>` right after each commit returns and
//! `F <buffered>` after each `flush()` returns.
//!
//! Rounds: 100 by default, `NTS_CRASH_ROUNDS=10000` for a long run; `NTS_CRASH_SEED` replays
//! a run (the seed is printed).
#![cfg(unix)]

use crate::common;
use common::{env_num, seed};

use neotalk_storage::{
    AlertRecord, AlertSeverity, DataPoint, Durability, MetricValue, NewEvent, StorageManager, StorageOptions, TelemetryPoint,
    WriteBufferOptions,
};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Telemetry points per batch (one transaction).
const POINTS: i64 = 20;
/// Events per batch (one `append_batch`).
const EVENTS: usize = 3;
/// Buffered single-point writes per batch.
const BUFFERED: i64 = 3;
const DEVICE: &str = "crash-dev";
const METRIC: &str = "m";
const BUF_DEVICE: &str = "crash-buf";

fn batch_points(n: u64) -> Vec<TelemetryPoint> {
    (0..POINTS)
        .map(|i| {
            let ts = n as i64 * POINTS + i;
            TelemetryPoint::new(DEVICE, METRIC, ts, ts)
        })
        .collect()
}

fn batch_events(n: u64) -> Vec<NewEvent> {
    (0..EVENTS)
        .map(|k| NewEvent::new(&format!("ev-{n}-{k}"), "crash.test", "crash", n as i64, serde_json::json!({"batch": n, "k": k})))
        .collect()
}

fn batch_alert(n: u64) -> AlertRecord {
    AlertRecord::new(&format!("al-{n}"), "crash", AlertSeverity::Warning, &format!("batch {n}"), "crash", n as i64)
}

fn options(durability: Durability) -> StorageOptions {
    // A short buffer delay so the background flusher also commits buffered points.
    StorageOptions { durability, write_buffer: WriteBufferOptions { max_points: 1_000_000, max_delay_ms: 20 }, ..Default::default() }
}

/// The writer killed by `crash_recovery`. Does nothing unless started by it.
#[test]
#[ignore = "child process of crash_recovery"]
fn crash_child_process() {
    let Ok(dir) = std::env::var("NTS_CRASH_CHILD_DIR") else { return };
    let start = env_num("NTS_CRASH_START").expect("NTS_CRASH_START");
    let mut buffered = env_num("NTS_CRASH_BUF_START").expect("NTS_CRASH_BUF_START") as i64;
    let durability = if env_num("NTS_CRASH_EVENTUAL") == Some(1) { Durability::Eventual } else { Durability::Immediate };
    let db = StorageManager::open_with(&dir, options(durability)).expect("child opens the database");
    println!("READY");
    for n in start.. {
        db.timeseries().write_batch(&batch_points(n)).unwrap();
        println!("C {n} 1");
        for _ in 0..BUFFERED {
            db.timeseries().write(BUF_DEVICE, METRIC, DataPoint::new(buffered, buffered)).unwrap();
            buffered += 1;
        }
        db.events().append_batch(&batch_events(n)).unwrap();
        println!("C {n} 2");
        db.alerts().create(&batch_alert(n)).unwrap();
        println!("C {n} 3");
        if n % 4 == 3 {
            db.flush().unwrap();
            println!("F {buffered} {n}");
        }
    }
}

/// What the child claimed before it died.
#[derive(Default)]
struct Reports {
    ready: bool,
    /// Highest stage reported per batch.
    committed: BTreeMap<u64, u8>,
    /// Buffered points written before the last `flush()` that returned, and its batch.
    flushed: Option<(i64, u64)>,
}

fn parse_reports(out: &[u8]) -> Reports {
    let mut r = Reports::default();
    for line in out.split_inclusive(|&b| b == b'\n').filter(|l| l.ends_with(b"\n")) {
        let line = std::str::from_utf8(line).unwrap().trim_end();
        // libtest prints "test crash_child_process ... " without a newline before READY.
        if line.ends_with("READY") {
            r.ready = true;
            continue;
        }
        let f: Vec<&str> = line.split(' ').collect();
        match f.as_slice() {
            ["C", n, s] => {
                let (n, s): (u64, u8) = (n.parse().unwrap(), s.parse().unwrap());
                let e = r.committed.entry(n).or_default();
                *e = (*e).max(s);
            }
            ["F", b, n] => r.flushed = Some((b.parse().unwrap(), n.parse().unwrap())),
            _ => {}
        }
    }
    r
}

/// Stages of each batch found in the database: 1 = its points, 2 = + its events,
/// 3 = + its alert. Fails on anything half-written or out of order.
struct Found {
    stages: BTreeMap<u64, u8>,
    /// Buffered points present: exactly timestamps `0..buffered`.
    buffered: i64,
}

fn inspect(db: &StorageManager) -> Found {
    assert_eq!(db.check_integrity(), Ok(true), "redb integrity check");
    let mut points: BTreeMap<u64, i64> = BTreeMap::new();
    for p in db.timeseries().query_range(DEVICE, METRIC, 0..i64::MAX).unwrap() {
        assert_eq!(p.value, MetricValue::Integer(p.timestamp), "point value");
        *points.entry((p.timestamp / POINTS) as u64).or_default() += 1;
    }
    for (n, c) in &points {
        assert_eq!(*c, POINTS, "batch {n} has {c} of {POINTS} points: a half-written telemetry batch");
    }

    let events = db.events().replay(0, usize::MAX).unwrap();
    let mut event_batches: BTreeMap<u64, usize> = BTreeMap::new();
    let mut last: Option<(u64, usize)> = None;
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.sequence, i as u64 + 1, "event sequences must be 1, 2, 3, ... with no gap or reuse");
        let id: Vec<&str> = e.event_id.split('-').collect();
        let (n, k): (u64, usize) = (id[1].parse().unwrap(), id[2].parse().unwrap());
        assert!(last < Some((n, k)), "event {} got sequence {} after {last:?}: sequences out of write order", e.event_id, e.sequence);
        assert_eq!(e.event_data, serde_json::json!({"batch": n, "k": k}));
        last = Some((n, k));
        *event_batches.entry(n).or_default() += 1;
    }
    assert_eq!(db.events().last_sequence().unwrap(), events.len() as u64, "sequence counter");
    for (n, c) in &event_batches {
        assert_eq!(*c, EVENTS, "batch {n} has {c} of {EVENTS} events: a half-written event batch");
    }

    let alerts: Vec<u64> = db.alerts().query_range(0..(i64::MAX), None).unwrap().iter().map(|a| a.alert_id[3..].parse().unwrap()).collect();
    assert_eq!(db.alerts().count_by_severity().unwrap().warning, alerts.len() as u64, "alert counter");

    let mut stages = BTreeMap::new();
    for &n in points.keys() {
        stages.insert(n, 1);
    }
    for &n in event_batches.keys() {
        assert_eq!(stages.get(&n), Some(&1), "batch {n}: events stored without its points");
        stages.insert(n, 2);
    }
    for n in alerts {
        assert_eq!(stages.get(&n), Some(&2), "batch {n}: alert stored without its events");
        stages.insert(n, 3);
    }

    let buf = db.timeseries().query_range(BUF_DEVICE, METRIC, 0..i64::MAX).unwrap();
    for (i, p) in buf.iter().enumerate() {
        assert_eq!(p.timestamp, i as i64, "buffered points must be a prefix of the write order");
        assert_eq!(p.value, MetricValue::Integer(i as i64));
    }
    Found { stages, buffered: buf.len() as i64 }
}

#[test]
fn crash_recovery() {
    let rounds = env_num("NTS_CRASH_ROUNDS").unwrap_or(100);
    let seed = seed("NTS_CRASH_SEED");
    println!("crash test: {rounds} rounds, NTS_CRASH_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();

    // What earlier rounds left: it must never change.
    let mut known: BTreeMap<u64, u8> = BTreeMap::new();
    let mut next_batch = 0u64;
    let mut buffered = 0i64;
    let (mut killed_mid_write, mut killed_before_open, mut total_commits) = (0u64, 0u64, 0u64);

    for round in 0..rounds {
        let eventual = round % 4 == 3;
        let mut child = Command::new(&exe)
            .args(["--ignored", "--exact", "crash::crash_child_process", "--nocapture", "--test-threads=1"])
            .env("NTS_CRASH_CHILD_DIR", dir.path())
            .env("NTS_CRASH_START", next_batch.to_string())
            .env("NTS_CRASH_BUF_START", buffered.to_string())
            .env("NTS_CRASH_EVENTUAL", if eventual { "1" } else { "0" })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let reader = std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut line = Vec::new();
                // Only complete lines count: a line cut by the kill claims nothing.
                match r.read_until(b'\n', &mut line) {
                    Ok(n) if n > 0 && line.ends_with(b"\n") => {
                        if tx.send(line).is_err() {
                            return;
                        }
                    }
                    _ => return,
                }
            }
        });
        let mut out = Vec::new();
        if rng.u8(..10) == 0 {
            // Sometimes kill during process start or while the database opens.
            std::thread::sleep(Duration::from_millis(rng.u64(0..40)));
        } else {
            // Otherwise during ingest: after a random number of reported commits (0 to 5),
            // plus a random delay, so the kill lands inside or between commits.
            let commits = rng.usize(0..6);
            let (mut ready, mut seen) = (false, 0);
            let deadline = Instant::now() + Duration::from_secs(30);
            while !(ready && seen >= commits) {
                let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else { break };
                ready |= line.ends_with(b"READY\n");
                seen += usize::from(line.starts_with(b"C "));
                out.extend(line);
            }
            std::thread::sleep(Duration::from_millis(rng.u64(0..30)));
        }
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "round {round}: the child exited by itself ({status}); it must be killed");
        reader.join().unwrap();
        out.extend(rx.try_iter().flatten());
        let reports = parse_reports(&out);

        let db = StorageManager::open(dir.path()).unwrap_or_else(|e| panic!("round {round} (seed {seed}): reopen failed: {e}"));
        let found = inspect(&db);
        db.close().unwrap();
        drop(db);

        // Earlier rounds' batches are exactly as they were.
        for (n, s) in &known {
            assert_eq!(found.stages.get(n), Some(s), "round {round} (seed {seed}): batch {n} of an earlier round changed");
        }
        // This round's batches: complete batches, then at most one partial one, then nothing.
        let this_round: Vec<(u64, u8)> = found.stages.range(next_batch..).map(|(n, s)| (*n, *s)).collect();
        for (i, (n, s)) in this_round.iter().enumerate() {
            assert_eq!(*n, next_batch + i as u64, "round {round} (seed {seed}): batch {n} stored but an earlier one is missing");
            if i + 1 < this_round.len() {
                assert_eq!(*s, 3, "round {round} (seed {seed}): batch {n} is incomplete but a later batch was stored");
            }
        }
        // Every reported commit is present (Immediate), or everything before the last flush (Eventual).
        for (n, s) in &reports.committed {
            let have = found.stages.get(n).copied().unwrap_or(0);
            if !eventual {
                assert!(
                    have >= *s,
                    "round {round} (seed {seed}): batch {n} stage {s} was reported committed but the database has stage {have}"
                );
            } else if reports.flushed.is_some_and(|(_, f)| *n <= f) {
                assert_eq!(have, 3, "round {round} (seed {seed}, eventual): batch {n} was flushed but the database has stage {have}");
            }
        }
        // The write buffer's loss window: points followed by a returned flush() are present.
        if let Some((b, _)) = reports.flushed {
            assert!(
                found.buffered >= b,
                "round {round} (seed {seed}): {b} buffered points were flushed but only {} are stored",
                found.buffered
            );
        }
        assert!(found.buffered >= buffered, "round {round}: buffered points of earlier rounds were lost");

        if !reports.committed.is_empty() {
            killed_mid_write += 1;
            total_commits += reports.committed.values().map(|s| *s as u64).sum::<u64>();
        }
        known = found.stages.clone();
        next_batch = known.keys().next_back().map_or(next_batch, |n| n + 1);
        buffered = found.buffered;
        if !reports.ready {
            killed_before_open += 1;
        }
    }
    println!(
        "crash test: {rounds} rounds in {:.1} s, {killed_mid_write} killed after at least one commit, {killed_before_open} before the database was open, {total_commits} commits reported, {next_batch} batches, {buffered} buffered points",
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed_mid_write * 2 >= rounds,
        "too few rounds killed the child while it was writing ({killed_mid_write} of {rounds}); raise the kill delays"
    );
}

//! Replication benchmark, run by `replicate/bench.sh` against a private PostgreSQL cluster:
//!
//! - `bench throughput URL POINTS`: POINTS points (100 series) in a redb database, then one
//!   `run_once` into empty tables, then the same points delivered again (every row already
//!   there); prints points per second as JSON.
//! - `bench lag URL RATE SECONDS`: a writer commits RATE points per second (every 10 ms)
//!   while a replicator follows (poll 100 ms); every 100 ms the sink's backlog is sampled.
//!   Prints the lag (age of the oldest undelivered write) and the pending points.

use neotalk_storage::{Durability, StorageManager, StorageOptions, TelemetryPoint};
use neotalk_storage_replicate::{FollowOptions, Replicator, Sink, Target};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SERIES: i64 = 100;

struct NullSink;

impl Sink for NullSink {
    fn write(&mut self, _: &str, _: &str, _: &neotalk_storage_replicate::table::Rows) -> neotalk_storage_replicate::Result<()> {
        Ok(())
    }
}

fn point(i: i64) -> TelemetryPoint {
    let s = i % SERIES;
    TelemetryPoint::new(&format!("dev-{s:03}"), "temperature", (i / SERIES) * 1_000, 20.0 + (i % 1_000) as f64 / 100.0)
}

fn open(dir: &std::path::Path) -> StorageManager {
    StorageManager::open_with(dir, StorageOptions { durability: Durability::Eventual, ..Default::default() }).unwrap()
}

fn reset(url: &str) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute("DROP TABLE IF EXISTS nts_telemetry, nts_events, nts_alert_changes").unwrap();
}

fn throughput(url: &str, points: i64) {
    reset(url);
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    for chunk in (0..points).collect::<Vec<_>>().chunks(100_000) {
        db.timeseries().write_batch(&chunk.iter().map(|&i| point(i)).collect::<Vec<_>>()).unwrap();
    }
    db.flush().unwrap();
    // The gateway's side alone: reading the feed and building rows, into a sink that keeps nothing.
    let mut null = Replicator::with_sink(db.clone(), "null", "bench", Box::new(NullSink)).unwrap();
    let started = Instant::now();
    assert_eq!(null.run_once().unwrap().points as i64, points);
    let feed_secs = started.elapsed().as_secs_f64();
    let mut r = Replicator::new(db.clone(), &url.parse::<Target>().unwrap(), "bench").unwrap();
    let started = Instant::now();
    let report = r.run_once().unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(report.points as i64, points);
    // The worst case: the same points delivered again (a new registration of the sink), every
    // row already in the table, so every batch goes through staging and the upsert.
    db.feed().unregister(r.sink_name()).unwrap();
    let mut again = Replicator::new(db.clone(), &url.parse::<Target>().unwrap(), "bench").unwrap();
    let started = Instant::now();
    assert_eq!(again.run_once().unwrap().points as i64, points);
    let redelivery_secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "points": points, "seconds": secs, "points_per_second": points as f64 / secs,
            "feed_points_per_second": points as f64 / feed_secs, "redelivery_points_per_second": points as f64 / redelivery_secs,
        })
    );
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn lag(url: &str, rate: i64, seconds: u64) {
    reset(url);
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let mut r = Replicator::new(db.clone(), &url.parse::<Target>().unwrap(), "bench").unwrap();
    let sink = r.sink_name().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let follower = {
        let stop = stop.clone();
        let opts = FollowOptions { poll: Duration::from_millis(100), ..Default::default() };
        std::thread::spawn(move || r.follow(&opts, &stop).unwrap())
    };
    let per_tick = rate / 100;
    let started = Instant::now();
    let (mut lags, mut pending) = (Vec::new(), Vec::new());
    let mut i = 0i64;
    let mut tick = 0u32;
    while started.elapsed() < Duration::from_secs(seconds) {
        let points: Vec<TelemetryPoint> = (i..i + per_tick).map(point).collect();
        i += per_tick;
        db.timeseries().write_batch(&points).unwrap();
        tick += 1;
        if tick % 10 == 0 {
            let t = &db.feed().status(&sink).unwrap().feeds[0];
            lags.push(t.lag_ms.unwrap_or(0));
            pending.push(t.pending_rows as i64);
        }
        let next = started + Duration::from_millis(10 * tick as u64);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    let written = i;
    let drained = Instant::now();
    while db.feed().status(&sink).unwrap().feeds[0].pending_rows > 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let drain_ms = drained.elapsed().as_millis();
    stop.store(true, Ordering::Release);
    let report = follower.join().unwrap();
    assert_eq!(report.points as i64, written);
    lags.sort_unstable();
    pending.sort_unstable();
    println!(
        "{}",
        serde_json::json!({
            "rate": rate, "seconds": seconds, "points": written, "achieved_rate": written as f64 / started.elapsed().as_secs_f64(),
            "lag_ms_p50": percentile(&lags, 0.5), "lag_ms_p99": percentile(&lags, 0.99), "lag_ms_max": lags[lags.len() - 1],
            "pending_points_p50": percentile(&pending, 0.5), "pending_points_max": pending[pending.len() - 1], "drain_ms": drain_ms,
        })
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["throughput", url, points] => throughput(url, points.parse().unwrap()),
        ["lag", url, rate, seconds] => lag(url, rate.parse().unwrap(), seconds.parse().unwrap()),
        _ => {
            eprintln!("usage: bench throughput URL POINTS | bench lag URL RATE SECONDS");
            std::process::exit(2);
        }
    }
}

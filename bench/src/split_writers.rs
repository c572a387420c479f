//! `split` suite: two writers at once on one database, telemetry ingest in batches and event
//! appends one by one, each committed durably (`Durability::Immediate`). With one file they
//! share one writer lock and one file; with split files (`StorageOptions::split_files`) each
//! has its own. Prints what each writer achieved in each layout, run after run.

use crate::engines::Res;
use neotalk_storage::{Durability, NewEvent, StorageManager, StorageOptions, TelemetryPoint};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Points per telemetry transaction (10 series x 100 points).
const BATCH_POINTS: i64 = 1_000;

/// Telemetry points/s and events/s of the two writers running together for `secs`.
fn run_layout(split: bool, secs: f64) -> Res<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let options = StorageOptions { durability: Durability::Immediate, split_files: split, ..Default::default() };
    let db = StorageManager::open_with(dir.path(), options)?;
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let telemetry = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || -> neotalk_storage::Result<i64> {
            let mut written = 0;
            while !stop.load(Ordering::Relaxed) {
                let points: Vec<TelemetryPoint> = (0..BATCH_POINTS)
                    .map(|i| TelemetryPoint::new(&format!("dev-{}", i % 10), "temperature", (written + i) * 1_000, 20.0 + (i % 7) as f64))
                    .collect();
                db.timeseries().write_batch(&points)?;
                written += BATCH_POINTS;
            }
            Ok(written)
        })
    };
    let events = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || -> neotalk_storage::Result<u64> {
            let mut appended = 0;
            while !stop.load(Ordering::Relaxed) {
                let event =
                    NewEvent::new(&format!("ev-{appended}"), "device.online", "bench", appended as i64, serde_json::json!({"n": appended}));
                db.events().append(&event)?;
                appended += 1;
            }
            Ok(appended)
        })
    };
    std::thread::sleep(Duration::from_secs_f64(secs));
    stop.store(true, Ordering::Relaxed);
    let points = telemetry.join().map_err(|_| "telemetry writer panicked")??;
    let appended = events.join().map_err(|_| "event writer panicked")??;
    let elapsed = started.elapsed().as_secs_f64();
    db.close()?;
    Ok((points as f64 / elapsed, appended as f64 / elapsed))
}

/// Runs both layouts `rounds` times, alternating, and prints every figure and the ratios.
pub fn run(quick: bool) -> Res<()> {
    let (rounds, secs) = if quick { (2, 1.0) } else { (3, 4.0) };
    println!(
        "two writers for {secs} s each run: telemetry batches of {BATCH_POINTS} points and single event appends, Durability::Immediate\n"
    );
    println!("{:<10} {:>22} {:>18}", "layout", "telemetry points/s", "events/s");
    let mut totals = [(0.0, 0.0); 2];
    for _ in 0..rounds {
        for (i, split) in [false, true].into_iter().enumerate() {
            let (p, e) = run_layout(split, secs)?;
            println!("{:<10} {:>22.0} {:>18.0}", if split { "split" } else { "one file" }, p, e);
            totals[i].0 += p;
            totals[i].1 += e;
        }
    }
    let [(p1, e1), (p2, e2)] = totals;
    println!("\nsplit / one file, summed over {rounds} rounds: telemetry {:.2}x, events {:.2}x", p2 / p1, e2 / e1);
    Ok(())
}

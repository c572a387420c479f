//! The workload of `bench/bench.mjs` run natively on the same in-memory backend, for the
//! wasm-versus-native comparison: `cargo run --release -p neotalk-storage-wasm --example native_bench`.

use neotalk_storage::{DataPoint, StorageManager, TelemetryPoint};
use std::time::Instant;

const BATCH: usize = 1000;
const T0: i64 = 1_700_000_000_000;
const STEP: i64 = 1000;

fn timed(label: &str, total: usize, unit: &str, f: impl FnOnce()) {
    let start = Instant::now();
    f();
    let s = start.elapsed().as_secs_f64();
    println!("{label:<58} {:>12.0} {unit}/s  ({:.0} ms)", total as f64 / s, s * 1000.0);
}

fn value(s: usize, i: usize) -> f64 {
    20.0 + ((i as f64) / 50.0 + s as f64).sin() * 5.0
}

fn main() -> neotalk_storage::Result<()> {
    let mut args = std::env::args().skip(1);
    let series: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let points: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let ids: Vec<String> = (0..series).map(|i| format!("dev-{i:03}")).collect();
    println!("native workload: {series} series x {points} points, batches of {BATCH}");

    let db = StorageManager::in_memory()?;
    let ts = db.timeseries();
    timed("ingest write_series (one series per call)", series * points, "points", || {
        for b in (0..points).step_by(BATCH) {
            for (s, id) in ids.iter().enumerate() {
                let batch: Vec<DataPoint> = (0..BATCH).map(|i| DataPoint::new(T0 + (b + i) as i64 * STEP, value(s, b + i))).collect();
                ts.write_series(id, "temperature", &batch).expect("write");
            }
        }
    });
    let end = T0 + points as i64 * STEP;
    let mut got = 0;
    timed("query_range full series", series * points, "points", || {
        for id in &ids {
            got += ts.query_range(id, "temperature", T0..end).expect("query").len();
        }
    });
    assert_eq!(got, series * points);
    let q = 10_000;
    timed("query_range 60-point windows", q, "queries", || {
        for k in 0..q {
            let start = T0 + ((k * 7919) % (points - 60)) as i64 * STEP;
            let n = ts.query_range(&ids[k % series], "temperature", start..start + 60 * STEP).expect("query").len();
            assert_eq!(n, 60);
        }
    });
    timed("query_aggregated full series, 1-minute buckets", series * points, "points", || {
        for id in &ids {
            ts.query_aggregated(id, "temperature", T0..end, 60_000).expect("aggregate");
        }
    });
    db.close()?;

    let db = StorageManager::in_memory()?;
    let ts = db.timeseries();
    timed("ingest write_batch (all series per call)", series * points, "points", || {
        for p in (0..series * points).step_by(BATCH) {
            let batch: Vec<TelemetryPoint> = (p..p + BATCH)
                .map(|k| TelemetryPoint::new(&ids[k % series], "temperature", T0 + (k / series) as i64 * STEP, value(k % series, k)))
                .collect();
            ts.write_batch(&batch).expect("write");
        }
    });
    db.close()
}

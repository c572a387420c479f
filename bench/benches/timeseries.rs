//! Telemetry benchmarks on the redb backend (release build):
//! `cargo bench -p neotalk-storage-bench --bench timeseries`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use neotalk_storage::{DataPoint, Durability, StorageManager, StorageOptions, TelemetryPoint};
use std::hint::black_box;

const SERIES: usize = 100;
const POINTS_PER_SERIES: i64 = 10_000;
const BATCH: i64 = 1_000;

/// Random-walk float values with two decimals, like a real sensor.
fn walk(n: i64, seed: u64) -> Vec<f64> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut v = 20.0;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v += ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.2;
            (v * 100.0f64).round() / 100.0
        })
        .collect()
}

/// 100 series x 10k points, committed in batches of 1,000 points per series.
fn ingest(db: &StorageManager) {
    let values: Vec<Vec<f64>> = (0..SERIES).map(|s| walk(POINTS_PER_SERIES, s as u64)).collect();
    for chunk in 0..POINTS_PER_SERIES / BATCH {
        let mut batch = Vec::with_capacity(SERIES * BATCH as usize);
        for (s, vals) in values.iter().enumerate() {
            for i in chunk * BATCH..(chunk + 1) * BATCH {
                batch.push(TelemetryPoint::new(&format!("dev{s}"), "temperature", i * 1000, vals[i as usize]));
            }
        }
        db.timeseries().write_batch(&batch).unwrap();
    }
}

fn bench_ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Elements(SERIES as u64 * POINTS_PER_SERIES as u64));
    g.bench_function("batched 100 series x 10k points", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let db = StorageManager::open(dir.path()).unwrap();
                ingest(&db);
                db.close().unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    let n = 10_000i64;
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("single-point writes through the buffer", |b| {
        let dir = tempfile::tempdir().unwrap();
        let db = StorageManager::open(dir.path()).unwrap();
        let mut t = 0i64;
        b.iter(|| {
            for i in 0..n {
                db.timeseries().write(&format!("dev{}", i % 100), "temperature", DataPoint::new(t, 21.5)).unwrap();
                t += 1;
            }
            db.timeseries().flush().unwrap();
        })
    });
    // One commit per point (Eventual durability, as the side-by-side harness runs it): the
    // open head takes each point as an append, without re-encoding the chunk.
    let n = 2_000i64;
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("one transaction per point (Eventual)", |b| {
        let dir = tempfile::tempdir().unwrap();
        let options = StorageOptions { durability: Durability::Eventual, ..StorageOptions::default() };
        let db = StorageManager::open_with(dir.path(), options).unwrap();
        let mut t = 0i64;
        b.iter(|| {
            for _ in 0..n {
                db.timeseries().write_series("dev", "temperature", &[DataPoint::new(t, 21.5 + (t % 7) as f64 / 100.0)]).unwrap();
                t += 1_000;
            }
        })
    });
    g.finish();
}

fn bench_queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    ingest(&db);
    let big: Vec<DataPoint> = walk(1_000_000, 7).into_iter().enumerate().map(|(i, v)| DataPoint::new(i as i64 * 1000, v)).collect();
    for chunk in big.chunks(100_000) {
        db.timeseries().write_series("big", "temperature", chunk).unwrap();
    }
    let mut g = c.benchmark_group("query");
    let mut s = 0usize;
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("query_range 1k of 10k points", |b| {
        b.iter(|| {
            s = (s + 37) % SERIES;
            let start = (s as i64 * 97 % 9_000) * 1000;
            let got = db.timeseries().query_range(&format!("dev{s}"), "temperature", start..start + 1_000_000).unwrap();
            assert_eq!(got.len(), 1_000);
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("query_latest", |b| {
        b.iter(|| {
            s = (s + 37) % SERIES;
            black_box(db.timeseries().query_latest(&format!("dev{s}"), "temperature").unwrap());
        })
    });
    g.sample_size(10);
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("query_aggregated 1M points, 60 s buckets", |b| {
        b.iter(|| {
            let buckets = db.timeseries().query_aggregated("big", "temperature", 0..i64::MAX, 60_000).unwrap();
            assert_eq!(buckets.len(), 16_667);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_ingest, bench_queries);
criterion_main!(benches);

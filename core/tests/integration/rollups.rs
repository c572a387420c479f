//! Rollup tiers against a reference: after random writes, late points, overwrites, deletes and
//! retention, a tier's answer equals the aggregation of every point ever committed (last write
//! wins), and raw-data answers are untouched.
use crate::common;
use common::Fixture;
use neotalk_storage::*;
use std::collections::BTreeMap;

const TIER_MS: [i64; 2] = [10, 60];

fn tiers() -> Vec<RollupTier> {
    TIER_MS.iter().map(|&ms| RollupTier::new(RetentionWindow::millis("every", ms).unwrap(), RetentionWindow::FOREVER)).collect()
}

fn with_tiers(redb: bool, rollups: RollupConfig) -> Fixture {
    Fixture::with_options(redb, StorageOptions { rollups, ..Default::default() })
}

fn default_tiers() -> RollupConfig {
    RollupConfig { tiers: tiers(), ..Default::default() }
}

/// A deterministic xorshift generator: the same cases on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_value(rng: &mut Rng) -> MetricValue {
    match rng.below(10) {
        0 => MetricValue::Boolean(rng.below(2) == 0),
        1 => MetricValue::String(format!("s{}", rng.below(5))),
        2 | 3 => MetricValue::Integer(rng.below(1000) as i64 - 500),
        _ => MetricValue::Float((rng.below(100_000) as f64 - 50_000.0) / 7.0),
    }
}

/// The reference aggregation of `points` in `[start, end)`.
fn reference(points: &BTreeMap<i64, MetricValue>, start: i64, end: i64, bucket_ms: i64) -> Vec<AggregateBucket> {
    let mut out: Vec<(AggregateBucket, u64)> = Vec::new();
    for (&ts, v) in points.range(start..end) {
        let b = ts - ts.rem_euclid(bucket_ms);
        if out.last().is_none_or(|(x, _)| x.bucket_start != b) {
            out.push((
                AggregateBucket { bucket_start: b, count: 0, sum: None, min: None, max: None, avg: None, first: None, last: None },
                0,
            ));
        }
        let (x, n) = out.last_mut().unwrap();
        x.count += 1;
        if let Some(f) = v.as_f64() {
            *n += 1;
            x.sum = Some(x.sum.unwrap_or(0.0) + f);
            x.min = Some(x.min.map_or(f, |m| m.min(f)));
            x.max = Some(x.max.map_or(f, |m| m.max(f)));
            x.first.get_or_insert(f);
            x.last = Some(f);
        }
    }
    out.into_iter()
        .map(|(mut x, n)| {
            x.avg = x.sum.map(|s| s / n as f64);
            x
        })
        .collect()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        (a, b) => a == b,
    }
}

fn assert_same(got: &[AggregateBucket], want: &[AggregateBucket], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: buckets\n got {got:?}\nwant {want:?}");
    for (g, w) in got.iter().zip(want) {
        let same = g.bucket_start == w.bucket_start
            && g.count == w.count
            && (g.min, g.max, g.first, g.last) == (w.min, w.max, w.first, w.last)
            && close(g.sum, w.sum)
            && close(g.avg, w.avg);
        assert!(same, "{what}:\n got {g:?}\nwant {w:?}");
    }
}

/// Checks tier answers for every tier-aligned bucket width against the reference.
fn check(db: &StorageManager, model: &BTreeMap<i64, MetricValue>, what: &str) {
    let ts = db.timeseries();
    for bucket_ms in [10, 60, 120, 600] {
        let tier = ts.aggregation_tier("d", "m", .., bucket_ms).unwrap();
        let expected_tier = TIER_MS.iter().copied().filter(|w| bucket_ms % w == 0).max();
        assert_eq!(tier, expected_tier, "{what}: tier for {bucket_ms}");
        let got = ts.query_aggregated("d", "m", .., bucket_ms).unwrap();
        assert_same(&got, &reference(model, i64::MIN, i64::MAX, bucket_ms), &format!("{what}, all time, bucket {bucket_ms}"));
        let got = ts.query_aggregated("d", "m", 600..1800, bucket_ms).unwrap();
        assert_same(&got, &reference(model, 600, 1800, bucket_ms), &format!("{what}, [600, 1800), bucket {bucket_ms}"));
    }
}

fn random_rounds(fx: &Fixture, seed: u64) {
    let db = &fx.db;
    let mut rng = Rng(seed);
    let mut model = BTreeMap::new();
    for round in 0..40 {
        match rng.below(4) {
            // A batch of random (often late, sometimes repeated) points.
            0 | 1 => {
                let n = 1 + rng.below(200) as usize;
                let batch: Vec<TelemetryPoint> =
                    (0..n).map(|_| TelemetryPoint::new("d", "m", rng.below(3000) as i64 - 500, random_value(&mut rng))).collect();
                db.timeseries().write_batch(&batch).unwrap();
                for p in batch {
                    model.insert(p.point.timestamp, p.point.value);
                }
            }
            // A columnar run (appends or overwrites a stretch).
            2 => {
                let from = rng.below(3000) as i64 - 500;
                let ts: Vec<i64> = (0..1 + rng.below(500) as i64).map(|i| from + i).collect();
                let values: Vec<f64> = ts.iter().map(|_| rng.below(1000) as f64 / 3.0).collect();
                db.timeseries().write_columns("d", "m", &ts, Column::Float(&values)).unwrap();
                for (t, v) in ts.iter().zip(values) {
                    model.insert(*t, MetricValue::Float(v));
                }
            }
            // Single buffered writes.
            _ => {
                for _ in 0..rng.below(20) {
                    let (t, v) = (rng.below(3000) as i64 - 500, random_value(&mut rng));
                    db.timeseries().write("d", "m", DataPoint::new(t, v.clone())).unwrap();
                    model.insert(t, v);
                }
            }
        }
        if round % 10 == 9 {
            check(db, &model, &format!("seed {seed} round {round}"));
        }
    }
}

#[test]
fn tiers_match_the_reference_after_random_writes_on_both_backends() {
    for seed in [1, 2, 3, 0x5eed] {
        random_rounds(&with_tiers(false, default_tiers()), seed);
    }
    random_rounds(&with_tiers(true, default_tiers()), 7);
}

#[test]
fn deleting_or_expiring_raw_points_keeps_the_tiers() {
    for redb in [false, true] {
        let fx = with_tiers(redb, default_tiers());
        let ts = fx.db.timeseries();
        let points: Vec<DataPoint> = (0..1000).map(|t| DataPoint::new(t, t as f64)).collect();
        ts.write_series("d", "m", &points).unwrap();
        let model: BTreeMap<i64, MetricValue> = points.iter().map(|p| (p.timestamp, p.value.clone())).collect();
        assert_eq!(ts.delete_range("d", "m", 100..400).unwrap(), 300);
        let retention = TimeSeriesRetention { keep: RetentionWindow::millis("keep", 100).unwrap(), ..Default::default() };
        assert_eq!(ts.cleanup(900, &retention).unwrap().points, 500, "raw before 800 goes");
        check(&fx.db, &model, "after raw deletes");
        // Raw answers (an unaligned range) see only what is left.
        let raw = ts.query_aggregated("d", "m", 1..i64::MAX, 60).unwrap();
        assert_eq!(raw.iter().map(|b| b.count).sum::<u64>(), 200);
        // Overwriting a point whose bucket lost raw points: count and sum stay exact.
        ts.write_series("d", "m", &[DataPoint::new(850, 0.5)]).unwrap();
        let b = &ts.query_aggregated("d", "m", 840..900, 60).unwrap()[0];
        let sum: f64 = (840..900).map(|t| if t == 850 { 0.5 } else { t as f64 }).sum();
        assert_eq!(b.count, 60);
        assert!(close(b.sum, Some(sum)), "{b:?}");
    }
}

#[test]
fn whole_series_deletes_remove_the_tiers_and_tier_retention_expires_buckets() {
    let minute = RollupTier::new(RetentionWindow::minutes(1), RetentionWindow::hours(1));
    let fx = with_tiers(true, RollupConfig { tiers: vec![minute], ..Default::default() });
    let ts = fx.db.timeseries();
    let points: Vec<DataPoint> = (0..180).map(|i| DataPoint::new(i * 60_000, 1.0)).collect();
    ts.write_series("d", "m", &points).unwrap();
    ts.write_series("e", "m", &points).unwrap();
    assert_eq!(ts.query_aggregated("d", "m", .., 60_000).unwrap().len(), 180);
    // At minute 180, a 1-hour tier keeps buckets starting at minute 120 or later.
    let report = ts.cleanup(180 * 60_000, &TimeSeriesRetention { keep: RetentionWindow::FOREVER, ..Default::default() }).unwrap();
    assert_eq!((report.points, report.rollup_buckets), (0, 2 * 120));
    let left = ts.query_aggregated("d", "m", .., 60_000).unwrap();
    assert_eq!((left.len(), left[0].bucket_start), (60, 120 * 60_000));
    assert_eq!(ts.delete_device("d").unwrap(), 180);
    assert!(ts.query_aggregated("d", "m", .., 60_000).unwrap().is_empty());
    assert_eq!(ts.query_aggregated("e", "m", .., 60_000).unwrap().len(), 60, "another series keeps its tiers");
}

#[test]
fn tiers_are_chosen_per_metric_and_device_type() {
    let hour = RollupTier::new(RetentionWindow::hours(1), RetentionWindow::FOREVER);
    let minute = RollupTier::new(RetentionWindow::minutes(1), RetentionWindow::FOREVER);
    let config = RollupConfig {
        tiers: vec![hour],
        by_metric: [("vibration".to_string(), vec![])].into(),
        by_device_type: [("camera".to_string(), vec![minute])].into(),
    };
    let fx = with_tiers(false, config);
    fx.db.devices().upsert(&DeviceState::new("cam-1", "camera")).unwrap();
    let ts = fx.db.timeseries();
    for (device, metric) in [("cam-1", "fps"), ("pump", "power"), ("pump", "vibration")] {
        ts.write_series(device, metric, &[DataPoint::new(0, 1.0)]).unwrap();
    }
    assert_eq!(ts.aggregation_tier("cam-1", "fps", .., 3_600_000).unwrap(), Some(60_000));
    assert_eq!(ts.aggregation_tier("pump", "power", .., 3_600_000).unwrap(), Some(3_600_000));
    assert_eq!(ts.aggregation_tier("pump", "vibration", .., 3_600_000).unwrap(), None, "an empty list: no tiers");
}

#[test]
fn a_changed_configuration_is_stale_until_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let points: Vec<DataPoint> = (0..600).map(|t| DataPoint::new(t, (t % 7) as f64)).collect();
    let model: BTreeMap<i64, MetricValue> = points.iter().map(|p| (p.timestamp, p.value.clone())).collect();
    {
        let db = StorageManager::open(dir.path()).unwrap();
        db.timeseries().write_series("d", "m", &points).unwrap();
        db.close().unwrap();
    }
    let options = StorageOptions { rollups: default_tiers(), ..Default::default() };
    let db = StorageManager::open_with(dir.path(), options.clone()).unwrap();
    let ts = db.timeseries();
    assert_eq!(ts.aggregation_tier("d", "m", .., 60).unwrap(), None, "data written before the tiers");
    assert_same(&ts.query_aggregated("d", "m", .., 60).unwrap(), &reference(&model, i64::MIN, i64::MAX, 60), "raw answer");
    assert_eq!(ts.rebuild_rollups().unwrap(), 60 + 10);
    check(&db, &model, "after rebuild");
    db.close().unwrap();
    // The same configuration reopens fresh; another (or none, then this one) is stale again.
    let db = StorageManager::open_with(dir.path(), options.clone()).unwrap();
    assert_eq!(db.timeseries().aggregation_tier("d", "m", .., 60).unwrap(), Some(60));
    db.close().unwrap();
    StorageManager::open(dir.path()).unwrap().close().unwrap();
    let db = StorageManager::open_with(dir.path(), options).unwrap();
    assert_eq!(db.timeseries().aggregation_tier("d", "m", .., 60).unwrap(), None, "tiers missed writes made without them");
}

#[test]
fn bad_tier_configurations_are_refused_at_open() {
    for json in [
        r#"{"tiers": [{"every": "forever", "keep": "1d"}]}"#,
        r#"{"tiers": [{"every": "1m", "keep": "1d"}, {"every": "60s", "keep": "2d"}]}"#,
        r#"{"tiers": [{"every": "401d", "keep": "forever"}]}"#,
        r#"{"by_metric": {"": [{"every": "1m", "keep": "1d"}]}}"#,
    ] {
        let rollups: RollupConfig = serde_json::from_str(json).unwrap();
        let Err(err) = StorageManager::in_memory_with(StorageOptions { rollups, ..Default::default() }) else { panic!("{json} opened") };
        assert!(matches!(err, StorageError::InvalidInput { field: "rollups", .. }), "{json}: {err}");
    }
    assert!(serde_json::from_str::<RollupConfig>(r#"{"tiers": [{"every": "1m"}]}"#).is_err(), "keep is required");
    assert!(serde_json::from_str::<RollupConfig>(r#"{"tiers": [{"every": "1 min", "keep": "1d"}]}"#).is_err());
}

#[test]
fn retention_yaml_configures_the_tiers_of_every_opener() {
    use neotalk_storage::config::{ConfigStore, CONFIG_DIR, RETENTION_FILE};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(CONFIG_DIR);
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join(RETENTION_FILE), "retention:\n  rollups:\n    - {every: 1m, keep: 90d}\n    - {every: 1h, keep: 5y}\n")
        .unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    db.timeseries().write_series("d", "m", &[DataPoint::new(0, 1.0), DataPoint::new(30_000, 3.0)]).unwrap();
    assert_eq!(db.timeseries().aggregation_tier("d", "m", 0..3_600_000, 3_600_000).unwrap(), Some(3_600_000));
    db.close().unwrap();
    // Options given at open win over the file.
    let minute_only =
        RollupConfig { tiers: vec![RollupTier::new("1m".parse().unwrap(), "forever".parse().unwrap())], ..Default::default() };
    let db = StorageManager::open_with(dir.path(), StorageOptions { rollups: minute_only, ..Default::default() }).unwrap();
    assert_eq!(db.timeseries().aggregation_tier("d", "m", 0..3_600_000, 3_600_000).unwrap(), None, "built for the file's tiers: stale");
    db.close().unwrap();
    // The full form reads too, and the config store shows it.
    std::fs::write(
        config.join(RETENTION_FILE),
        "retention:\n  rollups:\n    tiers: [{every: 1m, keep: 90d}]\n    by_metric:\n      m: [{every: 1h, keep: 5y}]\n",
    )
    .unwrap();
    let retention = ConfigStore::for_data_dir(dir.path()).retention().unwrap();
    assert_eq!(retention.rollups.by_metric["m"], [RollupTier::new("1h".parse().unwrap(), "5y".parse().unwrap())]);
    // A bad tier in the file refuses the open, naming the file, the line and the field.
    std::fs::write(config.join(RETENTION_FILE), "retention:\n  rollups:\n    - {every: 1mo, keep: 90d}\n").unwrap();
    let err = StorageManager::open(dir.path()).err().unwrap().to_string();
    assert!(err.contains("retention.yaml:3") && err.contains("retention.rollups"), "{err}");
}

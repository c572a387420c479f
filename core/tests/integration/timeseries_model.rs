//! Model test: the chunked telemetry store answers exactly like a naive reference (a
//! `BTreeMap` per series) under random interleavings of batched, buffered, late and duplicate
//! writes, range deletes, retention and reopening, on both backends.

use crate::common;
use common::Fixture;
use neotalk_storage::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const SERIES: u8 = 3;

#[derive(Debug, Clone)]
enum Op {
    /// `write_batch` of scattered points (late and duplicate timestamps included).
    Batch(Vec<(u8, i64, DataPoint)>),
    /// `write_series` of a regular run, long enough to fill and split chunks.
    Run {
        series: u8,
        start: i64,
        len: usize,
        step: i64,
        value: i64,
    },
    /// `write_series` transactions of `sizes` points each, every one newer than the series'
    /// newest point (`overlap`: the first repeats that newest timestamp): the raw head's
    /// append path, its sealing at 1,024 points and a new head after it.
    Appends {
        series: u8,
        sizes: Vec<usize>,
        step: i64,
        overlap: bool,
    },
    /// `write` through the group-commit buffer.
    Single(u8, DataPoint),
    Delete(u8, i64, i64),
    /// `cleanup` with a zero-day window: removes every point older than `now`.
    Retention(i64),
    Reopen,
    Check {
        series: u8,
        start: i64,
        end: i64,
        limit: Option<usize>,
        newest_first: bool,
        bucket: i64,
    },
}

fn value() -> impl Strategy<Value = MetricValue> {
    // Integer-valued floats keep sums exact, so aggregates compare exactly.
    prop_oneof![
        6 => (-1_000_000i64..1_000_000).prop_map(|v| MetricValue::Float(v as f64)),
        1 => (-1_000i64..1_000).prop_map(|v| MetricValue::Float(v as f64 / 4.0)),
        1 => any::<i64>().prop_map(|v| MetricValue::Integer(v >> 20)),
        1 => any::<bool>().prop_map(MetricValue::Boolean),
        1 => "[a-z]{0,6}".prop_map(MetricValue::String),
    ]
}

fn point(ts: impl Strategy<Value = i64>) -> impl Strategy<Value = DataPoint> {
    (ts, value(), proptest::option::weighted(0.1, 0u8..=4)).prop_map(|(timestamp, value, q)| DataPoint {
        timestamp,
        value,
        quality: q.map(|q| q as f32 / 4.0),
        metadata: None,
    })
}

/// Timestamps near multiples of 1,024 (chunk edges of runs that start on one), or anywhere.
fn edge_ts() -> impl Strategy<Value = i64> {
    prop_oneof![(-3i64..6, -1i64..=1).prop_map(|(k, d)| k * 1_024 + d), -3_000i64..6_000]
}

fn op() -> impl Strategy<Value = Op> {
    let ts = -3_000i64..6_000;
    prop_oneof![
        3 => proptest::collection::vec((0..SERIES, point(ts.clone())), 1..200)
            .prop_map(|v| Op::Batch(v.into_iter().map(|(s, p)| (s, p.timestamp, p)).collect())),
        3 => (0..SERIES, edge_ts(), 1usize..2_500, prop_oneof![Just(1i64), 1i64..4], -100i64..100)
            .prop_map(|(series, start, len, step, value)| Op::Run { series, start, len, step, value }),
        3 => (0..SERIES, proptest::collection::vec(prop_oneof![1usize..4, 1usize..120, Just(1_023), Just(1_024)], 1..12), 1i64..3, proptest::bool::weighted(0.2))
            .prop_map(|(series, sizes, step, overlap)| Op::Appends { series, sizes, step, overlap }),
        2 => (0..SERIES, point(ts.clone())).prop_map(|(s, p)| Op::Single(s, p)),
        2 => (0..SERIES, edge_ts(), edge_ts()).prop_map(|(s, a, b)| Op::Delete(s, a.min(b), a.max(b))),
        1 => edge_ts().prop_map(Op::Retention),
        1 => Just(Op::Reopen),
        3 => (0..SERIES, ts.clone(), 0i64..6_000, proptest::option::of(0usize..3_000), any::<bool>(), prop_oneof![Just(1i64), Just(7), Just(60), Just(1_000), Just(5_000)])
            .prop_map(|(series, start, len, limit, newest_first, bucket)| Op::Check { series, start, end: start + len, limit, newest_first, bucket }),
    ]
}

type Model = Vec<BTreeMap<i64, DataPoint>>;

/// Mostly floats, now and then another kind or a quality, so heads hold every record shape.
fn point_at(timestamp: i64, i: i64) -> DataPoint {
    let mut p = match i % 29 {
        3 => DataPoint::new(timestamp, i),
        11 => DataPoint::new(timestamp, i % 2 == 0),
        17 => DataPoint::new(timestamp, "on"),
        _ => DataPoint::new(timestamp, (i % 50) as f64 * 0.5),
    };
    if i % 13 == 5 {
        p.quality = Some(0.5);
    }
    p
}

fn device(s: u8) -> String {
    format!("dev{s}")
}

/// The naive aggregation: one pass over the points in time order.
fn aggregate(points: &[DataPoint], bucket: i64) -> Vec<AggregateBucket> {
    let mut out: Vec<AggregateBucket> = Vec::new();
    let mut numeric = Vec::new();
    for p in points {
        let start = p.timestamp - p.timestamp.rem_euclid(bucket);
        if out.last().is_none_or(|b| b.bucket_start != start) {
            out.push(AggregateBucket {
                bucket_start: start,
                count: 0,
                sum: None,
                min: None,
                max: None,
                avg: None,
                first: None,
                last: None,
            });
            numeric.push(0u64);
        }
        let b = out.last_mut().unwrap();
        b.count += 1;
        if let Some(v) = p.value.as_f64() {
            *numeric.last_mut().unwrap() += 1;
            b.sum = Some(b.sum.unwrap_or(0.0) + v);
            b.min = Some(b.min.map_or(v, |m| m.min(v)));
            b.max = Some(b.max.map_or(v, |m| m.max(v)));
            b.first.get_or_insert(v);
            b.last = Some(v);
        }
    }
    for (b, n) in out.iter_mut().zip(numeric) {
        b.avg = b.sum.map(|s| s / n as f64);
    }
    out
}

fn range(model: &Model, s: u8, start: i64, end: i64) -> Vec<DataPoint> {
    model[s as usize].range(start..end).map(|(_, p)| p.clone()).collect()
}

/// Compares every series in full: points, latest, the device listing.
fn check_all(fx: &Fixture, model: &Model) {
    let ts = fx.db.timeseries();
    for s in 0..SERIES {
        let expected = range(model, s, i64::MIN, i64::MAX);
        assert_eq!(ts.query_range(&device(s), "m", i64::MIN..i64::MAX).unwrap(), expected, "series {s}");
        assert_eq!(ts.query_latest(&device(s), "m").unwrap().as_ref(), expected.last(), "latest of series {s}");
    }
    let with_data: Vec<String> = (0..SERIES).filter(|s| !model[*s as usize].is_empty()).map(device).collect();
    assert_eq!(ts.list_devices_with_data().unwrap(), with_data);
}

fn run(redb: bool, ops: Vec<Op>) {
    let mut fx = if redb { Fixture::redb() } else { Fixture::memory() };
    let mut model: Model = vec![BTreeMap::new(); SERIES as usize];
    for op in ops {
        let ts = fx.db.timeseries().clone();
        match op {
            Op::Batch(points) => {
                let batch: Vec<TelemetryPoint> =
                    points.iter().map(|(s, _, p)| TelemetryPoint { device_id: device(*s), metric: "m".into(), point: p.clone() }).collect();
                ts.write_batch(&batch).unwrap();
                for (s, t, p) in points {
                    model[s as usize].insert(t, p);
                }
            }
            Op::Run { series, start, len, step, value } => {
                let points: Vec<DataPoint> = (0..len as i64).map(|i| DataPoint::new(start + i * step, (value + i % 7) as f64)).collect();
                ts.write_series(&device(series), "m", &points).unwrap();
                for p in points {
                    model[series as usize].insert(p.timestamp, p);
                }
            }
            Op::Appends { series, sizes, step, overlap } => {
                for (k, n) in sizes.into_iter().enumerate() {
                    let m = &mut model[series as usize];
                    let newest = m.last_key_value().map_or(0, |(t, _)| *t);
                    let first = if overlap && k == 0 && !m.is_empty() { newest } else { newest + step };
                    let points: Vec<DataPoint> = (0..n as i64).map(|i| point_at(first + i * step, i)).collect();
                    ts.write_series(&device(series), "m", &points).unwrap();
                    for p in points {
                        m.insert(p.timestamp, p);
                    }
                }
            }
            Op::Single(s, p) => {
                ts.write(&device(s), "m", p.clone()).unwrap();
                model[s as usize].insert(p.timestamp, p);
            }
            Op::Delete(s, start, end) => {
                let removed = ts.delete_range(&device(s), "m", start..end).unwrap();
                let doomed: Vec<i64> = model[s as usize].range(start..end).map(|(t, _)| *t).collect();
                assert_eq!(removed, doomed.len() as u64, "delete [{start}, {end}) of series {s}");
                for t in doomed {
                    model[s as usize].remove(&t);
                }
                // The device snapshot shows the newest remaining point (or is gone).
                if let Some(dev) = fx.db.devices().get_device(&device(s)).unwrap() {
                    let newest = model[s as usize].last_key_value().map(|(t, _)| *t);
                    let snapshot = dev.metrics.get("m").map(|m| m.timestamp);
                    if snapshot.is_some_and(|t| (start..end).contains(&t)) || (snapshot.is_none() && newest.is_some()) {
                        panic!("snapshot {snapshot:?} not repaired (newest {newest:?})");
                    }
                }
            }
            Op::Retention(now) => {
                let r = TimeSeriesRetention { keep: neotalk_storage::RetentionWindow::days(0), ..Default::default() };
                let removed = ts.cleanup(now, &r).unwrap();
                let mut expected = TimeSeriesCleanup::default();
                for m in model.iter_mut() {
                    let kept = m.split_off(&now);
                    if !m.is_empty() {
                        expected.points += m.len() as u64;
                        expected.series += 1;
                    }
                    *m = kept;
                }
                assert_eq!(removed, expected, "retention at {now}");
            }
            Op::Reopen => fx = fx.reopen(),
            Op::Check { series, start, end, limit, newest_first, bucket } => {
                let mut expected = range(&model, series, start, end);
                if newest_first {
                    expected.reverse();
                }
                expected.truncate(limit.unwrap_or(usize::MAX));
                let got = ts.query_range_with(&device(series), "m", start..end, RangeOptions { limit, newest_first }).unwrap();
                assert_eq!(got, expected, "range [{start}, {end}) limit {limit:?} newest_first {newest_first}");
                let expected = aggregate(&range(&model, series, start, end), bucket);
                assert_eq!(ts.query_aggregated(&device(series), "m", start..end, bucket).unwrap(), expected, "buckets of {bucket} ms");
            }
        }
        check_all(&fx, &model);
    }
    for s in 0..SERIES {
        for bucket in [1, 60, 1_000, 1 << 40] {
            let expected = aggregate(&range(&model, s, i64::MIN, i64::MAX), bucket);
            assert_eq!(fx.db.timeseries().query_aggregated(&device(s), "m", i64::MIN..i64::MAX, bucket).unwrap(), expected);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn chunked_store_matches_the_reference_in_memory(ops in proptest::collection::vec(op(), 1..25)) {
        run(false, ops);
    }

    #[test]
    fn chunked_store_matches_the_reference_on_redb(ops in proptest::collection::vec(op(), 1..25)) {
        run(true, ops);
    }
}

/// A whole chunk inside one bucket is folded from its summary; the result is unchanged.
#[test]
fn aggregation_from_summaries_matches_point_by_point() {
    for redb in [false, true] {
        let fx = if redb { Fixture::redb() } else { Fixture::memory() };
        let ts = fx.db.timeseries();
        // 5,000 points 1 ms apart: chunks of 1,024 lie inside 1-hour buckets.
        let points: Vec<DataPoint> = (0..5_000).map(|i| DataPoint::new(i, (i % 13) as f64)).collect();
        ts.write_series("d", "m", &points).unwrap();
        for (start, end, bucket) in [(0, 5_000, 3_600_000), (100, 4_000, 3_600_000), (0, 5_000, 2_048), (-10, 10_000, 1 << 50)] {
            let expected =
                aggregate(&points.iter().filter(|p| p.timestamp >= start && p.timestamp < end).cloned().collect::<Vec<_>>(), bucket);
            assert_eq!(ts.query_aggregated("d", "m", start..end, bucket).unwrap(), expected, "[{start}, {end}) by {bucket}");
        }
    }
}

/// Late points, duplicates and deletes across chunk boundaries keep chunks consistent.
#[test]
fn late_writes_into_sealed_chunks() {
    for redb in [false, true] {
        let fx = if redb { Fixture::redb() } else { Fixture::memory() };
        let ts = fx.db.timeseries();
        let evens: Vec<DataPoint> = (0..3_000).map(|i| DataPoint::new(i * 2, i as f64)).collect();
        ts.write_series("d", "m", &evens).unwrap();
        // Odd timestamps land inside sealed chunks, one transaction each for a few.
        for i in [1, 2_047, 2_049, 5_999] {
            ts.write_series("d", "m", &[DataPoint::new(i, -1.0)]).unwrap();
        }
        ts.write_series("d", "m", &[DataPoint::new(-5, 7i64), DataPoint::new(2_048, "dup")]).unwrap();
        let got = ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap();
        assert_eq!(got.len(), 3_000 + 4 + 1);
        assert_eq!(got[0], DataPoint::new(-5, 7i64));
        assert!(got.windows(2).all(|w| w[0].timestamp < w[1].timestamp));
        assert_eq!(
            ts.query_range("d", "m", 2_047..2_050).unwrap(),
            vec![DataPoint::new(2_047, -1.0), DataPoint::new(2_048, "dup"), DataPoint::new(2_049, -1.0)]
        );
        assert_eq!(ts.delete_range("d", "m", 2_000..2_100).unwrap(), 52);
        assert_eq!(ts.query_range("d", "m", 1_990..2_110).unwrap().len(), 5 + 5);
    }
}

/// Deletes and retention whose bounds fall exactly on chunk edges.
#[test]
fn deletes_on_chunk_edges() {
    for redb in [false, true] {
        let fx = if redb { Fixture::redb() } else { Fixture::memory() };
        let ts = fx.db.timeseries();
        // Chunks hold [0, 1023], [1024, 2047], [2048, 2999].
        ts.write_series("d", "m", &(0..3_000).map(|i| DataPoint::new(i, i as f64)).collect::<Vec<_>>()).unwrap();
        assert_eq!(ts.delete_range("d", "m", 1_024..2_047).unwrap(), 1_023);
        assert_eq!(
            ts.query_range("d", "m", 1_000..2_100)
                .unwrap()
                .iter()
                .filter(|p| (1_023..=2_048).contains(&p.timestamp))
                .map(|p| p.timestamp)
                .collect::<Vec<_>>(),
            vec![1_023, 2_047, 2_048]
        );
        assert_eq!(ts.delete_range("d", "m", 0..1_024).unwrap(), 1_024);
        let r = TimeSeriesRetention { keep: neotalk_storage::RetentionWindow::days(0), ..Default::default() };
        assert_eq!(ts.cleanup(2_048, &r).unwrap().points, 1);
        assert_eq!(ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap().len(), 952);
        assert_eq!(ts.query_range("d", "m", i64::MIN..2_049).unwrap(), vec![DataPoint::new(2_048, 2_048.0)]);
    }
}

/// Large strings seal chunks early; every point is still found, a late one included.
#[test]
fn large_values_split_chunks() {
    for redb in [false, true] {
        let fx = if redb { Fixture::redb() } else { Fixture::memory() };
        let ts = fx.db.timeseries();
        let text = "y".repeat(limits::MAX_STRING_VALUE_BYTES);
        let points: Vec<DataPoint> = (0..40).map(|i| DataPoint::new(i * 10, text.as_str())).collect();
        ts.write_series("d", "m", &points).unwrap();
        ts.write_series("d", "m", &[DataPoint::new(155, 1.5)]).unwrap();
        let got = ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap();
        assert_eq!(got.len(), 41);
        assert_eq!(got[16], DataPoint::new(155, 1.5));
        assert!(got.iter().filter(|p| p.timestamp != 155).all(|p| p.value == MetricValue::String(text.clone())));
        let chunks = fx.db.table_sizes().unwrap().into_iter().find(|t| t.name == "ts_chunks").unwrap();
        assert!(chunks.entries >= 10, "{chunks:?}");
    }
}

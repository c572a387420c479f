//! The telemetry chunk codecs (compressed chunks and raw heads), through
//! `neotalk_storage::fuzzing`.
//!
//! - Stored bytes from anywhere: every decoder returns an error, never panics; what decodes
//!   re-encodes (either way) to bytes that decode to the same points.
//! - Any point sequence (every value kind, NaN, extreme timestamps, quality, metadata): both
//!   encodings decode back bit for bit, through the full, range and numeric decoders; a head
//!   built by appends equals the head encoded at once.

use arbitrary::{Result, Unstructured};
use neotalk_storage::fuzzing::{
    append_head, chunk_summary, decode_chunk, decode_chunk_numeric, decode_chunk_range, encode_chunk, encode_head,
};
use neotalk_storage::{DataPoint, MetricValue};

fn point(u: &mut Unstructured<'_>) -> Result<DataPoint> {
    let value = match u.int_in_range(0..=4)? {
        0 => MetricValue::Float(f64::from_bits(u.arbitrary()?)),
        // Sensor-like decimals, so the decimal float coding is exercised too.
        1 => MetricValue::Float(u.int_in_range(-1_000_000i64..=1_000_000)? as f64 / 100.0),
        2 => MetricValue::Integer(u.arbitrary()?),
        3 => MetricValue::Boolean(u.arbitrary()?),
        _ => MetricValue::String(u.arbitrary()?),
    };
    let quality = if u.ratio(1, 4)? { Some(f32::from_bits(u.arbitrary()?)) } else { None };
    let metadata = if u.ratio(1, 8)? { serde_json::from_str(u.arbitrary::<&str>()?).ok() } else { None };
    let timestamp = match u.int_in_range(0..=3)? {
        0 => *u.choose(&[i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX])?,
        _ => u.arbitrary()?,
    };
    Ok(DataPoint { timestamp, value, quality, metadata })
}

/// A point as comparable bits (NaN payloads and -0.0 included).
fn bits(p: &DataPoint) -> (i64, String, Option<u32>, Option<String>) {
    let v = match &p.value {
        MetricValue::Float(f) => format!("f{:x}", f.to_bits()),
        other => format!("{other:?}"),
    };
    (p.timestamp, v, p.quality.map(f32::to_bits), p.metadata.as_ref().map(|m| m.to_string()))
}

fn same(a: &[DataPoint], b: &[DataPoint]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| bits(x) == bits(y))
}

/// Every decoder agrees with the full decode of `bytes` (which gave `points`); with
/// `encoded` (bytes we wrote, not found ones) the summary matches the points too.
fn check_decoders(bytes: &[u8], points: &[DataPoint], u: &mut Unstructured<'_>, encoded: bool) {
    let (count, min_ts, max_ts, numeric) = chunk_summary(bytes).expect("a decodable chunk has a summary");
    assert_eq!(count, points.len() as u64);
    if encoded && !points.is_empty() {
        assert_eq!(numeric, points.iter().filter(|p| p.value.as_f64().is_some()).count() as u64);
        assert_eq!(min_ts, points.iter().map(|p| p.timestamp).min().unwrap());
        assert_eq!(max_ts, points.iter().map(|p| p.timestamp).max().unwrap());
    }
    let (ts, values) = decode_chunk_numeric(bytes).expect("numeric decode");
    assert_eq!(ts, points.iter().map(|p| p.timestamp).collect::<Vec<_>>());
    assert_eq!(
        values.iter().map(|v| v.map(f64::to_bits)).collect::<Vec<_>>(),
        points.iter().map(|p| p.value.as_f64().map(f64::to_bits)).collect::<Vec<_>>()
    );
    let (start, last, limit) = match (u.arbitrary::<i64>(), u.arbitrary::<i64>(), u.int_in_range(0usize..=400)) {
        (Ok(a), Ok(b), Ok(limit)) if !u.is_empty() => (a.min(b), a.max(b), limit),
        _ => (i64::MIN, i64::MAX, usize::MAX),
    };
    let ranged = decode_chunk_range(bytes, start, last, limit).expect("range decode");
    let expected: Vec<DataPoint> = points.iter().filter(|p| p.timestamp >= start && p.timestamp <= last).take(limit).cloned().collect();
    assert!(same(&ranged, &expected), "range [{start}, {last}] limit {limit}");
}

/// Runs one fuzz input; panics when the contract above does not hold.
pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode & 1 == 0 {
        // Arbitrary stored bytes.
        let _ = chunk_summary(rest);
        let _ = decode_chunk_numeric(rest);
        let _ = decode_chunk_range(rest, i64::MIN, i64::MAX, usize::MAX);
        if let Ok(points) = decode_chunk(rest) {
            check_decoders(rest, &points, &mut Unstructured::new(&[]), false);
            for bytes in [encode_chunk(&points), encode_head(&points)] {
                assert!(same(&decode_chunk(&bytes).expect("a re-encoded chunk decodes"), &points));
            }
        }
        return;
    }
    let mut u = Unstructured::new(rest);
    let Ok(n) = u.int_in_range(0usize..=300) else { return };
    let mut points = Vec::with_capacity(n);
    for _ in 0..n {
        match point(&mut u) {
            Ok(p) => points.push(p),
            Err(_) => break,
        }
    }
    if mode & 2 != 0 {
        // As the store writes them: sorted, unique timestamps.
        points.sort_by_key(|p| p.timestamp);
        points.dedup_by_key(|p| p.timestamp);
    }
    let sealed = encode_chunk(&points);
    assert!(same(&decode_chunk(&sealed).expect("an encoded chunk decodes"), &points));
    check_decoders(&sealed, &points, &mut u, true);
    let head = encode_head(&points);
    assert!(same(&decode_chunk(&head).expect("an encoded head decodes"), &points));
    check_decoders(&head, &points, &mut u, true);
    if mode & 2 != 0 && !points.is_empty() {
        // Built by appends at arbitrary split points, the head is the same bytes.
        let mut at = 1;
        let mut built = encode_head(&points[..1]);
        while at < points.len() {
            let step = u.int_in_range(1..=points.len() - at).unwrap_or(points.len() - at);
            built = append_head(&built, &points[at..at + step]).expect("appending to a head");
            at += step;
        }
        assert_eq!(built, head);
    }
}

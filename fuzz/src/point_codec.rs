//! The telemetry point codec, through `neotalk_storage::fuzzing` (so a codec swap only
//! changes that module).
//!
//! - Stored bytes from anywhere: decoding returns an error, never panics; what decodes
//!   re-encodes to bytes that decode to the same encoding again.
//! - Any point: it encodes and decodes back to itself (bit for bit, NaN included).

use arbitrary::{Result, Unstructured};
use neotalk_storage::fuzzing::{decode_point, encode_point};
use neotalk_storage::{DataPoint, MetricValue};

fn point(u: &mut Unstructured<'_>) -> Result<DataPoint> {
    let value = match u.int_in_range(0..=3)? {
        0 => MetricValue::Float(f64::from_bits(u.arbitrary()?)),
        1 => MetricValue::Integer(u.arbitrary()?),
        2 => MetricValue::Boolean(u.arbitrary()?),
        _ => MetricValue::String(u.arbitrary()?),
    };
    let quality = if u.arbitrary()? { Some(f32::from_bits(u.arbitrary()?)) } else { None };
    let metadata = if u.arbitrary()? { serde_json::from_str(u.arbitrary::<&str>()?).ok() } else { None };
    Ok(DataPoint { timestamp: u.arbitrary()?, value, quality, metadata })
}

fn no_nan(p: &DataPoint) -> bool {
    !matches!(p.value, MetricValue::Float(f) if f.is_nan()) && !p.quality.is_some_and(f32::is_nan)
}

/// Runs one fuzz input; panics when the contract above does not hold.
pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode & 1 == 0 {
        if let Ok(p) = decode_point(7, rest) {
            let bytes = encode_point(&p);
            let q = decode_point(7, &bytes).expect("a re-encoded point decodes");
            assert_eq!(encode_point(&q), bytes, "encoding is not stable for {p:?}");
        }
        return;
    }
    let Ok(p) = point(&mut Unstructured::new(rest)) else { return };
    let bytes = encode_point(&p);
    let q = decode_point(p.timestamp, &bytes).expect("an encoded point decodes");
    assert_eq!(encode_point(&q), bytes, "round trip changed {p:?}");
    if no_nan(&p) {
        assert_eq!(q, p);
    }
}

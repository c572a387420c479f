//! Telemetry records and their compact binary encoding.
//!
//! The encoding is private to the time-series store: one tag byte, the value, then quality and
//! metadata only when present. Nothing outside `timeseries` may depend on it.

use crate::error::{Result, StorageError};
use crate::limits::{check_json, DEFAULT_MAX_BINARY_VALUE_BYTES, MAX_STRING_VALUE_BYTES};
use serde::{Deserialize, Serialize};

/// The value of one telemetry point.
///
/// Serialized as the bare JSON value (`21.5`, `3`, `true`, `"on"`), as in the seed's
/// `serde_json::Value`; a binary value as `{"base64": "..."}` (standard alphabet, padded), or
/// as bytes to a binary serializer (serde-wasm-bindgen's `Uint8Array`). See `value_serde.rs`.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricValue {
    /// A whole number.
    Integer(i64),
    /// A finite floating-point number (NaN and infinities are rejected on write).
    Float(f64),
    /// A flag.
    Boolean(bool),
    /// Text, at most [`MAX_STRING_VALUE_BYTES`] bytes.
    String(String),
    /// Bytes (a camera snapshot, a file), at most `StorageOptions::max_binary_value_bytes`
    /// (16 MiB by default). Stored apart from the compressed chunks, so scans and aggregations
    /// of a series never read them; a device's metric snapshot records their size only.
    Binary(Vec<u8>),
}

impl MetricValue {
    /// The value as a number, for aggregation (`Float` and `Integer` only).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetricValue::Float(f) => Some(*f),
            MetricValue::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl From<f64> for MetricValue {
    fn from(v: f64) -> Self {
        MetricValue::Float(v)
    }
}
impl From<i64> for MetricValue {
    fn from(v: i64) -> Self {
        MetricValue::Integer(v)
    }
}
impl From<bool> for MetricValue {
    fn from(v: bool) -> Self {
        MetricValue::Boolean(v)
    }
}
impl From<&str> for MetricValue {
    fn from(v: &str) -> Self {
        MetricValue::String(v.to_string())
    }
}
impl From<Vec<u8>> for MetricValue {
    fn from(v: Vec<u8>) -> Self {
        MetricValue::Binary(v)
    }
}
impl From<&[u8]> for MetricValue {
    fn from(v: &[u8]) -> Self {
        MetricValue::Binary(v.to_vec())
    }
}

/// One telemetry sample (seed section 1). As input JSON, an unknown field is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataPoint {
    /// Unix milliseconds.
    pub timestamp: i64,
    /// The sampled value.
    pub value: MetricValue,
    /// Optional quality indicator (finite; conventionally 0..=1).
    pub quality: Option<f32>,
    /// Optional free-form metadata.
    pub metadata: Option<serde_json::Value>,
}

impl DataPoint {
    /// A point with just a timestamp and a value.
    pub fn new(timestamp: i64, value: impl Into<MetricValue>) -> Self {
        DataPoint { timestamp, value: value.into(), quality: None, metadata: None }
    }

    /// Rejects NaN / infinite floats and qualities, oversized strings, binary values over the
    /// default limit and bad metadata.
    pub(crate) fn validate(&self) -> Result<()> {
        self.validate_with(DEFAULT_MAX_BINARY_VALUE_BYTES)
    }

    /// [`Self::validate`] with the store's binary limit.
    pub(crate) fn validate_with(&self, max_binary_bytes: usize) -> Result<()> {
        match &self.value {
            MetricValue::Float(f) if !f.is_finite() => {
                return Err(StorageError::invalid("value", format!("{f} is not a finite number")));
            }
            MetricValue::String(s) if s.len() > MAX_STRING_VALUE_BYTES => {
                return Err(StorageError::invalid("value", format!("string is {} bytes; the limit is {MAX_STRING_VALUE_BYTES}", s.len())));
            }
            MetricValue::Binary(b) if b.len() > max_binary_bytes => {
                return Err(StorageError::invalid(
                    "value",
                    format!("binary value is {} bytes; the limit is {max_binary_bytes} (StorageOptions.max_binary_value_bytes)", b.len()),
                ));
            }
            _ => {}
        }
        if let Some(q) = self.quality {
            if !q.is_finite() {
                return Err(StorageError::invalid("quality", format!("{q} is not a finite number")));
            }
        }
        if let Some(m) = &self.metadata {
            check_json("metadata", m)?;
        }
        Ok(())
    }
}

// The tag byte of an encoded point (also of a record in a raw head chunk, `head.rs`).
pub(super) const KIND_FLOAT: u8 = 0;
pub(super) const KIND_INT: u8 = 1;
pub(super) const KIND_BOOL: u8 = 2;
pub(super) const KIND_STRING: u8 = 3;
pub(super) const KIND_MASK: u8 = 0b11;
pub(super) const HAS_QUALITY: u8 = 1 << 2;
pub(super) const HAS_METADATA: u8 = 1 << 3;
pub(super) const BOOL_TRUE: u8 = 1 << 4;
/// With `KIND_STRING`: a binary value, of which only the size is encoded (the bytes live in
/// the `ts_blobs` table); decoded as an empty `Binary` for the store to fill.
pub(super) const IS_BINARY: u8 = 1 << 5;

/// Appends the encoding of value, quality and metadata (the timestamp lives in the key); of a
/// binary value only its size.
pub(crate) fn encode_into(out: &mut Vec<u8>, value: &MetricValue, quality: Option<f32>, metadata: Option<&serde_json::Value>) {
    let tag_at = out.len();
    out.push(0);
    let mut tag = match value {
        MetricValue::Float(f) => {
            out.extend_from_slice(&f.to_le_bytes());
            KIND_FLOAT
        }
        MetricValue::Integer(i) => {
            out.extend_from_slice(&i.to_le_bytes());
            KIND_INT
        }
        MetricValue::Boolean(b) => KIND_BOOL | if *b { BOOL_TRUE } else { 0 },
        MetricValue::String(s) => {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
            KIND_STRING
        }
        MetricValue::Binary(b) => {
            // At most MAX_BINARY_VALUE_BYTES (256 MiB): fits u32.
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            KIND_STRING | IS_BINARY
        }
    };
    if let Some(q) = quality {
        tag |= HAS_QUALITY;
        out.extend_from_slice(&q.to_le_bytes());
    }
    if let Some(m) = metadata {
        tag |= HAS_METADATA;
        serde_json::to_writer(&mut *out, m).expect("serializing a JSON value cannot fail");
    }
    out[tag_at] = tag;
}

/// Appends the encoding of a binary value known by its size only (a metric snapshot), as
/// [`encode_into`] encodes a binary value of `size` bytes.
pub(crate) fn encode_binary_size_into(out: &mut Vec<u8>, size: u64, quality: Option<f32>) {
    out.push(KIND_STRING | IS_BINARY | if quality.is_some() { HAS_QUALITY } else { 0 });
    out.extend_from_slice(&(size.min(u32::MAX as u64) as u32).to_le_bytes());
    if let Some(q) = quality {
        out.extend_from_slice(&q.to_le_bytes());
    }
}

/// Encodes a point without its timestamp.
#[cfg(test)]
pub(crate) fn encode(p: &DataPoint) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    encode_into(&mut out, &p.value, p.quality, p.metadata.as_ref());
    out
}

fn corrupted(what: &str) -> StorageError {
    StorageError::Corrupted(format!("telemetry point: {what}"))
}

fn take<'a>(buf: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    if buf.len() < n {
        return Err(corrupted("truncated"));
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

/// Decodes value, quality and metadata written by [`encode_into`]; a binary value comes back
/// empty (its bytes are stored apart).
pub(crate) fn decode(timestamp: i64, buf: &[u8]) -> Result<DataPoint> {
    decode_sized(timestamp, buf).map(|(p, _)| p)
}

/// [`decode`], with the size of a binary value.
pub(crate) fn decode_sized(timestamp: i64, mut buf: &[u8]) -> Result<(DataPoint, Option<u64>)> {
    let tag = take(&mut buf, 1)?[0];
    let mut binary_size = None;
    let value = match tag & KIND_MASK {
        KIND_FLOAT => MetricValue::Float(f64::from_le_bytes(take(&mut buf, 8)?.try_into().unwrap())),
        KIND_INT => MetricValue::Integer(i64::from_le_bytes(take(&mut buf, 8)?.try_into().unwrap())),
        KIND_BOOL => MetricValue::Boolean(tag & BOOL_TRUE != 0),
        _ if tag & IS_BINARY != 0 => {
            binary_size = Some(u32::from_le_bytes(take(&mut buf, 4)?.try_into().unwrap()) as u64);
            MetricValue::Binary(Vec::new())
        }
        _ => {
            let len = u32::from_le_bytes(take(&mut buf, 4)?.try_into().unwrap()) as usize;
            let bytes = take(&mut buf, len)?;
            MetricValue::String(String::from_utf8(bytes.to_vec()).map_err(|_| corrupted("string is not UTF-8"))?)
        }
    };
    let quality = if tag & HAS_QUALITY != 0 { Some(f32::from_le_bytes(take(&mut buf, 4)?.try_into().unwrap())) } else { None };
    let metadata = if tag & HAS_METADATA != 0 { Some(serde_json::from_slice(buf)?) } else { None };
    Ok((DataPoint { timestamp, value, quality, metadata }, binary_size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_kind() {
        let points = [
            DataPoint::new(1, 21.5),
            DataPoint::new(-7, 42i64),
            DataPoint::new(0, true),
            DataPoint::new(0, false),
            DataPoint::new(9, "开"),
            DataPoint {
                timestamp: 3,
                value: MetricValue::Float(-0.0),
                quality: Some(0.5),
                metadata: Some(serde_json::json!({"unit": "°C"})),
            },
        ];
        for p in points {
            assert_eq!(decode(p.timestamp, &encode(&p)).unwrap(), p);
        }
        assert_eq!(encode(&DataPoint::new(1, 1.0)).len(), 9);
        // Binary values keep their size, not their bytes.
        let image = DataPoint::new(5, vec![7u8; 1000]);
        let (back, size) = decode_sized(5, &encode(&image)).unwrap();
        assert_eq!((back.value, size), (MetricValue::Binary(Vec::new()), Some(1000)));
        assert_eq!(encode(&image).len(), 5);
        let mut by_size = Vec::new();
        encode_binary_size_into(&mut by_size, 1000, Some(0.5));
        let mut sized = image.clone();
        sized.quality = Some(0.5);
        assert_eq!(by_size, encode(&sized));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&[][..], &[0][..], &[3, 255, 255, 255, 255][..], &[8][..], &[4, 1][..]] {
            assert!(decode(0, bytes).is_err(), "{bytes:?}");
        }
    }

    #[test]
    fn validation() {
        assert!(DataPoint::new(0, f64::NAN).validate().is_err());
        assert!(DataPoint::new(0, f64::INFINITY).validate().is_err());
        let mut p = DataPoint::new(0, 1.0);
        p.quality = Some(f32::NAN);
        assert!(p.validate().is_err());
        assert!(DataPoint::new(0, "x".repeat(MAX_STRING_VALUE_BYTES + 1).as_str()).validate().is_err());
        assert!(DataPoint::new(0, vec![0u8; 100]).validate_with(100).is_ok());
        let err = DataPoint::new(0, vec![0u8; 101]).validate_with(100).unwrap_err().to_string();
        assert!(err.contains("binary value is 101 bytes; the limit is 100"), "{err}");
    }
}

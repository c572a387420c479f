//! The open head of a series: its newest points in a raw, append-only chunk layout.
//!
//! A compressed chunk (see `chunk`) is rewritten whole on every change. The newest chunk of a
//! series takes nearly every write, often one small transaction after another, so it is kept
//! raw instead: the same format byte and summary as a compressed chunk, then one
//! self-contained record per point. Appending newer points re-encodes just the summary and
//! adds their records, so the work is O(points appended); the head is compressed once, when
//! it is sealed at `CHUNK_POINTS` points.
//!
//! Record: the zig-zag varint of the timestamp's (wrapping) difference to the previous
//! record's (the first record's to 0), a tag byte (kind, quality and metadata presence, the
//! boolean value), the value (float: 8 bytes LE; integer: zig-zag varint; string:
//! length-prefixed UTF-8; binary: nothing, the bytes live in `ts_blobs`), then quality (f32 LE) and metadata (length-prefixed JSON) when
//! present. Every read is bound-checked: damaged bytes are `Corrupted`, never a panic.

use super::chunk::{decode_header, is_raw_format, put_newest, ChunkSummary, MAX_DECODE_POINTS};
use super::codec::{corrupted, put_block, put_varint, unzigzag, zigzag, ByteReader};
use super::point::{
    DataPoint, MetricValue, BOOL_TRUE, HAS_METADATA, HAS_QUALITY, IS_BINARY, KIND_BOOL, KIND_FLOAT, KIND_INT, KIND_MASK, KIND_STRING,
};
use crate::error::Result;
use std::borrow::Borrow;

/// Format byte of a raw head with the newest-point block (see `chunk`); compressed chunks
/// use others.
pub(crate) const FORMAT_RAW: u8 = 4;
/// Format byte of a raw head written before the newest-point block existed (still read).
pub(crate) const FORMAT_RAW_V1: u8 = 2;
/// Writes of fewer points than this to the newest chunk keep (or make) it a raw head.
/// Larger writes leave it compressed: their own size pays for the encoding, and a raw head,
/// rewritten whole by every commit, would make redb churn through pages (measured: the file
/// grew from 1.8 to 7.1 bytes per point with 1,000-point writes into raw heads).
pub(crate) const SMALL_WRITE: usize = 128;
/// Points a raw head holds at most. A full head is folded into the compressed chunk before
/// it, so a commit rewrites at most this many raw records (under a kilobyte of floats), not a
/// whole chunk's worth (measured: one transaction per point fell from 0.46x to 0.18x of SQLite
/// when heads grew to 1,024 raw points).
pub(crate) const MAX_POINTS: usize = 64;

const KNOWN_BITS: u8 = KIND_MASK | HAS_QUALITY | HAS_METADATA | BOOL_TRUE | IS_BINARY;

/// Whether `bytes` is a raw head (rather than a compressed chunk).
pub(crate) fn is_head(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|&f| is_raw_format(f))
}

/// Appends the record of `p`, whose predecessor has timestamp `prev`.
fn put_record(out: &mut Vec<u8>, p: &DataPoint, prev: i64) {
    put_varint(out, zigzag(p.timestamp.wrapping_sub(prev)));
    let tag_at = out.len();
    out.push(0);
    let mut tag = match &p.value {
        MetricValue::Float(f) => {
            out.extend_from_slice(&f.to_le_bytes());
            KIND_FLOAT
        }
        MetricValue::Integer(i) => {
            put_varint(out, zigzag(*i));
            KIND_INT
        }
        MetricValue::Boolean(b) => KIND_BOOL | if *b { BOOL_TRUE } else { 0 },
        MetricValue::String(s) => {
            put_block(out, s.as_bytes());
            KIND_STRING
        }
        MetricValue::Binary(_) => KIND_STRING | IS_BINARY,
    };
    if let Some(q) = p.quality {
        tag |= HAS_QUALITY;
        out.extend_from_slice(&q.to_le_bytes());
    }
    if let Some(m) = &p.metadata {
        tag |= HAS_METADATA;
        put_block(out, &serde_json::to_vec(m).expect("serializing a JSON value cannot fail"));
    }
    out[tag_at] = tag;
}

/// Reads one record; `prev` is the previous record's timestamp.
fn record(r: &mut ByteReader<'_>, prev: i64) -> Result<DataPoint> {
    let timestamp = prev.wrapping_add(unzigzag(r.varint()?));
    let tag = r.u8()?;
    if tag & !KNOWN_BITS != 0
        || (tag & BOOL_TRUE != 0 && tag & KIND_MASK != KIND_BOOL)
        || (tag & IS_BINARY != 0 && tag & KIND_MASK != KIND_STRING)
    {
        return Err(corrupted("unknown head record tag"));
    }
    let value = match tag & KIND_MASK {
        KIND_FLOAT => MetricValue::Float(r.f64()?),
        KIND_INT => MetricValue::Integer(unzigzag(r.varint()?)),
        KIND_BOOL => MetricValue::Boolean(tag & BOOL_TRUE != 0),
        _ if tag & IS_BINARY != 0 => MetricValue::Binary(Vec::new()),
        _ => MetricValue::String(String::from_utf8(r.block()?.to_vec()).map_err(|_| corrupted("string is not UTF-8"))?),
    };
    let quality = if tag & HAS_QUALITY != 0 { Some(f32::from_le_bytes(r.array()?)) } else { None };
    let metadata = if tag & HAS_METADATA != 0 {
        Some(serde_json::from_slice(r.block()?).map_err(|_| corrupted("metadata is not JSON"))?)
    } else {
        None
    };
    Ok(DataPoint { timestamp, value, quality, metadata })
}

/// Encodes `points` (in time order when they are to be appended to later) as a raw head.
pub(crate) fn encode<P: Borrow<DataPoint>>(points: &[P]) -> Vec<u8> {
    let mut out = Vec::with_capacity(48 + points.len() * 12);
    out.push(FORMAT_RAW);
    ChunkSummary::of(points).encode(&mut out);
    put_newest(&mut out, points.last().map(|p| p.borrow()).map(|p| (&p.value, p.quality, p.metadata.as_ref())));
    let mut prev = 0;
    for p in points {
        let p = p.borrow();
        put_record(&mut out, p, prev);
        prev = p.timestamp;
    }
    out
}

/// The head `bytes` (summary `summary`, not empty, written in time order) with `new`
/// appended; `new` is sorted and starts after the head's newest point.
pub(crate) fn append(bytes: &[u8], summary: &ChunkSummary, new: &[&DataPoint]) -> Result<Vec<u8>> {
    if new.is_empty() {
        return Ok(bytes.to_vec());
    }
    let mut r = ByteReader::new(bytes);
    decode_header(&mut r)?;
    let records = &bytes[bytes.len() - r.remaining()..];
    let mut s = *summary;
    for p in new {
        s.push(p);
    }
    let mut out = Vec::with_capacity(bytes.len() + 16 + new.len() * 12);
    out.push(FORMAT_RAW);
    s.encode(&mut out);
    put_newest(&mut out, new.last().map(|p| (&p.value, p.quality, p.metadata.as_ref())));
    out.extend_from_slice(records);
    // Written in time order, so the last record holds the newest timestamp.
    let mut prev = summary.max_ts;
    for p in new {
        put_record(&mut out, p, prev);
        prev = p.timestamp;
    }
    Ok(out)
}

/// Decodes a raw head; the count must match the records exactly.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<DataPoint>> {
    let mut r = ByteReader::new(bytes);
    let (format, summary, _) = decode_header(&mut r)?;
    if !is_raw_format(format) {
        return Err(corrupted("not a raw head"));
    }
    let n = summary.count as usize;
    // Every record takes at least two bytes: bounds the allocation on damaged input.
    if n > MAX_DECODE_POINTS || n > r.remaining() / 2 {
        return Err(corrupted("head count exceeds its records"));
    }
    let mut out = Vec::with_capacity(n);
    let mut prev = 0;
    for _ in 0..n {
        let p = record(&mut r, prev)?;
        prev = p.timestamp;
        out.push(p);
    }
    if !r.is_empty() {
        return Err(corrupted("trailing bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<DataPoint> {
        let mut points = vec![
            DataPoint::new(i64::MIN, 1.5),
            DataPoint::new(-3, i64::MIN),
            DataPoint::new(0, true),
            DataPoint::new(1, false),
            DataPoint::new(2, "开"),
            DataPoint::new(i64::MAX, f64::from_bits(0x7ff8_0000_0000_0001)),
        ];
        points[1].quality = Some(0.25);
        points[4].metadata = Some(serde_json::json!({"unit": "°C"}));
        points
    }

    fn bits(points: &[DataPoint]) -> Vec<String> {
        points
            .iter()
            .map(|p| {
                format!(
                    "{} {:?} {:?} {:?} {:?}",
                    p.timestamp,
                    p.value.as_f64().map(f64::to_bits),
                    p.value,
                    p.quality.map(f32::to_bits),
                    p.metadata
                )
            })
            .collect()
    }

    #[test]
    fn every_kind_round_trips_bit_exactly() {
        let points = sample();
        let bytes = encode(&points);
        assert!(is_head(&bytes));
        assert_eq!(bits(&decode(&bytes).unwrap()), bits(&points));
        let s = ChunkSummary::read(&bytes).unwrap();
        assert_eq!((s.count, s.min_ts, s.max_ts), (6, i64::MIN, i64::MAX));
    }

    #[test]
    fn appending_equals_encoding_all_at_once() {
        let points = sample();
        for split in 1..points.len() {
            let head = encode(&points[..split]);
            let new: Vec<&DataPoint> = points[split..].iter().collect();
            let appended = append(&head, &ChunkSummary::read(&head).unwrap(), &new).unwrap();
            assert_eq!(appended, encode(&points), "split at {split}");
        }
    }

    #[test]
    fn damaged_heads_are_errors() {
        let bytes = encode(&sample());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(decode(&trailing).is_err());
        // A tag with unknown bits, and a huge count with few records.
        let mut bad = encode(&[DataPoint::new(5, 1.0)]);
        let tag_at = bad.len() - 9;
        bad[tag_at] = 0x80;
        assert!(decode(&bad).is_err());
        let mut huge = vec![FORMAT_RAW];
        ChunkSummary { count: 60_000, min_ts: 0, max_ts: 0, numeric: None }.encode(&mut huge);
        huge.extend_from_slice(&[0, 0, 2]);
        assert!(decode(&huge).is_err());
    }
}

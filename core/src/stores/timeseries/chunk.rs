//! A chunk: up to [`CHUNK_POINTS`] points of one series, column-encoded, behind a summary.
//!
//! Layout (all lengths bound-checked on decode):
//! - format byte, then the summary: count, min and max timestamp, numeric count and, when
//!   there are numeric values, their sum, min, max, first and last as f64. Readers use it to
//!   skip chunks (range bounds) or fold them whole into an aggregate, without decoding.
//! - the newest point (value, quality, metadata as `point::encode_into`; its timestamp is the
//!   summary's max), as a length-prefixed block, so the latest read decodes one point, not the
//!   chunk. Chunks written before this block existed carry format byte [`FORMAT_V1`] (raw
//!   heads `head::FORMAT_RAW_V1`) and are still read: their newest point is found by decoding.
//! - timestamps (delta-of-delta), the value kinds (one byte when the chunk holds one kind,
//!   else 2 bits per point, or a byte per point when some are binary), then one column per
//!   kind present: floats (XOR or decimal), integers (delta varints), booleans (bits), strings
//!   (length-prefixed). Binary values have no column: their bytes live in `ts_blobs`, keyed
//!   by series and timestamp, and decode here as an empty `Binary` for the store to fill.
//! - a flags byte; quality values and JSON metadata follow only when some point has them,
//!   each behind a presence bitmap.

use super::codec::{booleans, corrupted, floats, integers, put_block, put_varint, strings, timestamps, unzigzag, zigzag, ByteReader};
use super::columns::{Column, ColumnValues, ColumnsBuilder, ValueType};
use super::head;
use super::point::{self, DataPoint, MetricValue};
use crate::error::Result;
use std::borrow::Borrow;

/// Points per sealed chunk; the open head chunk of a series holds fewer.
pub(crate) const CHUNK_POINTS: usize = 1024;
/// Raw bytes a chunk may hold before it is sealed early (large strings or metadata), so a
/// write never rewrites megabytes; a single larger point still gets a chunk of its own.
pub(crate) const CHUNK_BYTES: usize = 256 * 1024;
/// Most points a decoder accepts (bounds allocations on damaged input).
pub(crate) const MAX_DECODE_POINTS: usize = 1 << 16;
/// Format byte of a compressed chunk without the newest-point block (still read).
pub(crate) const FORMAT_V1: u8 = 1;
/// Format byte of a compressed chunk with the newest-point block (written).
const FORMAT: u8 = 3;
const KIND_FLOAT: u8 = 0;
const KIND_INT: u8 = 1;
const KIND_BOOL: u8 = 2;
const KIND_STRING: u8 = 3;
const KINDS_MIXED: u8 = 4;
const KIND_BINARY: u8 = 5;
/// Mixed kinds with a binary one among them: one kind byte per point.
const KINDS_MIXED_WIDE: u8 = 6;
const HAS_QUALITY: u8 = 1;
const HAS_METADATA: u8 = 2;

/// Aggregates of a chunk's numeric (`Float` / `Integer`) values, in time order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NumericSummary {
    pub count: u64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    pub first: f64,
    pub last: f64,
}

/// What a reader can learn about a chunk without decoding its points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ChunkSummary {
    pub count: u64,
    pub min_ts: i64,
    pub max_ts: i64,
    pub numeric: Option<NumericSummary>,
}

impl ChunkSummary {
    /// The summary of `points` (in time order, for `first` and `last`).
    pub(crate) fn of<P: Borrow<DataPoint>>(points: &[P]) -> Self {
        let mut s = ChunkSummary { count: 0, min_ts: 0, max_ts: 0, numeric: None };
        for p in points {
            s.push(p.borrow());
        }
        s
    }

    /// Adds `p`, newer than the points summarized so far, to the summary; appending to a
    /// raw head this way gives the same summary as [`Self::of`] over all its points.
    pub(crate) fn push(&mut self, p: &DataPoint) {
        if self.count == 0 {
            (self.min_ts, self.max_ts) = (p.timestamp, p.timestamp);
        } else {
            self.min_ts = self.min_ts.min(p.timestamp);
            self.max_ts = self.max_ts.max(p.timestamp);
        }
        self.count += 1;
        let Some(v) = p.value.as_f64() else { return };
        match &mut self.numeric {
            // 0.0 + v as in `Aggregator`, so a bucket that starts with this chunk sums alike.
            None => self.numeric = Some(NumericSummary { count: 1, sum: 0.0 + v, min: v, max: v, first: v, last: v }),
            Some(n) => {
                n.count += 1;
                n.sum += v;
                n.min = n.min.min(v);
                n.max = n.max.max(v);
                n.last = v;
            }
        }
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, self.count);
        put_varint(out, zigzag(self.min_ts));
        put_varint(out, self.max_ts.wrapping_sub(self.min_ts) as u64);
        match &self.numeric {
            None => put_varint(out, 0),
            Some(n) => {
                put_varint(out, n.count);
                for v in [n.sum, n.min, n.max, n.first, n.last] {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
    }

    fn decode(r: &mut ByteReader<'_>) -> Result<Self> {
        let count = r.len(MAX_DECODE_POINTS)? as u64;
        let min_ts = unzigzag(r.varint()?);
        let max_ts = min_ts.wrapping_add(r.varint()? as i64);
        let numeric_count = r.varint()?;
        if numeric_count > count {
            return Err(corrupted("more numeric values than points"));
        }
        let numeric = if numeric_count == 0 {
            None
        } else {
            Some(NumericSummary { count: numeric_count, sum: r.f64()?, min: r.f64()?, max: r.f64()?, first: r.f64()?, last: r.f64()? })
        };
        Ok(ChunkSummary { count, min_ts, max_ts, numeric })
    }

    /// Reads just the summary of an encoded chunk or raw head.
    pub(crate) fn read(bytes: &[u8]) -> Result<Self> {
        Ok(decode_header(&mut ByteReader::new(bytes))?.1)
    }

    /// The summary of sorted `ts` with `values` (a columnar write).
    pub(crate) fn of_column(ts: &[i64], values: Column<'_>) -> Self {
        let n = ts.len();
        let mut s = ChunkSummary {
            count: n as u64,
            min_ts: ts.first().copied().unwrap_or(0),
            max_ts: ts.last().copied().unwrap_or(0),
            numeric: None,
        };
        let mut fold = |vs: &mut dyn Iterator<Item = f64>| {
            for v in vs {
                match &mut s.numeric {
                    // The same arithmetic as `push`, so both paths give identical bytes.
                    None => s.numeric = Some(NumericSummary { count: 1, sum: 0.0 + v, min: v, max: v, first: v, last: v }),
                    Some(n) => {
                        n.count += 1;
                        n.sum += v;
                        n.min = n.min.min(v);
                        n.max = n.max.max(v);
                        n.last = v;
                    }
                }
            }
        };
        match values {
            Column::Float(v) => fold(&mut v.iter().copied()),
            Column::Integer(v) => fold(&mut v.iter().map(|&i| i as f64)),
            Column::Boolean(_) | Column::String(_) => {}
        }
        s
    }
}

/// Whether `format` is a raw head's (either version).
pub(crate) fn is_raw_format(format: u8) -> bool {
    format == head::FORMAT_RAW || format == head::FORMAT_RAW_V1
}

/// Reads the format byte (a compressed chunk's or a raw head's), the summary behind it and,
/// in the current formats, the newest-point block (returned; empty for an empty chunk).
pub(crate) fn decode_header<'a>(r: &mut ByteReader<'a>) -> Result<(u8, ChunkSummary, Option<&'a [u8]>)> {
    let format = r.u8()?;
    let summary = match format {
        FORMAT | FORMAT_V1 | head::FORMAT_RAW | head::FORMAT_RAW_V1 => ChunkSummary::decode(r)?,
        _ => return Err(corrupted("unknown chunk format")),
    };
    let newest = if format == FORMAT || format == head::FORMAT_RAW { Some(r.block()?) } else { None };
    Ok((format, summary, newest))
}

/// Appends the newest-point block of a chunk whose last point is `last`.
pub(crate) fn put_newest(out: &mut Vec<u8>, last: Option<(&MetricValue, Option<f32>, Option<&serde_json::Value>)>) {
    let mut block = Vec::with_capacity(16);
    if let Some((value, quality, metadata)) = last {
        point::encode_into(&mut block, value, quality, metadata);
    }
    put_block(out, &block);
}

/// The newest point of an encoded chunk or raw head: read from its newest-point block
/// (one point decoded), or by decoding the whole chunk when it predates that block.
pub(crate) fn newest_point(bytes: &[u8]) -> Result<Option<DataPoint>> {
    let (_, summary, newest) = decode_header(&mut ByteReader::new(bytes))?;
    match newest {
        Some(_) if summary.count == 0 => Ok(None),
        Some(block) => point::decode(summary.max_ts, block).map(Some).map_err(|_| corrupted("newest point")),
        None => Ok(decode(bytes)?.pop()),
    }
}

fn kind_of(v: &MetricValue) -> u8 {
    match v {
        MetricValue::Float(_) => KIND_FLOAT,
        MetricValue::Integer(_) => KIND_INT,
        MetricValue::Boolean(_) => KIND_BOOL,
        MetricValue::String(_) => KIND_STRING,
        MetricValue::Binary(_) => KIND_BINARY,
    }
}

/// Rough raw size of a point in a chunk: fixed fields plus its string and metadata bytes
/// (binary bytes are stored apart).
pub(crate) fn raw_bytes(p: &DataPoint) -> usize {
    let text = match &p.value {
        MetricValue::String(s) => s.len(),
        _ => 0,
    };
    let meta = p.metadata.as_ref().map_or(0, |m| serde_json::to_vec(m).map_or(0, |v| v.len()));
    16 + text + meta
}

/// Splits sorted points into the runs that become chunks: at most [`CHUNK_POINTS`] points
/// and, unless a run is a single point, at most [`CHUNK_BYTES`] raw bytes.
pub(crate) fn pieces<'p, 'a>(points: &'p [&'a DataPoint]) -> Vec<&'p [&'a DataPoint]> {
    let mut out = Vec::with_capacity(points.len() / CHUNK_POINTS + 1);
    let (mut start, mut bytes) = (0, 0);
    for (i, p) in points.iter().enumerate() {
        let b = raw_bytes(p);
        if i > start && (i - start == CHUNK_POINTS || bytes + b > CHUNK_BYTES) {
            out.push(&points[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += b;
    }
    if start < points.len() {
        out.push(&points[start..]);
    }
    out
}

/// Encodes `points` (sorted by timestamp; see [`pieces`] for how many go in one chunk).
pub(crate) fn encode<P: Borrow<DataPoint>>(points: &[P]) -> Vec<u8> {
    let points: Vec<&DataPoint> = points.iter().map(Borrow::borrow).collect();
    let points = points.as_slice();
    let mut out = Vec::with_capacity(64 + points.len() * 2);
    out.push(FORMAT);
    ChunkSummary::of(points).encode(&mut out);
    put_newest(&mut out, points.last().map(|p| (&p.value, p.quality, p.metadata.as_ref())));
    let ts: Vec<i64> = points.iter().map(|p| p.timestamp).collect();
    timestamps::encode(&ts, &mut out);

    let first_kind = points.first().map_or(KIND_FLOAT, |p| kind_of(&p.value));
    if points.iter().all(|p| kind_of(&p.value) == first_kind) {
        out.push(first_kind);
    } else if points.iter().any(|p| kind_of(&p.value) == KIND_BINARY) {
        out.push(KINDS_MIXED_WIDE);
        out.extend(points.iter().map(|p| kind_of(&p.value)));
    } else {
        out.push(KINDS_MIXED);
        let start = out.len();
        out.resize(start + points.len().div_ceil(4), 0);
        for (i, p) in points.iter().enumerate() {
            out[start + i / 4] |= kind_of(&p.value) << (2 * (i % 4));
        }
    }
    let fl: Vec<f64> = points.iter().filter_map(|p| if let MetricValue::Float(f) = p.value { Some(f) } else { None }).collect();
    floats::encode(&fl, &mut out);
    if first_kind != KIND_FLOAT || fl.len() < points.len() {
        let ints: Vec<i64> = points.iter().filter_map(|p| if let MetricValue::Integer(i) = p.value { Some(i) } else { None }).collect();
        integers::encode(&ints, &mut out);
        let bools: Vec<bool> = points.iter().filter_map(|p| if let MetricValue::Boolean(b) = p.value { Some(b) } else { None }).collect();
        booleans::encode(bools.into_iter(), &mut out);
        strings::encode(
            points.iter().filter_map(|p| if let MetricValue::String(s) = &p.value { Some(s.as_str()) } else { None }),
            &mut out,
        );
    }

    let has_quality = points.iter().any(|p| p.quality.is_some());
    let has_metadata = points.iter().any(|p| p.metadata.is_some());
    out.push(if has_quality { HAS_QUALITY } else { 0 } | if has_metadata { HAS_METADATA } else { 0 });
    if has_quality {
        booleans::encode(points.iter().map(|p| p.quality.is_some()), &mut out);
        for q in points.iter().filter_map(|p| p.quality) {
            out.extend_from_slice(&q.to_le_bytes());
        }
    }
    if has_metadata {
        booleans::encode(points.iter().map(|p| p.metadata.is_some()), &mut out);
        for m in points.iter().filter_map(|p| p.metadata.as_ref()) {
            put_block(&mut out, &serde_json::to_vec(m).expect("serializing a JSON value cannot fail"));
        }
    }
    out
}

/// The columns of a chunk, before they are zipped into points.
struct Columns {
    ts: Vec<i64>,
    /// Kind of every point, or `None` when all are `kind`.
    kinds: Option<Vec<u8>>,
    kind: u8,
    floats: Vec<f64>,
    ints: Vec<i64>,
    bools: Vec<bool>,
    strings: Vec<String>,
    quality: Option<Vec<Option<f32>>>,
    metadata: Option<Vec<Option<serde_json::Value>>>,
}

/// Decodes the columns; without `extras`, stops after the values (quality and metadata are
/// neither decoded nor checked).
fn decode_columns(bytes: &[u8], extras: bool) -> Result<Columns> {
    let mut r = ByteReader::new(bytes);
    let (format, summary, _) = decode_header(&mut r)?;
    if is_raw_format(format) {
        return Err(corrupted("not a compressed chunk"));
    }
    let n = summary.count as usize;
    let ts = timestamps::decode(&mut r, n)?;
    let (kind, kinds) = match r.u8()? {
        k @ (KIND_FLOAT..=KIND_STRING | KIND_BINARY) => (k, None),
        KINDS_MIXED => {
            let packed = r.bytes(n.div_ceil(4))?;
            (KINDS_MIXED, Some((0..n).map(|i| (packed[i / 4] >> (2 * (i % 4))) & 0b11).collect::<Vec<u8>>()))
        }
        KINDS_MIXED_WIDE => {
            let kinds = r.bytes(n)?.to_vec();
            if kinds.iter().any(|&k| k > KIND_STRING && k != KIND_BINARY) {
                return Err(corrupted("unknown value kind"));
            }
            (KINDS_MIXED_WIDE, Some(kinds))
        }
        _ => return Err(corrupted("unknown value kind")),
    };
    let count = |k: u8| match &kinds {
        None if k == kind => n,
        None => 0,
        Some(ks) => ks.iter().filter(|&&x| x == k).count(),
    };
    let floats = floats::decode(&mut r, count(KIND_FLOAT))?;
    let ints = integers::decode(&mut r, count(KIND_INT))?;
    let bools = booleans::decode(&mut r, count(KIND_BOOL))?;
    let strings = strings::decode(&mut r, count(KIND_STRING))?;
    let mut cols = Columns { ts, kinds, kind, floats, ints, bools, strings, quality: None, metadata: None };
    if !extras {
        return Ok(cols);
    }
    let flags = r.u8()?;
    if flags & !(HAS_QUALITY | HAS_METADATA) != 0 {
        return Err(corrupted("unknown flags"));
    }
    // Quality and metadata columns exist only when some point has them.
    if flags & HAS_QUALITY != 0 {
        let mut col = Vec::with_capacity(n);
        for present in booleans::decode(&mut r, n)? {
            col.push(if present { Some(f32::from_le_bytes(r.array()?)) } else { None });
        }
        cols.quality = Some(col);
    }
    if flags & HAS_METADATA != 0 {
        let mut col = Vec::with_capacity(n);
        for present in booleans::decode(&mut r, n)? {
            col.push(if present { Some(serde_json::from_slice(r.block()?).map_err(|_| corrupted("metadata is not JSON"))?) } else { None });
        }
        cols.metadata = Some(col);
    }
    if !r.is_empty() {
        return Err(corrupted("trailing bytes"));
    }
    Ok(cols)
}

/// Appends the points of a chunk with `start <= timestamp <= last` to `out`, until it holds
/// `limit` points; the common case (plain floats) builds no intermediate points.
pub(crate) fn decode_range_into(bytes: &[u8], start: i64, last: i64, out: &mut Vec<DataPoint>, limit: usize) -> Result<()> {
    if head::is_head(bytes) {
        let room = limit.saturating_sub(out.len());
        out.extend(head::decode(bytes)?.into_iter().filter(|p| p.timestamp >= start && p.timestamp <= last).take(room));
        return Ok(());
    }
    let c = decode_columns(bytes, true)?;
    if c.kinds.is_none() && c.kind == KIND_FLOAT && c.quality.is_none() && c.metadata.is_none() {
        for (timestamp, f) in c.ts.into_iter().zip(c.floats) {
            if out.len() >= limit {
                break;
            }
            if timestamp >= start && timestamp <= last {
                out.push(DataPoint { timestamp, value: MetricValue::Float(f), quality: None, metadata: None });
            }
        }
        return Ok(());
    }
    let room = limit.saturating_sub(out.len());
    out.extend(assemble(c)?.into_iter().filter(|p| p.timestamp >= start && p.timestamp <= last).take(room));
    Ok(())
}

/// Encodes sorted, unique `ts` with `values` (one type, no quality or metadata) as a
/// compressed chunk, straight from the caller's columns; the bytes equal [`encode`]'s for
/// the same points.
pub(crate) fn encode_columns(ts: &[i64], values: Column<'_>) -> Vec<u8> {
    let n = ts.len();
    let mut out = Vec::with_capacity(64 + n * 2);
    out.push(FORMAT);
    ChunkSummary::of_column(ts, values).encode(&mut out);
    let last = n.checked_sub(1).map(|i| values.value(i));
    put_newest(&mut out, last.as_ref().map(|v| (v, None, None)));
    timestamps::encode(ts, &mut out);
    if let Column::Float(v) = values {
        out.push(KIND_FLOAT);
        floats::encode(v, &mut out);
    } else {
        out.push(match values.value_type() {
            ValueType::Float => KIND_FLOAT,
            ValueType::Integer => KIND_INT,
            ValueType::Boolean => KIND_BOOL,
            ValueType::String => KIND_STRING,
            ValueType::Binary => KIND_BINARY,
        });
        floats::encode(&[], &mut out);
        integers::encode(if let Column::Integer(v) = values { v } else { &[] }, &mut out);
        match values {
            Column::Boolean(v) => booleans::encode(v.iter().copied(), &mut out),
            _ => booleans::encode(std::iter::empty(), &mut out),
        }
        match values {
            Column::String(v) => strings::encode(v.iter().map(String::as_str), &mut out),
            _ => strings::encode(std::iter::empty(), &mut out),
        }
    }
    out.push(0);
    out
}

/// Splits `n` column values into chunk-sized runs, as [`pieces`] splits points.
pub(crate) fn column_pieces(values: Column<'_>) -> Vec<std::ops::Range<usize>> {
    let n = values.len();
    let mut out = Vec::with_capacity(n / CHUNK_POINTS + 1);
    if !matches!(values, Column::String(_)) {
        // Fixed-size values never reach CHUNK_BYTES in a chunk of CHUNK_POINTS.
        out.extend((0..n).step_by(CHUNK_POINTS).map(|s| s..(s + CHUNK_POINTS).min(n)));
        return out;
    }
    let (mut start, mut bytes) = (0, 0);
    for i in 0..n {
        let b = values.raw_bytes(i);
        if i > start && (i - start == CHUNK_POINTS || bytes + b > CHUNK_BYTES) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += b;
    }
    if start < n {
        out.push(start..n);
    }
    out
}

/// Appends the values of a chunk with `start <= timestamp <= last` to `out` (newest first
/// when `newest_first`), until it is full. A single-type compressed chunk goes from its
/// decoded columns to the output vectors without building points.
pub(crate) fn decode_columns_into(bytes: &[u8], start: i64, last: i64, newest_first: bool, out: &mut ColumnsBuilder) -> Result<()> {
    let c = if head::is_head(bytes) { None } else { Some(decode_columns(bytes, false)?) };
    let mut c = match c {
        Some(c) if c.kinds.is_none() => c,
        // Raw heads (at most 64 points) and mixed chunks: point by point.
        other => {
            let points = match other {
                Some(c) => assemble(c)?,
                None => head::decode(bytes)?,
            };
            let mut points: Vec<DataPoint> = points.into_iter().filter(|p| p.timestamp >= start && p.timestamp <= last).collect();
            if newest_first {
                points.reverse();
            }
            for p in points.into_iter().take(out.room()) {
                out.push_point(p)?;
            }
            return Ok(());
        }
    };
    // Stored chunks are sorted: the range is one run of positions.
    let lo = c.ts.partition_point(|&t| t < start);
    let hi = c.ts.partition_point(|&t| t <= last);
    let take = (hi.saturating_sub(lo)).min(out.room());
    if take == 0 {
        return Ok(());
    }
    let sel = if newest_first { hi - take..hi } else { lo..lo + take };
    let at = c.ts[sel.start];
    fn extend<T>(dst: &mut Vec<T>, src: &mut Vec<T>, sel: std::ops::Range<usize>, rev: bool) {
        if rev {
            dst.extend(src.drain(sel).rev());
        } else {
            dst.extend(src.drain(sel));
        }
    }
    let ty = match c.kind {
        KIND_FLOAT => ValueType::Float,
        KIND_INT => ValueType::Integer,
        KIND_BOOL => ValueType::Boolean,
        KIND_STRING => ValueType::String,
        _ => ValueType::Binary,
    };
    let stored = match ty {
        ValueType::Float => c.floats.len(),
        ValueType::Integer => c.ints.len(),
        ValueType::Boolean => c.bools.len(),
        ValueType::String => c.strings.len(),
        ValueType::Binary => c.ts.len(),
    };
    if stored != c.ts.len() {
        return Err(corrupted("value column and timestamps differ in length"));
    }
    match out.values(ty, at)? {
        ColumnValues::Float(v) => extend(v, &mut c.floats, sel.clone(), newest_first),
        ColumnValues::Integer(v) => extend(v, &mut c.ints, sel.clone(), newest_first),
        ColumnValues::Boolean(v) => extend(v, &mut c.bools, sel.clone(), newest_first),
        ColumnValues::String(v) => extend(v, &mut c.strings, sel.clone(), newest_first),
    }
    extend(&mut out.timestamps, &mut c.ts, sel, newest_first);
    Ok(())
}

/// Decodes a chunk written by [`encode`] (or a raw head); any inconsistency is `Corrupted`.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<DataPoint>> {
    if head::is_head(bytes) {
        return head::decode(bytes);
    }
    let c = decode_columns(bytes, true)?;
    if c.kinds.is_none() && c.kind == KIND_FLOAT && c.quality.is_none() && c.metadata.is_none() {
        // The common case: plain floats.
        return Ok(c
            .ts
            .into_iter()
            .zip(c.floats)
            .map(|(timestamp, f)| DataPoint { timestamp, value: MetricValue::Float(f), quality: None, metadata: None })
            .collect());
    }
    assemble(c)
}

/// Zips decoded columns into points.
fn assemble(c: Columns) -> Result<Vec<DataPoint>> {
    let n = c.ts.len();
    let (mut fl, mut ints, mut bools, mut strs) = (c.floats.into_iter(), c.ints.into_iter(), c.bools.into_iter(), c.strings.into_iter());
    let mut quality = c.quality.map(|q| q.into_iter());
    let mut metadata = c.metadata.map(|m| m.into_iter());
    let mut points = Vec::with_capacity(n);
    for (i, timestamp) in c.ts.into_iter().enumerate() {
        let kind = c.kinds.as_ref().map_or(c.kind, |k| k[i]);
        let value = match kind {
            KIND_FLOAT => fl.next().map(MetricValue::Float),
            KIND_INT => ints.next().map(MetricValue::Integer),
            KIND_BOOL => bools.next().map(MetricValue::Boolean),
            KIND_STRING => strs.next().map(MetricValue::String),
            _ => Some(MetricValue::Binary(Vec::new())),
        }
        .ok_or_else(|| corrupted(&format!("value {i} missing")))?;
        let quality = quality.as_mut().and_then(|q| q.next()).flatten();
        let metadata = metadata.as_mut().and_then(|m| m.next()).flatten();
        points.push(DataPoint { timestamp, value, quality, metadata });
    }
    Ok(points)
}

/// Timestamps and numeric values (`None` for booleans and strings) of a chunk, for
/// aggregation: no points are built and quality and metadata are skipped.
pub(crate) fn decode_numeric(bytes: &[u8]) -> Result<(Vec<i64>, Vec<Option<f64>>)> {
    if head::is_head(bytes) {
        return Ok(head::decode(bytes)?.into_iter().map(|p| (p.timestamp, p.value.as_f64())).unzip());
    }
    let c = decode_columns(bytes, false)?;
    let values: Vec<Option<f64>> = match (&c.kinds, c.kind) {
        (None, KIND_FLOAT) => c.floats.into_iter().map(Some).collect(),
        (None, KIND_INT) => c.ints.into_iter().map(|i| Some(i as f64)).collect(),
        (None, _) => vec![None; c.ts.len()],
        (Some(kinds), _) => {
            let (mut fl, mut ints) = (c.floats.into_iter(), c.ints.into_iter());
            kinds
                .iter()
                .map(|&k| match k {
                    KIND_FLOAT => fl.next(),
                    KIND_INT => ints.next().map(|i| i as f64),
                    _ => None,
                })
                .collect()
        }
    };
    Ok((c.ts, values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = MetricValue> {
        prop_oneof![
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(MetricValue::Float),
            (-100_000i64..100_000).prop_map(|m| MetricValue::Float(m as f64 / 100.0)),
            any::<i64>().prop_map(MetricValue::Integer),
            any::<bool>().prop_map(MetricValue::Boolean),
            ".{0,12}".prop_map(MetricValue::String),
            // As chunks decode it: the bytes live in ts_blobs.
            Just(MetricValue::Binary(Vec::new())),
        ]
    }

    fn point() -> impl Strategy<Value = DataPoint> {
        (any::<i64>(), value(), proptest::option::of(any::<f32>()), proptest::option::of(any::<i32>())).prop_map(
            |(timestamp, value, quality, meta)| DataPoint {
                timestamp,
                value,
                quality,
                metadata: meta.map(|m| serde_json::json!({ "n": m })),
            },
        )
    }

    /// Points compare bitwise for floats (so -0.0 and 0.0 differ, NaN quality equals itself).
    fn same(a: &[DataPoint], b: &[DataPoint]) -> bool {
        let key = |p: &DataPoint| {
            let v = match &p.value {
                MetricValue::Float(f) => format!("f{}", f.to_bits()),
                other => format!("{other:?}"),
            };
            (p.timestamp, v, p.quality.map(f32::to_bits), p.metadata.clone())
        };
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| key(x) == key(y))
    }

    proptest! {
        #[test]
        fn any_points_round_trip(mut points in proptest::collection::vec(point(), 0..200), sorted in any::<bool>()) {
            if sorted {
                points.sort_by_key(|p| p.timestamp);
            }
            let bytes = encode(&points);
            prop_assert!(same(&decode(&bytes).unwrap(), &points));
            let s = ChunkSummary::read(&bytes).unwrap();
            prop_assert_eq!(s.count, points.len() as u64);
            let (lo, hi) = (points.first().map_or(0, |p| p.timestamp), points.last().map_or(0, |p| p.timestamp));
            let mut ranged = Vec::new();
            decode_range_into(&bytes, lo.min(hi), lo.max(hi), &mut ranged, 10).unwrap();
            let expected: Vec<DataPoint> = points.iter().filter(|p| p.timestamp >= lo.min(hi) && p.timestamp <= lo.max(hi)).take(10).cloned().collect();
            prop_assert!(same(&ranged, &expected));
            let (ts, values) = decode_numeric(&bytes).unwrap();
            prop_assert_eq!(ts, points.iter().map(|p| p.timestamp).collect::<Vec<_>>());
            prop_assert_eq!(
                values.iter().map(|v| v.map(f64::to_bits)).collect::<Vec<_>>(),
                points.iter().map(|p| p.value.as_f64().map(f64::to_bits)).collect::<Vec<_>>()
            );
            prop_assert_eq!(s.numeric.map_or(0, |n| n.count), points.iter().filter(|p| p.value.as_f64().is_some()).count() as u64);
        }

        #[test]
        fn garbage_is_corrupted_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            if let Err(e) = decode(&bytes) {
                prop_assert!(matches!(e, crate::StorageError::Corrupted(_)), "{e:?}");
            }
            if let Err(e) = decode_numeric(&bytes) {
                prop_assert!(matches!(e, crate::StorageError::Corrupted(_)), "{e:?}");
            }
            if let Err(e) = ChunkSummary::read(&bytes) {
                prop_assert!(matches!(e, crate::StorageError::Corrupted(_)), "{e:?}");
            }
        }

        #[test]
        fn flipped_bytes_never_panic(points in proptest::collection::vec(point(), 1..50), at in any::<usize>(), x in 1u8..) {
            let mut bytes = encode(&points);
            let i = at % bytes.len();
            bytes[i] ^= x;
            let _ = decode(&bytes);
            bytes.truncate(i);
            prop_assert!(decode(&bytes).is_err());
        }
    }

    /// `bytes` as the format before the newest-point block (files written by older builds).
    fn without_newest_block(bytes: &[u8]) -> Vec<u8> {
        let mut r = ByteReader::new(&bytes[1..]);
        ChunkSummary::decode(&mut r).unwrap();
        let summary_end = bytes.len() - r.remaining();
        r.block().unwrap();
        let block_end = bytes.len() - r.remaining();
        let format = if head::is_head(bytes) { head::FORMAT_RAW_V1 } else { FORMAT_V1 };
        [&[format][..], &bytes[1..summary_end], &bytes[block_end..]].concat()
    }

    #[test]
    fn columns_encode_like_points_and_decode_into_columns() {
        let ts: Vec<i64> = (0..300).map(|i| i * 7 - 1000).chain([i64::MAX]).collect();
        let floats: Vec<f64> = ts.iter().map(|&t| (t % 13) as f64 / 4.0).collect();
        let ints: Vec<i64> = ts.iter().map(|&t| t.wrapping_mul(3)).collect();
        let bools: Vec<bool> = ts.iter().map(|&t| t % 3 == 0).collect();
        let strings: Vec<String> = ts.iter().map(|t| format!("s{t}")).collect();
        for col in [Column::Float(&floats), Column::Integer(&ints), Column::Boolean(&bools), Column::String(&strings)] {
            let points: Vec<DataPoint> = ts.iter().enumerate().map(|(i, &t)| DataPoint::new(t, col.value(i))).collect();
            let bytes = encode_columns(&ts, col);
            assert_eq!(bytes, encode(&points), "{:?}", col.value_type());
            assert_eq!(newest_point(&bytes).unwrap(), points.last().cloned());
            for newest_first in [false, true] {
                let mut out = ColumnsBuilder::new(50);
                decode_columns_into(&bytes, -500, i64::MAX, newest_first, &mut out).unwrap();
                let cols = out.finish();
                let mut want: Vec<&DataPoint> = points.iter().filter(|p| p.timestamp >= -500).collect();
                if newest_first {
                    want.reverse();
                }
                want.truncate(50);
                assert_eq!(cols.timestamps, want.iter().map(|p| p.timestamp).collect::<Vec<_>>());
                let got: Vec<MetricValue> = (0..cols.len()).map(|i| cols.values.as_column().value(i)).collect();
                assert_eq!(got, want.iter().map(|p| p.value.clone()).collect::<Vec<_>>());
            }
        }
        // A mixed chunk through columns names both types.
        let mixed = encode(&[DataPoint::new(1, 1.5), DataPoint::new(2, 3i64)]);
        let err = decode_columns_into(&mixed, 0, 10, false, &mut ColumnsBuilder::new(10)).unwrap_err().to_string();
        assert!(err.contains("float values and integer values (the first at timestamp 2)"), "{err}");
        // ...but a range holding one type of it reads.
        let mut out = ColumnsBuilder::new(10);
        decode_columns_into(&mixed, 2, 2, false, &mut out).unwrap();
        assert_eq!(out.finish().values, ColumnValues::Integer(vec![3]));
    }

    #[test]
    fn chunks_of_the_previous_format_still_read() {
        let mut points: Vec<DataPoint> = (0..40).map(|i| DataPoint::new(i, i as f64 / 2.0)).collect();
        points[39].quality = Some(0.5);
        for bytes in [encode(&points), head::encode(&points)] {
            let old = without_newest_block(&bytes);
            assert_ne!(old[0], bytes[0]);
            assert!(same(&decode(&old).unwrap(), &points));
            assert_eq!(ChunkSummary::read(&old).unwrap(), ChunkSummary::read(&bytes).unwrap());
            assert_eq!(newest_point(&old).unwrap(), points.last().cloned());
            assert_eq!(newest_point(&bytes).unwrap(), points.last().cloned());
            assert_eq!(decode_numeric(&old).unwrap(), decode_numeric(&bytes).unwrap());
        }
        let head = head::encode(&points[..10]);
        let new: Vec<&DataPoint> = points[10..].iter().collect();
        let appended = head::append(&without_newest_block(&head), &ChunkSummary::read(&head).unwrap(), &new).unwrap();
        assert_eq!(appended, head::encode(&points));
    }

    #[test]
    fn summary_and_size_of_a_regular_float_series() {
        let points: Vec<DataPoint> =
            (0..1024).map(|i| DataPoint::new(1_700_000_000_000 + i * 1000, 20.0 + (i % 7) as f64 / 100.0)).collect();
        let bytes = encode(&points);
        assert!(bytes.len() < 1024, "{} bytes for 1,024 points", bytes.len());
        let s = ChunkSummary::read(&bytes).unwrap();
        assert_eq!((s.count, s.min_ts, s.max_ts), (1024, 1_700_000_000_000, 1_700_000_000_000 + 1023 * 1000));
        let n = s.numeric.unwrap();
        assert_eq!((n.count, n.min, n.max, n.first, n.last), (1024, 20.0, 20.06, 20.0, 20.0 + (1023 % 7) as f64 / 100.0));
        assert_eq!(decode(&bytes).unwrap(), points);
    }

    #[test]
    fn pieces_respect_count_and_byte_limits() {
        let small: Vec<DataPoint> = (0..2_500).map(|i| DataPoint::new(i, 1.0)).collect();
        let refs: Vec<&DataPoint> = small.iter().collect();
        assert_eq!(pieces(&refs).iter().map(|p| p.len()).collect::<Vec<_>>(), vec![1_024, 1_024, 452]);
        let text = "x".repeat(60 * 1024);
        let big: Vec<DataPoint> = (0..10).map(|i| DataPoint::new(i, text.as_str())).collect();
        let refs: Vec<&DataPoint> = big.iter().collect();
        let lens: Vec<usize> = pieces(&refs).iter().map(|p| p.len()).collect();
        assert_eq!(lens.iter().sum::<usize>(), 10);
        assert!(lens.iter().all(|&n| n * (60 * 1024 + 16) <= CHUNK_BYTES), "{lens:?}");
        assert!(pieces(&[]).is_empty());
    }

    #[test]
    fn mixed_kinds_with_sparse_quality_and_metadata() {
        let mut points = vec![
            DataPoint::new(1, 1.5),
            DataPoint::new(2, 7i64),
            DataPoint::new(3, true),
            DataPoint::new(4, "开"),
            DataPoint::new(5, -0.0),
        ];
        points[1].quality = Some(0.5);
        points[3].metadata = Some(serde_json::json!({"unit": "°C"}));
        let bytes = encode(&points);
        assert!(same(&decode(&bytes).unwrap(), &points));
        let n = ChunkSummary::read(&bytes).unwrap().numeric.unwrap();
        assert_eq!((n.count, n.sum, n.first, n.last), (3, 8.5, 1.5, -0.0));
        assert!(decode(&[]).is_err());
        assert!(decode(&[FORMAT + 1]).is_err());
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(decode(&trailing).is_err());
    }
}

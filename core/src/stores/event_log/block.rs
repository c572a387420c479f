//! Event blocks: how the table `events` holds the log, and the index entries that name them.
//!
//! An append stores its events in blocks of consecutive sequences (at most [`MAX_EVENTS`]
//! events, [`MAX_ROW_BYTES`] of rows, and [`MAX_SPREAD_MS`] between the earliest and latest
//! timestamp), each under the sequence of its first event. The time, type and correlation
//! indexes name blocks, not events: one entry per block (time), per event type in a block,
//! and per correlation id in a block, each listing the events it names as sequence offsets
//! from the block's key. Only the id index keeps an entry per event (ids are unique and can
//! be anything). Why: redb costs about a microsecond per B-tree insert, so four index
//! entries and a row per event made an append slower than SQLite's; a block of a few hundred
//! events is one insert.
//!
//! Files written before blocks hold one event per row and one index entry per event, in the
//! same tables with the same key shapes: a single row reads as a block of one event at its
//! own sequence, and an index entry of that format as an entry naming that one event. So an
//! old log is read, appended to and cleaned up without a conversion.
//!
//! Block value: [`BLOCK`], the number of events (u16, little-endian), then per event the
//! varint offset of its sequence from the key and its row (see `row`) as a length-prefixed
//! block, in sequence order.

use super::row::{self, Row};
use super::EventText;
use crate::error::{Result, StorageError};
use crate::storage::backend::WriteBatch;
use crate::storage::key::KeyBuilder;
use crate::stores::timeseries::codec::{put_block, put_varint, ByteReader};
use std::collections::BTreeMap;
use std::ops::Range;

pub(super) const EVENTS: &str = "events";
pub(super) const BY_TIME: &str = "events_by_time";
pub(super) const BY_TYPE: &str = "events_by_type";
pub(super) const BY_CORRELATION: &str = "events_by_correlation";

/// The format byte of a block (a single row of the earlier format starts with 2 or `{`).
const BLOCK: u8 = 3;
/// The first byte of a block's time-index value (an entry of the earlier format holds the
/// event type, UTF-8 text, which never contains this byte).
const SPAN: u8 = 0xff;
/// Events per block at most: a read of one event (by id, or a rare type) reads its block.
const MAX_EVENTS: usize = 512;
const _: () = assert!(MAX_EVENTS <= u16::MAX as usize, "the count is stored in a u16");
/// Bytes of rows per block at most (a larger event gets a block of its own).
const MAX_ROW_BYTES: usize = 32 * 1024;
/// Largest span of timestamps in one block: a time or type read starts its index scan this
/// much before its range (by the largest span stored, kept in the meta table).
pub(super) const MAX_SPREAD_MS: i64 = 3_600_000;

/// The key of an event or block in table `events`.
pub(super) fn seq_key(seq: u64) -> Vec<u8> {
    KeyBuilder::new().u64(seq).finish()
}

fn damaged(key: u64) -> StorageError {
    StorageError::Corrupted(format!("event block {key}: the stored block is damaged"))
}

/// The events of a stored value of table `events` under `key`: (sequence, where its row
/// lies in `value`) in sequence order. A row of the earlier format is one event at `key`.
pub(super) fn row_ranges(key: u64, value: &[u8]) -> Result<Vec<(u64, Range<usize>)>> {
    if value.first() != Some(&BLOCK) {
        return Ok(vec![(key, 0..value.len())]);
    }
    let mut out = Vec::new();
    walk(key, value, |seq, at| {
        out.push((seq, at));
        true
    })?;
    Ok(out)
}

/// The row of event `seq` in the stored value under `key`, if it holds that event: a block
/// is read only up to it.
pub(super) fn find(key: u64, value: &[u8], seq: u64) -> Result<Option<&[u8]>> {
    if value.first() != Some(&BLOCK) {
        return Ok((key == seq).then_some(value));
    }
    let mut found = None;
    walk(key, value, |s, at| {
        if s == seq {
            found = Some(at);
        }
        s < seq
    })?;
    Ok(found.map(|at| &value[at]))
}

/// Hands `visit` each event of a block (sequence, where its row lies in `value`), in order,
/// until it returns false, checking the framing as it goes (and, when it reads to the end,
/// that the count and the bytes agree).
fn walk(key: u64, value: &[u8], mut visit: impl FnMut(u64, Range<usize>) -> bool) -> Result<()> {
    let mut r = ByteReader::new(&value[1..]);
    let count = u16::from_le_bytes(r.array().map_err(|_| damaged(key))?);
    let mut previous = None;
    for _ in 0..count {
        let seq = r.varint().ok().and_then(|d| key.checked_add(d)).ok_or_else(|| damaged(key))?;
        if previous.is_some_and(|p| p >= seq) {
            return Err(damaged(key));
        }
        previous = Some(seq);
        let len = r.len(r.remaining()).map_err(|_| damaged(key))?;
        let start = value.len() - r.remaining();
        r.bytes(len).map_err(|_| damaged(key))?;
        if !visit(seq, start..start + len) {
            return Ok(());
        }
    }
    if count == 0 || !r.is_empty() {
        return Err(damaged(key));
    }
    Ok(())
}

/// [`row_ranges`] as (sequence, row bytes).
pub(super) fn rows(key: u64, value: &[u8]) -> Result<Vec<(u64, &[u8])>> {
    if value.first() != Some(&BLOCK) {
        return Ok(vec![(key, value)]);
    }
    let mut out = Vec::new();
    walk(key, value, |seq, at| {
        out.push((seq, &value[at]));
        true
    })?;
    Ok(out)
}

/// The index entries of one block: its time span, and per type and per correlation id the
/// offsets of the events that have it.
#[derive(Default)]
struct Entries {
    span: Option<(i64, i64)>,
    types: BTreeMap<String, (i64, i64, Vec<u8>)>,
    correlations: BTreeMap<String, Vec<u8>>,
}

impl Entries {
    /// Adds the event at `offset` from the block's key.
    fn add(&mut self, offset: u64, event_type: &str, ts: i64, correlation_id: Option<&str>) {
        self.span = Some(self.span.map_or((ts, ts), |(lo, hi)| (lo.min(ts), hi.max(ts))));
        // A block holds a few types and chains: look up before allocating a key.
        let t = match self.types.get_mut(event_type) {
            Some(t) => t,
            None => self.types.entry(event_type.to_string()).or_insert((ts, ts, Vec::new())),
        };
        (t.0, t.1) = (t.0.min(ts), t.1.max(ts));
        put_varint(&mut t.2, offset);
        if let Some(c) = correlation_id {
            let offsets = match self.correlations.get_mut(c) {
                Some(o) => o,
                None => self.correlations.entry(c.to_string()).or_default(),
            };
            put_varint(offsets, offset);
        }
    }

    /// Stages the entries of the block at `key`.
    fn put(&self, batch: &mut WriteBatch, key: u64) {
        let Some((lo, hi)) = self.span else { return };
        let mut span = vec![SPAN];
        span.extend_from_slice(&hi.to_le_bytes());
        batch.put(BY_TIME, time_key(lo, key), span);
        for (event_type, (lo, hi, offsets)) in &self.types {
            let mut v = hi.to_le_bytes().to_vec();
            v.extend_from_slice(offsets);
            batch.put(BY_TYPE, type_key(event_type, *lo, key), v);
        }
        for (c, offsets) in &self.correlations {
            batch.put(BY_CORRELATION, correlation_key(c, key), offsets.clone());
        }
    }

    /// Stages the removal of the entries of the block at `key`.
    fn delete(&self, batch: &mut WriteBatch, key: u64) {
        let Some((lo, _)) = self.span else { return };
        batch.delete(BY_TIME, time_key(lo, key));
        for (event_type, (lo, _, _)) in &self.types {
            batch.delete(BY_TYPE, type_key(event_type, *lo, key));
        }
        for c in self.correlations.keys() {
            batch.delete(BY_CORRELATION, correlation_key(c, key));
        }
    }
}

pub(super) fn time_key(min_ts: i64, key: u64) -> Vec<u8> {
    KeyBuilder::new().i64(min_ts).u64(key).finish()
}

pub(super) fn type_key(event_type: &str, min_ts: i64, key: u64) -> Vec<u8> {
    KeyBuilder::new().str(event_type).i64(min_ts).u64(key).finish()
}

pub(super) fn correlation_key(correlation_id: &str, key: u64) -> Vec<u8> {
    KeyBuilder::new().str(correlation_id).u64(key).finish()
}

/// The events a type index entry names: the latest timestamp among them and their
/// sequences.
pub(super) struct Named {
    pub(super) max_ts: i64,
    pub(super) sequences: Vec<u64>,
}

/// The latest timestamp of the block at `key` from its time-index entry (whose key holds the
/// earliest, `min_ts`); the entry names every event of the block. An entry of the earlier
/// format names one event, at `min_ts`.
pub(super) fn read_time_entry(min_ts: i64, key: u64, value: &[u8]) -> Result<i64> {
    match value {
        [SPAN, rest @ ..] => Ok(i64::from_le_bytes(rest.try_into().map_err(|_| damaged_entry(BY_TIME, key))?)),
        _ => Ok(min_ts),
    }
}

/// Reads a type-index entry of the block at `key` (earliest timestamp `min_ts`).
pub(super) fn read_type_entry(min_ts: i64, key: u64, value: &[u8]) -> Result<Named> {
    if value.is_empty() {
        return Ok(Named { max_ts: min_ts, sequences: vec![key] });
    }
    let (hi, offsets) = value.split_at_checked(8).ok_or_else(|| damaged_entry(BY_TYPE, key))?;
    let max_ts = i64::from_le_bytes(hi.try_into().map_err(|_| damaged_entry(BY_TYPE, key))?);
    Ok(Named { max_ts, sequences: offsets_of(BY_TYPE, key, offsets)? })
}

/// The sequences a correlation-index entry of the block at `key` names.
pub(super) fn read_correlation_entry(key: u64, value: &[u8]) -> Result<Vec<u64>> {
    if value.is_empty() {
        return Ok(vec![key]);
    }
    offsets_of(BY_CORRELATION, key, value)
}

fn offsets_of(table: &str, key: u64, bytes: &[u8]) -> Result<Vec<u64>> {
    let mut r = ByteReader::new(bytes);
    let mut out: Vec<u64> = Vec::new();
    while !r.is_empty() {
        let seq = r.varint().ok().and_then(|d| key.checked_add(d)).ok_or_else(|| damaged_entry(table, key))?;
        if out.last().is_some_and(|prev| *prev >= seq) {
            return Err(damaged_entry(table, key));
        }
        out.push(seq);
    }
    if out.is_empty() {
        return Err(damaged_entry(table, key));
    }
    Ok(out)
}

fn damaged_entry(table: &str, key: u64) -> StorageError {
    StorageError::Corrupted(format!("{table}: the entry of event block {key} is damaged"))
}

/// A block being filled with events in sequence order.
pub(super) struct BlockBuilder {
    key: u64,
    bytes: Vec<u8>,
    row: Vec<u8>,
    row_bytes: usize,
    count: usize,
    entries: Entries,
}

impl BlockBuilder {
    /// An empty block whose key is `key` (the sequence of its first event).
    pub(super) fn new(key: u64) -> Self {
        BlockBuilder { key, bytes: vec![BLOCK, 0, 0], row: Vec::new(), row_bytes: 0, count: 0, entries: Entries::default() }
    }

    /// Whether `e` may join the block (an empty block takes any event).
    pub(super) fn fits(&self, e: &EventText<'_>) -> bool {
        let Some((lo, hi)) = self.entries.span else { return true };
        self.count < MAX_EVENTS
            && self.row_bytes + row::encoded_len(e) <= MAX_ROW_BYTES
            && hi.max(e.timestamp).abs_diff(lo.min(e.timestamp)) <= MAX_SPREAD_MS as u64
    }

    /// Adds the event with sequence `seq` (greater than the last one added); returns its
    /// row's size.
    pub(super) fn push(&mut self, seq: u64, e: &EventText<'_>) -> usize {
        let offset = seq - self.key;
        put_varint(&mut self.bytes, offset);
        self.row.clear();
        row::encode(e, &mut self.row);
        put_block(&mut self.bytes, &self.row);
        self.row_bytes += self.row.len();
        self.count += 1;
        self.entries.add(offset, e.event_type, e.timestamp, e.correlation_id);
        self.row.len()
    }

    /// Stages the block and its index entries (nothing for an empty block); returns the span
    /// of its timestamps.
    pub(super) fn stage(self, batch: &mut WriteBatch) -> Option<(i64, i64)> {
        if self.count == 0 {
            return None;
        }
        let mut bytes = self.bytes;
        bytes[1..3].copy_from_slice(&(self.count as u16).to_le_bytes());
        self.entries.put(batch, self.key);
        batch.put(EVENTS, seq_key(self.key), bytes);
        self.entries.span
    }
}

/// Stages the removal of the block at `key` holding `rows` (sequence, row bytes, row), with
/// its index entries.
pub(super) fn stage_removal(batch: &mut WriteBatch, key: u64, rows: &[(u64, &[u8], Row<'_>)]) {
    let mut entries = Entries::default();
    for (seq, _, row) in rows {
        let (_, event_type, ts, correlation_id) = row.keys();
        entries.add(seq - key, event_type, ts, correlation_id);
    }
    entries.delete(batch, key);
    batch.delete(EVENTS, seq_key(key));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(id: &'a str, ts: i64, event_type: &'a str, correlation_id: Option<&'a str>) -> EventText<'a> {
        EventText { event_id: id, event_type, data: "{}", correlation_id, causation_id: None, source: "s", timestamp: ts }
    }

    #[test]
    fn a_block_reads_back_its_events_and_single_rows_read_as_one() {
        let mut b = BlockBuilder::new(10);
        b.push(10, &text("a", 5, "t", Some("c")));
        b.push(12, &text("b", 7, "u", None));
        let mut batch = WriteBatch::new();
        assert_eq!(b.stage(&mut batch), Some((5, 7)));
        let value = batch.ops().iter().find_map(|op| match op {
            crate::storage::backend::WriteOp::Put { table: EVENTS, value, .. } => Some(value.clone()),
            _ => None,
        });
        let value = value.unwrap();
        let back = rows(10, &value).unwrap();
        assert_eq!(back.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [10, 12]);
        assert!(matches!(Row::read(back[1].1, 12).unwrap(), Row::Binary(e) if e.event_id == "b"));
        assert_eq!(find(10, &value, 12).unwrap(), Some(back[1].1));
        assert_eq!((find(10, &value, 11).unwrap(), find(10, &value, 13).unwrap()), (None, None));
        assert_eq!(find(4, b"{}", 4).unwrap(), Some(&b"{}"[..]), "a row of the earlier format");
        assert_eq!(find(4, b"{}", 5).unwrap(), None);
        let single = rows(4, br#"{"x":1}"#).unwrap();
        assert_eq!(single, [(4, &br#"{"x":1}"#[..])]);
        // 1 block + 1 span + 2 types + 1 correlation.
        assert_eq!(batch.len(), 5);
    }

    #[test]
    fn damaged_blocks_and_entries_are_corrupted() {
        let mut b = BlockBuilder::new(1);
        b.push(1, &text("a", 5, "t", None));
        b.push(2, &text("b", 6, "t", None));
        let mut batch = WriteBatch::new();
        b.stage(&mut batch);
        let value = match &batch.ops()[batch.len() - 1] {
            crate::storage::backend::WriteOp::Put { value, .. } => value.clone(),
            other => panic!("{other:?}"),
        };
        for cut in 1..value.len() {
            assert!(rows(1, &value[..cut]).is_err(), "cut at {cut}");
        }
        assert!(rows(1, &[BLOCK, 2, 0, 1, 0, 1, 0]).is_err(), "sequences must increase");
        assert!(rows(1, &[BLOCK, 0, 0]).is_err(), "a block holds an event");
        assert!(read_type_entry(0, 1, &[1, 2, 3]).is_err());
        assert!(read_type_entry(0, 1, &[0; 8]).is_err(), "an entry names at least one event");
        assert!(read_correlation_entry(1, &[0x80]).is_err());
        assert!(read_time_entry(0, 1, &[SPAN, 1]).is_err());
        assert_eq!(read_time_entry(3, 1, b"device.offline").unwrap(), 3, "an entry of the earlier format");
        assert_eq!(read_type_entry(3, 9, &[]).unwrap().sequences, [9]);
    }

    #[test]
    fn a_block_is_cut_by_count_bytes_and_time_spread() {
        let mut b = BlockBuilder::new(1);
        assert!(b.fits(&text("a", 0, "t", None)));
        b.push(1, &text("a", 0, "t", None));
        assert!(b.fits(&text("b", MAX_SPREAD_MS, "t", None)));
        assert!(!b.fits(&text("b", MAX_SPREAD_MS + 1, "t", None)));
        assert!(!b.fits(&text("b", -1 - MAX_SPREAD_MS, "t", None)));
        let big = "x".repeat(MAX_ROW_BYTES);
        assert!(!b.fits(&EventText { data: &big, ..text("b", 0, "t", None) }));
        for seq in 2..=MAX_EVENTS as u64 {
            b.push(seq, &text("e", 0, "t", None));
        }
        assert!(!b.fits(&text("last", 0, "t", None)));
    }
}

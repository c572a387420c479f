//! Event log (seed section 5): an append-only, sequenced log of system events.
//!
//! `append` assigns the next sequence number. Sequences increase strictly and are never
//! reused, not after cleanup and not after reopen: the counter is persisted with each append.
//!
//! Tables (see `block` for how events are grouped):
//! - `events`: sequence of a block's first event -> the block of events (each a `row`:
//!   binary, the payload as JSON text)
//! - `events_by_id`: event_id -> sequence
//! - `events_by_time`: (earliest timestamp, block) -> latest timestamp
//! - `events_by_type`: (event_type, its earliest timestamp, block) -> latest timestamp, events
//! - `events_by_correlation`: (correlation_id, block) -> events

use crate::error::{Result, StorageError};
use crate::limits::{check_id, check_json_depth, check_json_size, check_json_text, CLEANUP_BATCH};
use crate::page::Page;
use crate::range::TimeRange;
use crate::retention_window::RetentionWindow;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::{Engine, META};
use crate::storage::indexed_records::time_range;
use crate::storage::key::{KeyBuilder, KeyReader};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;
use std::ops::RangeBounds;
use std::rc::Rc;
use std::sync::Arc;

mod block;
mod row;
use block::{seq_key, BlockBuilder, BY_CORRELATION, BY_TIME, BY_TYPE, EVENTS};
use row::Row;

const BY_ID: &str = "events_by_id";
const NEXT_SEQ: &[u8] = b"events.next_sequence";
const TOTAL_BYTES: &[u8] = b"events.total_bytes";
/// The largest span of timestamps of a stored block (never lowered: a bound, not a tally).
const MAX_SPREAD: &[u8] = b"events.max_spread";

/// Where an event came from and how it relates to others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMetadata {
    /// Id shared by every event of one causal chain (`null` when omitted in JSON).
    pub correlation_id: Option<String>,
    /// Id of the event that caused this one (`null` when omitted in JSON).
    pub causation_id: Option<String>,
    /// Component that emitted the event (`rule_engine`, `mqtt`, ...).
    pub source: String,
    /// When it happened (Unix ms).
    pub timestamp: i64,
}

/// A stored event (seed section 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLogEntry {
    /// Caller-chosen unique id.
    pub event_id: String,
    /// Event type (`device.offline`, `rule.triggered`, ...).
    pub event_type: String,
    /// Event payload.
    pub event_data: serde_json::Value,
    /// Source, time and causal links.
    pub metadata: EventMetadata,
    /// Position in the log, assigned by `append`.
    pub sequence: u64,
}

/// An event to append: an [`EventLogEntry`] before it has a sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// Caller-chosen unique id.
    pub event_id: String,
    /// Event type.
    pub event_type: String,
    /// Event payload (`null` when omitted in JSON).
    #[serde(default)]
    pub event_data: serde_json::Value,
    /// Source, time and causal links.
    pub metadata: EventMetadata,
}

impl NewEvent {
    /// An event without correlation or causation.
    pub fn new(event_id: &str, event_type: &str, source: &str, timestamp: i64, event_data: serde_json::Value) -> Self {
        NewEvent {
            event_id: event_id.into(),
            event_type: event_type.into(),
            event_data,
            metadata: EventMetadata { correlation_id: None, causation_id: None, source: source.into(), timestamp },
        }
    }

    /// The same event, part of the chain `correlation_id`, caused by `causation_id`.
    pub fn caused_by(mut self, correlation_id: &str, causation_id: Option<&str>) -> Self {
        self.metadata.correlation_id = Some(correlation_id.into());
        self.metadata.causation_id = causation_id.map(Into::into);
        self
    }

    fn validate(&self) -> Result<()> {
        let m = &self.metadata;
        check_ids(&self.event_id, &self.event_type, &m.source, m.correlation_id.as_deref(), m.causation_id.as_deref())?;
        check_json_depth("event_data", &self.event_data)
    }
}

/// The id-like fields of an event, each non-empty and not too long.
fn check_ids(event_id: &str, event_type: &str, source: &str, correlation_id: Option<&str>, causation_id: Option<&str>) -> Result<()> {
    check_id("event_id", event_id)?;
    check_id("event_type", event_type)?;
    check_id("source", source)?;
    if let Some(c) = correlation_id {
        check_id("correlation_id", c)?;
    }
    if let Some(c) = causation_id {
        check_id("causation_id", c)?;
    }
    Ok(())
}

/// An event with its payload as JSON text, borrowed: what [`EventLogStore::append_text`]
/// stores as given (the text is checked, not parsed into a value and printed again) and
/// [`EventLogStore::replay_text`] hands out. The fields are those of [`NewEvent`] and its
/// [`EventMetadata`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventText<'a> {
    /// Caller-chosen unique id.
    pub event_id: &'a str,
    /// Event type.
    pub event_type: &'a str,
    /// The payload: one JSON value as text (`"null"` for none).
    pub data: &'a str,
    /// Id shared by every event of one causal chain.
    pub correlation_id: Option<&'a str>,
    /// Id of the event that caused this one.
    pub causation_id: Option<&'a str>,
    /// Component that emitted the event.
    pub source: &'a str,
    /// When it happened (Unix ms).
    pub timestamp: i64,
}

impl<'a> EventText<'a> {
    /// An event's fields with `data` as its payload text.
    fn of(event_id: &'a str, event_type: &'a str, data: &'a str, m: &'a EventMetadata) -> Self {
        EventText {
            event_id,
            event_type,
            data,
            correlation_id: m.correlation_id.as_deref(),
            causation_id: m.causation_id.as_deref(),
            source: &m.source,
            timestamp: m.timestamp,
        }
    }

    fn validate_ids(&self) -> Result<()> {
        check_ids(self.event_id, self.event_type, self.source, self.correlation_id, self.causation_id)
    }
}

/// The sequences [`EventLogStore::append_batch`] assigned: `first..=last`, one per event, in
/// the order of the batch (read the entries back with [`EventLogStore::replay`]`(first - 1, n)`).
///
/// An empty batch stores nothing and returns an empty range: `first` is the sequence the next
/// append will get and `last = first - 1` (the current [`EventLogStore::last_sequence`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SequenceRange {
    /// Sequence of the batch's first event.
    pub first: u64,
    /// Sequence of the batch's last event (`first - 1` for an empty batch).
    pub last: u64,
}

impl SequenceRange {
    /// Number of sequences in the range.
    pub fn len(&self) -> u64 {
        (self.last + 1).saturating_sub(self.first)
    }

    /// Whether the batch was empty.
    pub fn is_empty(&self) -> bool {
        self.first > self.last
    }

    /// The sequences, in order.
    pub fn iter(&self) -> std::ops::RangeInclusive<u64> {
        self.first..=self.last
    }
}

impl From<SequenceRange> for std::ops::RangeInclusive<u64> {
    fn from(r: SequenceRange) -> Self {
        r.iter()
    }
}

/// Event-log retention (the seed's `retention.events`). As JSON, omitted fields take their
/// [`Default`] and unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventRetention {
    /// How long an event is kept (default 7 days; `days` is accepted as its name in JSON).
    #[serde(alias = "days")]
    pub keep: RetentionWindow,
    /// Total size of stored events above which the oldest are dropped first (default 1000).
    pub max_size_mb: u64,
    /// Window per event type, overriding `keep`.
    pub by_type: BTreeMap<String, RetentionWindow>,
}

impl Default for EventRetention {
    fn default() -> Self {
        EventRetention { keep: RetentionWindow::days(7), max_size_mb: 1000, by_type: BTreeMap::new() }
    }
}

/// What an event-log cleanup removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCleanup {
    /// Events older than their retention window.
    pub expired: u64,
    /// Events dropped, oldest first, to get under `max_size_mb`.
    pub over_size: u64,
}

fn id_key(event_id: &str) -> Vec<u8> {
    KeyBuilder::new().str(event_id).finish()
}

/// The block an index key names (its last 8 bytes), and the earliest timestamp the key holds
/// before it (time and type indexes; 0 for the correlation index, whose keys hold none).
fn block_of_index_key(table: &str, k: &[u8]) -> Result<(i64, u64)> {
    let bad = || StorageError::Corrupted(format!("{table} key too short"));
    let at = k.len().checked_sub(8).ok_or_else(bad)?;
    let key = u64::from_be_bytes(k[at..].try_into().map_err(|_| bad())?);
    if table == BY_CORRELATION {
        return Ok((0, key));
    }
    let ts_at = at.checked_sub(8).ok_or_else(bad)?;
    Ok((KeyReader::new(&k[ts_at..at]).i64()?, key))
}

fn decode_seq(v: &[u8]) -> Result<u64> {
    Ok(u64::from_le_bytes(v.try_into().map_err(|_| StorageError::Corrupted("event sequence is not 8 bytes".into()))?))
}

/// Store of events. Cheap to clone; obtain it from `StorageManager::events()`.
#[derive(Clone)]
pub struct EventLogStore {
    engine: Arc<Engine>,
}

impl EventLogStore {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        EventLogStore { engine }
    }

    /// Appends one event; returns it with its sequence.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, NewEvent};
    /// let db = StorageManager::in_memory().unwrap();
    /// let e = db.events().append(&NewEvent::new("e1", "device.online", "mqtt", 1_000, serde_json::json!({"device": "t1"}))).unwrap();
    /// assert_eq!(e.sequence, 1);
    /// ```
    pub fn append(&self, event: &NewEvent) -> Result<EventLogEntry> {
        let range = self.append_batch(std::slice::from_ref(event))?;
        Ok(EventLogEntry {
            event_id: event.event_id.clone(),
            event_type: event.event_type.clone(),
            event_data: event.event_data.clone(),
            metadata: event.metadata.clone(),
            sequence: range.first,
        })
    }

    /// Appends events in one transaction, in order; either all are stored or none. Returns
    /// the sequences assigned (`first..=last`, one per event in batch order); the stored
    /// entries are read back with [`replay`](Self::replay). An empty batch stores nothing and
    /// returns an empty range (see [`SequenceRange`]).
    /// A duplicate `event_id` (stored or within the batch) fails with `Conflict`.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, NewEvent};
    /// let db = StorageManager::in_memory().unwrap();
    /// let batch: Vec<NewEvent> =
    ///     (0..3).map(|i| NewEvent::new(&format!("e{i}"), "tick", "clock", i, serde_json::json!({"i": i}))).collect();
    /// let range = db.events().append_batch(&batch).unwrap();
    /// assert_eq!((range.first, range.last), (1, 3));
    /// let stored = db.events().replay(range.first - 1, range.len() as usize).unwrap();
    /// assert_eq!(stored[2].event_id, "e2");
    /// assert!(db.events().append_batch(&[]).unwrap().is_empty());
    /// ```
    pub fn append_batch(&self, events: &[NewEvent]) -> Result<SequenceRange> {
        let mut payloads = Vec::with_capacity(events.len());
        for e in events {
            e.validate()?;
            let data = serde_json::to_string(&e.event_data).map_err(|err| StorageError::invalid("event_data", err.to_string()))?;
            check_json_size("event_data", data.len())?;
            payloads.push(data);
        }
        let texts: Vec<EventText<'_>> =
            events.iter().zip(&payloads).map(|(e, data)| EventText::of(&e.event_id, &e.event_type, data, &e.metadata)).collect();
        self.append_checked(&texts)
    }

    /// [`append_batch`](Self::append_batch) for events whose payload is JSON text: the text
    /// is checked (one well-formed JSON value, the same depth and size limits) and stored as
    /// given, so [`replay_text`](Self::replay_text) returns it byte for byte, and a replay as
    /// values parses it. A refused field's message names its element (`events[3]: ...`). For
    /// callers that hold JSON text already (the C API's structs).
    ///
    /// ```
    /// use neotalk_storage::{EventText, StorageManager};
    /// let db = StorageManager::in_memory().unwrap();
    /// let e = EventText { event_id: "e1", event_type: "tick", data: r#"{"n": 1}"#, correlation_id: None,
    ///                     causation_id: None, source: "clock", timestamp: 5 };
    /// assert_eq!(db.events().append_text(&[e]).unwrap().first, 1);
    /// assert_eq!(db.events().replay(0, 1).unwrap()[0].event_data["n"], 1);
    /// let bad = EventText { event_id: "e2", data: "{", ..e };
    /// assert!(db.events().append_text(&[bad]).is_err());
    /// ```
    pub fn append_text(&self, events: &[EventText<'_>]) -> Result<SequenceRange> {
        for (i, e) in events.iter().enumerate() {
            e.validate_ids().and_then(|()| check_json_text("event_data", e.data)).map_err(|err| match err {
                StorageError::InvalidInput { field, reason } => StorageError::invalid(field, format!("events[{i}]: {reason}")),
                other => other,
            })?;
        }
        self.append_checked(events)
    }

    /// Appends events whose fields and payloads are checked.
    fn append_checked(&self, events: &[EventText<'_>]) -> Result<SequenceRange> {
        if events.is_empty() {
            let next = Engine::meta_u64(&*self.engine.read()?, NEXT_SEQ)?.max(1);
            return Ok(SequenceRange { first: next, last: next - 1 });
        }
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let first = Engine::meta_u64(&*view, NEXT_SEQ)?.max(1);
        let mut bytes = Engine::meta_u64(&*view, TOTAL_BYTES)?;
        let mut batch = WriteBatch::new();
        let stored_spread = Engine::meta_u64(&*view, MAX_SPREAD)?;
        let mut spread = stored_spread;
        let mut stage = |block: BlockBuilder, batch: &mut WriteBatch| {
            if let Some((lo, hi)) = block.stage(batch) {
                spread = spread.max(hi.abs_diff(lo));
            }
        };
        let mut block = BlockBuilder::new(first);
        for (seq, e) in (first..).zip(events) {
            if !block.fits(e) {
                stage(std::mem::replace(&mut block, BlockBuilder::new(seq)), &mut batch);
            }
            bytes += block.push(seq, e) as u64;
            // The id index checks uniqueness as it inserts: a duplicate fails the commit.
            batch.insert(BY_ID, id_key(e.event_id), seq.to_le_bytes().to_vec());
        }
        stage(block, &mut batch);
        if spread > stored_spread {
            batch.put(META, MAX_SPREAD.to_vec(), spread.to_le_bytes().to_vec());
        }
        let last = first + events.len() as u64 - 1;
        batch.put(META, NEXT_SEQ.to_vec(), (last + 1).to_le_bytes().to_vec());
        batch.put(META, TOTAL_BYTES.to_vec(), bytes.to_le_bytes().to_vec());
        match self.engine.commit(&batch) {
            Ok(()) => Ok(SequenceRange { first, last }),
            Err(StorageError::Conflict(_)) => Err(Self::duplicate_id(&*view, events)?),
            Err(e) => Err(e),
        }
    }

    /// The error of a batch whose id insert found its key (`view` is from before the batch):
    /// names the first id the batch repeats, else the first one already stored.
    fn duplicate_id(view: &dyn ReadView, events: &[EventText<'_>]) -> Result<StorageError> {
        let mut seen = HashSet::with_capacity(events.len());
        if let Some(e) = events.iter().find(|e| !seen.insert(e.event_id)) {
            return Ok(StorageError::Conflict(format!("event id {:?} appears twice in the batch", e.event_id)));
        }
        for e in events {
            if view.get(BY_ID, &id_key(e.event_id))?.is_some() {
                return Ok(StorageError::Conflict(format!("event id {:?} already exists", e.event_id)));
            }
        }
        Ok(StorageError::Conflict("an event id of the batch already exists".into()))
    }

    /// The key of the block that holds `seq` if any does: the greatest key at or below it.
    fn block_key_at_or_before(view: &dyn ReadView, seq: u64) -> Result<Option<u64>> {
        let mut found = None;
        let range = KeyRange { start: Bound::Unbounded, end: Bound::Included(seq_key(seq)) };
        view.scan(EVENTS, &range, Direction::Reverse, &mut |k, _| {
            found = Some(KeyReader::new(k).u64()?);
            Ok(Scan::Stop)
        })?;
        Ok(found)
    }

    /// The stored block under `key`, which an index names.
    fn stored_block(view: &dyn ReadView, key: u64) -> Result<Vec<u8>> {
        view.get(EVENTS, &seq_key(key))?.ok_or_else(|| Self::missing(key))
    }

    /// The stored event `seq`, read from its block (the greatest key at or below it) in the
    /// one scan step that finds the block.
    fn load(view: &dyn ReadView, seq: u64) -> Result<EventLogEntry> {
        let mut entry = None;
        let range = KeyRange { start: Bound::Unbounded, end: Bound::Included(seq_key(seq)) };
        view.scan(EVENTS, &range, Direction::Reverse, &mut |k, v| {
            if let Some(row) = block::find(KeyReader::new(k).u64()?, v, seq)? {
                entry = Some(Row::read(row, seq)?.into_entry(seq)?);
            }
            Ok(Scan::Stop)
        })?;
        entry.ok_or_else(|| Self::missing(seq))
    }

    /// What a block's rows (sorted by sequence) hold for event `seq`, which an index names.
    fn named<T>(rows: &[(u64, T)], seq: u64) -> Result<&T> {
        rows.binary_search_by_key(&seq, |(s, _)| *s).map(|i| &rows[i].1).map_err(|_| Self::missing(seq))
    }

    /// The error of an index entry whose event is gone (a damaged index).
    fn missing(seq: u64) -> StorageError {
        StorageError::Corrupted(format!("index names missing event sequence {seq}"))
    }

    /// The event with this id.
    pub fn get(&self, event_id: &str) -> Result<Option<EventLogEntry>> {
        check_id("event_id", event_id)?;
        let view = self.engine.read()?;
        match view.get(BY_ID, &id_key(event_id))? {
            Some(v) => Ok(Some(Self::load(&*view, decode_seq(&v)?)?)),
            None => Ok(None),
        }
    }

    /// Visits the events with `timestamp` in `range` that the time index (`prefix` empty:
    /// every event) or the type index (`prefix` the type) names, in (timestamp, sequence)
    /// order, one [`Page`] of them.
    ///
    /// An index entry names a block's events, which lie between the earliest timestamp in its
    /// key and the latest in its value; blocks overlap in time, so the scan starts the largest
    /// span before `range` and holds the events found until no later entry can precede them.
    fn each_in_time_order(
        view: &dyn ReadView,
        table: &str,
        prefix: KeyBuilder,
        range: TimeRange,
        page: Page,
        mut visit: impl FnMut(u64, Row<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut pager = page.cursor();
        let Some((first, last)) = range.bounds() else { return Ok(()) };
        if pager.is_full() {
            return Ok(());
        }
        let spread = Engine::meta_u64(view, MAX_SPREAD)?.min(block::MAX_SPREAD_MS as u64) as i64;
        let keys = time_range(prefix, TimeRange::new(first.saturating_sub(spread)..=last)?);
        // Events found and not yet handed out, in the order they go out: (block, row's place).
        type Found = (Rc<Vec<u8>>, std::ops::Range<usize>);
        let mut held: BTreeMap<(i64, u64), Found> = BTreeMap::new();
        // Hands out the held events earlier than `before` (all for `None`).
        let mut hand_out = |held: &mut BTreeMap<_, _>, before: Option<i64>| -> Result<Scan> {
            while let Some(entry) = held.first_entry() {
                let &(ts, seq) = entry.key();
                if before.is_some_and(|b| ts >= b) {
                    break;
                }
                let (value, at): Found = entry.remove();
                if pager.admit() {
                    visit(seq, Row::read(&value[at], seq)?)?;
                }
                if matches!(pager.step(), Scan::Stop) {
                    return Ok(Scan::Stop);
                }
            }
            Ok(Scan::Continue)
        };
        let mut ended = false;
        view.scan(table, &keys, Direction::Forward, &mut |k, v| {
            let (min_ts, key) = block_of_index_key(table, k)?;
            // Held events earlier than this entry's earliest come before all it names.
            if matches!(hand_out(&mut held, Some(min_ts))?, Scan::Stop) {
                ended = true;
                return Ok(Scan::Stop);
            }
            let (max_ts, named) = match table {
                BY_TIME => (block::read_time_entry(min_ts, key, v)?, None),
                _ => {
                    let n = block::read_type_entry(min_ts, key, v)?;
                    (n.max_ts, Some(n.sequences))
                }
            };
            if max_ts < first {
                return Ok(Scan::Continue);
            }
            let value = Rc::new(Self::stored_block(view, key)?);
            let rows = block::row_ranges(key, &value)?;
            let mut take = |seq: u64, at: std::ops::Range<usize>| -> Result<()> {
                let ts = Row::read(&value[at.clone()], seq)?.timestamp();
                if (first..=last).contains(&ts) {
                    held.insert((ts, seq), (Rc::clone(&value), at));
                }
                Ok(())
            };
            match named {
                None => rows.into_iter().try_for_each(|(seq, at)| take(seq, at))?,
                Some(sequences) => {
                    for seq in sequences {
                        take(seq, Self::named(&rows, seq)?.clone())?;
                    }
                }
            }
            Ok(Scan::Continue)
        })?;
        if !ended {
            hand_out(&mut held, None)?;
        }
        Ok(())
    }

    /// Events with `timestamp` in `range`, in time order (ties in sequence order).
    pub fn query_range(&self, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<EventLogEntry>> {
        let range = TimeRange::new(range)?;
        let mut out = Vec::new();
        Self::each_in_time_order(&*self.engine.read()?, BY_TIME, KeyBuilder::new(), range, page.into(), |seq, row| {
            out.push(row.into_entry(seq)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// [`query_range`](Self::query_range) with each event handed to `visit` as text, as
    /// [`replay_text`](Self::replay_text) does: `visit(sequence, event)`, nothing parsed.
    ///
    /// ```
    /// use neotalk_storage::{NewEvent, StorageManager};
    /// let db = StorageManager::in_memory().unwrap();
    /// db.events().append(&NewEvent::new("e1", "tick", "clock", 5, serde_json::json!({"b": 1, "a": 2}))).unwrap();
    /// let mut seen = Vec::new();
    /// db.events().query_range_text(0..10, None, |seq, e| {
    ///     seen.push((seq, e.data.to_string()));
    ///     Ok(())
    /// }).unwrap();
    /// assert_eq!(seen, [(1, r#"{"b":1,"a":2}"#.to_string())]);
    /// ```
    pub fn query_range_text(
        &self,
        range: impl RangeBounds<i64>,
        page: impl Into<Page>,
        mut visit: impl FnMut(u64, EventText<'_>) -> Result<()>,
    ) -> Result<()> {
        let range = TimeRange::new(range)?;
        Self::each_in_time_order(&*self.engine.read()?, BY_TIME, KeyBuilder::new(), range, page.into(), |seq, row| {
            row.with_text(|e| visit(seq, *e))
        })
    }

    /// [`query_by_type`](Self::query_by_type) with each event handed to `visit` as text
    /// (see [`query_range_text`](Self::query_range_text)).
    pub fn query_by_type_text(
        &self,
        event_type: &str,
        range: impl RangeBounds<i64>,
        page: impl Into<Page>,
        mut visit: impl FnMut(u64, EventText<'_>) -> Result<()>,
    ) -> Result<()> {
        check_id("event_type", event_type)?;
        let (range, prefix) = (TimeRange::new(range)?, KeyBuilder::new().str(event_type));
        Self::each_in_time_order(&*self.engine.read()?, BY_TYPE, prefix, range, page.into(), |seq, row| row.with_text(|e| visit(seq, *e)))
    }

    /// Events of one type with `timestamp` in `range`, in time order.
    pub fn query_by_type(&self, event_type: &str, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<EventLogEntry>> {
        check_id("event_type", event_type)?;
        let (range, prefix) = (TimeRange::new(range)?, KeyBuilder::new().str(event_type));
        let mut out = Vec::new();
        Self::each_in_time_order(&*self.engine.read()?, BY_TYPE, prefix, range, page.into(), |seq, row| {
            out.push(row.into_entry(seq)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every event of a correlation chain, in sequence order.
    pub fn query_by_correlation(&self, correlation_id: &str) -> Result<Vec<EventLogEntry>> {
        check_id("correlation_id", correlation_id)?;
        let view = self.engine.read()?;
        let mut out = Vec::new();
        let prefix = KeyRange::prefix(KeyBuilder::new().str(correlation_id).finish());
        view.scan(BY_CORRELATION, &prefix, Direction::Forward, &mut |k, v| {
            let key = block_of_index_key(BY_CORRELATION, k)?.1;
            let value = Self::stored_block(&*view, key)?;
            let rows = block::rows(key, &value)?;
            for seq in block::read_correlation_entry(key, v)? {
                out.push(Row::read(Self::named(&rows, seq)?, seq)?.into_entry(seq)?);
            }
            Ok(Scan::Continue)
        })?;
        Ok(out)
    }

    /// The events with a sequence greater than `after_sequence`, in sequence order, one
    /// [`Page`] of them (`replay(after, 100)`: at most 100; `None`: all). Pass the last
    /// sequence seen to follow the log (0 starts at the beginning).
    pub fn replay(&self, after_sequence: u64, page: impl Into<Page>) -> Result<Vec<EventLogEntry>> {
        Self::replay_in(&*self.engine.read()?, after_sequence, page.into())
    }

    fn replay_in(view: &dyn ReadView, after_sequence: u64, page: Page) -> Result<Vec<EventLogEntry>> {
        let mut out = Vec::new();
        Self::each_row(view, after_sequence, page, |seq, row| {
            out.push(row.into_entry(seq)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands `visit` the stored rows after `after_sequence`, one [`Page`] of them, in order.
    fn each_row(view: &dyn ReadView, after_sequence: u64, page: Page, mut visit: impl FnMut(u64, Row<'_>) -> Result<()>) -> Result<()> {
        let mut pager = page.cursor();
        if pager.is_full() {
            return Ok(());
        }
        Self::each_stored(view, after_sequence, |seq, row| {
            if pager.admit() {
                visit(seq, Row::read(row, seq)?)?;
            }
            Ok(pager.step())
        })
    }

    /// Hands `visit` the sequence and row bytes of each stored event after `after_sequence`,
    /// in order, until it returns [`Scan::Stop`].
    fn each_stored(view: &dyn ReadView, after_sequence: u64, mut visit: impl FnMut(u64, &[u8]) -> Result<Scan>) -> Result<()> {
        // The block holding the next event may start at or before `after_sequence`.
        let start = match Self::block_key_at_or_before(view, after_sequence)? {
            Some(key) => Bound::Included(seq_key(key)),
            None => Bound::Unbounded,
        };
        view.scan(EVENTS, &KeyRange { start, end: Bound::Unbounded }, Direction::Forward, &mut |k, v| {
            let key = KeyReader::new(k).u64()?;
            for (seq, row) in block::rows(key, v)? {
                if seq > after_sequence && matches!(visit(seq, row)?, Scan::Stop) {
                    return Ok(Scan::Stop);
                }
            }
            Ok(Scan::Continue)
        })
    }

    /// [`replay`](Self::replay) with each event handed to `visit` as text, borrowed from the
    /// stored row: `visit(sequence, event)`. The payload is the text it was appended with
    /// (events appended as values: their compact JSON); nothing is parsed. Stops at the first
    /// error `visit` returns.
    ///
    /// ```
    /// use neotalk_storage::{NewEvent, StorageManager};
    /// let db = StorageManager::in_memory().unwrap();
    /// db.events().append(&NewEvent::new("e1", "tick", "clock", 5, serde_json::json!({"n": 1}))).unwrap();
    /// let mut seen = Vec::new();
    /// db.events().replay_text(0, None, |seq, e| {
    ///     seen.push((seq, e.data.to_string()));
    ///     Ok(())
    /// }).unwrap();
    /// assert_eq!(seen, [(1, r#"{"n":1}"#.to_string())]);
    /// ```
    pub fn replay_text(
        &self,
        after_sequence: u64,
        page: impl Into<Page>,
        mut visit: impl FnMut(u64, EventText<'_>) -> Result<()>,
    ) -> Result<()> {
        Self::each_row(&*self.engine.read()?, after_sequence, page.into(), |seq, row| row.with_text(|e| visit(seq, *e)))
    }

    /// Where a new replication sink starts: just before the first stored event.
    pub(crate) fn feed_start(&self, view: &dyn ReadView) -> Result<u64> {
        let mut first = None;
        Self::each_stored(view, 0, |seq, _| {
            first = Some(seq);
            Ok(Scan::Stop)
        })?;
        match first {
            Some(seq) => Ok(seq - 1),
            None => Ok(Engine::meta_u64(view, NEXT_SEQ)?.saturating_sub(1)),
        }
    }

    /// At most `max` events after `after`, and the last sequence assigned, from one snapshot
    /// (so a gap between them is events removed, not events still arriving).
    pub(crate) fn feed_read(&self, after: u64, max: usize) -> Result<(Vec<EventLogEntry>, u64)> {
        let view = self.engine.read()?;
        let last = Engine::meta_u64(&*view, NEXT_SEQ)?.saturating_sub(1);
        Ok((Self::replay_in(&*view, after, Page::from(max))?, last))
    }

    /// The cursor after which the stored events take at most `limit` bytes (stored rows,
    /// what a sink is sent): `after` itself when they already do, else past the oldest ones
    /// (a replication sink's `max_backlog_bytes`). `limit` 0 is no limit.
    pub(crate) fn feed_within(&self, after: u64, limit: u64) -> Result<u64> {
        if limit == 0 {
            return Ok(after);
        }
        let view = self.engine.read()?;
        // The usual case costs no scan: every stored event together is within the limit (the
        // default 1 GiB exceeds the event log's default size cap), so the backlog is too.
        if Engine::meta_u64(&*view, TOTAL_BYTES)? <= limit {
            return Ok(after);
        }
        let mut backlog = 0u64;
        Self::each_stored(&*view, after, |_, row| {
            backlog += row.len() as u64;
            Ok(Scan::Continue)
        })?;
        let mut within = after;
        Self::each_stored(&*view, after, |seq, row| {
            if backlog <= limit {
                return Ok(Scan::Stop);
            }
            backlog -= row.len() as u64;
            within = seq;
            Ok(Scan::Continue)
        })?;
        Ok(within)
    }

    /// Events after `after` (counting removed ones) and the timestamp of the first stored one.
    pub(crate) fn feed_backlog(&self, after: u64) -> Result<(u64, Option<i64>)> {
        let (first, last) = self.feed_read(after, 1)?;
        Ok((last.saturating_sub(after), first.first().map(|e| e.metadata.timestamp)))
    }

    /// The highest sequence ever assigned (0 before the first append), including removed events.
    pub fn last_sequence(&self) -> Result<u64> {
        Ok(Engine::meta_u64(&*self.engine.read()?, NEXT_SEQ)?.saturating_sub(1))
    }

    /// Total bytes of stored events (the quantity `max_size_mb` limits).
    pub fn total_bytes(&self) -> Result<u64> {
        Engine::meta_u64(&*self.engine.read()?, TOTAL_BYTES)
    }

    /// Stages the block at `key` holding `rows` without the events marked in `dropped`: the
    /// block and its index entries are written again without them (or removed when none is
    /// left), their ids unindexed and their bytes taken off `bytes`. Returns how many it dropped.
    fn stage_without(batch: &mut WriteBatch, key: u64, rows: &[(u64, &[u8], Row<'_>)], dropped: &[bool], bytes: &mut u64) -> u64 {
        if !dropped.contains(&true) {
            return 0;
        }
        block::stage_removal(batch, key, rows);
        // The kept rows are written again (a row of the earlier format as a binary one).
        let mut rebuilt = BlockBuilder::new(key);
        for ((seq, raw, row), gone) in rows.iter().zip(dropped) {
            if *gone {
                batch.delete(BY_ID, id_key(row.keys().0));
            } else {
                *bytes += row.with_text(|e| rebuilt.push(*seq, e)) as u64;
            }
            *bytes = bytes.saturating_sub(raw.len() as u64);
        }
        rebuilt.stage(batch);
        dropped.iter().filter(|d| **d).count() as u64
    }

    /// The rows of the stored block at `key`: (sequence, row bytes, row).
    fn parse_block(key: u64, value: &[u8]) -> Result<Vec<(u64, &[u8], Row<'_>)>> {
        block::rows(key, value)?.into_iter().map(|(seq, raw)| Ok((seq, raw, Row::read(raw, seq)?))).collect()
    }

    /// Removes events past their retention window, then the oldest events while the log is
    /// larger than `max_size_mb`, in transactions of at most [`CLEANUP_BATCH`] events.
    ///
    /// An event of type `t` is expired when `timestamp < now_ms - window(t)`, with `window(t)`
    /// from `by_type` or else `keep`; an event exactly at the boundary stays, and a type kept
    /// `forever` never expires. Events a replication sink has not received are kept, unless
    /// older than its `max_lag` (see [`crate::feed::SinkOptions`]).
    pub fn cleanup(&self, now_ms: i64, retention: &EventRetention) -> Result<EventCleanup> {
        let cutoff = |t: &str| retention.by_type.get(t).copied().unwrap_or(retention.keep).cutoff(now_ms);
        // The latest cutoff of any window bounds the scan; `None` when everything is kept forever.
        let scan_end = retention.by_type.values().chain([&retention.keep]).filter_map(|w| w.cutoff(now_ms)).max();
        let mut result = EventCleanup::default();
        // Events a replication sink has not received stay (see `crate::feed`).
        let sinks = match crate::feed::ENABLED {
            true => crate::feed::cursors(&*self.engine.read()?, crate::feed::Feed::Events)?,
            false => Vec::new(),
        };
        let held = |seq: u64, ts: i64| crate::feed::held(&sinks, seq, ts, now_ms);
        // Expired events: walk the time index up to the latest cutoff, resuming after the last
        // key examined so kept events are not rescanned; the loop ends when the walk is done.
        let mut resume: Bound<Vec<u8>> = Bound::Unbounded;
        while let Some(scan_end) = scan_end {
            let _w = self.engine.lock_writes();
            let view = self.engine.read()?;
            let mut bytes = Engine::meta_u64(&*view, TOTAL_BYTES)?;
            let range = KeyRange { start: resume.clone(), end: Bound::Excluded(KeyBuilder::new().i64(scan_end).finish()) };
            let mut batch = WriteBatch::new();
            let mut removed = 0;
            let mut exhausted = true;
            view.scan(BY_TIME, &range, Direction::Forward, &mut |k, _| {
                resume = Bound::Excluded(k.to_vec());
                let key = block_of_index_key(BY_TIME, k)?.1;
                let value = Self::stored_block(&*view, key)?;
                let rows = Self::parse_block(key, &value)?;
                let dropped: Vec<bool> = rows
                    .iter()
                    .map(|(seq, _, row)| {
                        let (_, event_type, ts, _) = row.keys();
                        cutoff(event_type).is_some_and(|c| ts < c) && !held(*seq, ts)
                    })
                    .collect();
                removed += Self::stage_without(&mut batch, key, &rows, &dropped, &mut bytes);
                if removed >= CLEANUP_BATCH as u64 {
                    exhausted = false;
                    return Ok(Scan::Stop);
                }
                Ok(Scan::Continue)
            })?;
            if removed > 0 {
                batch.put(META, TOTAL_BYTES.to_vec(), bytes.to_le_bytes().to_vec());
                self.engine.commit(&batch)?;
                result.expired += removed;
            }
            if exhausted {
                break;
            }
        }
        // Over size: drop the oldest events by sequence (held ones are skipped, not rescanned).
        let mut resume: Bound<Vec<u8>> = Bound::Unbounded;
        let limit = retention.max_size_mb.saturating_mul(1024 * 1024);
        loop {
            let _w = self.engine.lock_writes();
            let view = self.engine.read()?;
            let mut bytes = Engine::meta_u64(&*view, TOTAL_BYTES)?;
            if bytes <= limit {
                break;
            }
            let mut batch = WriteBatch::new();
            let mut removed = 0;
            view.scan(EVENTS, &KeyRange { start: resume.clone(), end: Bound::Unbounded }, Direction::Forward, &mut |k, v| {
                let key = KeyReader::new(k).u64()?;
                let rows = Self::parse_block(key, v)?;
                // The oldest events of the block that are not held, until the log fits.
                let (mut left, mut dropped, mut cut_short, mut n) = (bytes, vec![false; rows.len()], false, 0);
                for ((seq, raw, row), gone) in rows.iter().zip(&mut dropped) {
                    if left <= limit || removed + n >= CLEANUP_BATCH as u64 {
                        cut_short = true;
                        break;
                    }
                    if !held(*seq, row.timestamp()) {
                        *gone = true;
                        n += 1;
                        left = left.saturating_sub(raw.len() as u64);
                    }
                }
                removed += Self::stage_without(&mut batch, key, &rows, &dropped, &mut bytes);
                // A block left part-way is looked at again (it keeps its key).
                resume = if cut_short { Bound::Included(k.to_vec()) } else { Bound::Excluded(k.to_vec()) };
                Ok(if bytes <= limit || removed >= CLEANUP_BATCH as u64 { Scan::Stop } else { Scan::Continue })
            })?;
            if removed == 0 {
                break;
            }
            batch.put(META, TOTAL_BYTES.to_vec(), bytes.to_le_bytes().to_vec());
            self.engine.commit(&batch)?;
            result.over_size += removed;
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StorageManager;

    /// Stages `e` at `seq` as files written before blocks held it: a row of its own and one
    /// entry per index; returns the row's size.
    fn stage_unblocked(batch: &mut WriteBatch, seq: u64, e: &EventText<'_>, as_json: bool) -> u64 {
        let mut row = Vec::new();
        match as_json {
            false => row::encode(e, &mut row),
            true => {
                let entry = Row::Binary(*e).into_entry(seq).unwrap();
                row = serde_json::to_vec(&entry).unwrap();
            }
        }
        let len = row.len() as u64;
        batch.put(EVENTS, seq_key(seq), row);
        batch.put(BY_ID, id_key(e.event_id), seq.to_le_bytes().to_vec());
        batch.put(BY_TIME, KeyBuilder::new().i64(e.timestamp).u64(seq).finish(), e.event_type.as_bytes().to_vec());
        batch.put(BY_TYPE, KeyBuilder::new().str(e.event_type).i64(e.timestamp).u64(seq).finish(), Vec::new());
        if let Some(c) = e.correlation_id {
            batch.put(BY_CORRELATION, KeyBuilder::new().str(c).u64(seq).finish(), Vec::new());
        }
        len
    }

    fn text<'a>(id: &'a str, event_type: &'a str, ts: i64, chain: Option<&'a str>) -> EventText<'a> {
        EventText { event_id: id, event_type, data: r#"{"v":1}"#, correlation_id: chain, causation_id: None, source: "s", timestamp: ts }
    }

    fn seqs(v: &[EventLogEntry]) -> Vec<u64> {
        v.iter().map(|e| e.sequence).collect()
    }

    #[test]
    fn a_log_written_before_blocks_is_read_appended_to_and_cleaned_up() {
        let db = StorageManager::in_memory().unwrap();
        let log = db.events();
        let old = [text("o1", "x", 10, Some("k")), text("o2", "y", 20, None), text("o3", "x", 40, Some("k")), text("o4", "y", 50, None)];
        let mut batch = WriteBatch::new();
        let mut bytes = 0;
        for (seq, e) in (1..).zip(&old) {
            bytes += stage_unblocked(&mut batch, seq, e, seq == 2);
        }
        batch.put(META, NEXT_SEQ.to_vec(), 5u64.to_le_bytes().to_vec());
        batch.put(META, TOTAL_BYTES.to_vec(), bytes.to_le_bytes().to_vec());
        log.engine.commit(&batch).unwrap();

        // New events go into a block (sequences 5..=7), in between the old ones in time.
        log.append_text(&[text("n5", "x", 15, Some("k")), text("n6", "y", 45, None), text("n7", "x", 60, None)]).unwrap();
        assert_eq!(seqs(&log.replay(0, None).unwrap()), [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(seqs(&log.replay(3, 2).unwrap()), [4, 5]);
        assert_eq!(seqs(&log.query_range(.., None).unwrap()), [1, 5, 2, 3, 6, 4, 7]);
        assert_eq!(seqs(&log.query_range(15..50, Page { offset: 1, limit: Some(3) }).unwrap()), [2, 3, 6]);
        assert_eq!(seqs(&log.query_by_type("x", .., None).unwrap()), [1, 5, 3, 7]);
        assert_eq!(seqs(&log.query_by_correlation("k").unwrap()), [1, 3, 5]);
        assert_eq!(log.get("o2").unwrap().unwrap().event_data, serde_json::json!({"v": 1}), "a JSON row of the first format");
        assert_eq!(log.get("n6").unwrap().unwrap().sequence, 6);

        // Expire everything before 41: old rows 1-3 and the block's first event.
        let keep_30 = EventRetention { keep: RetentionWindow::millis("keep", 30).unwrap(), ..Default::default() };
        assert_eq!(log.cleanup(71, &keep_30).unwrap().expired, 4);
        assert_eq!(seqs(&log.query_range(.., None).unwrap()), [6, 4, 7]);
        assert_eq!(seqs(&log.query_by_type("x", .., None).unwrap()), [7]);
        assert!(log.query_by_correlation("k").unwrap().is_empty());
        assert!(log.get("n5").unwrap().is_none() && log.get("o1").unwrap().is_none());
        assert_eq!(seqs(&log.replay(0, None).unwrap()), [4, 6, 7]);

        // Over size: everything goes, oldest first, and the byte count comes back to zero.
        let cap_0 = EventRetention { keep: RetentionWindow::FOREVER, max_size_mb: 0, ..Default::default() };
        assert_eq!(log.cleanup(71, &cap_0).unwrap().over_size, 3);
        assert!(log.replay(0, None).unwrap().is_empty());
        assert_eq!(log.total_bytes().unwrap(), 0);
        assert_eq!(log.append_text(&[text("n8", "x", 1, None)]).unwrap().first, 8);
    }
}

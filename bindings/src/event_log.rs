//! The event log: [`EventLogStore`] and its records.

use crate::error::{Result, StorageError};
use crate::event_rows::EventRows;
use crate::mirror::{from_core, mirror_record, to_core};
use neotalk_storage as core;
use std::collections::HashMap;

mirror_record! {
    /// Where an event came from and how it relates to others.
    EventMetadata => core::EventMetadata {
        /// Component that emitted the event (`rule_engine`, `mqtt`, ...).
        source: String,
        /// When it happened (Unix ms).
        timestamp: i64,
        /// Id shared by every event of one causal chain.
        #[uniffi(default)]
        correlation_id: Option<String>,
        /// Id of the event that caused this one.
        #[uniffi(default)]
        causation_id: Option<String>,
    }
}

mirror_record! {
    /// An event to append: an [`EventLogEntry`] before it has a sequence.
    NewEvent => core::NewEvent {
        /// Caller-chosen unique id.
        event_id: String,
        /// Event type (`device.offline`, `rule.triggered`, ...).
        event_type: String,
        /// Event payload, as JSON text.
        event_data: String,
        /// Source, time and causal links.
        metadata: EventMetadata,
    }
}

mirror_record! {
    /// A stored event.
    EventLogEntry => core::EventLogEntry {
        /// Caller-chosen unique id.
        event_id: String,
        /// Event type.
        event_type: String,
        /// Event payload, as JSON text.
        event_data: String,
        /// Source, time and causal links.
        metadata: EventMetadata,
        /// Position in the log, assigned by `append`; strictly increasing, never reused.
        sequence: i64,
    }
}

/// Event-log retention. Windows are the core's `RetentionWindow` text: `"7d"`, `"36h"`,
/// `"15m"`, `"forever"` (a bare number counts days).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EventRetention {
    /// How long an event is kept.
    #[uniffi(default = "7d")]
    pub keep: String,
    /// Total size of stored events above which the oldest are dropped first.
    #[uniffi(default = 1000)]
    pub max_size_mb: i64,
    /// Window per event type, overriding `keep`.
    #[uniffi(default)]
    pub by_type: HashMap<String, String>,
}

impl TryFrom<EventRetention> for core::EventRetention {
    type Error = StorageError;

    fn try_from(r: EventRetention) -> Result<Self> {
        use core::RetentionWindow as Window;
        let by_type = r.by_type.iter().map(|(t, w)| Ok((t.clone(), Window::parse_field("by_type", w)?))).collect::<core::Result<_>>()?;
        Ok(core::EventRetention {
            keep: Window::parse_field("keep", &r.keep)?,
            max_size_mb: to_core("max_size_mb", r.max_size_mb)?,
            by_type,
        })
    }
}

/// The sequences `append_batch` assigned: `first..=last`, one per event in batch order. An
/// empty batch gives the empty range `last == first - 1`, `first` being the sequence the next
/// append will get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SequenceRange {
    /// Sequence of the batch's first event.
    pub first: i64,
    /// Sequence of the batch's last event (`first - 1` for an empty batch).
    pub last: i64,
}

/// What an event-log cleanup removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct EventCleanup {
    /// Events older than their retention window.
    pub expired: i64,
    /// Events dropped, oldest first, to get under `max_size_mb`.
    pub over_size: i64,
}

fn from_core_list(events: Vec<core::EventLogEntry>) -> Vec<EventLogEntry> {
    events.into_iter().map(EventLogEntry::from).collect()
}

crate::store_object::store_object! {
    /// Store of events; obtain it from `StorageManager.events()`.
    EventLogStore => core::EventLogStore
}

#[uniffi::export]
impl EventLogStore {
    /// Appends one event; returns it with its sequence. A duplicate `event_id` fails with
    /// `Conflict`.
    pub fn append(&self, event: NewEvent) -> Result<EventLogEntry> {
        Ok(self.inner.append(&to_core("event", event)?)?.into())
    }

    /// Appends events in one transaction, in order; either all are stored or none. Returns
    /// the sequences assigned (read the entries back with `replay(first - 1, ...)`). A
    /// duplicate `event_id` (stored or within the batch) fails with `Conflict`.
    pub fn append_batch(&self, events: Vec<NewEvent>) -> Result<SequenceRange> {
        let events: Vec<core::NewEvent> = to_core("event", events)?;
        let range = self.inner.append_batch(&events)?;
        Ok(SequenceRange { first: from_core(range.first), last: from_core(range.last) })
    }

    /// The event with this id, or none.
    pub fn get(&self, event_id: String) -> Result<Option<EventLogEntry>> {
        Ok(self.inner.get(&event_id)?.map(EventLogEntry::from))
    }

    /// Events with `start <= timestamp < end`, in time order, at most `limit`.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<EventLogEntry>> {
        Ok(from_core_list(self.inner.query_range(neotalk_storage::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Events of one type with `start <= timestamp < end`, in time order, at most `limit`.
    pub fn query_by_type(&self, event_type: String, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<EventLogEntry>> {
        Ok(from_core_list(self.inner.query_by_type(
            &event_type,
            neotalk_storage::TimeRange::half_open(start, end)?,
            to_core("limit", limit)?,
        )?))
    }

    /// Every event of a correlation chain, in sequence order.
    pub fn query_by_correlation(&self, correlation_id: String) -> Result<Vec<EventLogEntry>> {
        Ok(from_core_list(self.inner.query_by_correlation(&correlation_id)?))
    }

    /// Up to `limit` events with a sequence greater than `after_sequence`, in sequence order.
    /// Pass the last sequence seen to follow the log (0 starts at the beginning).
    pub fn replay(&self, after_sequence: i64, limit: Option<i64>) -> Result<Vec<EventLogEntry>> {
        Ok(from_core_list(self.inner.replay(to_core("after_sequence", after_sequence)?, to_core("limit", limit)?)?))
    }

    /// Like `replay`, as one JSON text: an array of rows
    /// `[sequence, event_id, event_type, data, source, timestamp, correlation_id,
    /// causation_id]` with each payload as stored (the bulk path of the Python layer).
    pub fn replay_json(&self, after_sequence: i64, limit: Option<i64>) -> Result<String> {
        let mut rows = EventRows::new();
        self.inner
            .replay_text(to_core("after_sequence", after_sequence)?, to_core("limit", limit)?, |sequence, e| rows.push(sequence, e))?;
        Ok(rows.finish()?)
    }

    /// Like `query_range`, as the rows of `replay_json`.
    pub fn query_range_json(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<String> {
        let mut rows = EventRows::new();
        let range = neotalk_storage::TimeRange::half_open(start, end)?;
        self.inner.query_range_text(range, to_core("limit", limit)?, |sequence, e| rows.push(sequence, e))?;
        Ok(rows.finish()?)
    }

    /// Like `query_by_type`, as the rows of `replay_json`.
    pub fn query_by_type_json(&self, event_type: String, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<String> {
        let mut rows = EventRows::new();
        let range = neotalk_storage::TimeRange::half_open(start, end)?;
        self.inner.query_by_type_text(&event_type, range, to_core("limit", limit)?, |sequence, e| rows.push(sequence, e))?;
        Ok(rows.finish()?)
    }

    /// The highest sequence ever assigned (0 before the first append).
    pub fn last_sequence(&self) -> Result<i64> {
        Ok(from_core(self.inner.last_sequence()?))
    }

    /// Total bytes of stored events (the quantity `max_size_mb` limits).
    pub fn total_bytes(&self) -> Result<i64> {
        Ok(from_core(self.inner.total_bytes()?))
    }

    /// Removes events past their retention window, then the oldest events while the log is
    /// larger than `max_size_mb`. An event of type `t` expires when
    /// `timestamp < now_ms - window(t)`; a window that is not a duration is `InvalidInput`.
    pub fn cleanup(&self, now_ms: i64, retention: EventRetention) -> Result<EventCleanup> {
        let c = self.inner.cleanup(now_ms, &retention.try_into()?)?;
        Ok(EventCleanup { expired: from_core(c.expired), over_size: from_core(c.over_size) })
    }
}

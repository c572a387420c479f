//! Event log (`EventLogStore`): events cross as JSON.

use crate::args::{json_arg, limit_arg, opt_str_arg, out_handle, out_ptr, range_arg, slice_arg, str_arg};
use crate::call::{run, run_void, FfiError, FfiResult};
use crate::shapes::{get_json, json_out, opt_json_out, opt_scalar_out, scalar_out};
use crate::status::nts_status;
use crate::storage::handle;
use crate::storage::nts_storage;
use neotalk_storage::{EventText, NewEvent};
use std::ffi::c_char;

/// Appends one event from NewEvent JSON: `{"event_id", "event_type", "event_data",
/// "metadata": {"correlation_id", "causation_id", "source", "timestamp"}}` (the two ids may
/// be null or omitted). A duplicate event_id is NTS_CONFLICT. When `out_json` is not NULL it
/// receives the stored EventLogEntry JSON (with its `sequence`); free it with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_events_append(db: *const nts_storage, event_json: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    opt_json_out(db, out_json, |db| Ok(db.events().append(&json_arg::<NewEvent>(event_json, "event_json")?)?))
}

/// The sequences nts_events_append_batch() assigned: `first..=last`, one per event in batch
/// order. An empty batch gives the empty range `last == first - 1`, `first` being the
/// sequence the next append will get.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct nts_sequence_range {
    /// Sequence of the batch's first event.
    pub first: u64,
    /// Sequence of the batch's last event (`first - 1` for an empty batch).
    pub last: u64,
}

/// Appends a JSON array of NewEvent in one transaction, in order; either all are stored or
/// none. When `out_range` is not NULL it receives the sequences assigned (read the entries
/// back with nts_events_replay(db, first - 1, last - first + 1, ...)).
#[no_mangle]
pub unsafe extern "C" fn nts_events_append_batch(
    db: *const nts_storage,
    events_json: *const c_char,
    out_range: *mut nts_sequence_range,
) -> nts_status {
    opt_scalar_out(db, out_range, "out_range", |db| {
        let range = db.events().append_batch(&json_arg::<Vec<NewEvent>>(events_json, "events_json")?)?;
        Ok(nts_sequence_range { first: range.first, last: range.last })
    })
}

/// The event with this id as EventLogEntry JSON; NTS_NOT_FOUND when there is none.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_events_get(db: *const nts_storage, event_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, event_id, "event_id", "event", out_json, |db, id| Ok(db.events().get(id)?))
}

/// Events with start <= timestamp < end in time order, at most `limit` (NTS_NO_LIMIT for all), as a
/// JSON array of EventLogEntry. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_events_query_range(
    db: *const nts_storage,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.events().query_range(range_arg(start, end)?, limit_arg(limit))?))
}

/// Events of one type with start <= timestamp < end in time order, at most `limit`
/// (NTS_NO_LIMIT for all), as a JSON array of EventLogEntry. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_events_query_by_type(
    db: *const nts_storage,
    event_type: *const c_char,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        Ok(db.events().query_by_type(str_arg(event_type, "event_type")?, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Every event of one correlation chain in sequence order, as a JSON array of EventLogEntry.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_events_query_by_correlation(
    db: *const nts_storage,
    correlation_id: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.events().query_by_correlation(str_arg(correlation_id, "correlation_id")?)?))
}

/// Up to `limit` events (NTS_NO_LIMIT for all) with a sequence greater than `after_sequence`, in
/// sequence order, as a JSON array of EventLogEntry; pass the last sequence seen to follow the
/// log (0 starts at the beginning). Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_events_replay(
    db: *const nts_storage,
    after_sequence: u64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.events().replay(after_sequence, limit_arg(limit))?))
}

/// The highest sequence ever assigned (0 before the first append), in `*out_sequence`.
#[no_mangle]
pub unsafe extern "C" fn nts_events_last_sequence(db: *const nts_storage, out_sequence: *mut u64) -> nts_status {
    scalar_out(db, out_sequence, "out_sequence", |db| Ok(db.events().last_sequence()?))
}

/// One event to append, as plain C fields (see nts_events_append_structs()).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nts_event {
    /// Caller-chosen unique id (required).
    pub event_id: *const c_char,
    /// Event type (required).
    pub event_type: *const c_char,
    /// The payload as JSON text of `data_len` bytes (need not be NUL-terminated); NULL (with
    /// data_len 0) for a null payload.
    pub data: *const c_char,
    /// Length of `data` in bytes.
    pub data_len: usize,
    /// Correlation id, or NULL.
    pub correlation_id: *const c_char,
    /// Causation id, or NULL.
    pub causation_id: *const c_char,
    /// Source (required).
    pub source: *const c_char,
    /// Unix milliseconds.
    pub timestamp: i64,
}

/// The message of an error about element `i` of an array argument names it.
fn element(e: FfiError, array: &str, i: usize) -> FfiError {
    FfiError::new(e.status, format!("{array}[{i}]: {}", e.message))
}

/// An nts_event as the core's EventText, borrowing the caller's strings: the payload text is
/// checked by the core and stored as given (not parsed into a value and printed again).
unsafe fn event_text<'a>(e: &'a nts_event) -> FfiResult<EventText<'a>> {
    let data = match slice_arg(e.data.cast::<u8>(), e.data_len, "data")? {
        [] if e.data.is_null() => "null",
        bytes => std::str::from_utf8(bytes).map_err(|err| {
            FfiError::new(nts_status::NTS_INVALID_UTF8, format!("data is not valid UTF-8 (at byte {})", err.valid_up_to()))
        })?,
    };
    Ok(EventText {
        event_id: str_arg(e.event_id, "event_id")?,
        event_type: str_arg(e.event_type, "event_type")?,
        data,
        correlation_id: opt_str_arg(e.correlation_id, "correlation_id")?,
        causation_id: opt_str_arg(e.causation_id, "causation_id")?,
        source: str_arg(e.source, "source")?,
        timestamp: e.timestamp,
    })
}

/// Appends `count` events given as C structs in one transaction, in order, all or none (as
/// nts_events_append_batch(), without building JSON records). Each payload is stored as the
/// JSON text given (nts_events_replay_structs() returns it byte for byte). A bad field is
/// NTS_INVALID_INPUT (or NTS_NULL_POINTER, NTS_INVALID_UTF8) naming `events[i]` and the field.
/// When `out_range` is not NULL it receives the sequences assigned.
#[no_mangle]
pub unsafe extern "C" fn nts_events_append_structs(
    db: *const nts_storage,
    events: *const nts_event,
    count: usize,
    out_range: *mut nts_sequence_range,
) -> nts_status {
    opt_scalar_out(db, out_range, "out_range", |db| {
        let given = slice_arg(events, count, "events")?;
        let events =
            given.iter().enumerate().map(|(i, e)| event_text(e).map_err(|err| element(err, "events", i))).collect::<FfiResult<Vec<_>>>()?;
        let range = db.events().append_text(&events)?;
        Ok(nts_sequence_range { first: range.first, last: range.last })
    })
}

/// One stored event as plain C fields, inside an nts_event_list (its strings belong to the
/// list and stay valid until nts_event_list_free()).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nts_event_entry {
    /// Position in the log.
    pub sequence: u64,
    /// The event's id.
    pub event_id: *const c_char,
    /// The event's type.
    pub event_type: *const c_char,
    /// The payload as JSON text (NUL-terminated, `data_len` bytes without the NUL; "null"
    /// for a null payload).
    pub data: *const c_char,
    /// Length of `data` in bytes.
    pub data_len: usize,
    /// Correlation id, or NULL.
    pub correlation_id: *const c_char,
    /// Causation id, or NULL.
    pub causation_id: *const c_char,
    /// Source.
    pub source: *const c_char,
    /// Unix milliseconds.
    pub timestamp: i64,
}

/// Events read as C structs (opaque): nts_events_replay_structs() hands out its entries;
/// free it with nts_event_list_free().
pub struct nts_event_list {
    entries: Vec<nts_event_entry>,
    // The entries point into this text (every string NUL-terminated), which never moves.
    _text: Box<[u8]>,
}

/// The entries of a replay being laid out: every string in one buffer, by offset until the
/// buffer stops growing.
#[derive(Default)]
struct EventListBuilder {
    text: Vec<u8>,
    // Per entry: sequence, timestamp and the offsets of id, type, data, data length,
    // correlation, causation and source (NONE for an absent link).
    rows: Vec<(u64, i64, [usize; 7])>,
}

const NONE: usize = usize::MAX;

impl EventListBuilder {
    fn put(&mut self, s: &str) -> usize {
        let at = self.text.len();
        self.text.extend_from_slice(s.as_bytes());
        self.text.push(0);
        at
    }

    fn push(&mut self, sequence: u64, e: EventText<'_>) {
        let offsets = [
            self.put(e.event_id),
            self.put(e.event_type),
            self.put(e.data),
            e.data.len(),
            e.correlation_id.map_or(NONE, |c| self.put(c)),
            e.causation_id.map_or(NONE, |c| self.put(c)),
            self.put(e.source),
        ];
        self.rows.push((sequence, e.timestamp, offsets));
    }

    /// Points the C entries into the finished buffer.
    fn finish(self) -> nts_event_list {
        let text = self.text.into_boxed_slice();
        let at = |offset: usize| if offset == NONE { std::ptr::null() } else { text[offset..].as_ptr().cast::<c_char>() };
        let entries = self
            .rows
            .iter()
            .map(|&(sequence, timestamp, o)| nts_event_entry {
                sequence,
                event_id: at(o[0]),
                event_type: at(o[1]),
                data: at(o[2]),
                data_len: o[3],
                correlation_id: at(o[4]),
                causation_id: at(o[5]),
                source: at(o[6]),
                timestamp,
            })
            .collect();
        nts_event_list { entries, _text: text }
    }
}

/// nts_events_replay() as C structs: up to `limit` events (NTS_NO_LIMIT for all) with a
/// sequence greater than `after_sequence`, in sequence order. `*out_list` owns them (free
/// with nts_event_list_free()); `*out_entries` points to its `*out_count` entries (NULL when
/// there are none).
#[no_mangle]
pub unsafe extern "C" fn nts_events_replay_structs(
    db: *const nts_storage,
    after_sequence: u64,
    limit: usize,
    out_list: *mut *mut nts_event_list,
    out_entries: *mut *const nts_event_entry,
    out_count: *mut usize,
) -> nts_status {
    run(|| {
        let list_out = out_handle(out_list, "out_list")?;
        let entries_out = out_ptr(out_entries, "out_entries")?;
        entries_out.write(std::ptr::null());
        let count_out = out_ptr(out_count, "out_count")?;
        count_out.write(0);
        let mut list = EventListBuilder::default();
        handle(db)?.events().replay_text(after_sequence, limit_arg(limit), |seq, e| {
            list.push(seq, e);
            Ok(())
        })?;
        let list = Box::new(list.finish());
        if !list.entries.is_empty() {
            entries_out.write(list.entries.as_ptr());
        }
        count_out.write(list.entries.len());
        list_out.write(Box::into_raw(list));
        Ok(())
    })
}

/// Frees an nts_event_list and every string of its entries. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn nts_event_list_free(list: *mut nts_event_list) {
    if !list.is_null() {
        run_void(|| drop(Box::from_raw(list)));
    }
}

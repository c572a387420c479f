//! Event log (`EventLogStore`): events cross as JSON.

use crate::args::{json_arg, limit_arg, range_arg, str_arg};
use crate::shapes::{get_json, json_out, opt_json_out, opt_scalar_out, scalar_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::NewEvent;
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

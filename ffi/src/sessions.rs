//! Conversation sessions (`SessionStore`): sessions, messages and summaries cross as JSON
//! (SessionInfo, SessionMessage, SequencedMessage, SessionSummary).

use crate::args::{json_arg, limit_arg, str_arg};
use crate::shapes::{get_json, json_out, opt_json_out, scalar_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::SessionMessage;
use std::ffi::c_char;

/// Creates an empty session; the SessionInfo JSON `{"session_id", "title", "created_at",
/// "updated_at", "message_count"}` in `*out_json` (may be NULL when not wanted; free with
/// nts_string_free()). An existing id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_create(
    db: *const nts_storage,
    session_id: *const c_char,
    title: *const c_char,
    created_at: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    opt_json_out(db, out_json, |db| {
        Ok(db.sessions().create_session(str_arg(session_id, "session_id")?, str_arg(title, "title")?, created_at)?)
    })
}

/// One session as SessionInfo JSON; NTS_NOT_FOUND when unknown. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_get(db: *const nts_storage, session_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, session_id, "session_id", "session", out_json, |db, id| Ok(db.sessions().get_session(id)?))
}

/// Sessions, most recently updated first, at most `limit` (NTS_NO_LIMIT for all), as a JSON array of
/// SessionInfo. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_list(db: *const nts_storage, limit: usize, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.sessions().list_sessions(limit_arg(limit))?))
}

/// Appends one message from SessionMessage JSON `{"role", "content", "tool_calls",
/// "tool_call_id", "thinking", "timestamp"}` (the optional ones may be null); its sequence
/// in `*out_sequence`. The session must exist (NTS_NOT_FOUND).
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_append_message(
    db: *const nts_storage,
    session_id: *const c_char,
    message_json: *const c_char,
    out_sequence: *mut u64,
) -> nts_status {
    scalar_out(db, out_sequence, "out_sequence", |db| {
        let id = str_arg(session_id, "session_id")?;
        Ok(db.sessions().append_message(id, &json_arg::<SessionMessage>(message_json, "message_json")?)?)
    })
}

/// Appends a JSON array of SessionMessage in order, all or none; their sequences as a JSON
/// array of numbers in `*out_json` (free with nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_append_messages(
    db: *const nts_storage,
    session_id: *const c_char,
    messages_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let id = str_arg(session_id, "session_id")?;
        Ok(db.sessions().append_messages(id, &json_arg::<Vec<SessionMessage>>(messages_json, "messages_json")?)?)
    })
}

/// Every message of a session, oldest first, as a JSON array of SequencedMessage
/// `{"sequence", "message"}`. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_load_messages(
    db: *const nts_storage,
    session_id: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.sessions().load_messages(str_arg(session_id, "session_id")?)?))
}

/// The last `n` messages, oldest first, as a JSON array of SequencedMessage. Free
/// `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_last_messages(
    db: *const nts_storage,
    session_id: *const c_char,
    n: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.sessions().last_messages(str_arg(session_id, "session_id")?, n)?))
}

/// Messages with start <= sequence < end, oldest first, as a JSON array of SequencedMessage.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_messages_range(
    db: *const nts_storage,
    session_id: *const c_char,
    start: u64,
    end: u64,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.sessions().messages_range(str_arg(session_id, "session_id")?, start, end)?))
}

/// The newest messages fitting in `max_chars` (a tool call and its results kept together),
/// oldest first, as a JSON array of SequencedMessage. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_context_window(
    db: *const nts_storage,
    session_id: *const c_char,
    max_chars: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.sessions().context_window(str_arg(session_id, "session_id")?, max_chars)?))
}

/// Stores (or replaces) the summary of a session; the SessionSummary JSON `{"session_id",
/// "summary", "updated_at"}` in `*out_json` (may be NULL when not wanted; free with
/// nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_set_summary(
    db: *const nts_storage,
    session_id: *const c_char,
    summary: *const c_char,
    updated_at: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    opt_json_out(db, out_json, |db| {
        Ok(db.sessions().set_summary(str_arg(session_id, "session_id")?, str_arg(summary, "summary")?, updated_at)?)
    })
}

/// The summary of a session as SessionSummary JSON; NTS_NOT_FOUND when the session is
/// unknown or has no summary. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_get_summary(
    db: *const nts_storage,
    session_id: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    get_json(db, session_id, "session_id", "session summary", out_json, |db, id| Ok(db.sessions().get_summary(id)?))
}

/// The `n` most recently written summaries across sessions, newest first, as a JSON array
/// of SessionSummary. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_recent_summaries(db: *const nts_storage, n: usize, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.sessions().recent_summaries(n)?))
}

/// Deletes a session with its messages and summary; whether it existed in `*out_deleted`.
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_delete(db: *const nts_storage, session_id: *const c_char, out_deleted: *mut bool) -> nts_status {
    scalar_out(db, out_deleted, "out_deleted", |db| Ok(db.sessions().delete_session(str_arg(session_id, "session_id")?)?))
}

/// Deletes every session not updated since `before_ms`; the count in `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_sessions_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    scalar_out(db, out_removed, "out_removed", |db| Ok(db.sessions().cleanup(before_ms)?))
}

//! LLM decisions (`DecisionStore`): records cross as DecisionRecord JSON, statuses as their
//! names (read through serde: core has no string parser for DecisionStatus).

use crate::args::{enum_arg, json_arg, limit_arg, range_arg, str_arg};
use crate::shapes::{get_json, json_out, record_in, scalar_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::{DecisionRecord, DecisionStatus, ExecutionResult, UserResponse};
use std::ffi::c_char;

/// Stores a new decision from DecisionRecord JSON: `{"decision_id", "title", "description",
/// "reasoning", "proposed_actions": [{"action_type", "description", "parameters"}],
/// "confidence", "created_at", "status" ("Proposed" | "Approved" | "Rejected" |
/// "AutoExecuted" | "Expired"), "user_response", "execution_result", "review_id"}`.
/// A duplicate decision_id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_create(db: *const nts_storage, decision_json: *const c_char) -> nts_status {
    record_in(db, decision_json, "decision_json", |db, decision: DecisionRecord| Ok(db.decisions().create(&decision)?))
}

/// One decision as DecisionRecord JSON; NTS_NOT_FOUND when unknown. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_get(db: *const nts_storage, decision_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, decision_id, "decision_id", "decision", out_json, |db, id| Ok(db.decisions().get(id)?))
}

/// Moves a decision to status `to` (a status name); the stored decision in `*out_json` (free
/// with nts_string_free()). NTS_NOT_FOUND when unknown, NTS_CONFLICT when the transition is
/// not allowed.
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_transition(
    db: *const nts_storage,
    decision_id: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        Ok(db.decisions().transition(str_arg(decision_id, "decision_id")?, enum_arg::<DecisionStatus>(to, "to")?)?)
    })
}

/// Approves a Proposed decision with UserResponse JSON `{"user_id", "response",
/// "responded_at", "comments"}`; the stored decision in `*out_json` (free with
/// nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_approve(
    db: *const nts_storage,
    decision_id: *const c_char,
    response_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let response: UserResponse = json_arg(response_json, "response_json")?;
        Ok(db.decisions().approve(str_arg(decision_id, "decision_id")?, &response)?)
    })
}

/// Rejects a Proposed decision with UserResponse JSON; the stored decision in `*out_json`
/// (free with nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_reject(
    db: *const nts_storage,
    decision_id: *const c_char,
    response_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let response: UserResponse = json_arg(response_json, "response_json")?;
        Ok(db.decisions().reject(str_arg(decision_id, "decision_id")?, &response)?)
    })
}

/// Stores the outcome of executing an Approved or AutoExecuted decision, from ExecutionResult
/// JSON (`"Success"`, `{"PartialSuccess": {"failed_actions": [..]}}`, `{"Failed": {"error":
/// ".."}}`); the stored decision in `*out_json` (free with nts_string_free()). Other statuses
/// or a second result are NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_record_execution_result(
    db: *const nts_storage,
    decision_id: *const c_char,
    result_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let id = str_arg(decision_id, "decision_id")?;
        Ok(db.decisions().record_execution_result(id, &json_arg::<ExecutionResult>(result_json, "result_json")?)?)
    })
}

/// Decisions with start <= created_at < end, oldest first, at most `limit` (NTS_NO_LIMIT for all), as
/// a JSON array of DecisionRecord. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_query_range(
    db: *const nts_storage,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.decisions().query_range(range_arg(start, end)?, limit_arg(limit))?))
}

/// Decisions in `status` (a status name) with start <= created_at < end, oldest first, at
/// most `limit` (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_query_by_status(
    db: *const nts_storage,
    status: *const c_char,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let status: DecisionStatus = enum_arg(status, "status")?;
        Ok(db.decisions().query_by_status(status, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Moves every Proposed decision created before `now_ms - max_age_ms` to Expired; the count
/// in `*out_expired`. A negative `max_age_ms` is NTS_INVALID_INPUT.
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_expire_proposals(
    db: *const nts_storage,
    now_ms: i64,
    max_age_ms: i64,
    out_expired: *mut u64,
) -> nts_status {
    scalar_out(db, out_expired, "out_expired", |db| Ok(db.decisions().expire_proposals(now_ms, max_age_ms)?))
}

/// Removes every decision created before `before_ms`, whatever its status; the count removed
/// in `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_decisions_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    scalar_out(db, out_removed, "out_removed", |db| Ok(db.decisions().cleanup(before_ms)?))
}

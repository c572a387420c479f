//! Rule execution history (`RuleHistoryStore`): records cross as RuleExecutionRecord JSON.

use crate::args::{limit_arg, page_arg, range_arg, str_arg};
use crate::shapes::{get_json, json_out, record_in, scalar_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::RuleExecutionRecord;
use std::ffi::c_char;

/// Records one rule execution from RuleExecutionRecord JSON: `{"execution_id", "rule_id",
/// "rule_name", "triggered_at", "trigger_value" (number or null), "condition_met",
/// "actions": [{"action_type", "action_data", "success", "error"}], "result" ("Success" |
/// {"PartialSuccess": {"failed_actions": [..]}} | {"Failed": {"error": ".."}}), "duration_ms"}`.
/// A duplicate execution_id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_rules_record(db: *const nts_storage, record_json: *const c_char) -> nts_status {
    record_in(db, record_json, "record_json", |db, record: RuleExecutionRecord| Ok(db.rule_history().record(&record)?))
}

/// Records a JSON array of RuleExecutionRecord in one atomic write (all or none).
#[no_mangle]
pub unsafe extern "C" fn nts_rules_record_batch(db: *const nts_storage, records_json: *const c_char) -> nts_status {
    record_in(db, records_json, "records_json", |db, records: Vec<RuleExecutionRecord>| Ok(db.rule_history().record_batch(&records)?))
}

/// One execution as RuleExecutionRecord JSON; NTS_NOT_FOUND when unknown. Free `*out_json`
/// with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_get(db: *const nts_storage, execution_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, execution_id, "execution_id", "rule execution", out_json, |db, id| Ok(db.rule_history().get(id)?))
}

/// Executions of one rule, newest first, skipping `offset`, at most `limit` (NTS_NO_LIMIT for all), as
/// a JSON array of RuleExecutionRecord. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_query_by_rule(
    db: *const nts_storage,
    rule_id: *const c_char,
    offset: usize,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.rule_history().query_by_rule(str_arg(rule_id, "rule_id")?, page_arg(offset, limit))?))
}

/// Executions of one rule with start <= triggered_at < end, oldest first, at most `limit`
/// (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_query_rule_range(
    db: *const nts_storage,
    rule_id: *const c_char,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let rule_id = str_arg(rule_id, "rule_id")?;
        Ok(db.rule_history().query_rule_range(rule_id, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Executions of every rule with start <= triggered_at < end, oldest first, at most `limit`
/// (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_query_range(
    db: *const nts_storage,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.rule_history().query_range(range_arg(start, end)?, limit_arg(limit))?))
}

/// Executions whose result is Failed (not PartialSuccess) with start <= triggered_at < end, oldest first, at
/// most `limit` (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_query_failed(
    db: *const nts_storage,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.rule_history().query_failed(range_arg(start, end)?, limit_arg(limit))?))
}

/// RuleStatistics JSON of one rule over [start, end). Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_rule_statistics(
    db: *const nts_storage,
    rule_id: *const c_char,
    start: i64,
    end: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.rule_history().rule_statistics(str_arg(rule_id, "rule_id")?, range_arg(start, end)?)?))
}

/// RuleStatistics of every rule executed in [start, end), as a JSON array. Free `*out_json`
/// with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_statistics(db: *const nts_storage, start: i64, end: i64, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.rule_history().statistics(range_arg(start, end)?)?))
}

/// Removes executions triggered before `before_ms`; the count removed in `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_rules_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    scalar_out(db, out_removed, "out_removed", |db| Ok(db.rule_history().cleanup(before_ms)?))
}

//! Rule execution history (`RuleHistoryStore`): records cross as RuleExecutionRecord JSON.

use crate::args::{json_arg, limit_arg, out_handle, out_ptr, page_arg, range_arg, set_json, set_out, str_arg};
use crate::call::{run, FfiError};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::RuleExecutionRecord;
use std::ffi::c_char;

/// Records one rule execution from RuleExecutionRecord JSON: `{"execution_id", "rule_id",
/// "rule_name", "triggered_at", "trigger_value" (number or null), "condition_met",
/// "actions": [{"action_type", "action_data", "success", "error"}], "result" ("Success" |
/// {"PartialSuccess": {"failed_actions": [..]}} | {"Failed": {"error": ".."}}), "duration_ms"}`.
/// A duplicate execution_id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_rules_record(db: *const nts_storage, record_json: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let record: RuleExecutionRecord = json_arg(record_json, "record_json")?;
        Ok(db.rule_history().record(&record)?)
    })
}

/// Records a JSON array of RuleExecutionRecord in one atomic write (all or none).
#[no_mangle]
pub unsafe extern "C" fn nts_rules_record_batch(db: *const nts_storage, records_json: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let records: Vec<RuleExecutionRecord> = json_arg(records_json, "records_json")?;
        Ok(db.rule_history().record_batch(&records)?)
    })
}

/// One execution as RuleExecutionRecord JSON; NTS_NOT_FOUND when unknown. Free `*out_json`
/// with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_get(db: *const nts_storage, execution_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let id = str_arg(execution_id, "execution_id")?;
        let found = db.rule_history().get(id)?.ok_or_else(|| FfiError::not_found("rule execution", id))?;
        set_json(out, &found)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let rule_id = str_arg(rule_id, "rule_id")?;
        set_json(out, &db.rule_history().query_by_rule(rule_id, page_arg(offset, limit))?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let rule_id = str_arg(rule_id, "rule_id")?;
        set_json(out, &db.rule_history().query_rule_range(rule_id, range_arg(start, end)?, limit_arg(limit))?)
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.rule_history().query_range(range_arg(start, end)?, limit_arg(limit))?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.rule_history().query_failed(range_arg(start, end)?, limit_arg(limit))?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let rule_id = str_arg(rule_id, "rule_id")?;
        set_json(out, &db.rule_history().rule_statistics(rule_id, range_arg(start, end)?)?)
    })
}

/// RuleStatistics of every rule executed in [start, end), as a JSON array. Free `*out_json`
/// with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_rules_statistics(db: *const nts_storage, start: i64, end: i64, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.rule_history().statistics(range_arg(start, end)?)?)
    })
}

/// Removes executions triggered before `before_ms`; the count removed in `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_rules_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    run(|| {
        out_ptr(out_removed, "out_removed")?;
        let n = handle(db)?.rule_history().cleanup(before_ms)?;
        set_out(out_removed, "out_removed", n)
    })
}

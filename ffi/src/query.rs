//! The unified query interface (`StorageQuery`, implemented by `StorageManager`).

use crate::args::{opt_str_arg, range_arg, str_arg};
use crate::shapes::json_out;
use crate::status::nts_status;
use crate::storage::nts_storage;
use crate::timeseries::series_arg;
use neotalk_storage::{AlertSeverity, MemoryType, StorageQuery};
use std::ffi::c_char;

/// Telemetry of one series with start <= timestamp < end, oldest first, as a JSON array of
/// DataPoint. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_query_device_data(
    db: *const nts_storage,
    device_id: *const c_char,
    metric: *const c_char,
    start: i64,
    end: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let (device_id, metric) = series_arg(device_id, metric)?;
        Ok(db.query_device_data(device_id, metric, range_arg(start, end)?)?)
    })
}

/// Executions of one rule with start <= triggered_at < end, oldest first, as a JSON array of
/// RuleExecutionRecord. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_query_rule_history(
    db: *const nts_storage,
    rule_id: *const c_char,
    start: i64,
    end: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.query_rule_history(str_arg(rule_id, "rule_id")?, range_arg(start, end)?)?))
}

/// Long-term memories ranked by keyword relevance, at most `limit` (NTS_NO_LIMIT for all), only of `memory_type`
/// (a type name) unless it is NULL, as a JSON array of MemoryEntry. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_query_search_memory(
    db: *const nts_storage,
    query: *const c_char,
    memory_type: *const c_char,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let query = str_arg(query, "query")?;
        let memory_type = opt_str_arg(memory_type, "memory_type")?.map(str::parse::<MemoryType>).transpose()?;
        Ok(db.search_memory(query, memory_type, limit)?)
    })
}

/// Alerts with start <= created_at < end, oldest first, only of `severity` (a name, any case)
/// unless it is NULL, as a JSON array of AlertRecord. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_query_alerts(
    db: *const nts_storage,
    severity: *const c_char,
    start: i64,
    end: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let severity = opt_str_arg(severity, "severity")?.map(str::parse::<AlertSeverity>).transpose()?;
        Ok(db.query_alerts(severity, range_arg(start, end)?)?)
    })
}

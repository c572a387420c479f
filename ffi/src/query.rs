//! The unified query interface (`StorageQuery`, implemented by `StorageManager`).

use crate::args::{enum_arg, opt_str_arg, out_handle, range_arg, set_json, str_arg};
use crate::call::run;
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let device_id = str_arg(device_id, "device_id")?;
        let metric = str_arg(metric, "metric")?;
        set_json(out, &db.query_device_data(device_id, metric, range_arg(start, end)?)?)
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let rule_id = str_arg(rule_id, "rule_id")?;
        set_json(out, &db.query_rule_history(rule_id, range_arg(start, end)?)?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let query = str_arg(query, "query")?;
        let memory_type: Option<MemoryType> = match opt_str_arg(memory_type, "memory_type")? {
            None => None,
            Some(_) => Some(enum_arg(memory_type, "memory_type")?),
        };
        set_json(out, &db.search_memory(query, memory_type, limit)?)
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let severity = opt_str_arg(severity, "severity")?.map(str::parse::<AlertSeverity>).transpose()?;
        set_json(out, &db.query_alerts(severity, range_arg(start, end)?)?)
    })
}

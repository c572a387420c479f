//! Alerts (`AlertStore`): records cross as AlertRecord JSON, severities as their names
//! (parsed by core's `AlertSeverity::from_str`, any case).

use crate::args::{enum_arg, limit_arg, range_arg, str_arg};
use crate::shapes::{get_json, json_out, opt_json_out, record_in, scalar_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::{AlertRecord, AlertSeverity};
use std::ffi::c_char;

/// Stores a new alert from AlertRecord JSON: `{"alert_id", "title", "severity", "message",
/// "entity_id", "entity_type", "created_at", "acknowledged", "acknowledged_by",
/// "acknowledged_at", "resolved_at", "source"}`. Required: alert_id, title, severity ("Info" |
/// "Warning" | "Error" | "Critical"), created_at, source; the others may be omitted (message
/// "", acknowledged false, the rest null). A duplicate
/// alert_id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_create(db: *const nts_storage, alert_json: *const c_char) -> nts_status {
    record_in(db, alert_json, "alert_json", |db, alert: AlertRecord| Ok(db.alerts().create(&alert)?))
}

/// One alert as AlertRecord JSON; NTS_NOT_FOUND when unknown. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_get(db: *const nts_storage, alert_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, alert_id, "alert_id", "alert", out_json, |db, id| Ok(db.alerts().get(id)?))
}

/// Deletes an alert (and counts it out of the severity counts); whether it existed in
/// `*out_deleted`.
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_delete(db: *const nts_storage, alert_id: *const c_char, out_deleted: *mut bool) -> nts_status {
    scalar_out(db, out_deleted, "out_deleted", |db| Ok(db.alerts().delete(str_arg(alert_id, "alert_id")?)?))
}

/// Marks an alert acknowledged by `by` at `at`; the stored alert in `*out_json` (may be NULL
/// when not wanted; free with nts_string_free()). NTS_NOT_FOUND when unknown, NTS_CONFLICT
/// when already acknowledged.
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_acknowledge(
    db: *const nts_storage,
    alert_id: *const c_char,
    by: *const c_char,
    at: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    opt_json_out(db, out_json, |db| Ok(db.alerts().acknowledge(str_arg(alert_id, "alert_id")?, str_arg(by, "by")?, at)?))
}

/// Marks an alert resolved at `at`; the stored alert in `*out_json` (may be NULL when not
/// wanted; free with nts_string_free()). NTS_NOT_FOUND when unknown, NTS_CONFLICT when
/// already resolved.
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_resolve(
    db: *const nts_storage,
    alert_id: *const c_char,
    at: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    opt_json_out(db, out_json, |db| Ok(db.alerts().resolve(str_arg(alert_id, "alert_id")?, at)?))
}

/// Alerts with start <= created_at < end, oldest first, at most `limit` (NTS_NO_LIMIT for all), as a
/// JSON array of AlertRecord. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_query_range(
    db: *const nts_storage,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.alerts().query_range(range_arg(start, end)?, limit_arg(limit))?))
}

/// Alerts of one severity ("Info", "Warning", "Error" or "Critical", any case) with start <= created_at < end, oldest first,
/// at most `limit` (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_query_by_severity(
    db: *const nts_storage,
    severity: *const c_char,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let severity: AlertSeverity = enum_arg(severity, "severity")?;
        Ok(db.alerts().query_by_severity(severity, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Alerts about one entity with start <= created_at < end, oldest first, at most `limit`
/// (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_query_by_entity(
    db: *const nts_storage,
    entity_id: *const c_char,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        Ok(db.alerts().query_by_entity(str_arg(entity_id, "entity_id")?, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Alerts from one source with start <= created_at < end, oldest first, at most `limit`
/// (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_query_by_source(
    db: *const nts_storage,
    source: *const c_char,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.alerts().query_by_source(str_arg(source, "source")?, range_arg(start, end)?, limit_arg(limit))?))
}

/// Alerts nobody acknowledged yet, newest first, at most `limit` (NTS_NO_LIMIT for all), as a JSON
/// array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_unacknowledged(db: *const nts_storage, limit: usize, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.alerts().unacknowledged(limit_arg(limit))?))
}

/// Alerts not resolved yet, newest first, at most `limit` (NTS_NO_LIMIT for all), as a JSON array.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_unresolved(db: *const nts_storage, limit: usize, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.alerts().unresolved(limit_arg(limit))?))
}

/// Stored alerts per severity as SeverityCounts JSON `{"info", "warning", "error",
/// "critical"}`. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_count_by_severity(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.alerts().count_by_severity()?))
}

/// Unresolved alerts per severity as SeverityCounts JSON. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_count_unresolved_by_severity(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.alerts().count_unresolved_by_severity()?))
}

/// Removes every alert created before `before_ms`, resolved or not; the count removed in
/// `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    scalar_out(db, out_removed, "out_removed", |db| Ok(db.alerts().cleanup(before_ms)?))
}

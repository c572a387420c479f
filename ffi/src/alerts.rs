//! Alerts (`AlertStore`): records cross as AlertRecord JSON, severities as their names
//! (parsed by core's `AlertSeverity::from_str`, any case).

use crate::args::{json_arg, limit_arg, out_handle, out_ptr, range_arg, set_json, set_out, str_arg};
use crate::call::{run, FfiError};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::{AlertRecord, AlertSeverity};
use std::ffi::c_char;

/// A severity name ("Info", "Warning", "Error", "Critical", any case).
unsafe fn severity_arg(ptr: *const c_char) -> Result<AlertSeverity, FfiError> {
    Ok(str_arg(ptr, "severity")?.parse::<AlertSeverity>()?)
}

/// Stores a new alert from AlertRecord JSON: `{"alert_id", "title", "severity", "message",
/// "entity_id", "entity_type", "created_at", "acknowledged", "acknowledged_by",
/// "acknowledged_at", "resolved_at", "source"}` (the optional ones may be null). A duplicate
/// alert_id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_create(db: *const nts_storage, alert_json: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let alert: AlertRecord = json_arg(alert_json, "alert_json")?;
        Ok(db.alerts().create(&alert)?)
    })
}

/// One alert as AlertRecord JSON; NTS_NOT_FOUND when unknown. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_get(db: *const nts_storage, alert_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let id = str_arg(alert_id, "alert_id")?;
        let found = db.alerts().get(id)?.ok_or_else(|| FfiError::not_found("alert", id))?;
        set_json(out, &found)
    })
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
    run(|| {
        let out = if out_json.is_null() { None } else { Some(out_handle(out_json, "out_json")?) };
        let db = handle(db)?;
        let id = str_arg(alert_id, "alert_id")?;
        let by = str_arg(by, "by")?;
        let alert = db.alerts().acknowledge(id, by, at)?;
        out.map_or(Ok(()), |o| set_json(o, &alert))
    })
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
    run(|| {
        let out = if out_json.is_null() { None } else { Some(out_handle(out_json, "out_json")?) };
        let db = handle(db)?;
        let id = str_arg(alert_id, "alert_id")?;
        let alert = db.alerts().resolve(id, at)?;
        out.map_or(Ok(()), |o| set_json(o, &alert))
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.alerts().query_range(range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Alerts of one severity (a name, any case) with start <= created_at < end, oldest first,
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let severity = severity_arg(severity)?;
        set_json(out, &db.alerts().query_by_severity(severity, range_arg(start, end)?, limit_arg(limit))?)
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let entity_id = str_arg(entity_id, "entity_id")?;
        set_json(out, &db.alerts().query_by_entity(entity_id, range_arg(start, end)?, limit_arg(limit))?)
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let source = str_arg(source, "source")?;
        set_json(out, &db.alerts().query_by_source(source, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Alerts nobody acknowledged yet, newest first, at most `limit` (NTS_NO_LIMIT for all), as a JSON
/// array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_unacknowledged(db: *const nts_storage, limit: usize, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.alerts().unacknowledged(limit_arg(limit))?)
    })
}

/// Alerts not resolved yet, newest first, at most `limit` (NTS_NO_LIMIT for all), as a JSON array.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_unresolved(db: *const nts_storage, limit: usize, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.alerts().unresolved(limit_arg(limit))?)
    })
}

/// Stored alerts per severity as SeverityCounts JSON `{"info", "warning", "error",
/// "critical"}`. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_count_by_severity(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.alerts().count_by_severity()?)
    })
}

/// Unresolved alerts per severity as SeverityCounts JSON. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_count_unresolved_by_severity(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.alerts().count_unresolved_by_severity()?)
    })
}

/// Removes every alert created before `before_ms`, resolved or not; the count removed in
/// `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_alerts_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    run(|| {
        out_ptr(out_removed, "out_removed")?;
        let n = handle(db)?.alerts().cleanup(before_ms)?;
        set_out(out_removed, "out_removed", n)
    })
}

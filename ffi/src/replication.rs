//! Fleet replication (`neotalk-storage-replicate`): delivers the change feeds to
//! PostgreSQL or Parquet files, each row exactly once. A host runs `nts_replicate` in its
//! own loop or thread (it blocks while it delivers).

use crate::args::str_arg;
use crate::shapes::json_out;
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage_replicate::{Replicator, Target};
use std::ffi::c_char;

fn target_arg(target: *const c_char) -> crate::call::FfiResult<Target> {
    // SAFETY: the caller passes a NUL-terminated string or NULL (checked by str_arg).
    let text = unsafe { str_arg(target, "target") }?;
    Ok(text.parse::<Target>()?)
}

/// Delivers everything not yet delivered to `target` (`postgres://USER[:PASSWORD]@HOST:PORT/DB`
/// or `parquet:DIR`), with rows keyed by `gateway_id` (letters, digits, '.', '_', '-'), then
/// returns. The target's cursors live in the database: the next call resumes where this one
/// stopped, and retention keeps what the target has not received (up to 7 days). On success
/// `*out_json` is `{"points", "events", "alert_changes", "record_changes", "dropped",
/// "batches"}` (free with nts_string_free()).
///
/// Errors: NTS_INVALID_INPUT (a bad `target` or `gateway_id`), NTS_IO (the target failed;
/// the batch in flight is delivered again by the next call, and the error is kept in the
/// status), NTS_CLOSED.
#[no_mangle]
pub unsafe extern "C" fn nts_replicate(
    db: *const nts_storage,
    target: *const c_char,
    gateway_id: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let target = target_arg(target)?;
        let gateway_id = str_arg(gateway_id, "gateway_id")?;
        let mut r = Replicator::new(db.clone(), &target, gateway_id)?;
        Ok(r.run_once()?)
    })
}

/// The replication status of `target`: SinkStatus JSON `{"name", "options": {"max_lag",
/// "max_backlog_bytes"}, "last_error", "last_error_ms", "feeds": [{"feed", "progress":
/// {"after", "within", "delivered", "dropped", "last_delivery_ms", ...}, "pending_rows",
/// "lag_ms"}]}` (free with nts_string_free()). NTS_NOT_FOUND before the first nts_replicate()
/// to that target.
#[no_mangle]
pub unsafe extern "C" fn nts_replication_status(db: *const nts_storage, target: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| {
        let target = target_arg(target)?;
        Ok(db.feed().status(&target.sink_name())?)
    })
}

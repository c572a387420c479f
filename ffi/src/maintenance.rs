//! Database-wide operations of `StorageManager`: statistics, compaction, integrity check,
//! snapshot export/import (library-owned byte buffers) and the retention cleanup of every
//! store (`DataCleanupTask`).

use crate::args::{opt_json_arg, out_handle, out_ptr, slice_arg};
use crate::call::{run, run_void};
use crate::shapes::{json_out, opt_json_out, scalar_out};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::config::RetentionConfig;
use neotalk_storage::DataCleanupTask;
use std::ffi::c_char;

/// Sizes and counts per table, last write times and query latency since open, as
/// StorageStats JSON `{"database_size_bytes", "table_stats": {table: {"count", "size_bytes",
/// "last_write"}}, "query_performance": {"total_queries", "avg_latency_ms", ...}}`. Free
/// `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_storage_stats(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.stats()?))
}

/// Commits buffered telemetry and rewrites the database file to release freed space (a no-op
/// in memory); CompactionReport JSON `{"before_bytes", "after_bytes"}` in `*out_json` (may be
/// NULL when not wanted; free with nts_string_free()). NTS_CONFLICT while a read snapshot is
/// held by another thread.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_compact(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    opt_json_out(db, out_json, |db| Ok(db.compact()?))
}

/// Checks the database's checksums and structure; `*out_ok` is true when sound (always in
/// memory).
#[no_mangle]
pub unsafe extern "C" fn nts_storage_check_integrity(db: *const nts_storage, out_ok: *mut bool) -> nts_status {
    scalar_out(db, out_ok, "out_ok", |db| Ok(db.check_integrity()?))
}

/// Reads every stored entry, checking its checksum, and runs redb's structural check (not on a
/// database opened read-only); the IntegrityReport JSON `{"ok", "entries_checked",
/// "damaged_count", "damaged": [{"table", "key", "what", "problem"}], "engine_problem",
/// "engine_checked"}` in `*out_json` (free with nts_string_free()). Damage is reported there,
/// not as an error status.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_integrity_report(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.integrity_report()?))
}

/// A full snapshot of every table, from one consistent read snapshot. On success `*out_data`
/// points to `*out_len` library-owned bytes: free them with nts_bytes_free(data, len). On
/// failure `*out_data` is NULL and `*out_len` 0.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_export_snapshot(db: *const nts_storage, out_data: *mut *mut u8, out_len: *mut usize) -> nts_status {
    run(|| {
        let data = out_handle(out_data, "out_data")?;
        let len = out_ptr(out_len, "out_len")?;
        len.write(0);
        let bytes = handle(db)?.export_snapshot()?.into_boxed_slice();
        len.write(bytes.len());
        data.write(Box::into_raw(bytes).cast::<u8>());
        Ok(())
    })
}

/// Frees a byte buffer returned by nts_storage_export_snapshot(), with the length returned
/// with it. NULL is ignored. Freeing twice, or with another length, is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn nts_bytes_free(data: *mut u8, len: usize) {
    if data.is_null() {
        return;
    }
    run_void(|| drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len))));
}

/// Replaces the live data with a full (or selective) snapshot of `len` bytes at `data`, from
/// nts_storage_export_snapshot() or a backup file. The whole snapshot is verified first and
/// the data replaced in one atomic write: a damaged snapshot is NTS_CORRUPTED (or
/// NTS_VERSION_MISMATCH) and leaves the data as it was; an incremental one NTS_INVALID_INPUT.
/// The snapshot's Manifest JSON in `*out_manifest_json` (may be NULL when not wanted; free
/// with nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_storage_import_snapshot(
    db: *const nts_storage,
    data: *const u8,
    len: usize,
    out_manifest_json: *mut *mut c_char,
) -> nts_status {
    opt_json_out(db, out_manifest_json, |db| Ok(db.import_snapshot(slice_arg(data, len, "data")?)?))
}

/// Runs the retention cleanup of every store as of `now_ms` (Unix ms). `retention_json` is
/// NULL for the defaults or RetentionConfig JSON (the fields of retention.yaml, e.g.
/// `{"alerts": {"keep": "30d"}, "events": {"keep": "36h"}, "decisions": {"keep": "forever"}}`;
/// a bare number counts days; missing fields keep their defaults, unknown ones and windows
/// that are not durations are NTS_INVALID_INPUT). The CleanupReport JSON `{"removed": {store:
/// count}, "failed": {store: message}}` in `*out_json` (free with nts_string_free()): a store
/// that fails is reported there and the others still run.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_cleanup(
    db: *const nts_storage,
    retention_json: *const c_char,
    now_ms: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let config: RetentionConfig = opt_json_arg(retention_json, "retention_json")?.unwrap_or_default();
        Ok(DataCleanupTask::new(db, config).run(now_ms)?)
    })
}

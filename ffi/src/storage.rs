//! `nts_storage`: opening, flushing, closing and freeing a database handle.

use crate::args::{opt_json_arg, out_handle, set_json, str_arg};
use crate::call::{run, run_void, FfiError, FfiResult};
use crate::status::nts_status;
use neotalk_storage::{StorageManager, StorageOptions};
use std::ffi::c_char;

/// An open database (opaque). Create with nts_storage_open() or nts_storage_open_in_memory(),
/// release with nts_storage_free().
pub struct nts_storage {
    db: StorageManager,
}

/// The manager behind a handle, refusing NULL (a closed manager refuses calls itself).
///
/// # Safety
/// `db` is NULL or a handle from nts_storage_open*() not yet freed.
pub unsafe fn handle<'a>(db: *const nts_storage) -> FfiResult<&'a StorageManager> {
    Ok(&db.as_ref().ok_or_else(|| FfiError::null("db"))?.db)
}

/// Options from optional JSON, decoded by the core ([`neotalk_storage::from_json`]): omitted
/// fields keep the core's defaults, so `{"durability": "Eventual"}` or `{"write_buffer":
/// {"max_points": 0}}` change only what they name; an unknown field is refused.
unsafe fn options_arg(options_json: *const c_char) -> FfiResult<StorageOptions> {
    let Some(given) = opt_json_arg::<serde_json::Value>(options_json, "options_json")? else {
        return Ok(StorageOptions::default());
    };
    // serde would also read a struct from a positional array; options are an object.
    if !given.is_object() {
        return Err(FfiError::invalid("options_json", "must be a JSON object"));
    }
    Ok(neotalk_storage::from_json_value("options_json", given)?)
}

fn new_handle(db: StorageManager) -> *mut nts_storage {
    Box::into_raw(Box::new(nts_storage { db }))
}

/// Opens (creating if needed) the database in directory `data_dir` (file
/// `data_dir/storage.redb`). `options_json` may be NULL (defaults) or a JSON object with any
/// fields of StorageOptions, the others keeping their defaults: `durability` ("Immediate", the
/// default: each commit is durable when the call returns | "Eventual"), `write_buffer`
/// ({"max_points": 4096, "max_delay_ms": 1000} by default: single-point writes are committed
/// in groups at that many points or when the oldest is that old; max_points 0 commits each),
/// `device_cache_entries` (4096), `series_cache_entries` (16384), `page_cache_bytes` (64 MiB),
/// `split_files` (false; true: a new database puts time series, vectors, sessions and events
/// in files of their own; an existing one keeps its layout). On success `*out` is the new
/// handle.
///
/// Errors: NTS_LOCKED (already open), NTS_VERSION_MISMATCH, NTS_CORRUPTED (not a
/// neotalk-storage file), NTS_IO (directory cannot be created), NTS_INVALID_INPUT (options).
#[no_mangle]
pub unsafe extern "C" fn nts_storage_open(data_dir: *const c_char, options_json: *const c_char, out: *mut *mut nts_storage) -> nts_status {
    run(|| {
        let out = out_handle(out, "out")?;
        let dir = str_arg(data_dir, "data_dir")?;
        if dir.is_empty() {
            return Err(FfiError::invalid("data_dir", "must not be empty"));
        }
        let options = options_arg(options_json)?;
        out.write(new_handle(StorageManager::open_with(dir, options)?));
        Ok(())
    })
}

/// Opens the existing database in `data_dir` without ever writing to it (read-only media, or
/// to inspect a copy). Reads, stats, snapshots and nts_storage_integrity_report() work; every
/// write and compaction is NTS_READ_ONLY, and so is a file that needs recovery (not closed
/// cleanly). Nothing is created: a directory without a database is NTS_INVALID_INPUT; another
/// handle writing it is NTS_LOCKED. On success `*out` is the new handle.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_open_read_only(data_dir: *const c_char, out: *mut *mut nts_storage) -> nts_status {
    run(|| {
        let out = out_handle(out, "out")?;
        let dir = str_arg(data_dir, "data_dir")?;
        out.write(new_handle(StorageManager::open_read_only(dir)?));
        Ok(())
    })
}

/// Recovery path for a damaged database: copies every entry of the database in `damaged_dir`
/// whose checksum holds into a new database in `out_dir` (which must not hold one), skipping
/// and listing the damaged entries, with the files of `damaged_dir/config`. The damaged files
/// are never written (a file that needs recovery is recovered on a copy). On success
/// `*out_json` is the SalvageReport JSON `{"entries_copied", "damaged_count", "damaged":
/// [{"table", "key", "what", "problem"}], "read_from_copy", "config_files_copied"}` (free
/// with nts_string_free()); skipped entries are reported there, not as an error status.
///
/// Errors: NTS_INVALID_INPUT (no database in `damaged_dir`, or `out_dir` holds one),
/// NTS_LOCKED (a handle has the damaged database open), NTS_IO, or the open error when even
/// a recovered copy cannot be opened.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_salvage(damaged_dir: *const c_char, out_dir: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let report = StorageManager::salvage(str_arg(damaged_dir, "damaged_dir")?, str_arg(out_dir, "out_dir")?)?;
        set_json(out, &report)
    })
}

/// Opens a fresh database in memory; it is gone when closed. `options_json` as for
/// nts_storage_open() (NULL for defaults).
#[no_mangle]
pub unsafe extern "C" fn nts_storage_open_in_memory(options_json: *const c_char, out: *mut *mut nts_storage) -> nts_status {
    run(|| {
        let out = out_handle(out, "out")?;
        let options = options_arg(options_json)?;
        out.write(new_handle(StorageManager::in_memory_with(options)?));
        Ok(())
    })
}

/// Commits buffered telemetry and makes every commit durable.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_flush(db: *const nts_storage) -> nts_status {
    run(|| Ok(handle(db)?.flush()?))
}

/// Flushes and closes the database; every later call on the handle fails with NTS_CLOSED.
/// Closing twice is harmless (NTS_OK). The handle must still be freed with nts_storage_free().
#[no_mangle]
pub unsafe extern "C" fn nts_storage_close(db: *const nts_storage) -> nts_status {
    run(|| Ok(handle(db)?.close()?))
}

/// Frees a handle, closing the database first if nts_storage_close() was not called (errors of
/// that implicit close are lost: call nts_storage_close() to see them). NULL is ignored.
/// No call may use the handle during or after this one.
#[no_mangle]
pub unsafe extern "C" fn nts_storage_free(db: *mut nts_storage) {
    if db.is_null() {
        return;
    }
    run_void(|| {
        let _ = Box::from_raw(db).db.close();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_merge_over_defaults() {
        let o = unsafe { options_arg(cr#"{"durability":"Eventual","write_buffer":{"max_points":0}}"#.as_ptr()) }.unwrap();
        assert_eq!(o.durability, neotalk_storage::Durability::Eventual);
        assert_eq!(o.write_buffer.max_points, 0);
        assert_eq!(o.write_buffer.max_delay_ms, StorageOptions::default().write_buffer.max_delay_ms);
        let bad = unsafe { options_arg(cr#"{"durability":"Sometimes"}"#.as_ptr()) }.unwrap_err();
        assert_eq!(bad.status, nts_status::NTS_INVALID_INPUT);
        let bad = unsafe { options_arg(c"[1]".as_ptr()) }.unwrap_err();
        assert_eq!(bad.status, nts_status::NTS_INVALID_INPUT);
        let bad = unsafe { options_arg(cr#"{"write_buffer":{"max_pionts":1}}"#.as_ptr()) }.unwrap_err();
        assert!(bad.message.contains("max_pionts"), "{}", bad.message);
        assert_eq!(bad.status, nts_status::NTS_INVALID_INPUT);
    }
}

//! Backups (`BackupManager`, `RestoreManager`): settings and reports cross as JSON, backups
//! are named by id (checked by core so an id can never leave the backup directory).

use crate::args::{opt_json_arg, str_arg};
use crate::call::FfiError;
use crate::shapes::{json_out, opt_json_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::backup::{BackupManager, RestoreManager};
use neotalk_storage::{BackupConfig, BackupType};
use std::ffi::c_char;

/// BackupConfig from optional JSON (NULL: the defaults, directory `backups` in the data
/// directory).
unsafe fn config_arg(config_json: *const c_char) -> Result<BackupConfig, crate::call::FfiError> {
    Ok(opt_json_arg(config_json, "config_json")?.unwrap_or_default())
}

/// Takes one backup into the configured directory, then removes backups beyond
/// `retain_count`. `config_json` is NULL or BackupConfig JSON `{"backup_dir",
/// "interval_hours", "retain_count", "enabled_backups"}` (missing fields keep their
/// defaults; a relative backup_dir is taken from the data directory, so an in-memory
/// database needs an absolute one). `kind_json` is NULL for a full backup or BackupType JSON:
/// `{"type": "full"}`, `{"type": "incremental"}`, `{"type": "selective", "tables": [..]}`.
/// The BackupInfo JSON `{"id", "path", "size_bytes", "manifest", "problem"}` in `*out_json`
/// (free with nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_backup_create(
    db: *const nts_storage,
    config_json: *const c_char,
    kind_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let config = config_arg(config_json)?;
        let kind: BackupType = opt_json_arg(kind_json, "kind_json")?.unwrap_or(BackupType::Full);
        Ok(BackupManager::new(db, config)?.backup(&kind)?)
    })
}

/// Every backup file in the configured directory (`config_json` as for nts_backup_create()),
/// oldest first, as a JSON array of BackupInfo (a file whose header does not read has its
/// `problem` set). Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_backup_list(db: *const nts_storage, config_json: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| {
        let config = config_arg(config_json)?;
        Ok(RestoreManager::for_config(db, &config)?.list_backups()?)
    })
}

/// Checks backup `id` and its whole chain without touching live data; VerifyReport JSON
/// `{"id", "ok", "problem", "chain", "tables", "entries"}` in `*out_json` (free with
/// nts_string_free()). A damaged backup is NTS_OK with `"ok": false`; an id that is not
/// 1..=128 bytes of `[A-Za-z0-9._-]` (or starts with '.' or holds "..") is
/// NTS_INVALID_INPUT; an unknown id NTS_NOT_FOUND.
#[no_mangle]
pub unsafe extern "C" fn nts_backup_verify(
    db: *const nts_storage,
    config_json: *const c_char,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let config = config_arg(config_json)?;
        let id = str_arg(id, "id")?;
        Ok(RestoreManager::for_config(db, &config)?.verify(id)?)
    })
}

/// Restores backup `id`: verifies its whole chain, then replaces the live data in one atomic
/// write (any failure leaves it as it was). RestoreResult JSON `{"id", "chain", "tables",
/// "entries"}` in `*out_json` (may be NULL when not wanted; free with nts_string_free()).
/// Ids as for nts_backup_verify(); a damaged backup is NTS_CORRUPTED.
#[no_mangle]
pub unsafe extern "C" fn nts_backup_restore(
    db: *const nts_storage,
    config_json: *const c_char,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    opt_json_out(db, out_json, |db| {
        let config = config_arg(config_json)?;
        Ok(RestoreManager::for_config(db, &config)?.restore(str_arg(id, "id")?)?)
    })
}

/// Takes one backup of each kind in the configuration's `enabled_backups` (default: one full
/// backup), in order; a JSON array of BackupInfo in `*out_json` (free with
/// nts_string_free()). `config_json` as for nts_backup_create().
#[no_mangle]
pub unsafe extern "C" fn nts_backup_run_enabled(
    db: *const nts_storage,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let config = config_arg(config_json)?;
        Ok(BackupManager::new(db, config)?.run_enabled()?)
    })
}

/// Removes the oldest backups beyond `retain_count`, never the base (or an ancestor) of a
/// kept incremental, never a file whose header does not read; the removed ids as a JSON array
/// of strings in `*out_json` (free with nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_backup_prune(db: *const nts_storage, config_json: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| {
        let config = config_arg(config_json)?;
        Ok(BackupManager::new(db, config)?.prune()?)
    })
}

/// The newest backup in the configured directory, damaged or not (so a damaged newest
/// backup is reported rather than silently skipped), as BackupInfo JSON; NTS_NOT_FOUND when
/// there is none. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_backup_newest(db: *const nts_storage, config_json: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| {
        let config = config_arg(config_json)?;
        RestoreManager::for_config(db, &config)?
            .newest()?
            .ok_or_else(|| FfiError::new(nts_status::NTS_NOT_FOUND, "no backup in the backup directory"))
    })
}

//! Statuses of `nts_storage_open` that need a crafted database file, which C cannot make:
//! a file of another format version and a redb file that is not a neotalk-storage database.

use neotalk_storage::{Backend, RedbBackend, WriteBatch};
use neotalk_storage::{DATABASE_FILE, FORMAT_VERSION};
use neotalk_storage_ffi::*;
use std::ffi::{CStr, CString};

/// Writes `batch` into a fresh redb file `dir/storage.redb` through the core's backend.
fn craft(dir: &std::path::Path, batch: &WriteBatch) {
    let backend = RedbBackend::open(&dir.join(DATABASE_FILE), 1 << 20).unwrap();
    backend.write(&[batch], true).unwrap();
    backend.close().unwrap();
}

fn open(dir: &std::path::Path) -> (nts_status, *mut nts_storage, String) {
    let path = CString::new(dir.to_str().unwrap()).unwrap();
    let mut db = std::ptr::dangling_mut::<nts_storage>();
    let status = unsafe { storage::nts_storage_open(path.as_ptr(), std::ptr::null(), &mut db) };
    let message = unsafe { CStr::from_ptr(nts_last_error_message()) }.to_str().unwrap().to_string();
    (status, db, message)
}

#[test]
fn another_format_version_is_version_mismatch_and_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = FORMAT_VERSION + 1;
    let mut batch = WriteBatch::new();
    // The format-version stamp is part of the file format: table "meta", key "format_version".
    batch.put("meta", b"format_version".to_vec(), foreign.to_le_bytes().to_vec());
    craft(dir.path(), &batch);

    let (status, db, message) = open(dir.path());
    assert_eq!(status, nts_status::NTS_VERSION_MISMATCH, "{message}");
    assert!(db.is_null());
    assert!(message.contains(&foreign.to_string()), "{message}");
    // The refused file still carries its own version (nothing was restamped).
    let backend = RedbBackend::open(&dir.path().join(DATABASE_FILE), 1 << 20).unwrap();
    let stamp = backend.read().unwrap().get("meta", b"format_version").unwrap();
    assert_eq!(stamp, Some(foreign.to_le_bytes().to_vec()));
    backend.close().unwrap();
}

#[test]
fn a_redb_file_of_another_program_is_corrupted() {
    let dir = tempfile::tempdir().unwrap();
    let mut batch = WriteBatch::new();
    batch.put("someone_elses_table", b"k".to_vec(), b"v".to_vec());
    craft(dir.path(), &batch);

    let (status, db, message) = open(dir.path());
    assert_eq!(status, nts_status::NTS_CORRUPTED, "{message}");
    assert!(db.is_null());
    assert!(message.contains("not a neotalk-storage database"), "{message}");
}

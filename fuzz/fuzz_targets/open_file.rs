//! Opening arbitrary bytes as a database file (`data/storage.redb`) with
//! `StorageManager::open`, then using it.
//!
//! Contract: a damaged or foreign file fails with an error, or opens and every call returns
//! a result; no panic escapes the API. (redb may panic inside `open` on some damage; the SDK
//! catches that and reports `Corrupted`, so this target counts only panics that escape.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use neotalk_storage::{AlertRecord, AlertSeverity, DataPoint, NewEvent, StorageManager, TelemetryPoint};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, Once};

/// The last panic seen (message and location), printed when a panic escapes.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

fn exercise(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data");
    std::fs::create_dir(&data_dir).expect("data dir");
    std::fs::write(data_dir.join(neotalk_storage::DATABASE_FILE), data).expect("write file");
    let Ok(db) = StorageManager::open(&data_dir) else { return };
    let _ = db.check_integrity();
    let _ = db.table_sizes();
    let _ = db.devices().list_devices();
    let _ = db.timeseries().list_devices_with_data();
    let _ = db.timeseries().query_range("d", "m", i64::MIN..i64::MAX);
    let _ = db.timeseries().query_latest("d", "m");
    let _ = db.events().replay(0, 100);
    let _ = db.events().query_range(.., Some(100));
    let _ = db.alerts().unresolved(Some(100));
    let _ = db.alerts().count_by_severity();
    let _ = db.sessions().list_sessions(Some(100));
    let _ = db.timeseries().write_batch(&[TelemetryPoint::new("d", "m", 1, 1.0)]);
    let _ = db.timeseries().write("d", "m", DataPoint::new(2, 2.0));
    let _ = db.events().append(&NewEvent::new("fuzz-e", "t", "s", 1, serde_json::Value::Null));
    let _ = db.alerts().create(&AlertRecord::new("fuzz-a", "t", AlertSeverity::Info, "m", "s", 1));
    let _ = db.timeseries().delete_range("d", "m", 0..10);
    let _ = db.close();
}

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys aborts in its panic hook, before any catch_unwind; use a silent hook and
    // catch here so that only a panic escaping the API counts as a crash.
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let mut last = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
            *last = info.to_string();
            if std::env::var_os("NTS_FUZZ_BACKTRACE").is_some() {
                last.push_str(&format!("\n{}", std::backtrace::Backtrace::force_capture()));
            }
        }))
    });
    if catch_unwind(AssertUnwindSafe(|| exercise(data))).is_err() {
        eprintln!("panic escaped the storage API: {}", LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()));
        std::process::abort();
    }
});

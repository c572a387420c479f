//! Opening arbitrary bytes as a database file: see `neotalk_storage_fuzz::open_file`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, Once};

/// The last panic seen (message and location), printed when a panic escapes.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

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
    if catch_unwind(AssertUnwindSafe(|| neotalk_storage_fuzz::open_file::check(data))).is_err() {
        eprintln!("panic escaped the storage API: {}", LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()));
        std::process::abort();
    }
});

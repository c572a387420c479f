//! Runs redb calls so that a panic inside redb becomes `Corrupted`, silently.
//!
//! redb panics on some damaged pages (slice bounds in `btree_base.rs`, "Malformed allocator
//! state"); no panic may cross the SDK's boundary, and none may print into the host
//! program's stderr either: Rust's default panic hook would print the message and a
//! backtrace before `catch_unwind` sees it. So the library installs, once, a hook that stays
//! quiet while a guarded call runs on the current thread and defers to the previous hook
//! (the host's, or Rust's default) everywhere else. A panic in store code runs unguarded and
//! is reported as the bug it is.

use crate::error::{Result, StorageError};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Guarded calls running on this thread (they may nest).
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

static QUIET_HOOK: Once = Once::new();

fn install_quiet_hook() {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Runs `f` (a redb call); a panic in it is `Corrupted` naming `what`, printed nowhere.
pub(crate) fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    install_quiet_hook();
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.unwrap_or_else(|_| Err(StorageError::Corrupted(format!("the database file is damaged (redb failed during {what})"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guarded_panic_is_corrupted_and_the_counter_unwinds() {
        let err = guarded("a read", || -> Result<()> { panic!("slice index out of range") }).unwrap_err();
        assert!(matches!(&err, StorageError::Corrupted(m) if m.contains("during a read")), "{err:?}");
        assert_eq!(GUARDED.with(Cell::get), 0);
        assert_eq!(guarded("nested", || guarded("inner", || Ok(7))).unwrap(), 7);
        assert_eq!(GUARDED.with(Cell::get), 0);
    }
}

//! Monotonic milliseconds for buffer ages (`std::time::Instant` panics on wasm32).

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn monotonic_ms() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// On wasm there is no clock without JS glue; ages are then never due, and the buffer is
/// flushed by size, `flush()`, reads and close.
#[cfg(target_arch = "wasm32")]
pub(crate) fn monotonic_ms() -> u64 {
    0
}

/// Measures a duration in microseconds (always 0 on wasm, which has no clock in the core).
pub(crate) struct Stopwatch {
    #[cfg(not(target_arch = "wasm32"))]
    start: std::time::Instant,
}

impl Stopwatch {
    pub(crate) fn start() -> Self {
        Stopwatch {
            #[cfg(not(target_arch = "wasm32"))]
            start: std::time::Instant::now(),
        }
    }

    pub(crate) fn elapsed_us(&self) -> u64 {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.start.elapsed().as_micros() as u64
        }
        #[cfg(target_arch = "wasm32")]
        {
            0
        }
    }
}

/// Wall-clock Unix milliseconds. Native only: on wasm the host passes `now` explicitly, and
/// this returns 0 (`SystemTime::now` panics on wasm32-unknown-unknown).
pub fn unix_ms() -> i64 {
    if cfg!(target_arch = "wasm32") {
        return 0;
    }
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

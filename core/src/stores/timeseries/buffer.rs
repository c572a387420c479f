//! The bounded telemetry write buffer (group commit).
//!
//! Single-point writes are queued and committed together. The buffer is flushed when it
//! holds `max_points` or [`MAX_BINARY_BYTES`] of binary values, when its oldest point is
//! `max_delay_ms` old (natively only: a
//! background thread checks; wasm has neither threads nor a clock in the core), on `flush()`,
//! before every read of the time-series or device store, and on close.

use super::{MetricValue, TelemetryPoint};

/// Bytes of binary values (camera snapshots) the buffer holds before a flush is forced, so a
/// burst of large values cannot hold `max_points` of them in memory.
pub(crate) const MAX_BINARY_BYTES: usize = 16 * 1024 * 1024;

fn binary_bytes(p: &TelemetryPoint) -> usize {
    match &p.point.value {
        MetricValue::Binary(b) => b.len(),
        _ => 0,
    }
}

/// Settings of the telemetry write buffer (as JSON: omitted fields take their [`Default`],
/// unknown fields are refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WriteBufferOptions {
    /// Points held before a flush is forced; `0` makes every `write` commit at once.
    pub max_points: usize,
    /// Age of the oldest buffered point that triggers a flush, in ms.
    pub max_delay_ms: u64,
}

impl Default for WriteBufferOptions {
    fn default() -> Self {
        WriteBufferOptions { max_points: 4096, max_delay_ms: 1000 }
    }
}

pub(crate) struct WriteBuffer {
    pub(crate) points: Vec<TelemetryPoint>,
    /// When the oldest buffered point arrived, in ms of the store's clock.
    pub(crate) oldest_ms: Option<u64>,
    /// Points were taken for a commit that has not finished yet: reads must wait for it.
    pub(crate) in_flight: bool,
    /// Bytes of the binary values among `points`.
    binary_bytes: usize,
}

impl WriteBuffer {
    pub(crate) fn new() -> Self {
        WriteBuffer { points: Vec::new(), oldest_ms: None, in_flight: false, binary_bytes: 0 }
    }

    pub(crate) fn push(&mut self, p: TelemetryPoint, now_ms: u64) {
        self.oldest_ms.get_or_insert(now_ms);
        self.binary_bytes += binary_bytes(&p);
        self.points.push(p);
    }

    pub(crate) fn take(&mut self) -> Vec<TelemetryPoint> {
        self.oldest_ms = None;
        self.binary_bytes = 0;
        self.in_flight = !self.points.is_empty();
        std::mem::take(&mut self.points)
    }

    /// Puts points whose commit failed back in front, so they are retried in order.
    pub(crate) fn restore(&mut self, mut failed: Vec<TelemetryPoint>, now_ms: u64) {
        self.in_flight = false;
        failed.append(&mut self.points);
        self.points = failed;
        self.binary_bytes = self.points.iter().map(binary_bytes).sum();
        self.oldest_ms = Some(self.oldest_ms.unwrap_or(now_ms).min(now_ms));
    }

    /// The points taken by [`Self::take`] are committed.
    pub(crate) fn committed(&mut self) {
        self.in_flight = false;
    }

    pub(crate) fn is_due(&self, now_ms: u64, opts: &WriteBufferOptions) -> bool {
        self.points.len() >= opts.max_points.max(1)
            || self.binary_bytes >= MAX_BINARY_BYTES
            || self.oldest_ms.is_some_and(|t| now_ms.saturating_sub(t) >= opts.max_delay_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_bytes_make_the_buffer_due() {
        let opts = WriteBufferOptions::default();
        let mut buf = WriteBuffer::new();
        let image = |t| TelemetryPoint::new("cam", "img", t, vec![0u8; MAX_BINARY_BYTES / 2]);
        buf.push(image(1), 0);
        assert!(!buf.is_due(0, &opts));
        buf.push(image(2), 0);
        assert!(buf.is_due(0, &opts), "two half-limit images");
        let taken = buf.take();
        assert!(!buf.is_due(0, &opts));
        buf.restore(taken, 0);
        assert!(buf.is_due(0, &opts), "restored points count again");
    }
}

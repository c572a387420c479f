//! Storage statistics (seed "监控指标"): sizes and counts per table, and query latency.
//!
//! Query latency is recorded on every store query by the engine (the lifetime of the query's
//! read snapshot) into a lock-free log-scale histogram: two clock reads and one atomic add
//! per query. A hand-written histogram because the common crates (hdrhistogram) need `&mut`
//! or a lock to record, which every query would then contend on.

use crate::storage::backend::TableSize;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Buckets per doubling of latency: 4 gives bucket bounds within 19% of each other.
const STEPS_PER_OCTAVE: f64 = 4.0;
/// Covers 1 µs to about 2^40 µs (12 days).
const BUCKETS: usize = 160;

/// Lock-free histogram of query latencies in microseconds.
pub(crate) struct QueryHistogram {
    buckets: Vec<AtomicU64>,
    total_us: AtomicU64,
    count: AtomicU64,
    since: crate::storage::clock::Stopwatch,
}

fn bucket_of(us: u64) -> usize {
    if us <= 1 {
        return 0;
    }
    (((us as f64).log2() * STEPS_PER_OCTAVE) as usize + 1).min(BUCKETS - 1)
}

/// Upper bound (µs) of the latencies that fall into bucket `i`.
fn bucket_upper_us(i: usize) -> f64 {
    if i == 0 {
        1.0
    } else {
        2f64.powf(i as f64 / STEPS_PER_OCTAVE)
    }
}

impl QueryHistogram {
    pub(crate) fn new() -> Self {
        QueryHistogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            total_us: AtomicU64::new(0),
            count: AtomicU64::new(0),
            since: crate::storage::clock::Stopwatch::start(),
        }
    }

    pub(crate) fn record(&self, us: u64) {
        self.buckets[bucket_of(us)].fetch_add(1, Ordering::Relaxed);
        self.total_us.fetch_add(us, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// The latency below which `q` (0..=1) of the queries fall, as a bucket's upper bound.
    fn percentile_us(&self, counts: &[u64], total: u64, q: f64) -> f64 {
        let target = (total as f64 * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= target {
                return bucket_upper_us(i);
            }
        }
        0.0
    }

    pub(crate) fn snapshot(&self) -> QueryPerformance {
        let counts: Vec<u64> = self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        let secs = self.since.elapsed_us() as f64 / 1e6;
        if total == 0 {
            return QueryPerformance::default();
        }
        QueryPerformance {
            total_queries: total,
            avg_latency_ms: self.total_us.load(Ordering::Relaxed) as f64 / self.count.load(Ordering::Relaxed).max(1) as f64 / 1e3,
            p95_latency_ms: self.percentile_us(&counts, total, 0.95) / 1e3,
            p99_latency_ms: self.percentile_us(&counts, total, 0.99) / 1e3,
            queries_per_second: if secs > 0.0 { total as f64 / secs } else { 0.0 },
        }
    }
}

/// Query latency since the database was opened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryPerformance {
    /// Queries recorded.
    pub total_queries: u64,
    /// Mean latency.
    pub avg_latency_ms: f64,
    /// 95th percentile (upper bound of its histogram bucket, within 19%).
    pub p95_latency_ms: f64,
    /// 99th percentile (upper bound of its histogram bucket, within 19%).
    pub p99_latency_ms: f64,
    /// Queries per second since open.
    pub queries_per_second: f64,
}

/// Size and activity of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStats {
    /// Entries (rows and index entries are separate tables; the event log's table `events`
    /// holds blocks of events, its id index `events_by_id` one entry per event).
    pub count: u64,
    /// Bytes of keys and values stored.
    pub size_bytes: u64,
    /// Unix ms of the last commit that wrote the table (0 if unknown).
    pub last_write: i64,
}

/// Statistics of a whole database (seed `StorageStats`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StorageStats {
    /// File size (redb) or stored bytes (memory).
    pub database_size_bytes: u64,
    /// Per table, by name.
    pub table_stats: BTreeMap<String, TableStats>,
    /// Query latency.
    pub query_performance: QueryPerformance,
}

impl StorageStats {
    pub(crate) fn build(
        database_size_bytes: u64,
        sizes: Vec<TableSize>,
        last_writes: &BTreeMap<String, i64>,
        queries: QueryPerformance,
    ) -> Self {
        let table_stats = sizes
            .into_iter()
            .map(|t| {
                let last_write = last_writes.get(&t.name).copied().unwrap_or(0);
                (t.name, TableStats { count: t.entries, size_bytes: t.stored_bytes, last_write })
            })
            .collect();
        StorageStats { database_size_bytes, table_stats, query_performance: queries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_fall_in_the_right_buckets() {
        let h = QueryHistogram::new();
        for _ in 0..90 {
            h.record(100);
        }
        for _ in 0..9 {
            h.record(10_000);
        }
        h.record(1_000_000);
        let p = h.snapshot();
        assert_eq!(p.total_queries, 100);
        assert!(p.p95_latency_ms >= 10.0 && p.p95_latency_ms < 12.0, "{p:?}");
        assert!(p.p99_latency_ms >= 10.0 && p.p99_latency_ms < 12.0, "{p:?}");
        let avg = (90.0 * 100.0 + 9.0 * 10_000.0 + 1_000_000.0) / 100.0 / 1000.0;
        assert!((p.avg_latency_ms - avg).abs() < 1e-9, "{p:?}");
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }
}

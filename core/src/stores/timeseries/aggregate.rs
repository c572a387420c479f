//! Bucketed aggregation of a series (`query_aggregated`).

use super::chunk::ChunkSummary;
use serde::{Deserialize, Serialize};

/// Aggregates of the points in one time bucket `[bucket_start, bucket_start + bucket_ms)`.
///
/// `count` counts every point; the numeric fields are `Some` only when the bucket holds
/// numeric (`Float` / `Integer`) values, and then cover just those values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateBucket {
    /// Start of the bucket (Unix ms), a multiple of `bucket_ms` from the epoch.
    pub bucket_start: i64,
    /// Number of points of any type.
    pub count: u64,
    /// Sum of numeric values.
    pub sum: Option<f64>,
    /// Smallest numeric value.
    pub min: Option<f64>,
    /// Largest numeric value.
    pub max: Option<f64>,
    /// Mean of numeric values.
    pub avg: Option<f64>,
    /// Numeric value with the earliest timestamp.
    pub first: Option<f64>,
    /// Numeric value with the latest timestamp.
    pub last: Option<f64>,
}

/// The start of the epoch-aligned bucket holding `ts` (correct for negative timestamps).
/// The one bucket that would start below `i64::MIN` is clamped to start there.
pub(crate) fn bucket_start(ts: i64, bucket_ms: i64) -> i64 {
    ts.saturating_sub(ts.rem_euclid(bucket_ms))
}

/// Folds points (and whole-chunk summaries) arriving in ascending time order into buckets.
pub(crate) struct Aggregator {
    bucket_ms: i64,
    buckets: Vec<AggregateBucket>,
    numeric: u64,
    /// `[start, end)` of the last bucket.
    open: (i64, i64),
}

impl Aggregator {
    pub(crate) fn new(bucket_ms: i64) -> Self {
        Aggregator { bucket_ms, buckets: Vec::new(), numeric: 0, open: (0, 0) }
    }

    /// A point by its timestamp and numeric value (`None` for booleans and strings).
    pub(crate) fn push_value(&mut self, ts: i64, value: Option<f64>) {
        let b = self.bucket_at(ts);
        b.count += 1;
        if let Some(v) = value {
            self.numeric += 1;
            let b = self.buckets.last_mut().expect("bucket_at pushed it");
            b.sum = Some(b.sum.unwrap_or(0.0) + v);
            b.min = Some(b.min.map_or(v, |m| m.min(v)));
            b.max = Some(b.max.map_or(v, |m| m.max(v)));
            b.first.get_or_insert(v);
            b.last = Some(v);
        }
    }

    /// Folds a whole chunk that lies inside one bucket, from its summary alone. Its sum is
    /// added as one term, so a bucket's sum may differ from point-by-point addition in the
    /// last bits of the mantissa.
    pub(crate) fn push_summary(&mut self, s: &ChunkSummary) {
        let b = self.bucket_at(s.min_ts);
        b.count += s.count;
        if let Some(n) = &s.numeric {
            self.numeric += n.count;
            let b = self.buckets.last_mut().expect("bucket_at pushed it");
            b.sum = Some(b.sum.map_or(n.sum, |x| x + n.sum));
            b.min = Some(b.min.map_or(n.min, |m| m.min(n.min)));
            b.max = Some(b.max.map_or(n.max, |m| m.max(n.max)));
            b.first.get_or_insert(n.first);
            b.last = Some(n.last);
        }
    }

    /// The bucket holding `ts`, opened when `ts` starts a new one.
    fn bucket_at(&mut self, ts: i64) -> &mut AggregateBucket {
        // Points arrive in time order: most fall in the open bucket, without a division.
        if !self.buckets.is_empty() && ts >= self.open.0 && ts < self.open.1 {
            return self.buckets.last_mut().expect("not empty");
        }
        let start = bucket_start(ts, self.bucket_ms);
        // The end of the bucket holding `ts` (also for the one clamped at i64::MIN).
        self.open = (start, start.saturating_add(self.bucket_ms - start.rem_euclid(self.bucket_ms)));
        if self.buckets.last().is_none_or(|b| b.bucket_start != start) {
            self.finish_bucket();
            self.buckets.push(AggregateBucket {
                bucket_start: start,
                count: 0,
                sum: None,
                min: None,
                max: None,
                avg: None,
                first: None,
                last: None,
            });
        }
        self.buckets.last_mut().expect("pushed above")
    }

    fn finish_bucket(&mut self) {
        if let Some(b) = self.buckets.last_mut() {
            b.avg = b.sum.map(|s| s / self.numeric as f64);
        }
        self.numeric = 0;
    }

    pub(crate) fn finish(mut self) -> Vec<AggregateBucket> {
        self.finish_bucket();
        self.buckets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_align_to_the_epoch_for_negative_times() {
        assert_eq!(bucket_start(-1, 60_000), -60_000);
        assert_eq!(bucket_start(-60_000, 60_000), -60_000);
        assert_eq!(bucket_start(59_999, 60_000), 0);
        assert_eq!(bucket_start(i64::MIN, 1000), i64::MIN);
        assert_eq!(bucket_start(i64::MIN + 808, 1000), i64::MIN + 808);
        assert_eq!(bucket_start(i64::MIN + 807, 1000), i64::MIN);
        assert_eq!(bucket_start(i64::MAX, 1000), i64::MAX - 807);
    }
}

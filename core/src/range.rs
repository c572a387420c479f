//! [`TimeRange`]: the one conversion of caller time ranges into inclusive bounds.
//!
//! Every store that takes a time range accepts Rust ranges (`start..end`, `start..=end`,
//! `start..`, `..end`, `..`) and normalises them here, so every `i64` timestamp, `i64::MIN`
//! and `i64::MAX` included, can be reached, and the rule for a reversed range is the same
//! everywhere.

use crate::error::{Result, StorageError};
use std::ops::{Bound, RangeBounds};

/// A validated time range in Unix milliseconds, held as inclusive bounds `[first, last]`
/// (or empty).
///
/// Build it from any `RangeBounds<i64>` with [`TimeRange::new`]; a start after the end
/// (`5..3`, `5..=4`) is [`StorageError::InvalidInput`] naming `"time range"`, while an empty
/// half-open range (`5..5`) is valid and matches nothing. It is itself a `RangeBounds<i64>`,
/// so it can be passed wherever a range is taken.
///
/// ```
/// use neotalk_storage::TimeRange;
/// let r = TimeRange::new(10..20).unwrap();
/// assert_eq!(r.bounds(), Some((10, 19)));
/// assert!(r.contains(10) && !r.contains(20));
/// assert_eq!(TimeRange::new(..).unwrap().bounds(), Some((i64::MIN, i64::MAX)));
/// assert_eq!(TimeRange::new(i64::MAX..=i64::MAX).unwrap().bounds(), Some((i64::MAX, i64::MAX)));
/// assert!(TimeRange::new(5..5).unwrap().is_empty());
/// assert!(TimeRange::new(5..3).is_err());
/// // The bindings' form: half-open, with `None` for an open end.
/// assert_eq!(TimeRange::half_open(0, None).unwrap().bounds(), Some((0, i64::MAX)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    /// Inclusive bounds; `None` when the range matches no timestamp.
    bounds: Option<(i64, i64)>,
}

impl TimeRange {
    /// Every timestamp.
    pub const ALL: TimeRange = TimeRange { bounds: Some((i64::MIN, i64::MAX)) };

    /// Normalises `range`; a start after the end is `InvalidInput` naming `"time range"`.
    pub fn new(range: impl RangeBounds<i64>) -> Result<Self> {
        let (start, end) = (range.start_bound().cloned(), range.end_bound().cloned());
        // The rule of `check_range`: the bounds as written must not be reversed.
        if let (Bound::Included(s) | Bound::Excluded(s), Bound::Included(e) | Bound::Excluded(e)) = (start, end) {
            if s > e {
                return Err(StorageError::invalid("time range", format!("start {s} is after end {e}")));
            }
        }
        let first = match start {
            Bound::Included(s) => Some(s),
            Bound::Excluded(s) => s.checked_add(1),
            Bound::Unbounded => Some(i64::MIN),
        };
        let last = match end {
            Bound::Included(e) => Some(e),
            Bound::Excluded(e) => e.checked_sub(1),
            Bound::Unbounded => Some(i64::MAX),
        };
        let bounds = match (first, last) {
            (Some(f), Some(l)) if f <= l => Some((f, l)),
            _ => None,
        };
        Ok(TimeRange { bounds })
    }

    /// The bindings' two-number form: `start <= t < end`, or `start <= t` (through
    /// `i64::MAX`) when `end` is `None`.
    pub fn half_open(start: i64, end: Option<i64>) -> Result<Self> {
        match end {
            Some(end) => TimeRange::new(start..end),
            None => TimeRange::new(start..),
        }
    }

    /// Inclusive `(first, last)` timestamps, or `None` when the range is empty.
    pub fn bounds(&self) -> Option<(i64, i64)> {
        self.bounds
    }

    /// Whether no timestamp is in the range.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_none()
    }

    /// Whether `ts` is in the range.
    pub fn contains(&self, ts: i64) -> bool {
        self.bounds.is_some_and(|(f, l)| f <= ts && ts <= l)
    }
}

impl RangeBounds<i64> for TimeRange {
    fn start_bound(&self) -> Bound<&i64> {
        match &self.bounds {
            Some((f, _)) => Bound::Included(f),
            None => Bound::Excluded(&0),
        }
    }

    fn end_bound(&self) -> Bound<&i64> {
        match &self.bounds {
            Some((_, l)) => Bound::Included(l),
            None => Bound::Excluded(&0),
        }
    }
}

#[cfg(test)]
// Reversed ranges are what these tests feed in.
#[allow(clippy::reversed_empty_ranges)]
mod tests {
    use super::*;

    #[test]
    fn every_form_normalises() {
        let b = |r: TimeRange| r.bounds();
        assert_eq!(b(TimeRange::new(1..3).unwrap()), Some((1, 2)));
        assert_eq!(b(TimeRange::new(1..=3).unwrap()), Some((1, 3)));
        assert_eq!(b(TimeRange::new(1..).unwrap()), Some((1, i64::MAX)));
        assert_eq!(b(TimeRange::new(..3).unwrap()), Some((i64::MIN, 2)));
        assert_eq!(b(TimeRange::new(..=3).unwrap()), Some((i64::MIN, 3)));
        assert_eq!(b(TimeRange::new(i64::MIN..i64::MIN).unwrap()), None);
        assert_eq!(b(TimeRange::new((Bound::Excluded(i64::MAX), Bound::Unbounded)).unwrap()), None);
        assert_eq!(b(TimeRange::new((Bound::Excluded(1), Bound::Excluded(3))).unwrap()), Some((2, 2)));
        assert_eq!(b(TimeRange::half_open(7, Some(9)).unwrap()), Some((7, 8)));
        // A TimeRange round-trips through RangeBounds, empty ones included.
        for r in [TimeRange::new(4..9).unwrap(), TimeRange::new(4..4).unwrap(), TimeRange::ALL] {
            assert_eq!(TimeRange::new(r).unwrap(), r);
        }
    }

    #[test]
    fn reversed_ranges_name_the_field() {
        for r in [TimeRange::new(5..3), TimeRange::new(5..=4), TimeRange::half_open(1, Some(0))] {
            assert!(matches!(r, Err(StorageError::InvalidInput { field: "time range", .. })));
        }
    }
}

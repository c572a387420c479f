//! [`RetentionWindow`]: how long data is kept, as a duration (`90d`, `36h`, `15m`) or `forever`.
//!
//! One type for every retention setting (YAML, JSON, every binding), so the spelling rules and
//! the cutoff arithmetic are decided once. Hand-written rather than `humantime`: that crate
//! accepts months of varying length and spaces between parts, which a cutoff in milliseconds
//! cannot honour exactly; here every unit is a fixed number of milliseconds (a year is 365
//! days, as in Prometheus).

use crate::error::{Result, StorageError};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Units a window may be written in, largest first. Display skips years and weeks: `14d`
/// reads better than `2w` in a retention file.
const UNITS: [(&str, i64); 7] =
    [("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

/// How long records are kept: a duration, or forever.
///
/// Written as a number and a unit, `ms`, `s`, `m`, `h`, `d`, `w` or `y` (365 days) (`90d`,
/// `36h`, `15m`, `5y`), or
/// as `forever`; a bare number counts days, so `retention.yaml` files that give whole days keep
/// working. Written text refuses zero (a `0` in a config file is more likely a slip than a wish
/// to keep nothing; `forever` keeps everything), negative and overflowing durations. From Rust,
/// `days(0)` is a zero window: it keeps nothing older than `now`.
/// It displays and serializes in the largest unit up to days that divides it exactly.
///
/// ```
/// use neotalk_storage::RetentionWindow;
/// let w: RetentionWindow = "36h".parse().unwrap();
/// assert_eq!(w, RetentionWindow::hours(36));
/// assert_eq!(w.to_string(), "36h");
/// assert_eq!(RetentionWindow::hours(48).to_string(), "2d");
/// // A record is expired when it is older than the cutoff; a record exactly at it stays.
/// assert_eq!(w.cutoff(100 * 3_600_000), Some(64 * 3_600_000));
/// assert_eq!(RetentionWindow::FOREVER.cutoff(i64::MAX), None);
/// assert!("0d".parse::<RetentionWindow>().is_err());
/// assert!("3 days".parse::<RetentionWindow>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetentionWindow {
    /// Milliseconds kept, never negative; `None` for forever.
    millis: Option<i64>,
}

impl RetentionWindow {
    /// Nothing expires.
    pub const FOREVER: RetentionWindow = RetentionWindow { millis: None };

    /// A window of `days` days.
    pub const fn days(days: u32) -> Self {
        RetentionWindow { millis: Some(days as i64 * 86_400_000) }
    }

    /// A window of `hours` hours.
    pub const fn hours(hours: u32) -> Self {
        RetentionWindow { millis: Some(hours as i64 * 3_600_000) }
    }

    /// A window of `minutes` minutes.
    pub const fn minutes(minutes: u32) -> Self {
        RetentionWindow { millis: Some(minutes as i64 * 60_000) }
    }

    /// A window of `ms` milliseconds; a negative one is `InvalidInput` naming `field`.
    pub fn millis(field: &'static str, ms: i64) -> Result<Self> {
        if ms < 0 {
            return Err(StorageError::invalid(field, format!("{ms} ms is negative: a retention window is a duration (or forever)")));
        }
        Ok(RetentionWindow { millis: Some(ms) })
    }

    /// The window in milliseconds; `None` for forever.
    pub fn as_millis(&self) -> Option<i64> {
        self.millis
    }

    /// The oldest time kept at `now_ms`: a record is expired when its time is earlier than
    /// `now_ms - window`. `None` when nothing expires (forever).
    pub fn cutoff(&self, now_ms: i64) -> Option<i64> {
        self.millis.map(|ms| now_ms.saturating_sub(ms))
    }

    /// Parses `text` (see the type's documentation), naming `field` in the error.
    pub fn parse_field(field: &'static str, text: &str) -> Result<Self> {
        let text = text.trim();
        if text == "forever" {
            return Ok(RetentionWindow::FOREVER);
        }
        let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        let expected = "a number and a unit (ms, s, m, h, d, w, y), such as 90d or 36h, or forever";
        let Ok(n) = number.parse::<i64>() else {
            return Err(StorageError::invalid(field, format!("{text:?} is not a retention window: expected {expected}")));
        };
        let scale = if unit.is_empty() { 86_400_000 } else { unit_millis(unit) };
        if scale == 0 {
            return Err(StorageError::invalid(field, format!("{text:?} has an unknown unit {unit:?}: expected {expected}")));
        }
        Self::whole(field, n, scale, text)
    }

    /// `n` units of `scale` ms, refusing zero and overflow (`text` names the input).
    fn whole(field: &'static str, n: i64, scale: i64, text: &str) -> Result<Self> {
        if n <= 0 {
            return Err(StorageError::invalid(field, format!("{text} must be longer than 0 (forever keeps everything)")));
        }
        let ms = n.checked_mul(scale).ok_or_else(|| StorageError::invalid(field, format!("{text} is longer than the longest window")))?;
        Self::millis(field, ms)
    }
}

fn unit_millis(unit: &str) -> i64 {
    UNITS.iter().find(|(u, _)| *u == unit).map_or(0, |(_, ms)| *ms)
}

impl FromStr for RetentionWindow {
    type Err = StorageError;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse_field("retention window", s)
    }
}

impl fmt::Display for RetentionWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.millis {
            None => f.write_str("forever"),
            Some(0) => f.write_str("0ms"),
            Some(ms) => {
                let (unit, size) = UNITS[2..].iter().find(|(_, size)| ms % size == 0).copied().unwrap_or(("ms", 1));
                write!(f, "{}{unit}", ms / size)
            }
        }
    }
}

impl Serialize for RetentionWindow {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Accepts a string (`"36h"`, `"forever"`) or a whole number of days (the seed's `days: 7`;
/// JavaScript numbers arrive as floats).
impl<'de> Deserialize<'de> for RetentionWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct WindowVisitor;
        impl Visitor<'_> for WindowVisitor {
            type Value = RetentionWindow;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a retention window: whole days (7), a duration (36h, 15m) or forever")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                RetentionWindow::parse_field("retention window", v).map_err(|e| E::custom(reason(e)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                let days = i64::try_from(v).map_err(|_| E::custom(format!("{v} days is longer than the longest window")))?;
                self.visit_i64(days)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                RetentionWindow::whole("retention window", v, 86_400_000, &format!("{v} days")).map_err(|e| E::custom(reason(e)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                if v.fract() != 0.0 || !(i64::MIN as f64..=i64::MAX as f64).contains(&v) {
                    return Err(E::custom(format!("{v} is not a whole number of days")));
                }
                self.visit_i64(v as i64)
            }
        }
        d.deserialize_any(WindowVisitor)
    }
}

/// The reason of an `InvalidInput`, without the field name serde's path already gives.
fn reason(e: StorageError) -> String {
    match e {
        StorageError::InvalidInput { reason, .. } => reason,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_bare_days() {
        for (text, ms) in [
            ("1ms", 1),
            ("30s", 30_000),
            ("15m", 900_000),
            ("36h", 129_600_000),
            ("90d", 7_776_000_000),
            ("2w", 1_209_600_000),
            ("1y", 31_536_000_000),
            ("7", 604_800_000),
        ] {
            assert_eq!(text.parse::<RetentionWindow>().unwrap().as_millis(), Some(ms), "{text}");
        }
        assert_eq!(" forever ".parse::<RetentionWindow>().unwrap(), RetentionWindow::FOREVER);
    }

    #[test]
    fn refuses_what_is_not_a_window() {
        for text in ["", "d", "0d", "0", "-1d", "1.5d", "3 days", "1mo", "1M", "9223372036854775807d", "forever!", "Forever"] {
            let e = text.parse::<RetentionWindow>().unwrap_err();
            assert!(matches!(e, StorageError::InvalidInput { field: "retention window", .. }), "{text}: {e}");
        }
    }

    #[test]
    fn displays_in_the_largest_exact_unit_and_round_trips() {
        let ms = |ms| RetentionWindow::millis("w", ms).unwrap();
        for w in [ms(1), ms(61_000), RetentionWindow::hours(25), RetentionWindow::days(14), ms(i64::MAX), RetentionWindow::FOREVER] {
            assert_eq!(w.to_string().parse::<RetentionWindow>().unwrap(), w);
        }
        assert_eq!(RetentionWindow::days(14).to_string(), "14d");
        assert_eq!("2w".parse::<RetentionWindow>().unwrap().to_string(), "14d");
        assert_eq!(ms(61_000).to_string(), "61s");
        assert_eq!(RetentionWindow::days(0).to_string(), "0ms");
        assert!(RetentionWindow::millis("w", -1).is_err());
    }

    #[test]
    fn deserializes_strings_days_and_whole_floats() {
        let w: RetentionWindow = serde_json::from_str("\"36h\"").unwrap();
        assert_eq!(w, RetentionWindow::hours(36));
        let w: RetentionWindow = serde_json::from_str("7").unwrap();
        assert_eq!(w, RetentionWindow::days(7));
        let w: RetentionWindow = serde_json::from_str("7.0").unwrap();
        assert_eq!(w, RetentionWindow::days(7));
        for bad in ["0", "-3", "1.5", "\"0h\"", "null", "true"] {
            assert!(serde_json::from_str::<RetentionWindow>(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&RetentionWindow::FOREVER).unwrap(), "\"forever\"");
    }

    #[test]
    fn cutoff_saturates() {
        assert_eq!(RetentionWindow::days(1).cutoff(i64::MIN), Some(i64::MIN));
        assert_eq!(RetentionWindow::millis("w", i64::MAX).unwrap().cutoff(0), Some(-i64::MAX));
        assert_eq!(RetentionWindow::days(0).cutoff(5), Some(5));
    }
}

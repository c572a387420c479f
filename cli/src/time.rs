//! Times and numbers as people read and write them. Tables show ISO 8601 UTC by default
//! (`--time local|utc|ms`); time arguments take ISO 8601, Unix ms, or a duration before now
//! (`--since 2h`, `--last 15m`). JSON output is left alone: epoch ms and full precision.

use jiff::{civil, tz::TimeZone, Span, SpanRelativeTo, Timestamp};
use neotalk_storage::TimeRange;

/// How tables show a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeStyle {
    /// ISO 8601 in UTC: `2026-12-05T18:26:49.479Z`.
    #[default]
    Utc,
    /// ISO 8601 in the machine's time zone, with its offset.
    Local,
    /// Unix milliseconds, as stored.
    Ms,
}

/// A stored time (Unix ms) as table text; a time outside the calendar's range (the open
/// bounds `i64::MIN`/`i64::MAX`) stays in ms.
pub fn show(ms: i64, style: TimeStyle) -> String {
    let Ok(t) = Timestamp::from_millisecond(ms) else { return ms.to_string() };
    match style {
        TimeStyle::Ms => ms.to_string(),
        TimeStyle::Utc => t.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
        TimeStyle::Local => t.to_zoned(TimeZone::system()).strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_string(),
    }
}

/// An optional stored time as table text (`-` when absent).
pub fn show_opt(ms: Option<i64>, style: TimeStyle) -> String {
    ms.map_or_else(|| "-".to_string(), |ms| show(ms, style))
}

/// A measured number with six significant digits and no trailing zeros (`22.0738`, `350`,
/// `0.000123457`): enough for any sensor, without float noise like `22.073777777777767`.
pub fn number(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return x.to_string();
    }
    let decimals = (5 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Parses a time argument: Unix ms (`1796333639479`), ISO 8601 with an offset
/// (`2026-12-05T10:00:00Z`, `2026-12-05T11:00:00+01:00`), or without one, read as UTC
/// (`2026-12-05T10:00`, `2026-12-05 10:00:00`, `2026-12-05`).
pub fn parse_time(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let civil = s.parse::<civil::DateTime>().or_else(|_| s.parse::<civil::Date>().map(|d| d.to_datetime(civil::Time::midnight())));
    match civil.and_then(|dt| dt.to_zoned(TimeZone::UTC)) {
        Ok(z) => Ok(z.timestamp().as_millisecond()),
        Err(_) => Err(format!("{s:?} is not a time: give ISO 8601 (2026-12-05T10:00:00Z; no offset means UTC) or Unix ms")),
    }
}

/// Parses a positive duration (`15m`, `2h`, `7d`, `1w`, `1h30m`, ISO 8601 `PT2H`) as ms;
/// a day is 24 hours.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let bad = || format!("{s:?} is not a duration: give a number and a unit, like 15m, 2h, 7d or 1h30m");
    let span: Span = s.trim().parse().map_err(|_| bad())?;
    let duration = span.to_duration(SpanRelativeTo::days_are_24_hours()).map_err(|_| bad())?;
    let ms = i64::try_from(duration.as_millis()).map_err(|_| bad())?;
    if ms <= 0 {
        return Err(format!("{s:?} must be a positive duration"));
    }
    Ok(ms)
}

/// Parses a width: ms (`600000`) or a duration (`10m`).
pub fn parse_width(s: &str) -> Result<i64, String> {
    s.trim().parse::<i64>().or_else(|_| parse_duration(s))
}

/// A start given as a time, or as a duration before now.
#[derive(Clone, Copy, Debug)]
pub enum Since {
    /// A time, Unix ms.
    At(i64),
    /// This many ms before now.
    Ago(i64),
}

fn parse_since(s: &str) -> Result<Since, String> {
    parse_duration(s).map(Since::Ago).or_else(|_| {
        parse_time(s).map(Since::At).map_err(|_| format!("{s:?} is neither a duration (15m, 2h, 7d) nor a time (ISO 8601 or Unix ms)"))
    })
}

/// A time range: `--start`/`--end`, or `--since`/`--last` relative to now. Every bound is
/// optional (an open start or end reads to the first or last timestamp).
#[derive(clap::Args)]
pub struct TimeArgs {
    /// Start, inclusive: ISO 8601 (no offset means UTC) or Unix ms (default: the beginning).
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    pub start: Option<i64>,
    /// End, exclusive: ISO 8601 or Unix ms (default: through the last timestamp).
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    pub end: Option<i64>,
    /// Start as a duration before now (2h, 15m, 7d) or a time.
    #[arg(long, value_parser = parse_since, conflicts_with_all = ["start", "last"])]
    pub since: Option<Since>,
    /// The last DURATION up to now (15m, 2h, 7d).
    #[arg(long, value_parser = parse_duration, conflicts_with = "start")]
    pub last: Option<i64>,
}

impl TimeArgs {
    /// The core's range as of `now_ms`; a start after the end is the core's `InvalidInput`.
    pub fn range_at(&self, now_ms: i64) -> neotalk_storage::Result<TimeRange> {
        let start = match (self.start, self.since, self.last) {
            (Some(t), _, _) | (None, Some(Since::At(t)), _) => t,
            (None, Some(Since::Ago(d)), _) | (None, None, Some(d)) => now_ms.saturating_sub(d),
            (None, None, None) => i64::MIN,
        };
        TimeRange::half_open(start, self.end)
    }

    /// The core's range as of the current time.
    pub fn range(&self) -> neotalk_storage::Result<TimeRange> {
        self.range_at(neotalk_storage::unix_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_each_style() {
        assert_eq!(show(1_796_333_639_479, TimeStyle::Utc), "2026-12-03T21:33:59.479Z");
        assert_eq!(show(1_796_333_639_000, TimeStyle::Utc), "2026-12-03T21:33:59Z");
        assert_eq!(show(-1, TimeStyle::Utc), "1969-12-31T23:59:59.999Z");
        assert_eq!(show(42, TimeStyle::Ms), "42");
        assert_eq!(show(i64::MAX, TimeStyle::Utc), i64::MAX.to_string());
        assert!(show(0, TimeStyle::Local).starts_with("19"));
    }

    #[test]
    fn time_arguments_parse_every_form() {
        assert_eq!(parse_time("1796333639479"), Ok(1_796_333_639_479));
        assert_eq!(parse_time("-5"), Ok(-5));
        assert_eq!(parse_time("2026-12-03T21:33:59.479Z"), Ok(1_796_333_639_479));
        assert_eq!(parse_time("2026-12-03T22:33:59.479+01:00"), Ok(1_796_333_639_479));
        assert_eq!(parse_time("2026-12-03T21:33:59.479"), Ok(1_796_333_639_479));
        assert_eq!(parse_time("2026-12-03 21:33:59.479"), Ok(1_796_333_639_479));
        assert_eq!(parse_time("1970-01-02"), Ok(86_400_000));
        let err = parse_time("yesterday").unwrap_err();
        assert!(err.contains("\"yesterday\" is not a time"), "{err}");
        assert!(parse_time("2026-13-01").is_err());
    }

    #[test]
    fn durations_parse_and_must_be_positive() {
        assert_eq!(parse_duration("15m"), Ok(900_000));
        assert_eq!(parse_duration("2h"), Ok(7_200_000));
        assert_eq!(parse_duration("7d"), Ok(604_800_000));
        assert_eq!(parse_duration("1w"), Ok(604_800_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("PT2H"), Ok(7_200_000));
        assert!(parse_duration("0s").unwrap_err().contains("positive"));
        assert!(parse_duration("-2h").is_err());
        assert!(parse_duration("2 fortnights").unwrap_err().contains("not a duration"));
        assert_eq!(parse_width("600000"), Ok(600_000));
        assert_eq!(parse_width("10m"), Ok(600_000));
    }

    #[test]
    fn relative_ranges_count_back_from_now() {
        let args = |start, end, since, last| TimeArgs { start, end, since, last };
        let open = |r: TimeRange| r.bounds();
        assert_eq!(open(args(None, None, Some(Since::Ago(100)), None).range_at(1_000).unwrap()), Some((900, i64::MAX)));
        assert_eq!(open(args(None, Some(950), None, Some(100)).range_at(1_000).unwrap()), Some((900, 949)));
        assert_eq!(open(args(None, None, Some(Since::At(5)), None).range_at(1_000).unwrap()), Some((5, i64::MAX)));
        assert_eq!(open(args(None, None, None, None).range_at(1_000).unwrap()), Some((i64::MIN, i64::MAX)));
        assert!(args(Some(10), Some(5), None, None).range_at(0).is_err());
    }

    #[test]
    fn numbers_keep_six_significant_digits() {
        assert_eq!(number(22.073777777777767), "22.0738");
        assert_eq!(number(350.0), "350");
        assert_eq!(number(-0.5), "-0.5");
        assert_eq!(number(0.000123456789), "0.000123457");
        assert_eq!(number(1234567.89), "1234568");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(f64::NAN), "NaN");
    }
}

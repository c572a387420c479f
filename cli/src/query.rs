//! `neotalk-storage query ...`: read telemetry, events and alerts.

use crate::output::{opt, print, show_value, Format};
use crate::time::{number, show as show_time, show_opt as show_time_opt, TimeArgs, TimeStyle};
use clap::Subcommand;
use neotalk_storage::{AlertSeverity, RangeOptions, StorageManager};

/// What to query.
#[derive(Subcommand)]
pub enum Query {
    /// Telemetry points of one series in [start, end).
    Range {
        #[command(flatten)]
        series: Series,
        #[command(flatten)]
        time: TimeArgs,
        /// At most this many points.
        #[arg(long)]
        limit: Option<usize>,
        /// Newest first.
        #[arg(long)]
        newest_first: bool,
    },
    /// The newest point of one series.
    Latest {
        #[command(flatten)]
        series: Series,
    },
    /// Count, sum, min, max, avg, first, last per time bucket.
    Aggregated {
        #[command(flatten)]
        series: Series,
        #[command(flatten)]
        time: TimeArgs,
        /// Bucket width: a duration (10m, 1h) or ms (buckets align to the epoch).
        #[arg(long = "bucket", visible_alias = "bucket-ms", value_parser = crate::time::parse_width)]
        bucket_ms: i64,
    },
    /// Events in [start, end), by type or by correlation chain.
    Events {
        #[command(flatten)]
        time: TimeArgs,
        /// Only this event type.
        #[arg(long = "type")]
        event_type: Option<String>,
        /// The whole chain of this correlation id (ignores the time range).
        #[arg(long, conflicts_with = "event_type")]
        correlation: Option<String>,
        /// At most this many events.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Alerts created in [start, end).
    Alerts {
        #[command(flatten)]
        time: TimeArgs,
        /// Only this severity (info, warning, error, critical).
        #[arg(long)]
        severity: Option<AlertSeverity>,
        /// Only alerts not yet resolved (ignores the time range).
        #[arg(long, conflicts_with = "severity")]
        unresolved: bool,
    },
}

/// A telemetry series.
#[derive(clap::Args)]
pub struct Series {
    /// Device id.
    #[arg(long)]
    pub device: String,
    /// Metric name.
    #[arg(long)]
    pub metric: String,
}

/// Runs a query and prints its records (times in `style` in tables).
pub fn run(db: &StorageManager, query: Query, format: Format, style: TimeStyle) -> neotalk_storage::Result<()> {
    match query {
        Query::Range { series, time, limit, newest_first } => {
            let points =
                db.timeseries().query_range_with(&series.device, &series.metric, time.range()?, RangeOptions { limit, newest_first })?;
            print(format, &["timestamp", "value", "quality"], &points, |p| {
                vec![show_time(p.timestamp, style), show_value(&p.value), opt(p.quality)]
            });
        }
        Query::Latest { series } => {
            let latest: Vec<_> = db.timeseries().query_latest(&series.device, &series.metric)?.into_iter().collect();
            print(format, &["timestamp", "value", "quality"], &latest, |p| {
                vec![show_time(p.timestamp, style), show_value(&p.value), opt(p.quality)]
            });
        }
        Query::Aggregated { series, time, bucket_ms } => {
            let range = time.range()?;
            let buckets = db.timeseries().query_aggregated(&series.device, &series.metric, range, bucket_ms)?;
            if format == Format::Table {
                let tier = db.timeseries().aggregation_tier(&series.device, &series.metric, range, bucket_ms)?;
                eprintln!(
                    "{}",
                    tier.map_or_else(|| "from the raw points".to_string(), |ms| format!("from the rollup tier of {}", tier_width(ms)))
                );
            }
            let cols = ["bucket_start", "count", "min", "avg", "max", "first", "last"];
            print(format, &cols, &buckets, |b| {
                let n = |v: Option<f64>| v.map_or_else(|| "-".to_string(), number);
                vec![show_time(b.bucket_start, style), b.count.to_string(), n(b.min), n(b.avg), n(b.max), n(b.first), n(b.last)]
            });
        }
        Query::Events { time, event_type, correlation, limit } => {
            let events = match (event_type, correlation) {
                (Some(t), _) => db.events().query_by_type(&t, time.range()?, limit)?,
                (None, Some(c)) => db.events().query_by_correlation(&c)?,
                (None, None) => db.events().query_range(time.range()?, limit)?,
            };
            print(format, &["sequence", "timestamp", "type", "source", "event_id", "data"], &events, |e| {
                vec![
                    e.sequence.to_string(),
                    show_time(e.metadata.timestamp, style),
                    e.event_type.clone(),
                    e.metadata.source.clone(),
                    e.event_id.clone(),
                    e.event_data.to_string(),
                ]
            });
        }
        Query::Alerts { time, severity, unresolved } => {
            let alerts = match (severity, unresolved) {
                (_, true) => db.alerts().unresolved(None)?,
                (Some(s), false) => db.alerts().query_by_severity(s, time.range()?, None)?,
                (None, false) => db.alerts().query_range(time.range()?, None)?,
            };
            print(format, &["created_at", "severity", "alert_id", "title", "acknowledged", "resolved_at"], &alerts, |a| {
                vec![
                    show_time(a.created_at, style),
                    a.severity.to_string(),
                    a.alert_id.clone(),
                    a.title.clone(),
                    a.acknowledged.to_string(),
                    show_time_opt(a.resolved_at, style),
                ]
            });
        }
    }
    Ok(())
}

/// A tier's width as a duration (`1m`, `1h`), as in the tier configuration.
fn tier_width(ms: i64) -> String {
    neotalk_storage::RetentionWindow::millis("tier", ms).map_or_else(|_| format!("{ms} ms"), |w| w.to_string())
}

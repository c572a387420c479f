//! Where a sink is in each feed, stored in the meta table of the file that holds the feed,
//! so that advancing it commits in one transaction with what it records (delivered and
//! dropped counts) and a store's cleanup can read the holds of its own file alone.

use crate::error::{Result, StorageError};
use crate::retention_window::RetentionWindow;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::META;
use crate::storage::key::KeyBuilder;
use serde::{Deserialize, Serialize};
use std::ops::Bound;

/// The feeds a sink receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feed {
    /// Every telemetry point written or rewritten, including late and overwritten points.
    Telemetry,
    /// The event log, by sequence.
    Events,
    /// Alerts: their creation and every state change, as one row per change.
    Alerts,
    /// LLM decisions: creation and every status change.
    Decisions,
    /// Rule executions as recorded and updated.
    RuleExecutions,
    /// Workflow executions: start, every step and the end.
    WorkflowExecutions,
}

impl Feed {
    /// Every feed, in delivery order.
    pub const ALL: [Feed; 6] =
        [Feed::Telemetry, Feed::Events, Feed::Alerts, Feed::Decisions, Feed::RuleExecutions, Feed::WorkflowExecutions];

    /// The feeds of record tables, kept in one change log (`feed_records`).
    pub(crate) const RECORDS: [Feed; 4] = [Feed::Alerts, Feed::Decisions, Feed::RuleExecutions, Feed::WorkflowExecutions];

    /// The feed's name (`telemetry`, `events`, `alerts`, `decisions`, `rule_executions`,
    /// `workflow_executions`).
    pub fn name(self) -> &'static str {
        match self {
            Feed::Telemetry => "telemetry",
            Feed::Events => "events",
            Feed::Alerts => "alerts",
            Feed::Decisions => "decisions",
            Feed::RuleExecutions => "rule_executions",
            Feed::WorkflowExecutions => "workflow_executions",
        }
    }

    /// The table whose rows a record feed carries (see `storage::record_log::FED_TABLES`).
    pub(crate) fn record_table(self) -> Option<&'static str> {
        match self {
            Feed::Telemetry | Feed::Events => None,
            Feed::Alerts => Some("alerts"),
            Feed::Decisions => Some("llm_decisions"),
            Feed::RuleExecutions => Some("rule_executions"),
            Feed::WorkflowExecutions => Some("workflow_executions"),
        }
    }

    /// Meta key prefix of the feed's cursors; the prefix also picks the file
    /// (`storage::layout::FileGroup::of_meta_key`).
    pub(crate) fn cursor_prefix(self) -> &'static str {
        match self {
            Feed::Telemetry => "ts.feed.",
            Feed::Events => "events.feed.",
            Feed::Alerts => "feed.alerts.",
            Feed::Decisions => "feed.decisions.",
            Feed::RuleExecutions => "feed.rule_executions.",
            Feed::WorkflowExecutions => "feed.workflow_executions.",
        }
    }

    pub(crate) fn cursor_key(self, sink: &str) -> Vec<u8> {
        format!("{}{sink}", self.cursor_prefix()).into_bytes()
    }
}

/// What a sink may leave behind, and when undelivered data may be dropped instead of held
/// (InfluxDB's `max-age` and `max-queue-bytes`). While a sink has not received data,
/// retention keeps it; past either limit the oldest undelivered changes are skipped, counted
/// in [`FeedProgress::dropped`], never silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SinkOptions {
    /// Changes older than this are dropped rather than held (default `7d`; `forever` holds
    /// them until delivered).
    pub max_lag: RetentionWindow,
    /// Undelivered bytes of one feed (as sent, estimated: points as timestamp and value,
    /// events and records as their stored JSON) beyond which its oldest changes are dropped
    /// (default 1 GiB; 0: no limit).
    pub max_backlog_bytes: u64,
}

impl Default for SinkOptions {
    fn default() -> Self {
        SinkOptions { max_lag: RetentionWindow::days(7), max_backlog_bytes: 1 << 30 }
    }
}

impl SinkOptions {
    /// The oldest commit time still held at `now_ms` (`None`: everything is held).
    pub(crate) fn lag_cutoff(&self, now_ms: i64) -> Option<i64> {
        self.max_lag.cutoff(now_ms)
    }
}

/// A position inside one change of the telemetry feed: series below `series` are done,
/// and series `series` is done below `from_ts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Within {
    /// Interned series id.
    pub series: u32,
    /// First timestamp not delivered.
    pub from_ts: i64,
}

/// A sink's position and counts in one feed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedProgress {
    /// Changes up to this sequence are delivered (events: event sequence; the other feeds:
    /// change-log sequence).
    pub after: u64,
    /// Telemetry only: how far into change `after + 1` delivery got.
    pub within: Option<Within>,
    /// Rows delivered so far (points, events, alert changes).
    pub delivered: u64,
    /// Rows dropped under the sink's `max_lag` or `max_backlog_bytes` (or removed by a
    /// retention that was not held), never delivered.
    pub dropped: u64,
    /// Unix ms of the last delivery acknowledged.
    pub last_delivery_ms: Option<i64>,
    /// The sink's options, copied here so a store's cleanup reads its holds from its own file.
    pub options: SinkOptions,
}

impl FeedProgress {
    pub(crate) fn decode(sink: &str, feed: Feed, bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| StorageError::Corrupted(format!("{} cursor of sink {sink:?}: {e}", feed.name())))
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a cursor serializes")
    }
}

/// Every sink's cursor in `feed` stored in `view`'s meta table: (sink, progress).
pub(crate) fn cursors(view: &dyn ReadView, feed: Feed) -> Result<Vec<(String, FeedProgress)>> {
    let mut out = Vec::new();
    let prefix = feed.cursor_prefix();
    view.scan(META, &KeyRange::prefix(prefix.as_bytes().to_vec()), Direction::Forward, &mut |k, v| {
        let sink = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
        let p = FeedProgress::decode(&sink, feed, v)?;
        out.push((sink, p));
        Ok(Scan::Continue)
    })?;
    Ok(out)
}

/// The cursor `sink` has in `feed`, as stored in `view` (a view of the feed's file).
pub(crate) fn stored(view: &dyn ReadView, feed: Feed, sink: &str) -> Result<Option<FeedProgress>> {
    view.get(META, &feed.cursor_key(sink))?.map(|b| FeedProgress::decode(sink, feed, &b)).transpose()
}

/// The lowest `after` of the cursors of `feeds` in `view`, with `sink`'s cursor of `feed`
/// taken at `moved` (the position being acknowledged): log entries up to it are needed by
/// no sink.
pub(crate) fn oldest_after(view: &dyn ReadView, feeds: &[Feed], sink: &str, feed: Feed, moved: u64) -> Result<u64> {
    let mut oldest = moved;
    for &f in feeds {
        for (s, p) in cursors(view, f)? {
            if !(s == sink && f == feed) {
                oldest = oldest.min(p.after);
            }
        }
    }
    Ok(oldest)
}

/// The entries of a change log (keyed by sequence) after sequence `after`.
pub(crate) fn entries_after(after: u64) -> KeyRange {
    KeyRange { start: Bound::Excluded(KeyBuilder::new().u64(after).finish()), end: Bound::Unbounded }
}

/// Stages the removal of the entries of change log `table` (keyed by sequence) up to
/// `through`, or of all of them when `None`.
pub(crate) fn stage_prune(view: &dyn ReadView, batch: &mut WriteBatch, table: &'static str, through: Option<u64>) -> Result<()> {
    let end = through.map_or(Bound::Unbounded, |seq| Bound::Included(KeyBuilder::new().u64(seq).finish()));
    view.scan(table, &KeyRange { start: Bound::Unbounded, end }, Direction::Forward, &mut |k, _| {
        batch.delete(table, k.to_vec());
        Ok(Scan::Continue)
    })
}

/// Whether a sink in `sinks` has not received the row `seq` written (or stamped) at
/// `time_ms` and still holds it at `now_ms`.
pub(crate) fn held(sinks: &[(String, FeedProgress)], seq: u64, time_ms: i64, now_ms: i64) -> bool {
    sinks.iter().any(|(_, p)| seq > p.after && p.options.lag_cutoff(now_ms).is_none_or(|c| time_ms >= c))
}

//! Change feeds for replication: per named sink, a durable cursor in each feed (telemetry,
//! events, alerts, decisions, rule and workflow executions), read in batches and advanced only when the sink acknowledges a batch,
//! in the same transaction that records the delivery. The store itself is the queue: a sink
//! that falls behind holds retention (up to its [`SinkOptions`]) instead of a queue filling.
//!
//! Delivery is at least once: a batch read again after a crash before its
//! acknowledgement holds the same rows, so a sink that writes with idempotent keys (the
//! PostgreSQL and Parquet sinks of `neotalk-storage-replicate`) ends with each row exactly once.
//!
//! Deletes are not fed: a fleet database keeps its history when a gateway's retention or an
//! operator removes data.
//!
//! ```
//! use neotalk_storage::{StorageManager, TelemetryPoint, feed::SinkOptions};
//! let db = StorageManager::in_memory().unwrap();
//! db.timeseries().write_batch(&[TelemetryPoint::new("pump-7", "power", 1_000, 1.5)]).unwrap();
//! let feed = db.feed();
//! feed.register("fleet", SinkOptions::default()).unwrap();
//! let batch = feed.next_telemetry("fleet", 10_000).unwrap();
//! assert_eq!(batch.series[0].points.len(), 1); // a new sink first gets everything stored
//! feed.ack(&batch.delivery).unwrap(); // after the sink committed the rows
//! assert!(feed.next_telemetry("fleet", 10_000).unwrap().series.is_empty());
//! ```

mod cursor;

pub(crate) use cursor::{cursors, entries_after, held, oldest_after, stage_prune, stored};
pub use cursor::{Feed, FeedProgress, SinkOptions, Within};

use crate::error::{Result, StorageError};
use crate::limits::check_id;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::{Engine, META};
use crate::storage::layout::{Engines, FileGroup};
use crate::storage::record_log::{LoggedRow, RECORD_LOG};
use crate::stores::event_log::EventLogStore;
use crate::stores::timeseries::TimeSeriesStore;
use crate::{AlertRecord, DataPoint, EventLogEntry};
use serde::{Deserialize, Serialize};

/// Whether change logs are ever kept. Replication is native only: in the wasm build no sink
/// can run, so the stores skip every feed branch on this constant and the feed code is
/// compiled out as dead code (it cost the wasm package 7.5 KB gzipped).
pub(crate) const ENABLED: bool = cfg!(not(target_arch = "wasm32"));

/// Meta key prefix of a sink's record (main file).
const SINK_PREFIX: &str = "feed.sink.";

/// A sink's options and last error (main file, `feed.sink.<name>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SinkRecord {
    options: SinkOptions,
    last_error: Option<String>,
    last_error_ms: Option<i64>,
}

/// Points of one series in a [`TelemetryBatch`], oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoints {
    /// Device of the series.
    pub device_id: String,
    /// Metric of the series.
    pub metric: String,
    /// The points, each timestamp once.
    pub points: Vec<DataPoint>,
}

/// What acknowledging a batch records: the sink's cursor before and after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The sink.
    pub sink: String,
    /// The feed.
    pub feed: Feed,
    /// The cursor the batch was read at (the acknowledgement fails with `Conflict` if the
    /// sink moved since, as when two replicators share one sink).
    pub from: FeedProgress,
    /// The cursor once the batch is delivered.
    pub to: FeedProgress,
}

impl Delivery {
    /// Whether acknowledging it changes nothing (nothing was read or dropped).
    pub fn is_empty(&self) -> bool {
        self.from.after == self.to.after && self.from.within == self.to.within
    }

    /// A stable name of the batch's start, `<after>-<series>-<from_ts>` in fixed-width
    /// digits: a batch read again from the same cursor has the same name (a sink writing
    /// files names them by it, so a redelivery replaces its own file), and names sort in
    /// delivery order.
    pub fn start_name(&self) -> String {
        let (series, from) = self.from.within.map_or((0, 0), |w| (w.series, (w.from_ts as u64) ^ (1 << 63)));
        format!("{:020}-{series:010}-{from:020}", self.from.after)
    }
}

/// The next telemetry of a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct TelemetryBatch {
    /// Points by series.
    pub series: Vec<SeriesPoints>,
    /// Pass to [`ChangeFeed::ack`] once the sink holds them.
    pub delivery: Delivery,
}

/// The next events of a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct EventBatch {
    /// Events in sequence order.
    pub events: Vec<EventLogEntry>,
    /// Pass to [`ChangeFeed::ack`] once the sink holds them.
    pub delivery: Delivery,
}

/// One state of a record (a decision, an execution, an alert), as stored by a change.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordChange {
    /// Sequence of the change (unique per database, increasing).
    pub change: u64,
    /// Unix ms of the commit that made it.
    pub changed_at: i64,
    /// The record's id (`decision_id`, `execution_id`, `alert_id`).
    pub id: String,
    /// The record as stored, in its JSON form.
    pub record: serde_json::Value,
}

/// The next changes of a record feed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordBatch {
    /// The feed.
    pub feed: Feed,
    /// Changes in order.
    pub changes: Vec<RecordChange>,
    /// Pass to [`ChangeFeed::ack`] once the sink holds them.
    pub delivery: Delivery,
}

/// One state of an alert, as it was after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertChange {
    /// Sequence of the change (unique per database, increasing).
    pub change: u64,
    /// Unix ms of the commit that made it.
    pub changed_at: i64,
    /// The alert as stored by that change.
    pub alert: AlertRecord,
}

/// The next alert changes of a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertBatch {
    /// Changes in order.
    pub changes: Vec<AlertChange>,
    /// Pass to [`ChangeFeed::ack`] once the sink holds them.
    pub delivery: Delivery,
}

/// Where a sink is in one feed and what it has not received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStatus {
    /// The feed.
    pub feed: Feed,
    /// Cursor and counts.
    pub progress: FeedProgress,
    /// Rows not delivered yet (telemetry: points written, each write counted).
    pub pending_rows: u64,
    /// Age in ms of the oldest undelivered change (`None`: nothing pending).
    pub lag_ms: Option<i64>,
}

/// A sink's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkStatus {
    /// The sink's name.
    pub name: String,
    /// Its options.
    pub options: SinkOptions,
    /// The last delivery error recorded ([`ChangeFeed::record_error`]), cleared by success.
    pub last_error: Option<String>,
    /// When it was recorded (Unix ms).
    pub last_error_ms: Option<i64>,
    /// Each feed's cursor and backlog.
    pub feeds: Vec<FeedStatus>,
}

/// The change feeds of one database; obtain it from `StorageManager::feed()`.
#[derive(Clone)]
pub struct ChangeFeed {
    engines: Engines,
    timeseries: TimeSeriesStore,
    events: EventLogStore,
}

impl ChangeFeed {
    pub(crate) fn new(engines: Engines, timeseries: TimeSeriesStore, events: EventLogStore) -> Self {
        ChangeFeed { engines, timeseries, events }
    }

    fn main(&self) -> &Engine {
        self.engines.get(FileGroup::Main)
    }

    fn engine_of(&self, feed: Feed) -> &Engine {
        self.engines.get(match feed {
            Feed::Telemetry => FileGroup::TimeSeries,
            Feed::Events => FileGroup::Events,
            Feed::Alerts | Feed::Decisions | Feed::RuleExecutions | Feed::WorkflowExecutions => FileGroup::Main,
        })
    }

    /// Starts keeping the change logs when a sink is registered (at open, after a restore).
    pub(crate) fn attach(&self) -> Result<()> {
        if !ENABLED {
            return Ok(());
        }
        if self.sinks()?.is_empty() {
            self.main().record_log.disable();
            return self.timeseries.feed_keep(false);
        }
        self.timeseries.feed_keep(true)?;
        self.main().record_log.enable(&*self.main().read()?)
    }

    /// Registers `sink`, which then receives everything stored and every later change, or
    /// updates the options of a registered sink (its cursors keep their place). Refused
    /// (`InvalidInput`) in the wasm build, which keeps no change logs.
    pub fn register(&self, sink: &str, options: SinkOptions) -> Result<()> {
        check_id("sink", sink)?;
        if !ENABLED {
            return Err(StorageError::invalid("sink", "replication is not available in the WebAssembly build"));
        }
        // Telemetry and events first: the sink exists once its record (main file) commits.
        self.timeseries.feed_register(sink, &options)?;
        {
            let engine = self.engine_of(Feed::Events);
            let _w = engine.lock_writes();
            let view = engine.read()?;
            let progress = match stored(&*view, Feed::Events, sink)? {
                Some(p) => FeedProgress { options: options.clone(), ..p },
                None => FeedProgress { after: self.events.feed_start(&*view)?, options: options.clone(), ..Default::default() },
            };
            let mut batch = WriteBatch::new();
            batch.put(META, Feed::Events.cursor_key(sink), progress.encode());
            drop(view);
            engine.commit(&batch)?;
        }
        let engine = self.main();
        let _w = engine.lock_writes();
        engine.record_log.enable(&*engine.read()?)?;
        let view = engine.read()?;
        let mut copies: Vec<(&'static str, Vec<u8>, Vec<u8>)> = Vec::new();
        let mut cursors = Vec::new();
        for feed in Feed::RECORDS {
            let progress = match stored(&*view, feed, sink)? {
                Some(p) => Some(FeedProgress { options: options.clone(), ..p }),
                None => {
                    // A copy of every stored row, logged for this sink alone, after its new cursor.
                    let table = feed.record_table().expect("a record feed");
                    view.scan(table, &KeyRange::all(), Direction::Forward, &mut |k, v| {
                        copies.push((table, k.to_vec(), v.to_vec()));
                        Ok(Scan::Continue)
                    })?;
                    None
                }
            };
            cursors.push((feed, progress));
        }
        let mut staged = engine.record_log.stage_rows(sink, copies.iter().map(|(t, k, v)| (*t, k.as_slice(), v.as_slice())));
        for (feed, progress) in cursors {
            let progress =
                progress.unwrap_or_else(|| FeedProgress { after: staged.first - 1, options: options.clone(), ..Default::default() });
            staged.batch.put(META, feed.cursor_key(sink), progress.encode());
        }
        let record = match view.get(META, &sink_key(sink))? {
            Some(b) => SinkRecord { options, ..decode_sink(sink, &b)? },
            None => SinkRecord { options, last_error: None, last_error_ms: None },
        };
        staged.batch.put(META, sink_key(sink), serde_json::to_vec(&record)?);
        drop(view);
        engine.commit(&staged.batch)?;
        staged.landed();
        Ok(())
    }

    /// Removes `sink` and its cursors; returns whether it was registered. With the last
    /// sink gone, the change logs are dropped and no longer kept.
    pub fn unregister(&self, sink: &str) -> Result<bool> {
        check_id("sink", sink)?;
        if !self.sinks()?.iter().any(|s| s == sink) {
            return Ok(false);
        }
        {
            let engine = self.main();
            let _w = engine.lock_writes();
            let mut batch = WriteBatch::new();
            batch.delete(META, sink_key(sink));
            for feed in Feed::RECORDS {
                batch.delete(META, feed.cursor_key(sink));
            }
            engine.commit(&batch)?;
        }
        for feed in [Feed::Telemetry, Feed::Events] {
            let engine = self.engine_of(feed);
            let _w = engine.lock_writes();
            let mut batch = WriteBatch::new();
            batch.delete(META, feed.cursor_key(sink));
            engine.commit(&batch)?;
        }
        if self.sinks()?.is_empty() {
            self.timeseries.feed_clear()?;
            let engine = self.main();
            let _w = engine.lock_writes();
            engine.record_log.disable();
            let view = engine.read()?;
            let mut batch = WriteBatch::new();
            stage_prune(&*view, &mut batch, RECORD_LOG, None)?;
            drop(view);
            engine.commit(&batch)?;
        }
        Ok(true)
    }

    /// Names of the registered sinks, in order.
    pub fn sinks(&self) -> Result<Vec<String>> {
        let view = self.main().read()?;
        let mut out = Vec::new();
        view.scan(META, &KeyRange::prefix(SINK_PREFIX.as_bytes().to_vec()), Direction::Forward, &mut |k, _| {
            out.push(String::from_utf8_lossy(&k[SINK_PREFIX.len()..]).into_owned());
            Ok(Scan::Continue)
        })?;
        Ok(out)
    }

    fn record(&self, view: &dyn ReadView, sink: &str) -> Result<SinkRecord> {
        check_id("sink", sink)?;
        match view.get(META, &sink_key(sink))? {
            Some(b) => decode_sink(sink, &b),
            None => Err(StorageError::not_found("sink", sink)),
        }
    }

    fn progress(&self, sink: &str, feed: Feed) -> Result<FeedProgress> {
        self.record(&*self.main().read()?, sink)?;
        stored(&*self.engine_of(feed).read()?, feed, sink)?
            .ok_or_else(|| StorageError::Corrupted(format!("sink {sink:?} has no {} cursor; register it again", feed.name())))
    }

    fn delivery(sink: &str, feed: Feed, from: FeedProgress, to: FeedProgress) -> Delivery {
        Delivery { sink: sink.to_string(), feed, from, to }
    }

    /// The next telemetry for `sink`: about `max_points` points at most (whole commits;
    /// a commit larger than that comes in slices). Unknown sinks fail with `NotFound`.
    pub fn next_telemetry(&self, sink: &str, max_points: usize) -> Result<TelemetryBatch> {
        let from = self.progress(sink, Feed::Telemetry)?;
        let read = self.timeseries.feed_read(sink, &from, max_points, crate::unix_ms())?;
        Ok(TelemetryBatch { series: read.series, delivery: Self::delivery(sink, Feed::Telemetry, from, read.progress) })
    }

    /// The next events for `sink`, at most `max`. Events removed before delivery (past the
    /// sink's `max_lag`) and the oldest undelivered ones beyond its `max_backlog_bytes` are
    /// skipped and counted as dropped.
    pub fn next_events(&self, sink: &str, max: usize) -> Result<EventBatch> {
        self.read_events(sink, max.max(1))
    }

    /// [`Self::next_events`]; `max` 0 only applies the drops (for [`Self::expire`]).
    fn read_events(&self, sink: &str, max: usize) -> Result<EventBatch> {
        let from = self.progress(sink, Feed::Events)?;
        let after = self.events.feed_within(from.after, from.options.max_backlog_bytes)?;
        let (events, last) = match max {
            0 => (Vec::new(), after),
            _ => self.events.feed_read(after, max)?,
        };
        let mut to = from.clone();
        to.after = events.last().map_or(last, |e| e.sequence);
        to.dropped += (to.after - from.after) - events.len() as u64;
        to.delivered += events.len() as u64;
        Ok(EventBatch { events, delivery: Self::delivery(sink, Feed::Events, from, to) })
    }

    /// The next changes of a record feed (alerts, decisions, rule or workflow executions)
    /// for `sink`, at most `max`, after dropping what the sink's options say to drop.
    /// Telemetry and events are refused (`InvalidInput` on `feed`): read them with
    /// [`Self::next_telemetry`] and [`Self::next_events`].
    pub fn next_records(&self, sink: &str, feed: Feed, max: usize) -> Result<RecordBatch> {
        self.read_records(sink, feed, max.max(1))
    }

    /// [`Self::next_records`]; `max` 0 only applies the drops (for [`Self::expire`]).
    fn read_records(&self, sink: &str, feed: Feed, max: usize) -> Result<RecordBatch> {
        let Some(table) = feed.record_table() else {
            return Err(StorageError::invalid("feed", format!("{} is not a record feed", feed.name())));
        };
        let from = self.progress(sink, feed)?;
        let view = self.main().read()?;
        let mut to = from.clone();
        let cutoff = from.options.lag_cutoff(crate::unix_ms());
        let limit = from.options.max_backlog_bytes;
        // The backlog in bytes, only when a limit needs it: one pass over the entry headers.
        let mut backlog = 0u64;
        if limit > 0 {
            logged_after(&*view, from.after, &mut |r| {
                backlog += if r.is_for(table, sink) { r.row.len() as u64 } else { 0 };
                Ok(Scan::Continue)
            })?;
        }
        let mut changes = Vec::new();
        logged_after(&*view, from.after, &mut |r| {
            // Rows of the other feeds and other sinks' copies: passed over.
            if !r.is_for(table, sink) {
                if max > 0 && changes.len() >= max {
                    return Ok(Scan::Stop);
                }
                to.after = r.seq;
                return Ok(Scan::Continue);
            }
            let too_old = cutoff.is_some_and(|c| r.commit_ms < c);
            if changes.is_empty() && (too_old || (limit > 0 && backlog > limit)) {
                backlog = backlog.saturating_sub(r.row.len() as u64);
                to.after = r.seq;
                to.dropped += 1;
                return Ok(Scan::Continue);
            }
            if changes.len() >= max {
                return Ok(Scan::Stop);
            }
            backlog = backlog.saturating_sub(r.row.len() as u64);
            to.after = r.seq;
            let id = crate::storage::key::KeyReader::new(r.key).str()?;
            changes.push(RecordChange { change: r.seq, changed_at: r.commit_ms, id, record: serde_json::from_slice(r.row)? });
            Ok(Scan::Continue)
        })?;
        to.delivered += changes.len() as u64;
        Ok(RecordBatch { feed, changes, delivery: Self::delivery(sink, feed, from, to) })
    }

    /// Applies every sink's `max_lag` and `max_backlog_bytes` without delivering anything:
    /// what they drop is counted in the sink's `dropped` and leaves the change logs, so a
    /// sink that stopped running (not unregistered) does not keep its logs growing. Run by
    /// `DataCleanupTask` (as `replication`); returns the rows dropped.
    pub fn expire(&self, now_ms: i64) -> Result<u64> {
        let mut dropped = 0;
        for sink in self.sinks()? {
            let from = self.progress(&sink, Feed::Telemetry)?;
            let to = self.timeseries.feed_expired(&from, &sink, now_ms)?;
            let mut deliveries = vec![Self::delivery(&sink, Feed::Telemetry, from, to), self.read_events(&sink, 0)?.delivery];
            for feed in Feed::RECORDS {
                deliveries.push(self.read_records(&sink, feed, 0)?.delivery);
            }
            for d in deliveries.into_iter().filter(|d| !d.is_empty()) {
                dropped += d.to.dropped - d.from.dropped;
                self.ack(&d)?;
            }
        }
        Ok(dropped)
    }

    /// [`Self::next_records`] of the alerts feed, as typed alerts.
    pub fn next_alerts(&self, sink: &str, max: usize) -> Result<AlertBatch> {
        let b = self.next_records(sink, Feed::Alerts, max)?;
        let changes = b
            .changes
            .into_iter()
            .map(|c| Ok(AlertChange { change: c.change, changed_at: c.changed_at, alert: serde_json::from_value(c.record)? }))
            .collect::<Result<_>>()?;
        Ok(AlertBatch { changes, delivery: b.delivery })
    }

    /// Records that the sink holds what `delivery` read: advances its cursor and counts, in
    /// one transaction, and removes log entries no sink needs any more. Fails with
    /// `Conflict` if the sink's cursor moved since the batch was read.
    pub fn ack(&self, delivery: &Delivery) -> Result<()> {
        let (sink, feed) = (delivery.sink.as_str(), delivery.feed);
        let engine = self.engine_of(feed);
        let _w = engine.lock_writes();
        let view = engine.read()?;
        let key = feed.cursor_key(sink);
        let stored = stored(&*view, feed, sink)?.ok_or_else(|| StorageError::not_found("sink", sink))?;
        let at = |p: &FeedProgress| (p.after, p.within, p.delivered, p.dropped);
        if at(&stored) != at(&delivery.from) {
            return Err(StorageError::Conflict(format!(
                "the {} cursor of sink {sink:?} moved since this batch was read (another replicator?)",
                feed.name()
            )));
        }
        let mut to = FeedProgress { options: stored.options, last_delivery_ms: Some(crate::unix_ms()), ..delivery.to.clone() };
        if to.delivered == stored.delivered {
            // Only drops or passed-over entries: nothing was delivered.
            to.last_delivery_ms = stored.last_delivery_ms;
        }
        let mut batch = WriteBatch::new();
        match feed {
            Feed::Telemetry => self.timeseries.feed_stage_ack(&*view, &mut batch, sink, &to)?,
            Feed::Events => batch.put(META, key, to.encode()),
            Feed::Alerts | Feed::Decisions | Feed::RuleExecutions | Feed::WorkflowExecutions => {
                batch.put(META, key, to.encode());
                // One log holds every record feed: keep what any record cursor still needs.
                let oldest = oldest_after(&*view, &Feed::RECORDS, sink, feed, to.after)?;
                stage_prune(&*view, &mut batch, RECORD_LOG, Some(oldest))?;
            }
        }
        drop(view);
        engine.commit(&batch)
    }

    /// Records a delivery error of `sink` for [`Self::status`] (`None` clears it).
    pub fn record_error(&self, sink: &str, error: Option<&str>) -> Result<()> {
        let engine = self.main();
        let _w = engine.lock_writes();
        let mut record = self.record(&*engine.read()?, sink)?;
        record.last_error = error.map(str::to_string);
        record.last_error_ms = error.map(|_| crate::unix_ms());
        let mut batch = WriteBatch::new();
        batch.put(META, sink_key(sink), serde_json::to_vec(&record)?);
        engine.commit(&batch)
    }

    /// `sink`'s options, last error, and per feed its cursor, counts and backlog.
    pub fn status(&self, sink: &str) -> Result<SinkStatus> {
        let record = self.record(&*self.main().read()?, sink)?;
        let now = crate::unix_ms();
        let mut feeds = Vec::new();
        for feed in Feed::ALL {
            let progress = self.progress(sink, feed)?;
            let (pending_rows, oldest) = match feed {
                Feed::Telemetry => {
                    let b = self.timeseries.feed_backlog(sink, &progress)?;
                    (b.points, b.oldest_ms)
                }
                Feed::Events => self.events.feed_backlog(progress.after)?,
                records => {
                    let table = records.record_table().expect("the other feeds are record feeds");
                    let (mut pending, mut oldest) = (0, None::<i64>);
                    logged_after(&*self.main().read()?, progress.after, &mut |r| {
                        if r.is_for(table, sink) {
                            pending += 1;
                            oldest = Some(oldest.map_or(r.commit_ms, |o| o.min(r.commit_ms)));
                        }
                        Ok(Scan::Continue)
                    })?;
                    (pending, oldest)
                }
            };
            feeds.push(FeedStatus { feed, progress, pending_rows, lag_ms: oldest.map(|t| (now - t).max(0)) });
        }
        Ok(SinkStatus {
            name: sink.to_string(),
            options: record.options,
            last_error: record.last_error,
            last_error_ms: record.last_error_ms,
            feeds,
        })
    }
}

fn sink_key(sink: &str) -> Vec<u8> {
    format!("{SINK_PREFIX}{sink}").into_bytes()
}

fn decode_sink(sink: &str, bytes: &[u8]) -> Result<SinkRecord> {
    serde_json::from_slice(bytes).map_err(|e| StorageError::Corrupted(format!("record of sink {sink:?}: {e}")))
}

/// Visits the logged rows after `after`, of every record feed and sink, in order.
fn logged_after(view: &dyn ReadView, after: u64, visit: &mut dyn FnMut(LoggedRow<'_>) -> Result<Scan>) -> Result<()> {
    view.scan(RECORD_LOG, &cursor::entries_after(after), Direction::Forward, &mut |k, v| visit(LoggedRow::decode(k, v)?))
}

#[cfg(test)]
mod tests {
    use super::Feed;
    use crate::storage::record_log::FED_TABLES;

    #[test]
    fn the_record_log_keeps_every_record_feeds_table() {
        let tables: Vec<&str> = Feed::RECORDS.iter().map(|f| f.record_table().unwrap()).collect();
        assert_eq!(tables, FED_TABLES);
    }
}

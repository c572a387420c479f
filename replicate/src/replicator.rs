//! Runs a sink: reads each feed in batches, writes a batch to the sink, then acknowledges
//! it, so the gateway's cursor only moves past rows the sink has committed.

use crate::table::{alert_rows, event_rows, record_rows, telemetry_rows};
use crate::{open_sink, ReplicationError, Result, Sink, Target};
use neotalk_storage::feed::{Delivery, Feed, SinkOptions, SinkStatus};
use neotalk_storage::{StorageError, StorageManager};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// What a run delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    /// Telemetry points written.
    pub points: u64,
    /// Events written.
    pub events: u64,
    /// Alert changes written.
    pub alert_changes: u64,
    /// Decision, rule execution and workflow execution changes written.
    pub record_changes: u64,
    /// Rows skipped under the sink's `max_lag` / `max_backlog_bytes`.
    pub dropped: u64,
    /// Batches acknowledged.
    pub batches: u64,
}

impl std::ops::AddAssign for RunReport {
    fn add_assign(&mut self, r: RunReport) {
        self.points += r.points;
        self.events += r.events;
        self.alert_changes += r.alert_changes;
        self.record_changes += r.record_changes;
        self.dropped += r.dropped;
        self.batches += r.batches;
    }
}

/// How [`Replicator::follow`] waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowOptions {
    /// Pause after a run that found the feeds empty (default 1 s).
    pub poll: Duration,
    /// First pause after a failure, doubled per failure in a row (default 500 ms) ...
    pub backoff_min: Duration,
    /// ... up to this (default 60 s); each pause is jittered by ±50 % so a fleet of
    /// gateways does not retry in step after an outage of the fleet database.
    pub backoff_max: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions { poll: Duration::from_secs(1), backoff_min: Duration::from_millis(500), backoff_max: Duration::from_secs(60) }
    }
}

impl FollowOptions {
    /// The pause after `failures` failures in a row.
    pub fn backoff(&self, failures: u32) -> Duration {
        let base = self.backoff_min.saturating_mul(1u32 << failures.saturating_sub(1).min(20)).min(self.backoff_max);
        base.mul_f64(0.5 + fastrand::f64())
    }
}

/// Replicates one database into one sink.
pub struct Replicator {
    db: StorageManager,
    sink_name: String,
    gateway_id: String,
    target: Option<Target>,
    sink: Option<Box<dyn Sink>>,
    /// Points per telemetry batch.
    pub max_points: usize,
    /// Events or alert changes per batch.
    pub max_rows: usize,
}

/// Checks a gateway id: it names a Parquet directory and keys every row, so it is kept to
/// letters, digits, `.`, `_` and `-`, 1 to 128 of them, not starting with `.`.
pub fn check_gateway_id(id: &str) -> Result<()> {
    let ok =
        !id.is_empty() && id.len() <= 128 && !id.starts_with('.') && id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        let reason = format!("{id:?}: use 1 to 128 letters, digits, '.', '_' or '-', not starting with '.'");
        Err(StorageError::InvalidInput { field: "gateway_id", reason }.into())
    }
}

impl Replicator {
    /// A replicator of `db` into `target`, registering its sink ([`Target::sink_name`]) with
    /// default [`SinkOptions`] on first use; the sink is connected at the first run.
    pub fn new(db: StorageManager, target: &Target, gateway_id: &str) -> Result<Self> {
        let mut r = Replicator::with_sink_name(db, &target.sink_name(), gateway_id)?;
        r.target = Some(target.clone());
        Ok(r)
    }

    /// A replicator writing into `sink`, with its cursors under `sink_name`.
    pub fn with_sink(db: StorageManager, sink_name: &str, gateway_id: &str, sink: Box<dyn Sink>) -> Result<Self> {
        let mut r = Replicator::with_sink_name(db, sink_name, gateway_id)?;
        r.sink = Some(sink);
        Ok(r)
    }

    fn with_sink_name(db: StorageManager, sink_name: &str, gateway_id: &str) -> Result<Self> {
        check_gateway_id(gateway_id)?;
        if !db.feed().sinks()?.iter().any(|s| s == sink_name) {
            db.feed().register(sink_name, SinkOptions::default())?;
        }
        Ok(Replicator {
            db,
            sink_name: sink_name.to_string(),
            gateway_id: gateway_id.to_string(),
            target: None,
            sink: None,
            max_points: 50_000,
            max_rows: 10_000,
        })
    }

    /// The name the sink's cursors are stored under.
    pub fn sink_name(&self) -> &str {
        &self.sink_name
    }

    /// The sink's cursors, backlog and last error.
    pub fn status(&self) -> Result<SinkStatus> {
        Ok(self.db.feed().status(&self.sink_name)?)
    }

    /// Delivers every feed until none has anything left; returns what it delivered. On a
    /// sink error the batch in flight is not acknowledged (it is delivered again next time)
    /// and the error is recorded in the sink's status.
    pub fn run_once(&mut self) -> Result<RunReport> {
        let result = self.deliver_all();
        match &result {
            Ok(_) => {
                if self.status()?.last_error.is_some() {
                    self.db.feed().record_error(&self.sink_name, None)?;
                }
            }
            Err(e) => {
                if self.target.is_some() {
                    self.sink = None; // reconnect next time
                }
                // Recording can fail too (a closed database): the delivery error is the one to report.
                let _ = self.db.feed().record_error(&self.sink_name, Some(&e.to_string()));
            }
        }
        result
    }

    fn deliver_all(&mut self) -> Result<RunReport> {
        let mut report = RunReport::default();
        for feed in Feed::ALL {
            while let Some(r) = self.deliver_one(feed)? {
                report += r;
            }
        }
        Ok(report)
    }

    /// Delivers one batch of `feed`; `None` when it had nothing.
    fn deliver_one(&mut self, feed: Feed) -> Result<Option<RunReport>> {
        let f = self.db.feed();
        let (rows, delivery, mut report): (_, Delivery, _) = match feed {
            Feed::Telemetry => {
                let b = f.next_telemetry(&self.sink_name, self.max_points)?;
                let rows = telemetry_rows(&b);
                let r = RunReport { points: rows.len() as u64, ..Default::default() };
                (rows, b.delivery, r)
            }
            Feed::Events => {
                let b = f.next_events(&self.sink_name, self.max_rows)?;
                let r = RunReport { events: b.events.len() as u64, ..Default::default() };
                (event_rows(&b), b.delivery, r)
            }
            Feed::Alerts => {
                let b = f.next_alerts(&self.sink_name, self.max_rows)?;
                let r = RunReport { alert_changes: b.changes.len() as u64, ..Default::default() };
                (alert_rows(&b), b.delivery, r)
            }
            records => {
                let b = f.next_records(&self.sink_name, records, self.max_rows)?;
                let r = RunReport { record_changes: b.changes.len() as u64, ..Default::default() };
                (record_rows(&b), b.delivery, r)
            }
        };
        if delivery.is_empty() {
            return Ok(None);
        }
        if !rows.is_empty() {
            if self.sink.is_none() {
                let target = self
                    .target
                    .as_ref()
                    .ok_or_else(|| ReplicationError::Sink { sink: self.sink_name.clone(), message: "no sink".into() })?;
                self.sink = Some(open_sink(target)?);
            }
            self.sink.as_mut().expect("opened above").write(&self.gateway_id, &delivery.start_name(), &rows)?;
        }
        f.ack(&delivery)?;
        report.dropped = delivery.to.dropped - delivery.from.dropped;
        report.batches = 1;
        Ok(Some(report))
    }

    /// Runs until `stop` is set: a run, then a pause of `options.poll`; after a failure a
    /// pause growing with each failure in a row (with jitter). Returns what it delivered;
    /// fails only when the database is closed.
    pub fn follow(&mut self, options: &FollowOptions, stop: &AtomicBool) -> Result<RunReport> {
        let mut total = RunReport::default();
        let mut failures = 0u32;
        while !stop.load(Ordering::Acquire) {
            let pause = match self.run_once() {
                Ok(r) => {
                    total += r;
                    failures = 0;
                    options.poll
                }
                Err(ReplicationError::Storage(StorageError::Closed)) => return Err(StorageError::Closed.into()),
                Err(_) => {
                    failures += 1;
                    options.backoff(failures)
                }
            };
            sleep_unless(stop, pause);
        }
        Ok(total)
    }
}

/// Sleeps `d`, waking early when `stop` is set.
fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let until = std::time::Instant::now() + d;
    while !stop.load(Ordering::Acquire) {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

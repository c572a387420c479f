//! [`Replicator`]: delivers the database's change feeds to PostgreSQL or Parquet files
//! (`neotalk-storage-replicate`), once or following new writes until stopped.

use crate::error::Result;
use crate::json;
use crate::manager::StorageManager;
use crate::mirror::{from_core, to_core};
use neotalk_storage_replicate as replicate;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What a replication run delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ReplicationReport {
    /// Telemetry points written.
    pub points: i64,
    /// Events written.
    pub events: i64,
    /// Alert changes written.
    pub alert_changes: i64,
    /// Decision, rule execution and workflow execution changes written.
    pub record_changes: i64,
    /// Rows skipped under the sink's `max_lag` / `max_backlog_bytes`.
    pub dropped: i64,
    /// Batches acknowledged.
    pub batches: i64,
}

impl From<replicate::RunReport> for ReplicationReport {
    fn from(r: replicate::RunReport) -> Self {
        let replicate::RunReport { points, events, alert_changes, record_changes, dropped, batches } = r;
        ReplicationReport {
            points: from_core(points),
            events: from_core(events),
            alert_changes: from_core(alert_changes),
            record_changes: from_core(record_changes),
            dropped: from_core(dropped),
            batches: from_core(batches),
        }
    }
}

/// Replicates one database into one target (`postgres://USER@HOST:PORT/DB` or
/// `parquet:DIR`), each row exactly once. Its cursors live in the database, under
/// `sink_name()`: a new replicator of the same target resumes where the last one stopped.
#[derive(uniffi::Object)]
pub struct Replicator {
    inner: Mutex<replicate::Replicator>,
    stop: AtomicBool,
    sink_name: String,
    /// For `status()` while `follow()` holds `inner`.
    db: neotalk_storage::StorageManager,
}

impl Replicator {
    fn lock(&self) -> MutexGuard<'_, replicate::Replicator> {
        // A panic inside a run cannot leave the replicator inconsistent: its state is in the database.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[uniffi::export]
impl Replicator {
    /// A replicator of `storage` into `target`, with rows keyed by `gateway_id` (letters,
    /// digits, `.`, `_`, `-`). `InvalidInput` on `target` or `gateway_id` when they are bad;
    /// the target is connected at the first run.
    #[uniffi::constructor]
    pub fn new(storage: Arc<StorageManager>, target: String, gateway_id: String) -> Result<Arc<Self>> {
        let target: replicate::Target = target.parse()?;
        let inner = replicate::Replicator::new(storage.core().clone(), &target, &gateway_id)?;
        Ok(Arc::new(Replicator {
            sink_name: inner.sink_name().to_string(),
            inner: Mutex::new(inner),
            stop: AtomicBool::new(false),
            db: storage.core().clone(),
        }))
    }

    /// The name the target's cursors are stored under.
    pub fn sink_name(&self) -> String {
        self.sink_name.clone()
    }

    /// Delivers everything not yet delivered, then returns. A failing target is `Io` (the
    /// batch in flight is delivered again next time), recorded in `status()`.
    pub fn run_once(&self) -> Result<ReplicationReport> {
        Ok(self.lock().run_once()?.into())
    }

    /// Delivers new writes every `poll_ms` until `stop()` is called (from another thread),
    /// retrying a failing target with growing pauses; returns what it delivered.
    pub fn follow(&self, poll_ms: i64) -> Result<ReplicationReport> {
        let options =
            replicate::FollowOptions { poll: Duration::from_millis(to_core::<_, u64>("poll_ms", poll_ms)?.max(1)), ..Default::default() };
        let report = self.lock().follow(&options, &self.stop);
        self.stop.store(false, Ordering::Release);
        Ok(report?.into())
    }

    /// Ends a running `follow()` after its current batch (or the next one to start).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    /// The sink's options, last error, and per feed its cursor, delivered and dropped
    /// counts and backlog, as JSON of the core's `SinkStatus`.
    pub fn status(&self) -> Result<String> {
        json::text(&self.db.feed().status(&self.sink_name)?)
    }
}

/// The replication status of `target` in `storage` (as [`Replicator::status`]), without
/// creating a replicator: `NotFound` before the first run to that target.
#[uniffi::export]
pub fn replication_status(storage: Arc<StorageManager>, target: String) -> Result<String> {
    let target: replicate::Target = target.parse()?;
    json::text(&storage.core().feed().status(&target.sink_name())?)
}

//! Async facade over the synchronous core (feature `tokio`).
//!
//! Every call runs the blocking store operation on tokio's blocking thread pool, so async
//! tasks are never stalled by disk I/O. [`Maintenance`] runs periodic jobs (flush, cleanup,
//! compaction, backups) on their own intervals and stops cleanly.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use neotalk_storage::{AsyncStorage, DataPoint, StorageManager};
//! let db = AsyncStorage::new(StorageManager::in_memory().unwrap());
//! db.call(|s| s.timeseries().write_series("d", "t", &[DataPoint::new(1, 20.5)])).await.unwrap();
//! let latest = db.call(|s| s.timeseries().query_latest("d", "t")).await.unwrap();
//! assert_eq!(latest.unwrap().timestamp, 1);
//! db.close().await.unwrap();
//! # });
//! ```

use crate::error::{Result, StorageError};
use crate::manager::StorageManager;
use crate::ops::backup::BackupManager;
use crate::ops::cleanup::DataCleanupTask;
use crate::ops::config::Config;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A `StorageManager` for async code: cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct AsyncStorage {
    db: StorageManager,
}

impl AsyncStorage {
    /// Wraps an open database.
    pub fn new(db: StorageManager) -> Self {
        AsyncStorage { db }
    }

    /// The synchronous handle, for calls that never block (cache hits are still I/O-free
    /// only by luck: prefer [`AsyncStorage::call`]).
    pub fn storage(&self) -> &StorageManager {
        &self.db
    }

    /// Runs `f` on the blocking pool and returns its result.
    pub async fn call<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&StorageManager) -> Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db)).await.map_err(|e| StorageError::backend("storage task failed", e))?
    }

    /// Flushes and closes the database (see [`StorageManager::close`]).
    pub async fn close(&self) -> Result<()> {
        self.call(|db| db.close()).await
    }
}

type Job = Arc<dyn Fn(&StorageManager) -> Result<()> + Send + Sync>;

/// Periodic maintenance jobs on one database, each on its own interval.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use neotalk_storage::{AsyncStorage, Maintenance, StorageManager};
/// use std::time::Duration;
/// let db = AsyncStorage::new(StorageManager::in_memory().unwrap());
/// let mut m = Maintenance::new(db.clone());
/// m.every("flush", Duration::from_millis(10), |s| s.flush());
/// let running = m.start();
/// tokio::time::sleep(Duration::from_millis(50)).await;
/// assert!(running.runs("flush") >= 1);
/// running.stop().await;
/// # });
/// ```
pub struct Maintenance {
    db: AsyncStorage,
    jobs: Vec<(String, Duration, Job)>,
}

/// Outcome counters of one job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobStatus {
    /// Completed runs.
    pub runs: u64,
    /// Runs that returned an error.
    pub failures: u64,
    /// The last error, if the last run failed.
    pub last_error: Option<String>,
}

/// Maintenance jobs running in the background; stop them with [`RunningMaintenance::stop`].
pub struct RunningMaintenance {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    stop: tokio::sync::watch::Sender<bool>,
    status: Arc<Mutex<BTreeMap<String, JobStatus>>>,
}

impl Maintenance {
    /// No jobs yet.
    pub fn new(db: AsyncStorage) -> Self {
        Maintenance { db, jobs: Vec::new() }
    }

    /// The jobs `config` asks for, on its intervals: `flush` (commit the write buffer and
    /// sync), `cleanup` (`retention.yaml` through [`DataCleanupTask`]), `compact` (unless its
    /// interval is 0) and `backup` (the `enabled_backups` of `system.yaml`, every
    /// `backup.interval_hours`, pruned to `retain_count`; none when the list is empty).
    /// Fails when the backup directory cannot be created.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use neotalk_storage::{AsyncStorage, Maintenance, StorageManager};
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = AsyncStorage::new(StorageManager::open(dir.path()).unwrap());
    /// let config = db.storage().config().load().unwrap();
    /// let m = Maintenance::from_config(db.clone(), &config).unwrap();
    /// let names: Vec<String> = m.jobs().into_iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["flush", "cleanup", "compact", "backup"]);
    /// m.start().stop().await;
    /// # });
    /// ```
    pub fn from_config(db: AsyncStorage, config: &Config) -> Result<Self> {
        const HOUR: u64 = 3600;
        let intervals = &config.system.maintenance;
        let mut m = Maintenance::new(db.clone());
        m.every("flush", Duration::from_secs(intervals.flush_interval_secs.into()), |s| s.flush());
        let retention = config.retention.clone();
        m.every("cleanup", Duration::from_secs(u64::from(intervals.cleanup_interval_minutes) * 60), move |s| {
            let report = DataCleanupTask::new(s, retention.clone()).run(crate::storage::clock::unix_ms())?;
            match report.failed.is_empty() {
                true => Ok(()),
                false => Err(StorageError::backend_msg(format!("cleanup failed for {:?}", report.failed))),
            }
        });
        if intervals.compact_interval_hours > 0 {
            m.every("compact", Duration::from_secs(u64::from(intervals.compact_interval_hours) * HOUR), compact_when_idle);
        }
        let backup = &config.system.backup;
        if !backup.enabled_backups.is_empty() {
            let backups = BackupManager::new(db.storage(), backup.clone())?;
            m.every("backup", Duration::from_secs(u64::from(backup.interval_hours) * HOUR), move |_| backups.run_enabled().map(drop));
        }
        Ok(m)
    }

    /// Name and interval of every job, in the order they were added.
    pub fn jobs(&self) -> Vec<(String, Duration)> {
        self.jobs.iter().map(|(name, interval, _)| (name.clone(), *interval)).collect()
    }

    /// Adds `job`, run every `interval` (first run after one interval).
    pub fn every(
        &mut self,
        name: &str,
        interval: Duration,
        job: impl Fn(&StorageManager) -> Result<()> + Send + Sync + 'static,
    ) -> &mut Self {
        self.jobs.push((name.to_string(), interval.max(Duration::from_millis(1)), Arc::new(job)));
        self
    }

    /// Starts every job on the current tokio runtime.
    pub fn start(self) -> RunningMaintenance {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let status = Arc::new(Mutex::new(BTreeMap::new()));
        let tasks = self
            .jobs
            .into_iter()
            .map(|(name, interval, job)| {
                let (db, mut stopped, status) = (self.db.clone(), stopped.clone(), status.clone());
                status.lock().insert(name.clone(), JobStatus::default());
                tokio::spawn(async move {
                    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
                    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tokio::select! {
                            _ = stopped.wait_for(|s| *s) => return,
                            _ = ticker.tick() => {}
                        }
                        let job = job.clone();
                        let result = db.call(move |s| job(s)).await;
                        let mut all = status.lock();
                        let s = all.entry(name.clone()).or_default();
                        s.runs += 1;
                        match result {
                            Ok(()) => s.last_error = None,
                            // A closed database ends the job: there is nothing left to maintain.
                            Err(StorageError::Closed) => return,
                            Err(e) => {
                                s.failures += 1;
                                s.last_error = Some(e.to_string());
                            }
                        }
                    }
                })
            })
            .collect();
        RunningMaintenance { tasks, stop, status }
    }
}

impl RunningMaintenance {
    /// Status of every job by name.
    pub fn status(&self) -> BTreeMap<String, JobStatus> {
        self.status.lock().clone()
    }

    /// Completed runs of job `name` (0 if unknown).
    pub fn runs(&self, name: &str) -> u64 {
        self.status.lock().get(name).map_or(0, |s| s.runs)
    }

    /// Stops every job and waits until none is running (a job mid-run finishes that run).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// How long the scheduled compaction waits for reads in flight before it counts a failure.
const COMPACT_PATIENCE: Duration = Duration::from_secs(5);

/// Compaction needs the file to itself: a read snapshot held elsewhere (a backup started on
/// the same tick, a query) makes it `Conflict`. The scheduled job waits for such reads, as
/// SQLite's busy timeout does, instead of failing a run that a moment later succeeds.
fn compact_when_idle(s: &StorageManager) -> Result<()> {
    let step = Duration::from_millis(20);
    let mut waited = Duration::ZERO;
    loop {
        match s.compact() {
            Err(StorageError::Conflict(_)) if waited < COMPACT_PATIENCE => {
                std::thread::sleep(step);
                waited += step;
            }
            other => return other.map(drop),
        }
    }
}

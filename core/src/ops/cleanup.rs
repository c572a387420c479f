//! Retention across every store (seed "清理机制"): `Cleanable` and `DataCleanupTask`.
//!
//! Each store removes what its retention window says is expired, in bounded transactions
//! (never one giant delete), and never a record inside its window: with a window `w`, a
//! record is removed when its time is earlier than `now - w`; one exactly at the boundary
//! stays, and nothing is removed from a store kept `forever`.

use crate::error::Result;
use crate::manager::StorageManager;
use crate::ops::config::RetentionConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A store whose old data a cleanup removes.
pub trait Cleanable: Send + Sync {
    /// The store's name in cleanup reports.
    fn name(&self) -> &'static str;

    /// Removes what `retention` says has expired at `now_ms`; returns how many records went.
    fn cleanup(&self, now_ms: i64, retention: &RetentionConfig) -> Result<u64>;
}

impl Cleanable for crate::TimeSeriesStore {
    fn name(&self) -> &'static str {
        "timeseries"
    }
    fn cleanup(&self, now_ms: i64, retention: &RetentionConfig) -> Result<u64> {
        Ok(crate::TimeSeriesStore::cleanup(self, now_ms, &retention.timeseries)?.points)
    }
}

impl Cleanable for crate::ChangeFeed {
    fn name(&self) -> &'static str {
        "replication"
    }
    fn cleanup(&self, now_ms: i64, _: &RetentionConfig) -> Result<u64> {
        self.expire(now_ms)
    }
}

impl Cleanable for crate::EventLogStore {
    fn name(&self) -> &'static str {
        "events"
    }
    fn cleanup(&self, now_ms: i64, retention: &RetentionConfig) -> Result<u64> {
        let r = crate::EventLogStore::cleanup(self, now_ms, &(&retention.events).into())?;
        Ok(r.expired + r.over_size)
    }
}

/// Stores whose retention is one window applied to one timestamp per record.
macro_rules! cleanable_by_days {
    ($($store:ty => $name:literal, $field:ident;)*) => {$(
        impl Cleanable for $store {
            fn name(&self) -> &'static str {
                $name
            }
            fn cleanup(&self, now_ms: i64, retention: &RetentionConfig) -> Result<u64> {
                match retention.$field.keep.cutoff(now_ms) {
                    Some(cutoff) => <$store>::cleanup(self, cutoff),
                    None => Ok(0),
                }
            }
        }
    )*};
}

cleanable_by_days! {
    crate::RuleHistoryStore => "rule_history", rule_history;
    crate::WorkflowHistoryStore => "workflow_history", workflow_history;
    crate::AlertStore => "alerts", alerts;
    crate::DecisionStore => "decisions", decisions;
    crate::SessionStore => "sessions", sessions;
}

impl Cleanable for crate::LongTermMemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }
    /// Long-term memory is kept until its own `expires_at`; there is no retention in days.
    fn cleanup(&self, now_ms: i64, _: &RetentionConfig) -> Result<u64> {
        self.purge_expired(now_ms)
    }
}

/// What one cleanup run removed, per store, and which stores failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupReport {
    /// Records removed, by store name.
    pub removed: BTreeMap<String, u64>,
    /// Error message of each store whose cleanup failed (the others still ran).
    pub failed: BTreeMap<String, String>,
}

impl CleanupReport {
    /// Records removed across all stores.
    pub fn total(&self) -> u64 {
        self.removed.values().sum()
    }
}

/// Runs the cleanup of every store with one retention configuration (seed `DataCleanupTask`).
///
/// ```
/// use neotalk_storage::{DataCleanupTask, StorageManager, NewEvent};
/// use neotalk_storage::config::RetentionConfig;
/// let db = StorageManager::in_memory().unwrap();
/// db.events().append(&NewEvent::new("old", "t", "s", 0, serde_json::json!(null))).unwrap();
/// let report = DataCleanupTask::new(&db, RetentionConfig::default()).run(30 * 86_400_000).unwrap();
/// assert_eq!(report.removed["events"], 1);
/// ```
pub struct DataCleanupTask {
    db: StorageManager,
    config: RetentionConfig,
    stores: Vec<Box<dyn Cleanable>>,
}

impl DataCleanupTask {
    /// A task over every store of `db`.
    pub fn new(db: &StorageManager, config: RetentionConfig) -> Self {
        let mut stores: Vec<Box<dyn Cleanable>> = Vec::new();
        if crate::feed::ENABLED {
            // First: what the sinks' options drop is no longer held by the stores' retention.
            stores.push(Box::new(db.feed().clone()));
        }
        stores.extend::<[Box<dyn Cleanable>; 8]>([
            Box::new(db.timeseries().clone()),
            Box::new(db.events().clone()),
            Box::new(db.rule_history().clone()),
            Box::new(db.workflow_history().clone()),
            Box::new(db.alerts().clone()),
            Box::new(db.decisions().clone()),
            Box::new(db.sessions().clone()),
            Box::new(db.memory().clone()),
        ]);
        DataCleanupTask { db: db.clone(), config, stores }
    }

    /// The retention this task applies.
    pub fn config(&self) -> &RetentionConfig {
        &self.config
    }

    /// Cleans every store as of `now_ms`; a failing store is reported and the others still
    /// run. `Err(Closed)` when the database is closed.
    pub fn run(&self, now_ms: i64) -> Result<CleanupReport> {
        self.db.ensure_open()?;
        let mut report = CleanupReport::default();
        for store in &self.stores {
            match store.cleanup(now_ms, &self.config) {
                Ok(n) => {
                    report.removed.insert(store.name().to_string(), n);
                }
                Err(e) => {
                    report.failed.insert(store.name().to_string(), e.to_string());
                }
            }
        }
        Ok(report)
    }
}

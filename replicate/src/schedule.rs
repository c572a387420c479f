//! The `replication` section of `system.yaml` on the maintenance scheduler: one job per
//! sink, delivering on the sink's interval.

use crate::{Replicator, Result, Target};
use neotalk_storage::config::ReplicationConfig;
use neotalk_storage::{Maintenance, StorageError, StorageManager};
use std::sync::Mutex;
use std::time::Duration;

/// The host's name, the default gateway id.
pub fn hostname() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").or_else(|_| std::fs::read_to_string("/etc/hostname")).ok()?;
    Some(name.trim().to_string()).filter(|n| !n.is_empty())
}

/// Adds a job `replicate <sink>` per sink of `config` to `maintenance`, run every
/// `interval_secs`; registers each sink with its `max_lag` and `max_backlog_bytes`. A bad
/// target or gateway id fails here, before anything runs; a failing sink fails its job's
/// run (see `RunningMaintenance::status`) and is retried on the next interval.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use neotalk_storage::{AsyncStorage, Maintenance, StorageManager};
/// use neotalk_storage::config::{ReplicationConfig, ReplicationSink};
/// let db = StorageManager::in_memory().unwrap();
/// let dir = tempfile::tempdir().unwrap();
/// let config: ReplicationConfig = serde_yaml_ng::from_str(&format!(
///     "gateway_id: gw-1\nsinks:\n  - target: parquet:{}\n    interval_secs: 5\n", dir.path().display())).unwrap();
/// let mut m = Maintenance::new(AsyncStorage::new(db.clone()));
/// neotalk_storage_replicate::schedule(&mut m, &db, &config).unwrap();
/// assert_eq!(m.jobs()[0].0, format!("replicate parquet:{}", dir.path().display()));
/// m.start().stop().await;
/// # });
/// ```
pub fn schedule(maintenance: &mut Maintenance, db: &StorageManager, config: &ReplicationConfig) -> Result<()> {
    let gateway_id = config.gateway_id.clone().or_else(hostname).ok_or_else(|| StorageError::InvalidInput {
        field: "gateway_id",
        reason: "replication.gateway_id is not set and the host has no name".into(),
    })?;
    crate::check_gateway_id(&gateway_id)?;
    for sink in &config.sinks {
        let target: Target = sink.target.parse()?;
        db.feed().register(&target.sink_name(), sink.options())?;
        let replicator = Mutex::new(Replicator::new(db.clone(), &target, &gateway_id)?);
        let name = format!("replicate {}", target.sink_name());
        maintenance.every(&name, Duration::from_secs(sink.interval_secs.into()), move |_| {
            let mut r = replicator.lock().unwrap_or_else(|e| e.into_inner());
            r.run_once().map(drop).map_err(StorageError::from)
        });
    }
    Ok(())
}

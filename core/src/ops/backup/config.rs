//! The seed's `BackupConfig` and `BackupType`.

use crate::ops::config::yaml_checks::at_least_one;
use serde::{Deserialize, Serialize};

/// Backup settings (the `backup` section of `system.yaml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// Backup directory; a relative path is taken from the data directory (default `backups`).
    pub backup_dir: String,
    /// Hours between scheduled backups (default 24).
    #[serde(deserialize_with = "at_least_one")]
    pub interval_hours: u32,
    /// Backups kept; older ones are removed after each backup, except bases of kept
    /// incrementals (default 7).
    #[serde(deserialize_with = "at_least_one")]
    pub retain_count: u32,
    /// Backups the scheduler takes (default a full backup).
    pub enabled_backups: Vec<BackupType>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig { backup_dir: "backups".into(), interval_hours: 24, retain_count: 7, enabled_backups: vec![BackupType::Full] }
    }
}

/// What a backup contains. In YAML: `{type: full}`, `{type: incremental}`,
/// `{type: selective, tables: [alerts, alerts_by_time]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BackupType {
    /// Every table.
    Full,
    /// Every table, storing only what changed since the newest backup of the chain.
    Incremental,
    /// Only the named tables. A store's tables belong together (a record and its indexes):
    /// back them up together. Counters some stores keep in the shared `meta` table (alert
    /// counts per severity, event sequence) are only included when `meta` is listed.
    Selective {
        /// Table names.
        tables: Vec<String>,
    },
}

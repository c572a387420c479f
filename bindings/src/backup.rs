//! Backups: [`BackupManager`] writes snapshot files, [`RestoreManager`] lists, verifies and
//! restores them. Settings, kinds and reports cross as JSON text of the core's
//! `BackupConfig`, `BackupType` (`{"type": "full"}`, `{"type": "incremental"}`,
//! `{"type": "selective", "tables": [...]}`), `BackupInfo`, `VerifyReport`, `RestoreResult`.

use crate::error::Result;
use crate::json;
use crate::manager::StorageManager;
use neotalk_storage::backup as core;
use std::sync::Arc;

/// Takes backups of one database into its backup directory.
#[derive(uniffi::Object)]
pub struct BackupManager {
    inner: core::BackupManager,
}

#[uniffi::export]
impl BackupManager {
    /// A manager writing into `config.backup_dir` (relative to the data directory); `config`
    /// is JSON of a `BackupConfig` (none: the defaults).
    #[uniffi::constructor]
    pub fn new(storage: Arc<StorageManager>, config: Option<String>) -> Result<Arc<Self>> {
        let config: core::BackupConfig = match config {
            Some(text) => json::record("config", &text)?,
            None => core::BackupConfig::default(),
        };
        Ok(Arc::new(BackupManager { inner: core::BackupManager::new(storage.core(), config)? }))
    }

    /// The backup directory.
    pub fn dir(&self) -> String {
        self.inner.dir().to_string_lossy().into_owned()
    }

    /// The settings (JSON of `BackupConfig`).
    pub fn config(&self) -> Result<String> {
        json::text(self.inner.config())
    }

    /// Takes one backup of `kind` (JSON of a `BackupType`); returns JSON of its `BackupInfo`.
    pub fn backup(&self, kind: String) -> Result<String> {
        json::text(&self.inner.backup(&json::record::<core::BackupType>("kind", &kind)?)?)
    }

    /// Takes every backup the configuration enables; returns their `BackupInfo` (JSON).
    pub fn run_enabled(&self) -> Result<Vec<String>> {
        json::texts(&self.inner.run_enabled()?)
    }

    /// Removes backups beyond `retain_count` (never a base of a kept incremental); returns
    /// the removed ids.
    pub fn prune(&self) -> Result<Vec<String>> {
        Ok(self.inner.prune()?)
    }
}

/// Lists, verifies and restores the backups of one directory into one database.
#[derive(uniffi::Object)]
pub struct RestoreManager {
    inner: core::RestoreManager,
}

#[uniffi::export]
impl RestoreManager {
    /// A manager for the backups in `backup_dir`, restoring into `storage`.
    #[uniffi::constructor]
    pub fn new(storage: Arc<StorageManager>, backup_dir: String) -> Arc<Self> {
        Arc::new(RestoreManager { inner: core::RestoreManager::new(storage.core(), backup_dir) })
    }

    /// Every backup file, oldest first, as JSON of `BackupInfo` (damaged ones with `problem`).
    pub fn list_backups(&self) -> Result<Vec<String>> {
        json::texts(&self.inner.list_backups()?)
    }

    /// The newest backup file (even when damaged), or none.
    pub fn newest(&self) -> Result<Option<String>> {
        json::text_opt(self.inner.newest()?)
    }

    /// Verifies a backup and its chain; JSON of `VerifyReport`. A hostile id (path
    /// separators, `..`) is `InvalidInput`, an unknown id `NotFound`.
    pub fn verify(&self, id: String) -> Result<String> {
        json::text(&self.inner.verify(&id)?)
    }

    /// Restores a backup (with its chain) in one atomic write batch; JSON of
    /// `RestoreResult`. Any failure leaves the live data as it was.
    pub fn restore(&self, id: String) -> Result<String> {
        json::text(&self.inner.restore(&id)?)
    }
}

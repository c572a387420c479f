//! [`DataCleanupTask`]: one retention run over every store. The retention configuration
//! crosses as JSON text of the core's `RetentionConfig` (the `retention.yaml` shape), the
//! report as JSON of `CleanupReport`.

use crate::error::Result;
use crate::json;
use crate::manager::StorageManager;
use neotalk_storage as core;
use std::sync::Arc;

/// Runs the cleanup of every store with one retention configuration.
#[derive(uniffi::Object)]
pub struct DataCleanupTask {
    inner: core::DataCleanupTask,
}

#[uniffi::export]
impl DataCleanupTask {
    /// A task over every store of `storage`; `retention` is JSON of a `RetentionConfig`
    /// (none: the defaults). Unknown fields and wrong types are `InvalidInput`.
    #[uniffi::constructor]
    pub fn new(storage: Arc<StorageManager>, retention: Option<String>) -> Result<Arc<Self>> {
        let config: core::RetentionConfig = match retention {
            Some(text) => json::record("retention", &text)?,
            None => core::RetentionConfig::default(),
        };
        Ok(Arc::new(DataCleanupTask { inner: core::DataCleanupTask::new(storage.core(), config) }))
    }

    /// The retention this task applies (JSON of `RetentionConfig`).
    pub fn config(&self) -> Result<String> {
        json::text(self.inner.config())
    }

    /// Cleans every store as of `now_ms`; returns JSON of `CleanupReport` (`removed` per
    /// store, `failed` with the message of each store that failed while the others ran).
    pub fn run(&self, now_ms: i64) -> Result<String> {
        json::text(&self.inner.run(now_ms)?)
    }
}

//! JS class `DataCleanupTask`: one retention run over every store of a database.

use crate::convert::{int, record, to_js};
use crate::error::{IntoJs, JsResult};
use crate::manager::JsStorageManager;
use neotalk_storage::{DataCleanupTask, RetentionConfig};
use wasm_bindgen::prelude::*;

/// The retention of `db`'s config tree: `retention.yaml`, or the defaults when it is missing.
#[cfg(feature = "config")]
fn database_retention(db: &JsStorageManager) -> JsResult<RetentionConfig> {
    db.db()?.config().retention().js()
}

/// Without the `config` feature nothing can write the database's tree, so it always reads as
/// the defaults; reading it would link the YAML parser for nothing.
#[cfg(not(feature = "config"))]
fn database_retention(db: &JsStorageManager) -> JsResult<RetentionConfig> {
    db.db()?;
    Ok(RetentionConfig::default())
}

/// Removes what a retention configuration says has expired, store by store (telemetry,
/// events, rule and workflow history, alerts, decisions, sessions, expired memories).
#[wasm_bindgen(js_name = DataCleanupTask)]
pub struct JsDataCleanupTask {
    inner: DataCleanupTask,
}

#[wasm_bindgen(js_class = DataCleanupTask)]
impl JsDataCleanupTask {
    /// A task over every store of `db` with `retention` (a `RetentionConfig`, fields left
    /// out take their defaults; windows such as `"36h"`, `"forever"` or a number of days). Left out, the retention is the database's
    /// `config().retention()` in the `full` entry point, and the default retention in the
    /// default one (which has no config tree to set it). Unknown fields and windows that
    /// are not durations (`"3 days"`, `0`) are `INVALID_INPUT` on `retention`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        db: &JsStorageManager,
        #[wasm_bindgen(unchecked_param_type = "RetentionInput | undefined")] retention: JsValue,
    ) -> JsResult<JsDataCleanupTask> {
        let config: RetentionConfig =
            if retention.is_undefined() || retention.is_null() { database_retention(db)? } else { record("retention", retention)? };
        Ok(JsDataCleanupTask { inner: DataCleanupTask::new(db.db()?, config) })
    }

    /// The retention this task applies.
    #[wasm_bindgen(unchecked_return_type = "RetentionConfig")]
    pub fn config(&self) -> JsResult<JsValue> {
        to_js(self.inner.config())
    }

    /// Cleans every store as of `nowMs`: `{ removed: { store: count }, failed: { store:
    /// message } }`. A failing store (a closed database fails them all) is reported in
    /// `failed` and the others still run; nothing is thrown for it.
    #[wasm_bindgen(unchecked_return_type = "CleanupReport")]
    pub fn run(&self, #[wasm_bindgen(js_name = nowMs)] now_ms: f64) -> JsResult<JsValue> {
        to_js(&self.inner.run(int("now_ms", now_ms)?).js()?)
    }
}

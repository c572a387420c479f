//! JS class `AlertStore`: alerts with acknowledge / resolve and severity counts.

use crate::convert::{bound, enum_arg, int, limit, record, string, time_range, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{AlertRecord, AlertSeverity, AlertStore};
use wasm_bindgen::prelude::*;

/// A severity argument: `"Info"`, `"Warning"`, `"Error"` or `"Critical"` (any case).
fn severity(v: JsValue) -> JsResult<AlertSeverity> {
    enum_arg("severity", &v)
}

/// Alerts. Obtain it from `StorageManager.alerts()`.
#[wasm_bindgen(js_name = AlertStore)]
pub struct JsAlertStore {
    pub(crate) inner: AlertStore,
}

#[wasm_bindgen(js_class = AlertStore)]
impl JsAlertStore {
    /// Stores a new alert. A duplicate `alert_id` is `CONFLICT`; a severity other than
    /// `"Info" | "Warning" | "Error" | "Critical"` is `INVALID_INPUT` on `alert`.
    pub fn create(&self, #[wasm_bindgen(unchecked_param_type = "AlertInput")] alert: JsValue) -> JsResult<()> {
        let alert: AlertRecord = record("alert", alert)?;
        self.inner.create(&alert).js()
    }

    /// The alert with this id, or `null`.
    #[wasm_bindgen(unchecked_return_type = "AlertRecord | null")]
    pub fn get(&self, #[wasm_bindgen(js_name = alertId, unchecked_param_type = "string")] alert_id: JsValue) -> JsResult<JsValue> {
        to_js(&self.inner.get(&string("alert_id", &alert_id)?).js()?)
    }

    /// Removes the alert (and counts it out of the severity counts); `false` when it was not
    /// there.
    pub fn delete(&self, #[wasm_bindgen(js_name = alertId, unchecked_param_type = "string")] alert_id: JsValue) -> JsResult<bool> {
        self.inner.delete(&string("alert_id", &alert_id)?).js()
    }

    /// Marks an alert acknowledged by `by` at `atMs`; returns it. Unknown id: `NOT_FOUND`;
    /// already acknowledged: `CONFLICT` (the first acknowledgement stays).
    #[wasm_bindgen(unchecked_return_type = "AlertRecord")]
    pub fn acknowledge(
        &self,
        #[wasm_bindgen(js_name = alertId, unchecked_param_type = "string")] alert_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] by: JsValue,
        #[wasm_bindgen(js_name = atMs)] at_ms: f64,
    ) -> JsResult<JsValue> {
        let alert = self.inner.acknowledge(&string("alert_id", &alert_id)?, &string("by", &by)?, int("at", at_ms)?).js()?;
        to_js(&alert)
    }

    /// Marks an alert resolved at `atMs`; returns it. Unknown id: `NOT_FOUND`; already
    /// resolved: `CONFLICT`.
    #[wasm_bindgen(unchecked_return_type = "AlertRecord")]
    pub fn resolve(
        &self,
        #[wasm_bindgen(js_name = alertId, unchecked_param_type = "string")] alert_id: JsValue,
        #[wasm_bindgen(js_name = atMs)] at_ms: f64,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.resolve(&string("alert_id", &alert_id)?, int("at", at_ms)?).js()?)
    }

    /// Alerts with `start <= created_at < end`, oldest first, at most `limit`.
    #[wasm_bindgen(js_name = queryRange, unchecked_return_type = "AlertRecord[]")]
    pub fn query_range(&self, start: f64, end: Option<f64>, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.query_range(time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Alerts of one severity with `start <= created_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryBySeverity, unchecked_return_type = "AlertRecord[]")]
    pub fn query_by_severity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AlertSeverity")] severity_arg: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.query_by_severity(severity(severity_arg)?, time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Alerts about one entity with `start <= created_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryByEntity, unchecked_return_type = "AlertRecord[]")]
    pub fn query_by_entity(
        &self,
        #[wasm_bindgen(js_name = entityId, unchecked_param_type = "string")] entity_id: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.query_by_entity(&string("entity_id", &entity_id)?, time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Alerts from one source with `start <= created_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryBySource, unchecked_return_type = "AlertRecord[]")]
    pub fn query_by_source(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] source: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.query_by_source(&string("source", &source)?, time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Alerts nobody acknowledged yet, newest first.
    #[wasm_bindgen(unchecked_return_type = "AlertRecord[]")]
    pub fn unacknowledged(&self, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.unacknowledged(limit(limit_arg)?).js()?)
    }

    /// Alerts not resolved yet, newest first.
    #[wasm_bindgen(unchecked_return_type = "AlertRecord[]")]
    pub fn unresolved(&self, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.unresolved(limit(limit_arg)?).js()?)
    }

    /// Number of stored alerts of each severity: `{ info, warning, error, critical }`.
    #[wasm_bindgen(js_name = countBySeverity, unchecked_return_type = "SeverityCounts")]
    pub fn count_by_severity(&self) -> JsResult<JsValue> {
        to_js(&self.inner.count_by_severity().js()?)
    }

    /// Number of unresolved alerts of each severity.
    #[wasm_bindgen(js_name = countUnresolvedBySeverity, unchecked_return_type = "SeverityCounts")]
    pub fn count_unresolved_by_severity(&self) -> JsResult<JsValue> {
        to_js(&self.inner.count_unresolved_by_severity().js()?)
    }

    /// Removes every alert with `created_at < beforeMs`; returns how many.
    pub fn cleanup(&self, #[wasm_bindgen(js_name = beforeMs)] before_ms: f64) -> JsResult<f64> {
        Ok(self.inner.cleanup(bound("before_ms", before_ms)?).js()? as f64)
    }
}

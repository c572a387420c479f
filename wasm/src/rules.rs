//! JS class `RuleHistoryStore`: rule executions, their queries and per-rule statistics.

use crate::convert::{bound, count, limit, record, string, time_range, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{Page, RuleExecutionRecord, RuleHistoryStore};
use wasm_bindgen::prelude::*;

/// Rule execution history. Obtain it from `StorageManager.ruleHistory()`.
#[wasm_bindgen(js_name = RuleHistoryStore)]
pub struct JsRuleHistoryStore {
    pub(crate) inner: RuleHistoryStore,
}

#[wasm_bindgen(js_class = RuleHistoryStore)]
impl JsRuleHistoryStore {
    /// Stores one execution. A duplicate `execution_id` is `CONFLICT`; a `result` other than
    /// `"Success"`, `{ PartialSuccess: { failed_actions } }` or `{ Failed: { error } }` is
    /// `INVALID_INPUT` on `record`.
    pub fn record(&self, #[wasm_bindgen(unchecked_param_type = "RuleExecutionInput")] record: JsValue) -> JsResult<()> {
        let record: RuleExecutionRecord = self::record("record", record)?;
        self.inner.record(&record).js()
    }

    /// Stores executions in one transaction; all or none are stored.
    #[wasm_bindgen(js_name = recordBatch)]
    pub fn record_batch(&self, #[wasm_bindgen(unchecked_param_type = "RuleExecutionInput[]")] records: JsValue) -> JsResult<()> {
        let records: Vec<RuleExecutionRecord> = record("records", records)?;
        self.inner.record_batch(&records).js()
    }

    /// The execution with this id, or `null`.
    #[wasm_bindgen(unchecked_return_type = "RuleExecutionRecord | null")]
    pub fn get(&self, #[wasm_bindgen(js_name = executionId, unchecked_param_type = "string")] execution_id: JsValue) -> JsResult<JsValue> {
        to_js(&self.inner.get(&string("execution_id", &execution_id)?).js()?)
    }

    /// One page of a rule's executions, newest first: skips the `offset` newest, returns at
    /// most `limit`.
    #[wasm_bindgen(js_name = queryByRule, unchecked_return_type = "RuleExecutionRecord[]")]
    pub fn query_by_rule(
        &self,
        #[wasm_bindgen(js_name = ruleId, unchecked_param_type = "string")] rule_id: JsValue,
        offset: f64,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        let page = Page { offset: count("offset", offset)? as usize, limit: limit(limit_arg)? };
        to_js(&self.inner.query_by_rule(&string("rule_id", &rule_id)?, page).js()?)
    }

    /// Executions of one rule with `start <= triggered_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryRuleRange, unchecked_return_type = "RuleExecutionRecord[]")]
    pub fn query_rule_range(
        &self,
        #[wasm_bindgen(js_name = ruleId, unchecked_param_type = "string")] rule_id: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.query_rule_range(&string("rule_id", &rule_id)?, time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Executions of every rule with `start <= triggered_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryRange, unchecked_return_type = "RuleExecutionRecord[]")]
    pub fn query_range(&self, start: f64, end: Option<f64>, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.query_range(time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Failed executions (not partial successes) with `start <= triggered_at < end`.
    #[wasm_bindgen(js_name = queryFailed, unchecked_return_type = "RuleExecutionRecord[]")]
    pub fn query_failed(&self, start: f64, end: Option<f64>, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.query_failed(time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Counts and durations of one rule's executions in `[start, end)`.
    #[wasm_bindgen(js_name = ruleStatistics, unchecked_return_type = "RuleStatistics")]
    pub fn rule_statistics(
        &self,
        #[wasm_bindgen(js_name = ruleId, unchecked_param_type = "string")] rule_id: JsValue,
        start: f64,
        end: Option<f64>,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.rule_statistics(&string("rule_id", &rule_id)?, time_range(start, end)?).js()?)
    }

    /// Statistics of every rule that ran in `[start, end)`, by rule id.
    #[wasm_bindgen(unchecked_return_type = "RuleStatistics[]")]
    pub fn statistics(&self, start: f64, end: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.statistics(time_range(start, end)?).js()?)
    }

    /// Removes every execution with `triggered_at < beforeMs`; returns how many.
    pub fn cleanup(&self, #[wasm_bindgen(js_name = beforeMs)] before_ms: f64) -> JsResult<f64> {
        Ok(self.inner.cleanup(bound("before_ms", before_ms)?).js()? as f64)
    }
}

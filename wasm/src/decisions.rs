//! JS class `DecisionStore`: decisions the LLM proposes, the user's answers and outcomes.

use crate::convert::{bound, enum_arg, int, limit, record, string, time_range, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{DecisionRecord, DecisionStatus, DecisionStore, ExecutionResult, UserResponse};
use wasm_bindgen::prelude::*;

/// LLM decisions. Obtain it from `StorageManager.decisions()`.
#[wasm_bindgen(js_name = DecisionStore)]
pub struct JsDecisionStore {
    pub(crate) inner: DecisionStore,
}

#[wasm_bindgen(js_class = DecisionStore)]
impl JsDecisionStore {
    /// Stores a new decision: `Proposed`, without response or result, confidence in
    /// `[0, 1]`. A stored `decision_id` is `CONFLICT`; a wrong shape is `INVALID_INPUT` on
    /// `decision`.
    pub fn create(&self, #[wasm_bindgen(unchecked_param_type = "DecisionInput")] decision: JsValue) -> JsResult<()> {
        let decision: DecisionRecord = record("decision", decision)?;
        self.inner.create(&decision).js()
    }

    /// The decision with this id, or `null`.
    #[wasm_bindgen(unchecked_return_type = "DecisionRecord | null")]
    pub fn get(&self, #[wasm_bindgen(js_name = decisionId, unchecked_param_type = "string")] decision_id: JsValue) -> JsResult<JsValue> {
        to_js(&self.inner.get(&string("decision_id", &decision_id)?).js()?)
    }

    /// Moves a `Proposed` decision to `to` (any other status, any case); returns it.
    /// Unknown id: `NOT_FOUND`; a decision no longer `Proposed`: `CONFLICT`.
    #[wasm_bindgen(unchecked_return_type = "DecisionRecord")]
    pub fn transition(
        &self,
        #[wasm_bindgen(js_name = decisionId, unchecked_param_type = "string")] decision_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DecisionStatus")] to: JsValue,
    ) -> JsResult<JsValue> {
        let decision_id = string("decision_id", &decision_id)?;
        let to: DecisionStatus = enum_arg("status", &to)?;
        to_js(&self.inner.transition(&decision_id, to).js()?)
    }

    /// Approves a `Proposed` decision with the user's response; returns it.
    #[wasm_bindgen(unchecked_return_type = "DecisionRecord")]
    pub fn approve(
        &self,
        #[wasm_bindgen(js_name = decisionId, unchecked_param_type = "string")] decision_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UserResponse")] response: JsValue,
    ) -> JsResult<JsValue> {
        let decision_id = string("decision_id", &decision_id)?;
        let response: UserResponse = record("response", response)?;
        to_js(&self.inner.approve(&decision_id, &response).js()?)
    }

    /// Rejects a `Proposed` decision with the user's response; returns it.
    #[wasm_bindgen(unchecked_return_type = "DecisionRecord")]
    pub fn reject(
        &self,
        #[wasm_bindgen(js_name = decisionId, unchecked_param_type = "string")] decision_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UserResponse")] response: JsValue,
    ) -> JsResult<JsValue> {
        let decision_id = string("decision_id", &decision_id)?;
        let response: UserResponse = record("response", response)?;
        to_js(&self.inner.reject(&decision_id, &response).js()?)
    }

    /// Stores the outcome of an `Approved` or `AutoExecuted` decision (`"Success"`,
    /// `{ PartialSuccess: { failed_actions } }` or `{ Failed: { error } }`); returns it.
    /// Another status, or a result already stored, is `CONFLICT`.
    #[wasm_bindgen(js_name = recordExecutionResult, unchecked_return_type = "DecisionRecord")]
    pub fn record_execution_result(
        &self,
        #[wasm_bindgen(js_name = decisionId, unchecked_param_type = "string")] decision_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ExecutionResult")] result: JsValue,
    ) -> JsResult<JsValue> {
        let decision_id = string("decision_id", &decision_id)?;
        let result: ExecutionResult = record("result", result)?;
        to_js(&self.inner.record_execution_result(&decision_id, &result).js()?)
    }

    /// Decisions with `start <= created_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryRange, unchecked_return_type = "DecisionRecord[]")]
    pub fn query_range(&self, start: f64, end: Option<f64>, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.query_range(time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Decisions in one status with `start <= created_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryByStatus, unchecked_return_type = "DecisionRecord[]")]
    pub fn query_by_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DecisionStatus")] status: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        let status: DecisionStatus = enum_arg("status", &status)?;
        to_js(&self.inner.query_by_status(status, time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Moves every `Proposed` decision created before `nowMs - maxAgeMs` to `Expired`;
    /// returns how many. A negative `maxAgeMs` is `INVALID_INPUT`.
    #[wasm_bindgen(js_name = expireProposals)]
    pub fn expire_proposals(
        &self,
        #[wasm_bindgen(js_name = nowMs)] now_ms: f64,
        #[wasm_bindgen(js_name = maxAgeMs)] max_age_ms: f64,
    ) -> JsResult<f64> {
        Ok(self.inner.expire_proposals(int("now_ms", now_ms)?, int("max_age_ms", max_age_ms)?).js()? as f64)
    }

    /// Removes every decision with `created_at < beforeMs`, whatever its status; returns how
    /// many.
    pub fn cleanup(&self, #[wasm_bindgen(js_name = beforeMs)] before_ms: f64) -> JsResult<f64> {
        Ok(self.inner.cleanup(bound("before_ms", before_ms)?).js()? as f64)
    }
}

//! JS class `DecisionStore`: decisions the LLM proposes, the user's answers and outcomes.

use crate::convert::{bound, enum_arg, from_js, from_js_strict, int, limit, string, time_range, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{DecisionRecord, DecisionStatus, DecisionStore, ExecutionResult, ProposedAction, UserResponse};
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// The argument of `create`: a `DecisionRecord` whose optional fields may be left out
/// (description and reasoning "", no actions, status `Proposed`, no response, result or
/// review).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionInput {
    decision_id: String,
    title: String,
    description: Option<String>,
    reasoning: Option<String>,
    proposed_actions: Option<Vec<ProposedActionInput>>,
    confidence: f32,
    created_at: i64,
    status: Option<DecisionStatus>,
    user_response: Option<UserResponse>,
    execution_result: Option<ExecutionResult>,
    review_id: Option<String>,
}

impl From<DecisionInput> for DecisionRecord {
    fn from(d: DecisionInput) -> Self {
        let text = |s: Option<String>| s.unwrap_or_default();
        let mut rec = DecisionRecord::new(&d.decision_id, &d.title, &text(d.description), &text(d.reasoning), d.confidence, d.created_at);
        rec.proposed_actions = d.proposed_actions.unwrap_or_default().into_iter().map(Into::into).collect();
        rec.status = d.status.unwrap_or(rec.status);
        rec.user_response = d.user_response;
        rec.execution_result = d.execution_result;
        rec.review_id = d.review_id;
        rec
    }
}

/// A proposed action whose description ("") and parameters (null) may be left out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposedActionInput {
    action_type: String,
    description: Option<String>,
    parameters: Option<Value>,
}

impl From<ProposedActionInput> for ProposedAction {
    fn from(a: ProposedActionInput) -> Self {
        ProposedAction {
            action_type: a.action_type,
            description: a.description.unwrap_or_default(),
            parameters: a.parameters.unwrap_or(Value::Null),
        }
    }
}

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
        let decision: DecisionInput = from_js_strict("decision", decision)?;
        self.inner.create(&decision.into()).js()
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
        let response: UserResponse = from_js("response", response)?;
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
        let response: UserResponse = from_js("response", response)?;
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
        let result: ExecutionResult = from_js("result", result)?;
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

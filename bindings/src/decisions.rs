//! LLM decisions: [`DecisionStore`] and its records [`DecisionRecord`], [`ProposedAction`] and
//! [`UserResponse`] (an executed decision's outcome is [`crate::ExecutionResult`]).

use crate::enums::{DecisionStatus, ExecutionResult};
use crate::error::Result;
use crate::mirror::{from_core, from_core_all, json_functions, mirror_record, to_core, Mirror};
use neotalk_storage as core;

mirror_record! {
    /// A decision proposed by the LLM.
    DecisionRecord => core::DecisionRecord {
        /// Unique id.
        decision_id: String,
        /// Short title.
        title: String,
        /// What the decision is about.
        #[uniffi(default = "")]
        description: String,
        /// The LLM's reasoning.
        #[uniffi(default = "")]
        reasoning: String,
        /// Actions it proposes.
        #[uniffi(default = [])]
        proposed_actions: Vec<ProposedAction>,
        /// Confidence, from 0 to 1.
        confidence: f64,
        /// When it was proposed (Unix ms).
        created_at: i64,
        /// Current status (a new decision is `Proposed`).
        status: DecisionStatus,
        /// The user's answer, if any.
        #[uniffi(default)]
        user_response: Option<UserResponse>,
        /// Outcome of executing it, if it was executed.
        #[uniffi(default)]
        execution_result: Option<ExecutionResult>,
        /// Id of the related review.
        #[uniffi(default)]
        review_id: Option<String>,
    }
}

mirror_record! {
    /// An action a decision proposes.
    ProposedAction => core::ProposedAction {
        /// `control_device`, `create_rule`, `notify_user`, ...
        action_type: String,
        /// What it does.
        #[uniffi(default = "")]
        description: String,
        /// Its parameters: JSON text (`null` for none).
        #[uniffi(default = "null")]
        parameters: String,
    }
}

mirror_record! {
    /// A user's answer to a decision.
    UserResponse => core::UserResponse {
        /// Who answered.
        user_id: String,
        /// `approved`, `rejected`, `modified`, ...
        response: String,
        /// When (Unix ms).
        responded_at: i64,
        /// Free-text comments.
        #[uniffi(default)]
        comments: Option<String>,
    }
}

json_functions! {
    DecisionRecord => core::DecisionRecord, "decision",
    /// The decision of JSON text in the core's form (the C API's); omitted fields take their
    /// defaults, unknown fields and enum names are `InvalidInput`.
    fn decision_record_from_json,
    /// The JSON text of a decision, in the core's form.
    fn decision_record_to_json
}

json_functions! {
    UserResponse => core::UserResponse, "response",
    /// The user response of JSON text in the core's form.
    fn user_response_from_json,
    /// The JSON text of a user response.
    fn user_response_to_json
}

json_functions! {
    ExecutionResult => core::ExecutionResult, "result",
    /// The execution result of JSON text in the core's form (`"Success"`,
    /// `{"PartialSuccess":{"failed_actions":[...]}}`, `{"Failed":{"error":"..."}}`).
    fn execution_result_from_json,
    /// The JSON text of an execution result.
    fn execution_result_to_json
}

crate::store_object::store_object! {
    /// Store of decisions; obtain it from `StorageManager.decisions()`.
    DecisionStore => core::DecisionStore
}

#[uniffi::export]
impl DecisionStore {
    /// Stores a new decision; a duplicate id is `Conflict`.
    pub fn create(&self, decision: DecisionRecord) -> Result<()> {
        Ok(self.inner.create(&to_core("decision", decision)?)?)
    }

    /// The decision with this id, or none.
    pub fn get(&self, decision_id: String) -> Result<Option<DecisionRecord>> {
        Ok(Mirror::from_core(self.inner.get(&decision_id)?))
    }

    /// Moves a decision to `to`; a move the status graph forbids is `Conflict`.
    pub fn transition(&self, decision_id: String, to: DecisionStatus) -> Result<DecisionRecord> {
        Ok(Mirror::from_core(self.inner.transition(&decision_id, to.into())?))
    }

    /// Approves a proposed decision with a user's response.
    pub fn approve(&self, decision_id: String, response: UserResponse) -> Result<DecisionRecord> {
        Ok(Mirror::from_core(self.inner.approve(&decision_id, &to_core("response", response)?)?))
    }

    /// Rejects a proposed decision with a user's response.
    pub fn reject(&self, decision_id: String, response: UserResponse) -> Result<DecisionRecord> {
        Ok(Mirror::from_core(self.inner.reject(&decision_id, &to_core("response", response)?)?))
    }

    /// Stores the outcome of an approved or auto-executed decision; other statuses, or a
    /// result already stored, are `Conflict`.
    pub fn record_execution_result(&self, decision_id: String, result: ExecutionResult) -> Result<DecisionRecord> {
        Ok(Mirror::from_core(self.inner.record_execution_result(&decision_id, &to_core("result", result)?)?))
    }

    /// Decisions with `start <= created_at < end`, oldest first.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<DecisionRecord>> {
        Ok(from_core_all(self.inner.query_range(core::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Decisions with this status and `start <= created_at < end`, oldest first.
    pub fn query_by_status(&self, status: DecisionStatus, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<DecisionRecord>> {
        Ok(from_core_all(self.inner.query_by_status(status.into(), core::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Marks proposals older than `max_age_ms` at `now_ms` `Expired`; returns how many.
    pub fn expire_proposals(&self, now_ms: i64, max_age_ms: i64) -> Result<i64> {
        Ok(from_core(self.inner.expire_proposals(now_ms, max_age_ms)?))
    }

    /// Removes decisions created before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<i64> {
        Ok(from_core(self.inner.cleanup(before_ms)?))
    }
}

//! LLM decisions: [`DecisionStore`]. Decisions cross as JSON text of the core's
//! `DecisionRecord` (nested proposed actions, user response and execution result).

use crate::enums::DecisionStatus;
use crate::error::Result;
use crate::json;
use neotalk_storage as core;
use std::sync::Arc;

/// Store of decisions; obtain it from `StorageManager.decisions()`.
#[derive(uniffi::Object)]
pub struct DecisionStore {
    inner: core::DecisionStore,
}

impl DecisionStore {
    pub(crate) fn new(inner: core::DecisionStore) -> Arc<Self> {
        Arc::new(DecisionStore { inner })
    }
}

#[uniffi::export]
impl DecisionStore {
    /// Stores a new decision (JSON of a `DecisionRecord`); a duplicate id is `Conflict`.
    pub fn create(&self, decision: String) -> Result<()> {
        Ok(self.inner.create(&json::record("decision", &decision)?)?)
    }

    /// The decision with this id (JSON), or none.
    pub fn get(&self, decision_id: String) -> Result<Option<String>> {
        json::text_opt(self.inner.get(&decision_id)?)
    }

    /// Moves a decision to `to`; a move the status graph forbids is `Conflict`.
    pub fn transition(&self, decision_id: String, to: DecisionStatus) -> Result<String> {
        json::text(&self.inner.transition(&decision_id, to.into())?)
    }

    /// Approves a proposed decision with a user's response (JSON of a `UserResponse`).
    pub fn approve(&self, decision_id: String, response: String) -> Result<String> {
        json::text(&self.inner.approve(&decision_id, &json::record("response", &response)?)?)
    }

    /// Rejects a proposed decision with a user's response (JSON of a `UserResponse`).
    pub fn reject(&self, decision_id: String, response: String) -> Result<String> {
        json::text(&self.inner.reject(&decision_id, &json::record("response", &response)?)?)
    }

    /// Stores the outcome (JSON of an `ExecutionResult`) of an approved or auto-executed
    /// decision; other statuses, or a result already stored, are `Conflict`.
    pub fn record_execution_result(&self, decision_id: String, result: String) -> Result<String> {
        json::text(&self.inner.record_execution_result(&decision_id, &json::record("result", &result)?)?)
    }

    /// Decisions with `start <= created_at < end`, oldest first.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_range(neotalk_storage::TimeRange::half_open(start, end)?, json::limit(limit))?)
    }

    /// Decisions with this status and `start <= created_at < end`, oldest first.
    pub fn query_by_status(&self, status: DecisionStatus, start: i64, end: Option<i64>, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_by_status(status.into(), neotalk_storage::TimeRange::half_open(start, end)?, json::limit(limit))?)
    }

    /// Marks proposals older than `max_age_ms` at `now_ms` `Expired`; returns how many.
    pub fn expire_proposals(&self, now_ms: i64, max_age_ms: i64) -> Result<u64> {
        Ok(self.inner.expire_proposals(now_ms, max_age_ms)?)
    }

    /// Removes decisions created before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        Ok(self.inner.cleanup(before_ms)?)
    }
}

//! Workflow run history: [`WorkflowHistoryStore`]. Runs and steps cross as JSON text of the
//! core's `WorkflowExecutionRecord` / `StepExecutionRecord` (nested, with JSON payloads).

use crate::enums::ExecutionStatus;
use crate::error::Result;
use crate::json::{self, to_usize};
use neotalk_storage as core;
use std::sync::Arc;

/// Store of workflow runs; obtain it from `StorageManager.workflow_history()`.
#[derive(uniffi::Object)]
pub struct WorkflowHistoryStore {
    inner: core::WorkflowHistoryStore,
}

impl WorkflowHistoryStore {
    pub(crate) fn new(inner: core::WorkflowHistoryStore) -> Arc<Self> {
        Arc::new(WorkflowHistoryStore { inner })
    }
}

#[uniffi::export]
impl WorkflowHistoryStore {
    /// Stores a new run (JSON of a `WorkflowExecutionRecord`); a duplicate id is `Conflict`.
    pub fn start(&self, record: String) -> Result<()> {
        Ok(self.inner.start(&json::record("record", &record)?)?)
    }

    /// Replaces a stored run; returns the stored record (JSON).
    pub fn update(&self, record: String) -> Result<String> {
        json::text(&self.inner.update(&json::record("record", &record)?)?)
    }

    /// Adds or replaces (by `step_id`) a step (JSON of a `StepExecutionRecord`) of a run.
    pub fn record_step(&self, execution_id: String, step: String) -> Result<String> {
        json::text(&self.inner.record_step(&execution_id, &json::record("step", &step)?)?)
    }

    /// Ends a running run with a finished `status` at `finished_at`, with its outputs (JSON
    /// text) and error. Returns the stored record.
    pub fn finish(
        &self,
        execution_id: String,
        status: ExecutionStatus,
        finished_at: i64,
        outputs: Option<String>,
        error: Option<String>,
    ) -> Result<String> {
        let outputs = json::parse_opt("outputs", outputs.as_deref())?;
        json::text(&self.inner.finish(&execution_id, status.into(), finished_at, outputs, error)?)
    }

    /// The run with this id (JSON), or none.
    pub fn get(&self, execution_id: String) -> Result<Option<String>> {
        json::text_opt(self.inner.get(&execution_id)?)
    }

    /// Runs of one workflow, newest first, skipping `offset`, at most `limit` (none: all).
    pub fn query_by_workflow(&self, workflow_id: String, offset: u64, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_by_workflow(&workflow_id, core::Page { offset: to_usize(offset), limit: json::limit(limit) })?)
    }

    /// Runs with `start <= started_at < end`, oldest first.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_range(neotalk_storage::TimeRange::half_open(start, end)?, json::limit(limit))?)
    }

    /// Runs with this status and `start <= started_at < end`, oldest first.
    pub fn query_by_status(&self, status: ExecutionStatus, start: i64, end: Option<i64>, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_by_status(status.into(), neotalk_storage::TimeRange::half_open(start, end)?, json::limit(limit))?)
    }

    /// Runs still running.
    pub fn running(&self) -> Result<Vec<String>> {
        json::texts(&self.inner.running()?)
    }

    /// Removes every run (running or not) started before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        Ok(self.inner.cleanup(before_ms)?)
    }
}

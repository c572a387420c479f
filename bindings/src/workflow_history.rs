//! Workflow run history: [`WorkflowHistoryStore`] and its records
//! [`WorkflowExecutionRecord`] and [`StepExecutionRecord`].

use crate::enums::ExecutionStatus;
use crate::error::Result;
use crate::json;
use crate::mirror::{from_core, from_core_all, json_functions, mirror_record, to_core, Mirror};
use neotalk_storage as core;

mirror_record! {
    /// One run of a workflow.
    WorkflowExecutionRecord => core::WorkflowExecutionRecord {
        /// Unique id of this run.
        execution_id: String,
        /// The workflow that ran.
        workflow_id: String,
        /// The workflow's display name at the time.
        workflow_name: String,
        /// What started it: `event`, `cron`, `manual`, `llm_decision`, ...
        trigger_type: String,
        /// Data of the trigger: JSON text.
        #[uniffi(default)]
        trigger_data: Option<String>,
        /// When the run started (Unix ms).
        started_at: i64,
        /// When it finished; none while running.
        #[uniffi(default)]
        finished_at: Option<i64>,
        /// Current status (a new run is `Running`).
        status: ExecutionStatus,
        /// Steps run so far, in the order they were first recorded.
        #[uniffi(default = [])]
        steps: Vec<StepExecutionRecord>,
        /// Input parameters: JSON text (`null` for none).
        #[uniffi(default = "null")]
        inputs: String,
        /// Results, once finished: JSON text.
        #[uniffi(default)]
        outputs: Option<String>,
        /// Why it failed.
        #[uniffi(default)]
        error: Option<String>,
    }
}

mirror_record! {
    /// One step of a workflow run.
    StepExecutionRecord => core::StepExecutionRecord {
        /// The step's id within the workflow; unique within one run.
        step_id: String,
        /// Display name.
        step_name: String,
        /// Kind of step (`device_command`, `llm_call`, `delay`, ...).
        step_type: String,
        /// When the step started (Unix ms).
        started_at: i64,
        /// When it finished; none while running.
        #[uniffi(default)]
        finished_at: Option<i64>,
        /// Current status (a new step is `Running`).
        status: ExecutionStatus,
        /// Input of the step: JSON text.
        #[uniffi(default)]
        input: Option<String>,
        /// Output of the step: JSON text.
        #[uniffi(default)]
        output: Option<String>,
        /// Why it failed.
        #[uniffi(default)]
        error: Option<String>,
    }
}

json_functions! {
    WorkflowExecutionRecord => core::WorkflowExecutionRecord, "record",
    /// The workflow run of JSON text in the core's form (the C API's); omitted fields take
    /// their defaults, unknown fields and enum names are `InvalidInput`.
    fn workflow_execution_record_from_json,
    /// The JSON text of a workflow run, in the core's form.
    fn workflow_execution_record_to_json
}

json_functions! {
    StepExecutionRecord => core::StepExecutionRecord, "step",
    /// The workflow step of JSON text in the core's form.
    fn step_execution_record_from_json,
    /// The JSON text of a workflow step.
    fn step_execution_record_to_json
}

crate::store_object::store_object! {
    /// Store of workflow runs; obtain it from `StorageManager.workflow_history()`.
    WorkflowHistoryStore => core::WorkflowHistoryStore
}

#[uniffi::export]
impl WorkflowHistoryStore {
    /// Stores a new run; a duplicate id is `Conflict`.
    pub fn start(&self, record: WorkflowExecutionRecord) -> Result<()> {
        Ok(self.inner.start(&to_core("record", record)?)?)
    }

    /// Replaces a stored run; returns the stored record.
    pub fn update(&self, record: WorkflowExecutionRecord) -> Result<WorkflowExecutionRecord> {
        Ok(Mirror::from_core(self.inner.update(&to_core("record", record)?)?))
    }

    /// Adds or replaces (by `step_id`) a step of a run; returns the run.
    pub fn record_step(&self, execution_id: String, step: StepExecutionRecord) -> Result<WorkflowExecutionRecord> {
        Ok(Mirror::from_core(self.inner.record_step(&execution_id, &to_core("step", step)?)?))
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
    ) -> Result<WorkflowExecutionRecord> {
        let outputs = json::parse_opt("outputs", outputs.as_deref())?;
        Ok(Mirror::from_core(self.inner.finish(&execution_id, status.into(), finished_at, outputs, error)?))
    }

    /// The run with this id, or none.
    pub fn get(&self, execution_id: String) -> Result<Option<WorkflowExecutionRecord>> {
        Ok(Mirror::from_core(self.inner.get(&execution_id)?))
    }

    /// Runs of one workflow, newest first, skipping `offset`, at most `limit` (none: all).
    pub fn query_by_workflow(&self, workflow_id: String, offset: i64, limit: Option<i64>) -> Result<Vec<WorkflowExecutionRecord>> {
        Ok(from_core_all(
            self.inner
                .query_by_workflow(&workflow_id, core::Page { offset: to_core("offset", offset)?, limit: to_core("limit", limit)? })?,
        ))
    }

    /// Runs with `start <= started_at < end`, oldest first.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<WorkflowExecutionRecord>> {
        Ok(from_core_all(self.inner.query_range(core::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Runs with this status and `start <= started_at < end`, oldest first.
    pub fn query_by_status(
        &self,
        status: ExecutionStatus,
        start: i64,
        end: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<WorkflowExecutionRecord>> {
        Ok(from_core_all(self.inner.query_by_status(status.into(), core::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Runs still running.
    pub fn running(&self) -> Result<Vec<WorkflowExecutionRecord>> {
        Ok(from_core_all(self.inner.running()?))
    }

    /// Removes every run (running or not) started before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<i64> {
        Ok(from_core(self.inner.cleanup(before_ms)?))
    }
}

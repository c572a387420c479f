//! JS class `WorkflowHistoryStore`: workflow runs, their steps, and queries over them.

use crate::convert::{bound, count, enum_arg, int, limit, optional, optional_string, record, string, time_range, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{ExecutionStatus, Page, StepExecutionRecord, WorkflowExecutionRecord, WorkflowHistoryStore};
use wasm_bindgen::prelude::*;

/// Workflow run history. Obtain it from `StorageManager.workflowHistory()`.
#[wasm_bindgen(js_name = WorkflowHistoryStore)]
pub struct JsWorkflowHistoryStore {
    pub(crate) inner: WorkflowHistoryStore,
}

#[wasm_bindgen(js_class = WorkflowHistoryStore)]
impl JsWorkflowHistoryStore {
    /// Stores a new run; it must be `Running` without `finished_at`. A stored
    /// `execution_id` is `CONFLICT`; a wrong shape or status name is `INVALID_INPUT` on `record`.
    pub fn start(&self, #[wasm_bindgen(unchecked_param_type = "WorkflowRunInput")] record: JsValue) -> JsResult<()> {
        let record: WorkflowExecutionRecord = self::record("record", record)?;
        self.inner.start(&record).js()
    }

    /// Replaces a running run (same `execution_id`; the fields left out take their
    /// defaults); returns the stored run. Unknown id: `NOT_FOUND`; finished run: `CONFLICT`.
    #[wasm_bindgen(unchecked_return_type = "WorkflowExecutionRecord")]
    pub fn update(&self, #[wasm_bindgen(unchecked_param_type = "WorkflowRunInput")] record: JsValue) -> JsResult<JsValue> {
        let record: WorkflowExecutionRecord = self::record("record", record)?;
        to_js(&self.inner.update(&record).js()?)
    }

    /// Adds a step to a running run, or replaces the step with the same `step_id`; returns
    /// the stored run.
    #[wasm_bindgen(js_name = recordStep, unchecked_return_type = "WorkflowExecutionRecord")]
    pub fn record_step(
        &self,
        #[wasm_bindgen(js_name = executionId, unchecked_param_type = "string")] execution_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "StepInput")] step: JsValue,
    ) -> JsResult<JsValue> {
        let step: StepExecutionRecord = record("step", step)?;
        to_js(&self.inner.record_step(&string("execution_id", &execution_id)?, &step).js()?)
    }

    /// Ends a running run as `status` (`"Completed"`, `"Failed"` or `"Cancelled"`, any case)
    /// at `finishedAt`, with optional `outputs` and `error`; returns the stored run.
    #[wasm_bindgen(unchecked_return_type = "WorkflowExecutionRecord")]
    pub fn finish(
        &self,
        #[wasm_bindgen(js_name = executionId, unchecked_param_type = "string")] execution_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ExecutionStatus")] status: JsValue,
        #[wasm_bindgen(js_name = finishedAt)] finished_at: f64,
        #[wasm_bindgen(unchecked_param_type = "unknown")] outputs: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] error: JsValue,
    ) -> JsResult<JsValue> {
        let execution_id = string("execution_id", &execution_id)?;
        let status: ExecutionStatus = enum_arg("status", &status)?;
        let outputs: Option<serde_json::Value> = optional("outputs", outputs)?;
        let error = optional_string("error", &error)?;
        to_js(&self.inner.finish(&execution_id, status, int("finished_at", finished_at)?, outputs, error).js()?)
    }

    /// The run with this id, or `null`.
    #[wasm_bindgen(unchecked_return_type = "WorkflowExecutionRecord | null")]
    pub fn get(&self, #[wasm_bindgen(js_name = executionId, unchecked_param_type = "string")] execution_id: JsValue) -> JsResult<JsValue> {
        to_js(&self.inner.get(&string("execution_id", &execution_id)?).js()?)
    }

    /// One page of a workflow's runs, newest first: skips the `offset` newest, returns at
    /// most `limit`.
    #[wasm_bindgen(js_name = queryByWorkflow, unchecked_return_type = "WorkflowExecutionRecord[]")]
    pub fn query_by_workflow(
        &self,
        #[wasm_bindgen(js_name = workflowId, unchecked_param_type = "string")] workflow_id: JsValue,
        offset: f64,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        let page = Page { offset: count("offset", offset)? as usize, limit: limit(limit_arg)? };
        to_js(&self.inner.query_by_workflow(&string("workflow_id", &workflow_id)?, page).js()?)
    }

    /// Runs of every workflow with `start <= started_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryRange, unchecked_return_type = "WorkflowExecutionRecord[]")]
    pub fn query_range(&self, start: f64, end: Option<f64>, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.query_range(time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Runs with this status and `start <= started_at < end`, oldest first.
    #[wasm_bindgen(js_name = queryByStatus, unchecked_return_type = "WorkflowExecutionRecord[]")]
    pub fn query_by_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExecutionStatus")] status: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        let status: ExecutionStatus = enum_arg("status", &status)?;
        to_js(&self.inner.query_by_status(status, time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Every run still `Running`, oldest first.
    #[wasm_bindgen(unchecked_return_type = "WorkflowExecutionRecord[]")]
    pub fn running(&self) -> JsResult<JsValue> {
        to_js(&self.inner.running().js()?)
    }

    /// Removes every run (running or not) with `started_at < beforeMs`; returns how many.
    pub fn cleanup(&self, #[wasm_bindgen(js_name = beforeMs)] before_ms: f64) -> JsResult<f64> {
        Ok(self.inner.cleanup(bound("before_ms", before_ms)?).js()? as f64)
    }
}

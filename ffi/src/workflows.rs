//! Workflow execution history (`WorkflowHistoryStore`): records cross as
//! WorkflowExecutionRecord JSON; statuses as their names.

use crate::args::{enum_arg, json_arg, limit_arg, opt_json_arg, opt_str_arg, page_arg, range_arg, str_arg};
use crate::shapes::{get_json, json_out, record_in, scalar_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::{ExecutionStatus, StepExecutionRecord, WorkflowExecutionRecord};
use std::ffi::c_char;

/// Starts a run from WorkflowExecutionRecord JSON: `{"execution_id", "workflow_id",
/// "workflow_name", "trigger_type", "trigger_data", "started_at", "finished_at", "status"
/// ("Running" | "Completed" | "Failed" | "Cancelled"), "steps": [StepExecutionRecord],
/// "inputs", "outputs", "error"}`. A duplicate execution_id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_start(db: *const nts_storage, record_json: *const c_char) -> nts_status {
    record_in(db, record_json, "record_json", |db, record: WorkflowExecutionRecord| Ok(db.workflow_history().start(&record)?))
}

/// Replaces a stored run with WorkflowExecutionRecord JSON (same execution_id); the stored
/// record in `*out_json` (free with nts_string_free()). NTS_NOT_FOUND when unknown.
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_update(
    db: *const nts_storage,
    record_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.workflow_history().update(&json_arg::<WorkflowExecutionRecord>(record_json, "record_json")?)?))
}

/// Adds or replaces (same step_id) one step of a run from StepExecutionRecord JSON:
/// `{"step_id", "step_name", "step_type", "started_at", "finished_at", "status", "input",
/// "output", "error"}`. The stored run in `*out_json` (free with nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_record_step(
    db: *const nts_storage,
    execution_id: *const c_char,
    step_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let id = str_arg(execution_id, "execution_id")?;
        Ok(db.workflow_history().record_step(id, &json_arg::<StepExecutionRecord>(step_json, "step_json")?)?)
    })
}

/// Ends a run with `status` ("Completed" | "Failed" | "Cancelled") at `finished_at`.
/// `outputs_json` (any JSON) and `error` may be NULL. The stored run in `*out_json` (free with
/// nts_string_free()).
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_finish(
    db: *const nts_storage,
    execution_id: *const c_char,
    status: *const c_char,
    finished_at: i64,
    outputs_json: *const c_char,
    error: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let id = str_arg(execution_id, "execution_id")?;
        let status: ExecutionStatus = enum_arg(status, "status")?;
        let outputs: Option<serde_json::Value> = opt_json_arg(outputs_json, "outputs_json")?;
        let error = opt_str_arg(error, "error")?.map(str::to_string);
        Ok(db.workflow_history().finish(id, status, finished_at, outputs, error)?)
    })
}

/// One run as WorkflowExecutionRecord JSON; NTS_NOT_FOUND when unknown. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_get(db: *const nts_storage, execution_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, execution_id, "execution_id", "workflow execution", out_json, |db, id| Ok(db.workflow_history().get(id)?))
}

/// Runs of one workflow, newest first, skipping `offset`, at most `limit` (NTS_NO_LIMIT for all), as a
/// JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_query_by_workflow(
    db: *const nts_storage,
    workflow_id: *const c_char,
    offset: usize,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        Ok(db.workflow_history().query_by_workflow(str_arg(workflow_id, "workflow_id")?, page_arg(offset, limit))?)
    })
}

/// Runs with start <= started_at < end, oldest first, at most `limit` (NTS_NO_LIMIT for all), as a
/// JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_query_range(
    db: *const nts_storage,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.workflow_history().query_range(range_arg(start, end)?, limit_arg(limit))?))
}

/// Runs with `status` (a status name) and start <= started_at < end, oldest first, at most
/// `limit` (NTS_NO_LIMIT for all), as a JSON array. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_query_by_status(
    db: *const nts_storage,
    status: *const c_char,
    start: i64,
    end: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let status: ExecutionStatus = enum_arg(status, "status")?;
        Ok(db.workflow_history().query_by_status(status, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Every run still Running, oldest first, as a JSON array. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_running(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.workflow_history().running()?))
}

/// Removes every run started before `before_ms`, running or not (taken as abandoned); the count removed in `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    scalar_out(db, out_removed, "out_removed", |db| Ok(db.workflow_history().cleanup(before_ms)?))
}

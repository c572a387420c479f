//! Workflow execution history (`WorkflowHistoryStore`): records cross as
//! WorkflowExecutionRecord JSON; statuses as their names.

use crate::args::{
    enum_arg, json_arg, limit_arg, opt_json_arg, opt_str_arg, out_handle, out_ptr, page_arg, range_arg, set_json, set_out, str_arg,
};
use crate::call::{run, FfiError};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::{ExecutionStatus, StepExecutionRecord, WorkflowExecutionRecord};
use std::ffi::c_char;

/// Starts a run from WorkflowExecutionRecord JSON: `{"execution_id", "workflow_id",
/// "workflow_name", "trigger_type", "trigger_data", "started_at", "finished_at", "status"
/// ("Running" | "Completed" | "Failed" | "Cancelled"), "steps": [StepExecutionRecord],
/// "inputs", "outputs", "error"}`. A duplicate execution_id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_start(db: *const nts_storage, record_json: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let record: WorkflowExecutionRecord = json_arg(record_json, "record_json")?;
        Ok(db.workflow_history().start(&record)?)
    })
}

/// Replaces a stored run with WorkflowExecutionRecord JSON (same execution_id); the stored
/// record in `*out_json` (free with nts_string_free()). NTS_NOT_FOUND when unknown.
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_update(
    db: *const nts_storage,
    record_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let record: WorkflowExecutionRecord = json_arg(record_json, "record_json")?;
        set_json(out, &db.workflow_history().update(&record)?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let id = str_arg(execution_id, "execution_id")?;
        let step: StepExecutionRecord = json_arg(step_json, "step_json")?;
        set_json(out, &db.workflow_history().record_step(id, &step)?)
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let id = str_arg(execution_id, "execution_id")?;
        let status: ExecutionStatus = enum_arg(status, "status")?;
        let outputs: Option<serde_json::Value> = opt_json_arg(outputs_json, "outputs_json")?;
        let error = opt_str_arg(error, "error")?.map(str::to_string);
        set_json(out, &db.workflow_history().finish(id, status, finished_at, outputs, error)?)
    })
}

/// One run as WorkflowExecutionRecord JSON; NTS_NOT_FOUND when unknown. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_get(db: *const nts_storage, execution_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let id = str_arg(execution_id, "execution_id")?;
        let found = db.workflow_history().get(id)?.ok_or_else(|| FfiError::not_found("workflow execution", id))?;
        set_json(out, &found)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let workflow_id = str_arg(workflow_id, "workflow_id")?;
        set_json(out, &db.workflow_history().query_by_workflow(workflow_id, page_arg(offset, limit))?)
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.workflow_history().query_range(range_arg(start, end)?, limit_arg(limit))?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let status: ExecutionStatus = enum_arg(status, "status")?;
        set_json(out, &db.workflow_history().query_by_status(status, range_arg(start, end)?, limit_arg(limit))?)
    })
}

/// Every run still Running, oldest first, as a JSON array. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_running(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.workflow_history().running()?)
    })
}

/// Removes every run started before `before_ms`, running or not (taken as abandoned); the count removed in `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_workflows_cleanup(db: *const nts_storage, before_ms: i64, out_removed: *mut u64) -> nts_status {
    run(|| {
        out_ptr(out_removed, "out_removed")?;
        let n = handle(db)?.workflow_history().cleanup(before_ms)?;
        set_out(out_removed, "out_removed", n)
    })
}

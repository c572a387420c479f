//! Workflow execution history (seed section 7): one record per workflow run, created when the
//! run starts and updated as it advances.
//!
//! A record starts as `Running` ([`WorkflowHistoryStore::start`]); steps are added or replaced
//! as they progress ([`WorkflowHistoryStore::record_step`]) and the run ends with a finished
//! status ([`WorkflowHistoryStore::finish`]), or the whole record is replaced
//! ([`WorkflowHistoryStore::update`]). Every change rewrites the row and moves its status,
//! time and workflow index entries in the same transaction. A finished record (status other
//! than `Running`) is history: changing it fails with `Conflict`.
//!
//! Tables:
//! - `workflow_executions`: execution_id -> JSON of the [`WorkflowExecutionRecord`]
//! - `workflow_executions_by_workflow`: (workflow_id, started_at, execution_id) -> ()
//! - `workflow_executions_by_time`: (started_at, execution_id) -> ()
//! - `workflow_executions_by_status`: (status, started_at, execution_id) -> ()

use crate::error::{Result, StorageError};
use crate::limits::encode_row;
use crate::limits::{check_id, check_json};
use crate::page::Page;
use crate::range::TimeRange;
use crate::storage::backend::{Direction, KeyRange};
use crate::storage::engine::Engine;
use crate::storage::indexed_records::{self as records, id_after_time, time_range, IndexedRecord};
use crate::storage::key::KeyBuilder;
use serde::{Deserialize, Serialize};
use std::ops::RangeBounds;
use std::sync::Arc;

const EXECUTIONS: &str = "workflow_executions";
const BY_WORKFLOW: &str = "workflow_executions_by_workflow";
const BY_TIME: &str = "workflow_executions_by_time";
const BY_STATUS: &str = "workflow_executions_by_status";

/// One run of a workflow (seed section 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowExecutionRecord {
    /// Unique id of this run.
    pub execution_id: String,
    /// The workflow that ran.
    pub workflow_id: String,
    /// The workflow's display name at the time.
    pub workflow_name: String,
    /// What started it: `event`, `cron`, `manual`, `llm_decision`, ...
    pub trigger_type: String,
    /// Data of the trigger.
    pub trigger_data: Option<serde_json::Value>,
    /// When the run started (Unix ms).
    pub started_at: i64,
    /// When it finished; `None` while running.
    pub finished_at: Option<i64>,
    /// Current status (`Running` when omitted in JSON).
    #[serde(default = "running")]
    pub status: ExecutionStatus,
    /// Steps run so far, in the order they were first recorded (none when omitted in JSON).
    #[serde(default)]
    pub steps: Vec<StepExecutionRecord>,
    /// Input parameters (`null` when omitted in JSON).
    #[serde(default)]
    pub inputs: serde_json::Value,
    /// Results, once finished.
    pub outputs: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<String>,
}

fn running() -> ExecutionStatus {
    ExecutionStatus::Running
}

impl WorkflowExecutionRecord {
    /// A `Running` record with no steps, `null` inputs and no trigger data.
    pub fn new(execution_id: &str, workflow_id: &str, workflow_name: &str, trigger_type: &str, started_at: i64) -> Self {
        WorkflowExecutionRecord {
            execution_id: execution_id.into(),
            workflow_id: workflow_id.into(),
            workflow_name: workflow_name.into(),
            trigger_type: trigger_type.into(),
            trigger_data: None,
            started_at,
            finished_at: None,
            status: ExecutionStatus::Running,
            steps: Vec::new(),
            inputs: serde_json::Value::Null,
            outputs: None,
            error: None,
        }
    }
}

/// `Running` has no `finished_at`; a finished status has one, not before `started_at`.
fn check_finish(status: ExecutionStatus, started_at: i64, finished_at: Option<i64>, field: &'static str) -> Result<()> {
    match (status, finished_at) {
        (ExecutionStatus::Running, None) => Ok(()),
        (ExecutionStatus::Running, Some(_)) => Err(StorageError::invalid(field, "must be None while the status is Running")),
        (_, None) => Err(StorageError::invalid(field, format!("is required when the status is {status:?}"))),
        (_, Some(f)) if f < started_at => Err(StorageError::invalid(field, format!("{f} is before started_at {started_at}"))),
        _ => Ok(()),
    }
}

/// Status of a workflow run or of one of its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExecutionStatus {
    /// Still running.
    Running,
    /// Finished successfully.
    Completed,
    /// Finished with an error.
    Failed,
    /// Stopped before it finished.
    Cancelled,
}

crate::names::text_enum!(ExecutionStatus, "status", [Running, Completed, Failed, Cancelled]);

impl ExecutionStatus {
    /// Whether the run has ended (any status but `Running`).
    pub fn is_finished(self) -> bool {
        self != ExecutionStatus::Running
    }

    /// Stable index code of the status.
    fn code(self) -> u8 {
        match self {
            ExecutionStatus::Running => 0,
            ExecutionStatus::Completed => 1,
            ExecutionStatus::Failed => 2,
            ExecutionStatus::Cancelled => 3,
        }
    }
}

/// One step of a workflow run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepExecutionRecord {
    /// The step's id within the workflow; unique within one run.
    pub step_id: String,
    /// Display name.
    pub step_name: String,
    /// Kind of step (`device_command`, `llm_call`, `delay`, ...).
    pub step_type: String,
    /// When the step started (Unix ms).
    pub started_at: i64,
    /// When it finished; `None` while running.
    pub finished_at: Option<i64>,
    /// Current status (`Running` when omitted in JSON).
    #[serde(default = "running")]
    pub status: ExecutionStatus,
    /// Input of the step.
    pub input: Option<serde_json::Value>,
    /// Output of the step.
    pub output: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<String>,
}

impl StepExecutionRecord {
    /// A `Running` step without input or output.
    pub fn new(step_id: &str, step_name: &str, step_type: &str, started_at: i64) -> Self {
        StepExecutionRecord {
            step_id: step_id.into(),
            step_name: step_name.into(),
            step_type: step_type.into(),
            started_at,
            finished_at: None,
            status: ExecutionStatus::Running,
            input: None,
            output: None,
            error: None,
        }
    }

    fn validate(&self) -> Result<()> {
        check_id("step_id", &self.step_id)?;
        check_id("step_type", &self.step_type)?;
        if let Some(i) = &self.input {
            check_json("step input", i)?;
        }
        if let Some(o) = &self.output {
            check_json("step output", o)?;
        }
        check_finish(self.status, self.started_at, self.finished_at, "step finished_at")
    }
}

impl IndexedRecord for WorkflowExecutionRecord {
    const TABLE: &'static str = EXECUTIONS;
    const KIND: &'static str = "workflow execution";
    const ID_FIELD: &'static str = "execution_id";

    fn id(&self) -> &str {
        &self.execution_id
    }

    fn validate(&self) -> Result<Vec<u8>> {
        check_id("execution_id", &self.execution_id)?;
        check_id("workflow_id", &self.workflow_id)?;
        check_id("trigger_type", &self.trigger_type)?;
        if let Some(d) = &self.trigger_data {
            check_json("trigger_data", d)?;
        }
        check_json("inputs", &self.inputs)?;
        if let Some(o) = &self.outputs {
            check_json("outputs", o)?;
        }
        check_finish(self.status, self.started_at, self.finished_at, "finished_at")?;
        for s in &self.steps {
            s.validate()?;
        }
        encode_row(self)
    }

    fn index_entries(&self) -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
        let (at, id) = (self.started_at, self.execution_id.as_str());
        vec![
            (BY_WORKFLOW, KeyBuilder::new().str(&self.workflow_id).i64(at).str(id).finish(), Vec::new()),
            (BY_TIME, KeyBuilder::new().i64(at).str(id).finish(), Vec::new()),
            (BY_STATUS, KeyBuilder::new().u8(self.status.code()).i64(at).str(id).finish(), Vec::new()),
        ]
    }
}

/// Store of workflow runs. Cheap to clone; obtain it from `StorageManager::workflow_history()`.
#[derive(Clone)]
pub struct WorkflowHistoryStore {
    engine: Arc<Engine>,
}

impl WorkflowHistoryStore {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        WorkflowHistoryStore { engine }
    }

    /// Stores a new run. Its status must be `Running` and `finished_at` `None`
    /// (`InvalidInput` otherwise); a stored `execution_id` fails with `Conflict`.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, WorkflowExecutionRecord, StepExecutionRecord, ExecutionStatus};
    /// let db = StorageManager::in_memory().unwrap();
    /// let wf = db.workflow_history();
    /// wf.start(&WorkflowExecutionRecord::new("run-1", "morning", "Morning routine", "cron", 1_000)).unwrap();
    /// wf.record_step("run-1", &StepExecutionRecord::new("lights", "Lights on", "device_command", 1_010)).unwrap();
    /// assert_eq!(wf.running().unwrap().len(), 1);
    /// let done = wf.finish("run-1", ExecutionStatus::Completed, 1_500, None, None).unwrap();
    /// assert_eq!(done.finished_at, Some(1_500));
    /// assert!(wf.running().unwrap().is_empty());
    /// ```
    pub fn start(&self, record: &WorkflowExecutionRecord) -> Result<()> {
        if record.status != ExecutionStatus::Running {
            return Err(StorageError::invalid("status", format!("a run starts as Running, not {:?}", record.status)));
        }
        records::insert(&self.engine, vec![(record, record.validate()?)])
    }

    /// Applies `change` to a running record and stores the result, moving its index entries,
    /// in one transaction. Unknown ids fail with `NotFound`, finished records with `Conflict`.
    fn modify(
        &self,
        execution_id: &str,
        change: impl FnOnce(&mut WorkflowExecutionRecord) -> Result<()>,
    ) -> Result<WorkflowExecutionRecord> {
        records::modify(&self.engine, execution_id, |r: &mut WorkflowExecutionRecord| {
            if r.status.is_finished() {
                return Err(StorageError::Conflict(format!("workflow execution {execution_id:?} already finished as {:?}", r.status)));
            }
            change(r)
        })
    }

    /// Replaces a running record with `record` (same `execution_id`); any field may change,
    /// and the indexes follow. Returns the stored record.
    pub fn update(&self, record: &WorkflowExecutionRecord) -> Result<WorkflowExecutionRecord> {
        self.modify(&record.execution_id, |r| {
            *r = record.clone();
            Ok(())
        })
    }

    /// Adds a step to a running record, or replaces the step with the same `step_id`.
    /// Returns the stored record.
    pub fn record_step(&self, execution_id: &str, step: &StepExecutionRecord) -> Result<WorkflowExecutionRecord> {
        step.validate()?;
        self.modify(execution_id, |r| {
            match r.steps.iter_mut().find(|s| s.step_id == step.step_id) {
                Some(s) => *s = step.clone(),
                None => r.steps.push(step.clone()),
            }
            Ok(())
        })
    }

    /// Ends a running record with a finished `status` (not `Running`) at `finished_at` (not
    /// before `started_at`), with its outputs and error. Returns the stored record.
    pub fn finish(
        &self,
        execution_id: &str,
        status: ExecutionStatus,
        finished_at: i64,
        outputs: Option<serde_json::Value>,
        error: Option<String>,
    ) -> Result<WorkflowExecutionRecord> {
        if !status.is_finished() {
            return Err(StorageError::invalid("status", "a run finishes as Completed, Failed or Cancelled"));
        }
        self.modify(execution_id, |r| {
            r.status = status;
            r.finished_at = Some(finished_at);
            r.outputs = outputs;
            r.error = error;
            Ok(())
        })
    }

    /// The run with this id.
    pub fn get(&self, execution_id: &str) -> Result<Option<WorkflowExecutionRecord>> {
        records::get(&self.engine, execution_id)
    }

    /// Loads the records named by the index entries of `range`; the key is `skip` prefix bytes,
    /// then (started_at, execution_id).
    fn collect(&self, table: &str, range: &KeyRange, skip: usize, dir: Direction, page: Page) -> Result<Vec<WorkflowExecutionRecord>> {
        records::collect(&self.engine, table, range, dir, page, |k| id_after_time(k, skip))
    }

    /// One page of a workflow's runs, newest first (by `started_at`, ties by execution id
    /// descending): skips the `offset` newest and returns at most `limit`.
    pub fn query_by_workflow(&self, workflow_id: &str, page: impl Into<Page>) -> Result<Vec<WorkflowExecutionRecord>> {
        check_id("workflow_id", workflow_id)?;
        let prefix = KeyBuilder::new().str(workflow_id).finish();
        let skip = prefix.len();
        self.collect(BY_WORKFLOW, &KeyRange::prefix(prefix), skip, Direction::Reverse, page.into())
    }

    /// Runs of every workflow with `started_at` in `range`, oldest first.
    pub fn query_range(&self, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<WorkflowExecutionRecord>> {
        let range = TimeRange::new(range)?;
        self.collect(BY_TIME, &time_range(KeyBuilder::new(), range), 0, Direction::Forward, page.into())
    }

    /// Runs with this status and `started_at` in `range`, oldest first.
    pub fn query_by_status(
        &self,
        status: ExecutionStatus,
        range: impl RangeBounds<i64>,
        page: impl Into<Page>,
    ) -> Result<Vec<WorkflowExecutionRecord>> {
        let range = TimeRange::new(range)?;
        self.collect(BY_STATUS, &time_range(KeyBuilder::new().u8(status.code()), range), 1, Direction::Forward, page.into())
    }

    /// Every run still `Running`, oldest first (the longest-running leads).
    pub fn running(&self) -> Result<Vec<WorkflowExecutionRecord>> {
        let range = KeyRange::prefix(KeyBuilder::new().u8(ExecutionStatus::Running.code()).finish());
        self.collect(BY_STATUS, &range, 1, Direction::Forward, Page::ALL)
    }

    /// Removes every run with `started_at < before_ms`, running or not (a run still `Running`
    /// past the retention window is taken as abandoned); a run started at `before_ms` or later
    /// stays. Works in transactions of at most [`CLEANUP_BATCH`](crate::limits::CLEANUP_BATCH) records; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        records::remove_in_batches::<WorkflowExecutionRecord>(&self.engine, BY_TIME, &records::before(before_ms))
    }
}

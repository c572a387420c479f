//! LLM decision history (seed section 9): decisions the LLM proposes, and what became of them.
//!
//! A decision is created `Proposed` and leaves that status once, for good:
//!
//! | from       | to                                          |
//! |------------|---------------------------------------------|
//! | `Proposed` | `Approved`, `Rejected`, `AutoExecuted`, `Expired` |
//! | any other  | nothing (final; a change fails with `Conflict`) |
//!
//! An execution result can be recorded once, for an `Approved` or `AutoExecuted` decision.
//! Time-range queries (any Rust range of `created_at`: `a..b`, `a..`, `..`) list oldest first.
//!
//! Tables:
//! - `llm_decisions`: decision_id -> JSON of the [`DecisionRecord`]
//! - `llm_decisions_by_time`: (created_at, decision_id) -> ()
//! - `llm_decisions_by_status`: (status, created_at, decision_id) -> ()

use crate::error::{Result, StorageError};
use crate::limits::encode_row;
use crate::limits::{check_id, check_json};
use crate::page::Page;
use crate::range::TimeRange;
use crate::storage::backend::{Direction, KeyRange};
use crate::storage::engine::Engine;
use crate::storage::indexed_records::{self as records, id_after_time, stage_delete, stage_put, time_range, IndexedRecord};
use crate::storage::key::KeyBuilder;
use crate::stores::rule_history::ExecutionResult;
use serde::{Deserialize, Serialize};
use std::ops::RangeBounds;
use std::sync::Arc;

const DECISIONS: &str = "llm_decisions";
const BY_TIME: &str = "llm_decisions_by_time";
const BY_STATUS: &str = "llm_decisions_by_status";

/// A decision proposed by the LLM (seed section 9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    /// Unique id.
    pub decision_id: String,
    /// Short title.
    pub title: String,
    /// What the decision is about (`""` when omitted in JSON).
    #[serde(default)]
    pub description: String,
    /// The LLM's reasoning (`""` when omitted in JSON).
    #[serde(default)]
    pub reasoning: String,
    /// Actions it proposes (none when omitted in JSON).
    #[serde(default)]
    pub proposed_actions: Vec<ProposedAction>,
    /// Confidence, from 0 to 1.
    pub confidence: f32,
    /// When it was proposed (Unix ms).
    pub created_at: i64,
    /// Current status (`Proposed` when omitted in JSON).
    #[serde(default = "proposed")]
    pub status: DecisionStatus,
    /// The user's answer, if any.
    pub user_response: Option<UserResponse>,
    /// Outcome of executing it, if it was executed.
    pub execution_result: Option<ExecutionResult>,
    /// Id of the related review.
    pub review_id: Option<String>,
}

fn proposed() -> DecisionStatus {
    DecisionStatus::Proposed
}

impl DecisionRecord {
    /// A `Proposed` decision with no actions.
    pub fn new(decision_id: &str, title: &str, description: &str, reasoning: &str, confidence: f32, created_at: i64) -> Self {
        DecisionRecord {
            decision_id: decision_id.into(),
            title: title.into(),
            description: description.into(),
            reasoning: reasoning.into(),
            proposed_actions: Vec::new(),
            confidence,
            created_at,
            status: DecisionStatus::Proposed,
            user_response: None,
            execution_result: None,
            review_id: None,
        }
    }
}

/// Status of a decision; see the module docs for the allowed transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DecisionStatus {
    /// Waiting for the user.
    Proposed,
    /// The user approved it.
    Approved,
    /// The user rejected it.
    Rejected,
    /// Executed without asking.
    AutoExecuted,
    /// Nobody answered in time.
    Expired,
}

crate::names::text_enum!(DecisionStatus, "status", [Proposed, Approved, Rejected, AutoExecuted, Expired]);

impl DecisionStatus {
    /// Whether a decision in this status may move to `to` (only `Proposed` moves, to any
    /// other status).
    pub fn can_become(self, to: DecisionStatus) -> bool {
        self == DecisionStatus::Proposed && to != DecisionStatus::Proposed
    }

    /// Stable index code of the status.
    fn code(self) -> u8 {
        match self {
            DecisionStatus::Proposed => 0,
            DecisionStatus::Approved => 1,
            DecisionStatus::Rejected => 2,
            DecisionStatus::AutoExecuted => 3,
            DecisionStatus::Expired => 4,
        }
    }
}

/// A user's answer to a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserResponse {
    /// Who answered.
    pub user_id: String,
    /// `approved`, `rejected`, `modified`, ...
    pub response: String,
    /// When (Unix ms).
    pub responded_at: i64,
    /// Free-text comments.
    pub comments: Option<String>,
}

impl UserResponse {
    /// A response without comments.
    pub fn new(user_id: &str, response: &str, responded_at: i64) -> Self {
        UserResponse { user_id: user_id.into(), response: response.into(), responded_at, comments: None }
    }

    fn validate(&self) -> Result<()> {
        check_id("user_id", &self.user_id)?;
        check_id("response", &self.response)
    }
}

/// An action a decision proposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposedAction {
    /// `control_device`, `create_rule`, `notify_user`, ...
    pub action_type: String,
    /// What it does (`""` when omitted in JSON).
    #[serde(default)]
    pub description: String,
    /// Its parameters (`null` when omitted in JSON).
    #[serde(default)]
    pub parameters: serde_json::Value,
}

impl IndexedRecord for DecisionRecord {
    const TABLE: &'static str = DECISIONS;
    const KIND: &'static str = "decision";
    const ID_FIELD: &'static str = "decision_id";

    fn id(&self) -> &str {
        &self.decision_id
    }

    fn validate(&self) -> Result<Vec<u8>> {
        check_id("decision_id", &self.decision_id)?;
        if !(0.0..=1.0).contains(&self.confidence) {
            return Err(StorageError::invalid("confidence", format!("{} is not between 0 and 1", self.confidence)));
        }
        for a in &self.proposed_actions {
            check_id("action_type", &a.action_type)?;
            check_json("parameters", &a.parameters)?;
        }
        if let Some(r) = &self.user_response {
            r.validate()?;
        }
        if let Some(r) = &self.review_id {
            check_id("review_id", r)?;
        }
        encode_row(self)
    }

    fn index_entries(&self) -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
        vec![
            (BY_TIME, KeyBuilder::new().i64(self.created_at).str(&self.decision_id).finish(), Vec::new()),
            (BY_STATUS, KeyBuilder::new().u8(self.status.code()).i64(self.created_at).str(&self.decision_id).finish(), Vec::new()),
        ]
    }
}

/// Store of LLM decisions. Cheap to clone; obtain it from `StorageManager::decisions()`.
#[derive(Clone)]
pub struct DecisionStore {
    engine: Arc<Engine>,
}

impl DecisionStore {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        DecisionStore { engine }
    }

    /// Stores a new decision. It must be `Proposed`, without user response or execution
    /// result, with a confidence in `[0, 1]` (`InvalidInput` otherwise); a stored
    /// `decision_id` fails with `Conflict`.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, DecisionRecord, DecisionStatus, UserResponse, ExecutionResult};
    /// let db = StorageManager::in_memory().unwrap();
    /// let d = db.decisions();
    /// d.create(&DecisionRecord::new("d1", "Lower setpoint", "Room 3 is hot", "Trend up 2 °C/h", 0.8, 1_000)).unwrap();
    /// d.approve("d1", &UserResponse::new("alice", "approved", 1_500)).unwrap();
    /// d.record_execution_result("d1", &ExecutionResult::Success).unwrap();
    /// assert!(d.transition("d1", DecisionStatus::Rejected).is_err()); // Approved is final
    /// assert_eq!(d.query_by_status(DecisionStatus::Approved, 0..10_000, None).unwrap().len(), 1);
    /// ```
    pub fn create(&self, decision: &DecisionRecord) -> Result<()> {
        if decision.status != DecisionStatus::Proposed {
            return Err(StorageError::invalid("status", format!("a decision is created Proposed, not {:?}", decision.status)));
        }
        if decision.user_response.is_some() {
            return Err(StorageError::invalid("user_response", "a new decision has no response yet"));
        }
        if decision.execution_result.is_some() {
            return Err(StorageError::invalid("execution_result", "a new decision has not been executed"));
        }
        records::insert(&self.engine, vec![(decision, decision.validate()?)])
    }

    /// The decision with this id.
    pub fn get(&self, decision_id: &str) -> Result<Option<DecisionRecord>> {
        records::get(&self.engine, decision_id)
    }

    /// Applies `change` to a stored decision and stores the result with its indexes, in one
    /// transaction. Unknown ids fail with `NotFound`.
    fn modify(&self, decision_id: &str, change: impl FnOnce(&mut DecisionRecord) -> Result<()>) -> Result<DecisionRecord> {
        records::modify(&self.engine, decision_id, change)
    }

    fn move_to(d: &mut DecisionRecord, to: DecisionStatus) -> Result<()> {
        if !d.status.can_become(to) {
            return Err(StorageError::Conflict(format!("decision {:?} cannot go from {:?} to {:?}", d.decision_id, d.status, to)));
        }
        d.status = to;
        Ok(())
    }

    /// Moves a decision to `to` (see the table of allowed transitions in the module docs);
    /// returns the stored decision. Unknown ids fail with `NotFound`, a transition the table
    /// does not allow with `Conflict`.
    pub fn transition(&self, decision_id: &str, to: DecisionStatus) -> Result<DecisionRecord> {
        self.modify(decision_id, |d| Self::move_to(d, to))
    }

    /// Moves a `Proposed` decision to `Approved` and stores the user's response.
    pub fn approve(&self, decision_id: &str, response: &UserResponse) -> Result<DecisionRecord> {
        self.respond(decision_id, DecisionStatus::Approved, response)
    }

    /// Moves a `Proposed` decision to `Rejected` and stores the user's response.
    pub fn reject(&self, decision_id: &str, response: &UserResponse) -> Result<DecisionRecord> {
        self.respond(decision_id, DecisionStatus::Rejected, response)
    }

    fn respond(&self, decision_id: &str, to: DecisionStatus, response: &UserResponse) -> Result<DecisionRecord> {
        response.validate()?;
        self.modify(decision_id, |d| {
            Self::move_to(d, to)?;
            d.user_response = Some(response.clone());
            Ok(())
        })
    }

    /// Stores the outcome of executing an `Approved` or `AutoExecuted` decision; returns the
    /// stored decision. Other statuses, or a result already stored, fail with `Conflict`.
    pub fn record_execution_result(&self, decision_id: &str, result: &ExecutionResult) -> Result<DecisionRecord> {
        self.modify(decision_id, |d| {
            if !matches!(d.status, DecisionStatus::Approved | DecisionStatus::AutoExecuted) {
                return Err(StorageError::Conflict(format!(
                    "decision {decision_id:?} is {:?}; only an Approved or AutoExecuted decision has an execution result",
                    d.status
                )));
            }
            if d.execution_result.is_some() {
                return Err(StorageError::Conflict(format!("decision {decision_id:?} already has an execution result")));
            }
            d.execution_result = Some(result.clone());
            Ok(())
        })
    }

    /// Loads the decisions named by the index entries of `range`; keys are `skip` prefix
    /// bytes, then (created_at, decision_id).
    fn collect(&self, table: &str, range: &KeyRange, skip: usize, page: Page) -> Result<Vec<DecisionRecord>> {
        records::collect(&self.engine, table, range, Direction::Forward, page, |k| id_after_time(k, skip))
    }

    /// Decisions with `created_at` in `range`, oldest first.
    pub fn query_range(&self, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<DecisionRecord>> {
        let range = TimeRange::new(range)?;
        self.collect(BY_TIME, &time_range(KeyBuilder::new(), range), 0, page.into())
    }

    /// Decisions in one status with `created_at` in `range`, oldest first.
    pub fn query_by_status(
        &self,
        status: DecisionStatus,
        range: impl RangeBounds<i64>,
        page: impl Into<Page>,
    ) -> Result<Vec<DecisionRecord>> {
        let range = TimeRange::new(range)?;
        self.collect(BY_STATUS, &time_range(KeyBuilder::new().u8(status.code()), range), 1, page.into())
    }

    /// Moves every `Proposed` decision older than `max_age_ms` at `now_ms` (that is, with
    /// `created_at < now_ms - max_age_ms`) to `Expired`, in transactions of at most
    /// [`CLEANUP_BATCH`](crate::limits::CLEANUP_BATCH); returns how many. A negative `max_age_ms` is `InvalidInput`.
    pub fn expire_proposals(&self, now_ms: i64, max_age_ms: i64) -> Result<u64> {
        if max_age_ms < 0 {
            return Err(StorageError::invalid("max_age_ms", format!("{max_age_ms} is negative")));
        }
        let cutoff = now_ms.saturating_sub(max_age_ms);
        let proposed = DecisionStatus::Proposed.code();
        let range = KeyRange::half_open(KeyBuilder::new().u8(proposed).finish(), KeyBuilder::new().u8(proposed).i64(cutoff).finish());
        records::in_batches(
            &self.engine,
            BY_STATUS,
            &range,
            |_: &mut (), view, k, _, batch| {
                let old: DecisionRecord = records::load_indexed(view, BY_STATUS, &id_after_time(k, 1)?)?;
                let mut new = old.clone();
                new.status = DecisionStatus::Expired;
                stage_delete(batch, &old);
                stage_put(batch, &new, encode_row(&new)?);
                Ok(())
            },
            |_, _, _| Ok(()),
        )
    }

    /// Removes every decision with `created_at < before_ms`, whatever its status; one created
    /// at `before_ms` or later stays. Works in transactions of at most [`CLEANUP_BATCH`](crate::limits::CLEANUP_BATCH)
    /// decisions; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        records::remove_in_batches::<DecisionRecord>(&self.engine, BY_TIME, &records::before(before_ms))
    }
}

//! Rule execution history (seed section 6): one record per rule evaluation, for analysis and
//! debugging.
//!
//! Records are immutable once recorded. Queries by rule list newest first with an offset and a
//! limit; time-range queries (any Rust range of `triggered_at`: `a..b`, `a..`, `..`) list oldest first.
//!
//! Tables:
//! - `rule_executions`: execution_id -> JSON of the [`RuleExecutionRecord`]
//! - `rule_executions_by_rule`: (rule_id, triggered_at, execution_id) -> summary
//! - `rule_executions_by_time`: (triggered_at, execution_id) -> summary, then the rule_id
//! - `rule_executions_failed`: (triggered_at, execution_id) -> () for `ExecutionResult::Failed`
//!
//! The summary (outcome, condition met, duration; 10 bytes) lets statistics and cleanup run
//! over the indexes without decoding a row.

use crate::error::{Result, StorageError};
use crate::limits::{check_id, check_json, encode_row};
use crate::page::Page;
use crate::range::TimeRange;
use crate::storage::backend::{Direction, KeyRange, Scan};
use crate::storage::engine::Engine;
use crate::storage::indexed_records::{self as records, row_key, time_range, IndexedRecord};
use crate::storage::key::{KeyBuilder, KeyReader};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::ops::RangeBounds;
use std::sync::Arc;

const EXECUTIONS: &str = "rule_executions";
const BY_RULE: &str = "rule_executions_by_rule";
const BY_TIME: &str = "rule_executions_by_time";
const FAILED: &str = "rule_executions_failed";

/// One execution of a rule (seed section 6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleExecutionRecord {
    /// Unique id of this execution.
    pub execution_id: String,
    /// The rule that ran.
    pub rule_id: String,
    /// The rule's display name at the time.
    pub rule_name: String,
    /// When the rule was triggered (Unix ms).
    pub triggered_at: i64,
    /// The value that triggered it, if numeric.
    pub trigger_value: Option<f64>,
    /// Whether the rule's condition held (`true` when omitted in JSON).
    #[serde(default = "held")]
    pub condition_met: bool,
    /// The actions run (none when omitted in JSON).
    #[serde(default)]
    pub actions: Vec<RuleActionRecord>,
    /// Overall outcome.
    pub result: ExecutionResult,
    /// Time the execution took, in ms (0 when omitted in JSON).
    #[serde(default)]
    pub duration_ms: u64,
}

fn held() -> bool {
    true
}

impl RuleExecutionRecord {
    /// A record whose condition held, with no actions, no trigger value and zero duration.
    pub fn new(execution_id: &str, rule_id: &str, rule_name: &str, triggered_at: i64, result: ExecutionResult) -> Self {
        RuleExecutionRecord {
            execution_id: execution_id.into(),
            rule_id: rule_id.into(),
            rule_name: rule_name.into(),
            triggered_at,
            trigger_value: None,
            condition_met: true,
            actions: Vec::new(),
            result,
            duration_ms: 0,
        }
    }
}

/// One action a rule execution ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleActionRecord {
    /// `NOTIFY`, `EXECUTE`, `LOG`, ...
    pub action_type: String,
    /// The action's parameters (`null` when omitted in JSON).
    #[serde(default)]
    pub action_data: serde_json::Value,
    /// Whether it succeeded.
    pub success: bool,
    /// Why it failed.
    pub error: Option<String>,
}

/// Outcome of a rule execution or of an executed decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecutionResult {
    /// Every action succeeded.
    Success,
    /// Some actions failed.
    PartialSuccess {
        /// The actions that failed.
        failed_actions: Vec<String>,
    },
    /// The execution failed.
    Failed {
        /// Why.
        error: String,
    },
}

impl ExecutionResult {
    fn outcome(&self) -> u8 {
        match self {
            ExecutionResult::Success => OUTCOME_SUCCESS,
            ExecutionResult::PartialSuccess { .. } => OUTCOME_PARTIAL,
            ExecutionResult::Failed { .. } => OUTCOME_FAILED,
        }
    }
}

/// Execution counts and durations of one rule over a time range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleStatistics {
    /// The rule.
    pub rule_id: String,
    /// Executions (every trigger, whether or not the condition held).
    pub triggers: u64,
    /// Executions whose condition held.
    pub condition_met: u64,
    /// Executions with `ExecutionResult::Success`.
    pub success: u64,
    /// Executions with `ExecutionResult::PartialSuccess`.
    pub partial_success: u64,
    /// Executions with `ExecutionResult::Failed`.
    pub failed: u64,
    /// Mean `duration_ms` (0 when there were no executions).
    pub mean_duration_ms: f64,
    /// Largest `duration_ms` (0 when there were no executions).
    pub max_duration_ms: u64,
}

/// Running totals behind a [`RuleStatistics`].
#[derive(Default)]
struct StatsAccumulator {
    stats: RuleStatistics,
    total_duration: u128,
}

impl StatsAccumulator {
    fn add(&mut self, s: &Summary) {
        let st = &mut self.stats;
        st.triggers += 1;
        st.condition_met += s.condition_met as u64;
        match s.outcome {
            OUTCOME_SUCCESS => st.success += 1,
            OUTCOME_PARTIAL => st.partial_success += 1,
            _ => st.failed += 1,
        }
        st.max_duration_ms = st.max_duration_ms.max(s.duration_ms);
        self.total_duration += s.duration_ms as u128;
    }

    fn finish(mut self, rule_id: String) -> RuleStatistics {
        self.stats.rule_id = rule_id;
        if self.stats.triggers > 0 {
            self.stats.mean_duration_ms = self.total_duration as f64 / self.stats.triggers as f64;
        }
        self.stats
    }
}

const OUTCOME_SUCCESS: u8 = 0;
const OUTCOME_PARTIAL: u8 = 1;
const OUTCOME_FAILED: u8 = 2;
const SUMMARY_LEN: usize = 10;

/// What statistics and cleanup need of a record, kept in index values.
struct Summary {
    outcome: u8,
    condition_met: bool,
    duration_ms: u64,
}

impl Summary {
    fn of(r: &RuleExecutionRecord) -> Self {
        Summary { outcome: r.result.outcome(), condition_met: r.condition_met, duration_ms: r.duration_ms }
    }

    fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(SUMMARY_LEN);
        v.push(self.outcome);
        v.push(self.condition_met as u8);
        v.extend_from_slice(&self.duration_ms.to_le_bytes());
        v
    }

    fn decode(v: &[u8]) -> Result<Self> {
        if v.len() < SUMMARY_LEN || v[0] > OUTCOME_FAILED || v[1] > 1 {
            return Err(StorageError::Corrupted("rule execution summary is malformed".into()));
        }
        let duration_ms = u64::from_le_bytes(v[2..SUMMARY_LEN].try_into().expect("length checked"));
        Ok(Summary { outcome: v[0], condition_met: v[1] == 1, duration_ms })
    }
}

impl IndexedRecord for RuleExecutionRecord {
    const TABLE: &'static str = EXECUTIONS;
    const KIND: &'static str = "rule execution";
    const ID_FIELD: &'static str = "execution_id";

    fn id(&self) -> &str {
        &self.execution_id
    }

    fn validate(&self) -> Result<Vec<u8>> {
        check_id("execution_id", &self.execution_id)?;
        check_id("rule_id", &self.rule_id)?;
        if self.trigger_value.is_some_and(|v| !v.is_finite()) {
            return Err(StorageError::invalid("trigger_value", "must be a finite number"));
        }
        for a in &self.actions {
            check_id("action_type", &a.action_type)?;
            check_json("action_data", &a.action_data)?;
        }
        encode_row(self)
    }

    fn index_entries(&self) -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
        let summary = Summary::of(self).encode();
        let mut by_time = summary.clone();
        by_time.extend_from_slice(self.rule_id.as_bytes());
        let time_key = time_key(self.triggered_at, &self.execution_id);
        let mut entries =
            vec![(BY_RULE, rule_key(&self.rule_id, self.triggered_at, &self.execution_id), summary), (BY_TIME, time_key.clone(), by_time)];
        if self.result.outcome() == OUTCOME_FAILED {
            entries.push((FAILED, time_key, Vec::new()));
        }
        entries
    }
}

fn rule_key(rule_id: &str, ts: i64, execution_id: &str) -> Vec<u8> {
    KeyBuilder::new().str(rule_id).i64(ts).str(execution_id).finish()
}

fn time_key(ts: i64, execution_id: &str) -> Vec<u8> {
    KeyBuilder::new().i64(ts).str(execution_id).finish()
}

/// Reads the execution id from a `(triggered_at, execution_id)` key.
fn id_of_time_key(k: &[u8]) -> Result<String> {
    let mut r = KeyReader::new(k);
    r.i64()?;
    r.str()
}

/// Reads the execution id from a `(rule_id, triggered_at, execution_id)` key.
fn id_of_rule_key(k: &[u8]) -> Result<String> {
    let mut r = KeyReader::new(k);
    r.str()?;
    r.i64()?;
    r.str()
}

fn times(range: TimeRange) -> KeyRange {
    time_range(KeyBuilder::new(), range)
}

/// Store of rule executions. Cheap to clone; obtain it from `StorageManager::rule_history()`.
#[derive(Clone)]
pub struct RuleHistoryStore {
    engine: Arc<Engine>,
}

impl RuleHistoryStore {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        RuleHistoryStore { engine }
    }

    /// Stores one execution. A stored `execution_id` fails with `Conflict`.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, RuleExecutionRecord, ExecutionResult};
    /// let db = StorageManager::in_memory().unwrap();
    /// let h = db.rule_history();
    /// h.record(&RuleExecutionRecord::new("x1", "high-temp", "High temperature", 1_000, ExecutionResult::Success)).unwrap();
    /// h.record(&RuleExecutionRecord::new("x2", "high-temp", "High temperature", 2_000,
    ///     ExecutionResult::Failed { error: "mqtt down".into() })).unwrap();
    /// assert_eq!(h.query_by_rule("high-temp", 10).unwrap()[0].execution_id, "x2");
    /// assert_eq!(h.rule_statistics("high-temp", 0..10_000).unwrap().failed, 1);
    /// ```
    pub fn record(&self, record: &RuleExecutionRecord) -> Result<()> {
        self.record_batch(std::slice::from_ref(record))
    }

    /// Stores executions in one transaction; either all are stored or none. A duplicate
    /// `execution_id` (stored or within the batch) fails with `Conflict`.
    pub fn record_batch(&self, records: &[RuleExecutionRecord]) -> Result<()> {
        let mut rows = Vec::with_capacity(records.len());
        let mut seen = HashSet::new();
        for r in records {
            rows.push(r.validate()?);
            if !seen.insert(r.execution_id.as_str()) {
                return Err(StorageError::Conflict(format!("execution id {:?} appears twice in the batch", r.execution_id)));
            }
        }
        records::insert(&self.engine, records.iter().zip(rows).collect())
    }

    /// The execution with this id.
    pub fn get(&self, execution_id: &str) -> Result<Option<RuleExecutionRecord>> {
        records::get(&self.engine, execution_id)
    }

    /// Loads the records named by the index entries of `range`.
    fn collect(
        &self,
        table: &str,
        range: &KeyRange,
        dir: Direction,
        page: Page,
        id_of: fn(&[u8]) -> Result<String>,
    ) -> Result<Vec<RuleExecutionRecord>> {
        records::collect(&self.engine, table, range, dir, page, id_of)
    }

    /// One page of a rule's executions, newest first (ties by execution id, descending):
    /// skips the `offset` newest and returns at most `limit`.
    pub fn query_by_rule(&self, rule_id: &str, page: impl Into<Page>) -> Result<Vec<RuleExecutionRecord>> {
        check_id("rule_id", rule_id)?;
        let range = KeyRange::prefix(KeyBuilder::new().str(rule_id).finish());
        self.collect(BY_RULE, &range, Direction::Reverse, page.into(), id_of_rule_key)
    }

    /// Executions of one rule with `triggered_at` in `range`, oldest first.
    pub fn query_rule_range(&self, rule_id: &str, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<RuleExecutionRecord>> {
        check_id("rule_id", rule_id)?;
        let range = TimeRange::new(range)?;
        self.collect(BY_RULE, &time_range(KeyBuilder::new().str(rule_id), range), Direction::Forward, page.into(), id_of_rule_key)
    }

    /// Executions of every rule with `triggered_at` in `range`, oldest first.
    pub fn query_range(&self, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<RuleExecutionRecord>> {
        let range = TimeRange::new(range)?;
        self.collect(BY_TIME, &times(range), Direction::Forward, page.into(), id_of_time_key)
    }

    /// Executions whose result is `ExecutionResult::Failed` (not `PartialSuccess`) with
    /// `triggered_at` in `range`, oldest first.
    pub fn query_failed(&self, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<RuleExecutionRecord>> {
        let range = TimeRange::new(range)?;
        self.collect(FAILED, &times(range), Direction::Forward, page.into(), id_of_time_key)
    }

    /// Statistics of one rule's executions with `triggered_at` in `range`. A rule without
    /// executions in the range has all counts 0.
    pub fn rule_statistics(&self, rule_id: &str, range: impl RangeBounds<i64>) -> Result<RuleStatistics> {
        check_id("rule_id", rule_id)?;
        let range = TimeRange::new(range)?;
        let view = self.engine.read()?;
        let range = time_range(KeyBuilder::new().str(rule_id), range);
        let mut acc = StatsAccumulator::default();
        view.scan(BY_RULE, &range, Direction::Forward, &mut |_, v| {
            acc.add(&Summary::decode(v)?);
            Ok(Scan::Continue)
        })?;
        Ok(acc.finish(rule_id.to_string()))
    }

    /// Statistics of every rule that ran with `triggered_at` in `range`, ordered by rule id.
    pub fn statistics(&self, range: impl RangeBounds<i64>) -> Result<Vec<RuleStatistics>> {
        let range = TimeRange::new(range)?;
        let view = self.engine.read()?;
        let mut per_rule: BTreeMap<String, StatsAccumulator> = BTreeMap::new();
        view.scan(BY_TIME, &times(range), Direction::Forward, &mut |_, v| {
            let summary = Summary::decode(v)?;
            let rule_id =
                std::str::from_utf8(&v[SUMMARY_LEN..]).map_err(|_| StorageError::Corrupted("rule id in time index is not UTF-8".into()))?;
            match per_rule.get_mut(rule_id) {
                Some(acc) => acc.add(&summary),
                None => per_rule.entry(rule_id.to_string()).or_default().add(&summary),
            }
            Ok(Scan::Continue)
        })?;
        Ok(per_rule.into_iter().map(|(id, acc)| acc.finish(id)).collect())
    }

    /// Removes every execution with `triggered_at < before_ms` (one at `before_ms` or later
    /// stays), in transactions of at most [`CLEANUP_BATCH`](crate::limits::CLEANUP_BATCH) records; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        // Everything to delete is in the time index entry: no row is decoded.
        records::in_batches(
            &self.engine,
            BY_TIME,
            &records::before(before_ms),
            |_: &mut (), _, k, v, batch| {
                let mut r = KeyReader::new(k);
                let (ts, execution_id) = (r.i64()?, r.str()?);
                let summary = Summary::decode(v)?;
                let rule_id = std::str::from_utf8(&v[SUMMARY_LEN..])
                    .map_err(|_| StorageError::Corrupted("rule id in time index is not UTF-8".into()))?;
                batch.delete(EXECUTIONS, row_key(&execution_id));
                batch.delete(BY_RULE, rule_key(rule_id, ts, &execution_id));
                batch.delete(BY_TIME, k.to_vec());
                if summary.outcome == OUTCOME_FAILED {
                    batch.delete(FAILED, k.to_vec());
                }
                Ok(())
            },
            |_, _, _| Ok(()),
        )
    }
}

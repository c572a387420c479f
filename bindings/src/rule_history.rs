//! Rule execution history: [`RuleHistoryStore`] and its records [`RuleExecutionRecord`],
//! [`RuleActionRecord`] and [`RuleStatistics`] (the outcome is [`crate::ExecutionResult`]).

use crate::enums::ExecutionResult;
use crate::error::Result;
use crate::mirror::{from_core, from_core_all, json_functions, mirror_record, to_core, Mirror};
use neotalk_storage as core;

mirror_record! {
    /// One execution of a rule.
    RuleExecutionRecord => core::RuleExecutionRecord {
        /// Unique id of this execution.
        execution_id: String,
        /// The rule that ran.
        rule_id: String,
        /// The rule's display name at the time.
        rule_name: String,
        /// When the rule was triggered (Unix ms).
        triggered_at: i64,
        /// The value that triggered it, if numeric.
        #[uniffi(default)]
        trigger_value: Option<f64>,
        /// Whether the rule's condition held.
        #[uniffi(default = true)]
        condition_met: bool,
        /// The actions run.
        #[uniffi(default = [])]
        actions: Vec<RuleActionRecord>,
        /// Overall outcome.
        result: ExecutionResult,
        /// Time the execution took, in ms.
        #[uniffi(default = 0)]
        duration_ms: i64,
    }
}

mirror_record! {
    /// One action a rule execution ran.
    RuleActionRecord => core::RuleActionRecord {
        /// `control_device`, `notify`, ...
        action_type: String,
        /// The action's parameters: JSON text (`null` for none).
        #[uniffi(default = "null")]
        action_data: String,
        /// Whether it succeeded.
        success: bool,
        /// Why it failed.
        #[uniffi(default)]
        error: Option<String>,
    }
}

mirror_record! {
    /// Execution counts and durations of one rule over a time range.
    RuleStatistics => core::RuleStatistics {
        /// The rule.
        rule_id: String,
        /// Executions (every trigger, whether or not the condition held).
        triggers: i64,
        /// Executions whose condition held.
        condition_met: i64,
        /// Executions with `ExecutionResult::Success`.
        success: i64,
        /// Executions with `ExecutionResult::PartialSuccess`.
        partial_success: i64,
        /// Executions with `ExecutionResult::Failed`.
        failed: i64,
        /// Mean `duration_ms` (0 when there were no executions).
        mean_duration_ms: f64,
        /// Largest `duration_ms` (0 when there were no executions).
        max_duration_ms: i64,
    }
}

json_functions! {
    RuleExecutionRecord => core::RuleExecutionRecord, "record",
    /// The rule execution of JSON text in the core's form (the C API's); omitted fields take
    /// their defaults, unknown fields and enum names are `InvalidInput`.
    fn rule_execution_record_from_json,
    /// The JSON text of a rule execution, in the core's form.
    fn rule_execution_record_to_json
}

crate::store_object::store_object! {
    /// Store of rule executions; obtain it from `StorageManager.rule_history()`.
    RuleHistoryStore => core::RuleHistoryStore
}

#[uniffi::export]
impl RuleHistoryStore {
    /// Stores one execution; a duplicate id is `Conflict`.
    pub fn record(&self, record: RuleExecutionRecord) -> Result<()> {
        Ok(self.inner.record(&to_core("record", record)?)?)
    }

    /// Stores executions in one transaction; all or none.
    pub fn record_batch(&self, records: Vec<RuleExecutionRecord>) -> Result<()> {
        Ok(self.inner.record_batch(&to_core::<_, Vec<core::RuleExecutionRecord>>("record", records)?)?)
    }

    /// The execution with this id, or none.
    pub fn get(&self, execution_id: String) -> Result<Option<RuleExecutionRecord>> {
        Ok(Mirror::from_core(self.inner.get(&execution_id)?))
    }

    /// Executions of one rule, newest first, skipping `offset`, at most `limit` (none: all).
    pub fn query_by_rule(&self, rule_id: String, offset: i64, limit: Option<i64>) -> Result<Vec<RuleExecutionRecord>> {
        Ok(from_core_all(
            self.inner.query_by_rule(&rule_id, core::Page { offset: to_core("offset", offset)?, limit: to_core("limit", limit)? })?,
        ))
    }

    /// Executions of one rule with `start <= triggered_at < end`, oldest first.
    pub fn query_rule_range(&self, rule_id: String, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<RuleExecutionRecord>> {
        Ok(from_core_all(self.inner.query_rule_range(&rule_id, core::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Executions with `start <= triggered_at < end`, oldest first.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<RuleExecutionRecord>> {
        Ok(from_core_all(self.inner.query_range(core::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Failed executions with `start <= triggered_at < end`, oldest first.
    pub fn query_failed(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<RuleExecutionRecord>> {
        Ok(from_core_all(self.inner.query_failed(core::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Statistics of one rule over `[start, end)` (`end` none: no upper bound).
    pub fn rule_statistics(&self, rule_id: String, start: i64, end: Option<i64>) -> Result<RuleStatistics> {
        Ok(Mirror::from_core(self.inner.rule_statistics(&rule_id, core::TimeRange::half_open(start, end)?)?))
    }

    /// Statistics of every rule triggered in `[start, end)` (`end` none: no upper bound).
    pub fn statistics(&self, start: i64, end: Option<i64>) -> Result<Vec<RuleStatistics>> {
        Ok(from_core_all(self.inner.statistics(core::TimeRange::half_open(start, end)?)?))
    }

    /// Removes executions triggered before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<i64> {
        Ok(from_core(self.inner.cleanup(before_ms)?))
    }
}

//! Rule execution history: [`RuleHistoryStore`]. Records cross as JSON text of the core's
//! `RuleExecutionRecord` (nested actions with JSON payloads) and `RuleStatistics`.

use crate::error::Result;
use crate::json::{self, to_usize};
use neotalk_storage as core;
use std::sync::Arc;

/// Store of rule executions; obtain it from `StorageManager.rule_history()`.
#[derive(uniffi::Object)]
pub struct RuleHistoryStore {
    inner: core::RuleHistoryStore,
}

impl RuleHistoryStore {
    pub(crate) fn new(inner: core::RuleHistoryStore) -> Arc<Self> {
        Arc::new(RuleHistoryStore { inner })
    }
}

#[uniffi::export]
impl RuleHistoryStore {
    /// Stores one execution (JSON of a `RuleExecutionRecord`); a duplicate id is `Conflict`.
    pub fn record(&self, record: String) -> Result<()> {
        Ok(self.inner.record(&json::record("record", &record)?)?)
    }

    /// Stores executions in one transaction; all or none.
    pub fn record_batch(&self, records: Vec<String>) -> Result<()> {
        Ok(self.inner.record_batch(&json::records::<core::RuleExecutionRecord>("record", &records)?)?)
    }

    /// The execution with this id (JSON), or none.
    pub fn get(&self, execution_id: String) -> Result<Option<String>> {
        json::text_opt(self.inner.get(&execution_id)?)
    }

    /// Executions of one rule, newest first, skipping `offset`, at most `limit` (none: all).
    pub fn query_by_rule(&self, rule_id: String, offset: u64, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_by_rule(&rule_id, core::Page { offset: to_usize(offset), limit: json::limit(limit) })?)
    }

    /// Executions of one rule with `start <= triggered_at < end`, oldest first.
    pub fn query_rule_range(&self, rule_id: String, start: i64, end: Option<i64>, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_rule_range(&rule_id, neotalk_storage::TimeRange::half_open(start, end)?, json::limit(limit))?)
    }

    /// Executions with `start <= triggered_at < end`, oldest first.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_range(neotalk_storage::TimeRange::half_open(start, end)?, json::limit(limit))?)
    }

    /// Failed executions with `start <= triggered_at < end`, oldest first.
    pub fn query_failed(&self, start: i64, end: Option<i64>, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.query_failed(neotalk_storage::TimeRange::half_open(start, end)?, json::limit(limit))?)
    }

    /// Statistics (JSON of `RuleStatistics`) of one rule over `[start, end)` (`end` none: no upper bound).
    pub fn rule_statistics(&self, rule_id: String, start: i64, end: Option<i64>) -> Result<String> {
        json::text(&self.inner.rule_statistics(&rule_id, neotalk_storage::TimeRange::half_open(start, end)?)?)
    }

    /// Statistics of every rule triggered in `[start, end)` (`end` none: no upper bound).
    pub fn statistics(&self, start: i64, end: Option<i64>) -> Result<Vec<String>> {
        json::texts(&self.inner.statistics(neotalk_storage::TimeRange::half_open(start, end)?)?)
    }

    /// Removes executions triggered before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        Ok(self.inner.cleanup(before_ms)?)
    }
}

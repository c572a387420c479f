//! `StorageQuery` (the seed's unified query interface), implemented by `StorageManager`.

use crate::error::Result;
use crate::manager::StorageManager;
use crate::range::TimeRange;
use crate::stores::alerts::{AlertRecord, AlertSeverity};
use crate::stores::knowledge::{MemoryEntry, MemoryType};
use crate::stores::rule_history::RuleExecutionRecord;
use crate::stores::timeseries::DataPoint;

/// One interface over the stores an LLM tool layer queries most (seed "统一查询接口").
/// Time ranges are [`TimeRange`]s (`TimeRange::new(start..end)?`, any Rust range).
pub trait StorageQuery: Send + Sync {
    /// Telemetry of one series, oldest first.
    fn query_device_data(&self, device_id: &str, metric: &str, range: TimeRange) -> Result<Vec<DataPoint>>;

    /// Executions of one rule, oldest first.
    fn query_rule_history(&self, rule_id: &str, range: TimeRange) -> Result<Vec<RuleExecutionRecord>>;

    /// Long-term memories ranked by BM25 keyword relevance, optionally of one type only.
    fn search_memory(&self, query: &str, memory_type: Option<MemoryType>, limit: usize) -> Result<Vec<MemoryEntry>>;

    /// Alerts created in the range, optionally of one severity, oldest first.
    fn query_alerts(&self, severity: Option<AlertSeverity>, range: TimeRange) -> Result<Vec<AlertRecord>>;
}

impl StorageQuery for StorageManager {
    fn query_device_data(&self, device_id: &str, metric: &str, range: TimeRange) -> Result<Vec<DataPoint>> {
        self.timeseries().query_range(device_id, metric, range)
    }

    fn query_rule_history(&self, rule_id: &str, range: TimeRange) -> Result<Vec<RuleExecutionRecord>> {
        self.rule_history().query_rule_range(rule_id, range, None)
    }

    fn search_memory(&self, query: &str, memory_type: Option<MemoryType>, limit: usize) -> Result<Vec<MemoryEntry>> {
        let hits = match memory_type {
            None => self.memory().search_keywords(query, limit)?,
            // The type filter applies after ranking, so rank every match, then keep the type.
            Some(t) => {
                let all = usize::try_from(self.memory().count()?).unwrap_or(usize::MAX);
                self.memory().search_keywords(query, all)?.into_iter().filter(|h| h.entry.memory_type == t).take(limit).collect()
            }
        };
        Ok(hits.into_iter().map(|h| h.entry).collect())
    }

    fn query_alerts(&self, severity: Option<AlertSeverity>, range: TimeRange) -> Result<Vec<AlertRecord>> {
        match severity {
            Some(s) => self.alerts().query_by_severity(s, range, None),
            None => self.alerts().query_range(range, None),
        }
    }
}

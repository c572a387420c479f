//! `retention.yaml`: how long each kind of data is kept (the seed's "数据保留策略").

use super::yaml::{at_least_one, at_least_one_u64, days_map};
use crate::stores::event_log::EventRetention;
use crate::stores::timeseries::TimeSeriesRetention;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The file's top level: everything sits under `retention:`, as in the seed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RetentionFile {
    pub(crate) retention: RetentionConfig,
}

/// Retention of every store, in days. Missing entries take the seed's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Telemetry (a metric's override wins over its device type's, then `default_days`).
    pub timeseries: TimeSeriesRetention,
    /// The event log.
    pub events: EventsRetention,
    /// Rule execution history (default 90 days).
    pub rule_history: DaysRetention,
    /// Workflow execution history (default 90 days).
    pub workflow_history: DaysRetention,
    /// Alerts (default 365 days).
    pub alerts: DaysRetention,
    /// LLM decisions (default 90 days).
    pub decisions: DaysRetention,
    /// Conversation sessions (default 365 days).
    pub sessions: DaysRetention,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            timeseries: TimeSeriesRetention::default(),
            events: EventsRetention::default(),
            rule_history: DaysRetention::days(90),
            workflow_history: DaysRetention::days(90),
            alerts: DaysRetention::days(365),
            decisions: DaysRetention::days(90),
            sessions: DaysRetention::days(365),
        }
    }
}

/// Event-log retention; converts into [`EventRetention`] for `EventLogStore::cleanup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsRetention {
    /// Days an event is kept (default 7).
    #[serde(deserialize_with = "at_least_one")]
    pub days: u32,
    /// Size cap of the event log in MiB (default 1000).
    #[serde(deserialize_with = "at_least_one_u64")]
    pub max_size_mb: u64,
    /// Days per event type (default none).
    #[serde(deserialize_with = "days_map")]
    pub by_type: BTreeMap<String, u32>,
}

impl Default for EventsRetention {
    fn default() -> Self {
        EventsRetention { days: 7, max_size_mb: 1000, by_type: BTreeMap::new() }
    }
}

impl From<&EventsRetention> for EventRetention {
    fn from(r: &EventsRetention) -> Self {
        EventRetention { days: r.days, max_size_mb: r.max_size_mb, by_type: r.by_type.clone() }
    }
}

impl From<EventsRetention> for EventRetention {
    fn from(r: EventsRetention) -> Self {
        EventRetention { days: r.days, max_size_mb: r.max_size_mb, by_type: r.by_type }
    }
}

/// A retention given only in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DaysRetention {
    /// Days a record is kept (default 90).
    #[serde(deserialize_with = "at_least_one")]
    pub days: u32,
}

impl Default for DaysRetention {
    fn default() -> Self {
        DaysRetention { days: 90 }
    }
}

impl DaysRetention {
    /// A retention of `days` days.
    pub fn days(days: u32) -> Self {
        DaysRetention { days }
    }
}

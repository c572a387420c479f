//! `retention.yaml`: how long each kind of data is kept (the seed's "数据保留策略").

use super::yaml::{at_least_one, at_least_one_u64, days_map};
use crate::event_log::EventRetention;
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
    /// Telemetry.
    pub timeseries: TimeseriesRetention,
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
            timeseries: TimeseriesRetention::default(),
            events: EventsRetention::default(),
            rule_history: DaysRetention::days(90),
            workflow_history: DaysRetention::days(90),
            alerts: DaysRetention::days(365),
            decisions: DaysRetention::days(90),
            sessions: DaysRetention::days(365),
        }
    }
}

impl RetentionConfig {
    /// Days a point of `metric` on a device of type `device_type` is kept: the metric's
    /// override wins, then the device type's, then `default_days`.
    pub fn timeseries_days(&self, metric: &str, device_type: Option<&str>) -> u32 {
        let t = &self.timeseries;
        t.by_metric
            .get(metric)
            .or_else(|| device_type.and_then(|d| t.by_device_type.get(d)))
            .copied()
            .unwrap_or(t.default_days)
    }
}

/// Telemetry retention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeseriesRetention {
    /// Days for metrics without an override (default 30).
    #[serde(deserialize_with = "at_least_one")]
    pub default_days: u32,
    /// Days per metric name (default none).
    #[serde(deserialize_with = "days_map")]
    pub by_metric: BTreeMap<String, u32>,
    /// Days per device type (default none); a metric override wins over it.
    #[serde(deserialize_with = "days_map")]
    pub by_device_type: BTreeMap<String, u32>,
}

impl Default for TimeseriesRetention {
    fn default() -> Self {
        TimeseriesRetention { default_days: 30, by_metric: BTreeMap::new(), by_device_type: BTreeMap::new() }
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

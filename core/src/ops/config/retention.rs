//! `retention.yaml`: how long each kind of data is kept (the seed's "数据保留策略").

use super::yaml::{at_least_one_u64, window_map};
use crate::retention_window::RetentionWindow;
use crate::stores::event_log::EventRetention;
use crate::stores::timeseries::{RollupConfig, RollupTier, TimeSeriesRetention};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The file's top level: everything sits under `retention:`, as in the seed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RetentionFile {
    pub(crate) retention: RetentionConfig,
}

/// Retention of every store, as [`RetentionWindow`]s (`90d`, `36h`, `forever`; a bare number
/// counts days, as in the seed). Missing entries take the seed's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Telemetry (a metric's override wins over its device type's, then `keep`).
    pub timeseries: TimeSeriesRetention,
    /// The event log.
    pub events: EventsRetention,
    /// Rule execution history (default 90 days).
    pub rule_history: RecordRetention,
    /// Workflow execution history (default 90 days).
    pub workflow_history: RecordRetention,
    /// Alerts (default 365 days).
    pub alerts: RecordRetention,
    /// LLM decisions (default 90 days).
    pub decisions: RecordRetention,
    /// Conversation sessions (default 365 days).
    pub sessions: RecordRetention,
    /// Rollup tiers of telemetry (none by default), each with its own `keep`: a list of tiers
    /// (`[{every: 1m, keep: 90d}, {every: 1h, keep: 5y}]`) or a full [`RollupConfig`]
    /// (`tiers`, `by_metric`, `by_device_type`). Read when the database opens, unless
    /// `StorageOptions::rollups` is given; after a change, `rebuild_rollups()` (CLI
    /// `rebuild-rollups`) recomputes the tiers from raw data. The cleanup applies each
    /// tier's `keep` from the configuration the database was opened with.
    #[serde(deserialize_with = "tiers_or_config", skip_serializing_if = "RollupConfig::is_empty")]
    pub rollups: RollupConfig,
}

/// `rollups:` as a list of tiers (the default tiers) or as a whole [`RollupConfig`]; the
/// errors inside either are the field's own (a bad window names its line).
fn tiers_or_config<'de, D: Deserializer<'de>>(d: D) -> Result<RollupConfig, D::Error> {
    struct Form;
    impl<'de> Visitor<'de> for Form {
        type Value = RollupConfig;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of tiers ({every, keep}) or {tiers, by_metric, by_device_type}")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RollupConfig, A::Error> {
            let tiers = Vec::<RollupTier>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
            Ok(RollupConfig { tiers, ..Default::default() })
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RollupConfig, A::Error> {
            RollupConfig::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(Form)
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            timeseries: TimeSeriesRetention::default(),
            events: EventsRetention::default(),
            rule_history: RecordRetention::days(90),
            workflow_history: RecordRetention::days(90),
            alerts: RecordRetention::days(365),
            decisions: RecordRetention::days(90),
            sessions: RecordRetention::days(365),
            rollups: RollupConfig::default(),
        }
    }
}

/// Event-log retention; converts into [`EventRetention`] for `EventLogStore::cleanup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsRetention {
    /// How long an event is kept (default 7 days; the seed's `days` is accepted).
    #[serde(alias = "days")]
    pub keep: RetentionWindow,
    /// Size cap of the event log in MiB (default 1000).
    #[serde(deserialize_with = "at_least_one_u64")]
    pub max_size_mb: u64,
    /// Window per event type (default none).
    #[serde(deserialize_with = "window_map")]
    pub by_type: BTreeMap<String, RetentionWindow>,
}

impl Default for EventsRetention {
    fn default() -> Self {
        EventsRetention { keep: RetentionWindow::days(7), max_size_mb: 1000, by_type: BTreeMap::new() }
    }
}

impl From<&EventsRetention> for EventRetention {
    fn from(r: &EventsRetention) -> Self {
        EventRetention { keep: r.keep, max_size_mb: r.max_size_mb, by_type: r.by_type.clone() }
    }
}

impl From<EventsRetention> for EventRetention {
    fn from(r: EventsRetention) -> Self {
        EventRetention { keep: r.keep, max_size_mb: r.max_size_mb, by_type: r.by_type }
    }
}

/// The retention of a store whose records have one time each (history, alerts, decisions,
/// sessions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecordRetention {
    /// How long a record is kept (default 90 days; the seed's `days` is accepted).
    #[serde(alias = "days")]
    pub keep: RetentionWindow,
}

impl Default for RecordRetention {
    fn default() -> Self {
        RecordRetention::days(90)
    }
}

impl RecordRetention {
    /// A retention of `days` days.
    pub fn days(days: u32) -> Self {
        RecordRetention { keep: RetentionWindow::days(days) }
    }
}

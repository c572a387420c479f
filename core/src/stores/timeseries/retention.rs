//! Telemetry retention: per-metric and per-device-type windows over a default.

use super::TimeSeriesStore;
use crate::error::Result;
use crate::retention_window::RetentionWindow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long telemetry is kept (the seed's `retention.timeseries`, plus per device type).
///
/// The window of a series is the first of: `by_metric[metric]`, `by_device_type[type of the
/// device]`, `keep`. Every window is a [`RetentionWindow`] (`30d`, `36h`, `forever`; a bare
/// number counts days). The seed's `default_days` is accepted for `keep`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeSeriesRetention {
    /// Kept when nothing more specific applies (default 30 days).
    #[serde(alias = "default_days")]
    pub keep: RetentionWindow,
    /// Window per metric name.
    #[serde(deserialize_with = "crate::ops::config::yaml_checks::window_map")]
    pub by_metric: BTreeMap<String, RetentionWindow>,
    /// Window per device type.
    #[serde(deserialize_with = "crate::ops::config::yaml_checks::window_map")]
    pub by_device_type: BTreeMap<String, RetentionWindow>,
}

impl Default for TimeSeriesRetention {
    fn default() -> Self {
        TimeSeriesRetention { keep: RetentionWindow::days(30), by_metric: BTreeMap::new(), by_device_type: BTreeMap::new() }
    }
}

impl TimeSeriesRetention {
    /// The window of `metric` of a device of `device_type`.
    pub fn window_for(&self, metric: &str, device_type: Option<&str>) -> RetentionWindow {
        self.by_metric.get(metric).or_else(|| device_type.and_then(|t| self.by_device_type.get(t))).copied().unwrap_or(self.keep)
    }
}

/// What a telemetry cleanup removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeSeriesCleanup {
    /// Points removed.
    pub points: u64,
    /// Series that lost at least one point.
    pub series: u64,
    /// Rollup buckets older than their tier's `keep`.
    pub rollup_buckets: u64,
}

impl TimeSeriesStore {
    /// Removes points older than their series' retention window, and rollup buckets older
    /// than their tier's `keep` (raw retention never removes a tier's buckets): a point is removed when
    /// `timestamp < now_ms - window`; a point exactly at the boundary stays, and a series kept
    /// `forever` is not touched. Points a replication sink has not received are kept (see
    /// [`crate::feed::SinkOptions`]).
    /// Deletes run in transactions of at most 10,000 points. Device metric
    /// snapshots are kept: they show the last value ever seen.
    pub fn cleanup(&self, now_ms: i64, retention: &TimeSeriesRetention) -> Result<TimeSeriesCleanup> {
        self.flush()?;
        let series: Vec<(u32, String, String)> =
            self.inner.series.read().by_id.iter().map(|(id, (d, m))| (*id, d.clone(), m.clone())).collect();
        let mut result = TimeSeriesCleanup::default();
        let mut device_types: BTreeMap<String, Option<String>> = BTreeMap::new();
        // Points a replication sink has not received stay (see `feed`).
        let holds = self.feed_holds(now_ms)?;
        for (id, device, metric) in series {
            let device_type = match device_types.get(&device) {
                Some(t) => t.clone(),
                None => {
                    let t = self.inner.devices.get_device(&device)?.map(|d| d.device_type);
                    device_types.insert(device.clone(), t.clone());
                    t
                }
            };
            result.rollup_buckets += self.expire_rollups(id, &device, &metric, now_ms)?;
            let Some(cutoff) = retention.window_for(&metric, device_type.as_deref()).cutoff(now_ms) else { continue };
            // Everything before the cutoff: `[i64::MIN, cutoff - 1]` (nothing when the cutoff is i64::MIN).
            let Some(last) = cutoff.min(holds.get(&id).copied().unwrap_or(i64::MAX)).checked_sub(1) else { continue };
            let removed = self.delete_points(id, i64::MIN, last, |_, _| Ok(()))?;
            if removed > 0 {
                result.points += removed;
                result.series += 1;
            }
        }
        Ok(result)
    }
}

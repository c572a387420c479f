//! Alerts: [`AlertStore`]. Alerts cross as the flat uniffi Record [`AlertRecord`].

use crate::enums::AlertSeverity;
use crate::error::Result;
use crate::mirror::{from_core, mirror_record, to_core};
use neotalk_storage as core;
use std::borrow::Cow;

mirror_record! {
    /// An alert raised for the operator.
    AlertRecord => core::AlertRecord {
        /// Caller-chosen unique id.
        alert_id: String,
        /// Short title.
        title: String,
        /// Severity.
        severity: AlertSeverity,
        /// Full message.
        message: String,
        /// Component that raised it (`rules`, `mqtt`, ...).
        source: String,
        /// When it was raised (Unix ms).
        created_at: i64,
        /// Entity it concerns (a device id, ...).
        #[uniffi(default)]
        entity_id: Option<String>,
        /// Kind of that entity (`device`, ...).
        #[uniffi(default)]
        entity_type: Option<String>,
        /// Whether someone acknowledged it.
        #[uniffi(default = false)]
        acknowledged: bool,
        /// Who acknowledged it.
        #[uniffi(default)]
        acknowledged_by: Option<String>,
        /// When it was acknowledged (Unix ms).
        #[uniffi(default)]
        acknowledged_at: Option<i64>,
        /// When it was resolved (Unix ms).
        #[uniffi(default)]
        resolved_at: Option<i64>,
    }
}

mirror_record! {
    /// Alert counts per severity.
    SeverityCounts => core::SeverityCounts {
        /// `Info` alerts.
        info: i64,
        /// `Warning` alerts.
        warning: i64,
        /// `Error` alerts.
        error: i64,
        /// `Critical` alerts.
        critical: i64,
    }
}

fn list(alerts: Vec<core::AlertRecord>) -> Vec<AlertRecord> {
    alerts.into_iter().map(AlertRecord::from).collect()
}

/// One alert of `query_range_json`: its stored JSON object (the core's JSON form) re-read
/// with the strings borrowed, written as an array `[alert_id, title, severity, message,
/// source, created_at, entity_id, entity_type, acknowledged, acknowledged_by, acknowledged_at,
/// resolved_at]` with the severity's name ("Warning"): an array decodes in Python in a third
/// of the time of the object, and no `AlertRecord` is built on the way.
#[derive(serde::Deserialize)]
struct AlertRow<'a> {
    #[serde(borrow)]
    alert_id: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    severity: Cow<'a, str>,
    #[serde(borrow)]
    message: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
    created_at: i64,
    #[serde(borrow)]
    entity_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    entity_type: Option<Cow<'a, str>>,
    acknowledged: bool,
    #[serde(borrow)]
    acknowledged_by: Option<Cow<'a, str>>,
    acknowledged_at: Option<i64>,
    resolved_at: Option<i64>,
}

impl serde::Serialize for AlertRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let a = self;
        (
            &a.alert_id,
            &a.title,
            &a.severity,
            &a.message,
            &a.source,
            a.created_at,
            &a.entity_id,
            &a.entity_type,
            a.acknowledged,
            &a.acknowledged_by,
            a.acknowledged_at,
            a.resolved_at,
        )
            .serialize(s)
    }
}

crate::store_object::store_object! {
    /// Store of alerts; obtain it from `StorageManager.alerts()`.
    AlertStore => core::AlertStore
}

#[uniffi::export]
impl AlertStore {
    /// Stores a new alert; a duplicate id is `Conflict`.
    pub fn create(&self, alert: AlertRecord) -> Result<()> {
        Ok(self.inner.create(&to_core("alert", alert)?)?)
    }

    /// The alert with this id, or none.
    pub fn get(&self, alert_id: String) -> Result<Option<AlertRecord>> {
        Ok(self.inner.get(&alert_id)?.map(AlertRecord::from))
    }

    /// Removes the alert and counts it out of the severity counts; returns whether it existed.
    pub fn delete(&self, alert_id: String) -> Result<bool> {
        Ok(self.inner.delete(&alert_id)?)
    }

    /// Marks an alert acknowledged by `by` at `at`; returns it.
    pub fn acknowledge(&self, alert_id: String, by: String, at: i64) -> Result<AlertRecord> {
        Ok(self.inner.acknowledge(&alert_id, &by, at)?.into())
    }

    /// Marks an alert resolved at `at`; returns it.
    pub fn resolve(&self, alert_id: String, at: i64) -> Result<AlertRecord> {
        Ok(self.inner.resolve(&alert_id, at)?.into())
    }

    /// Alerts with `start <= created_at < end`, oldest first.
    pub fn query_range(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<AlertRecord>> {
        Ok(list(self.inner.query_range(neotalk_storage::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Like `query_range`, as one JSON array of [`AlertRow`]s: the bulk read of the Python
    /// layer (one `json.loads` in C instead of a uniffi record lifted field by field per alert).
    pub fn query_range_json(&self, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<String> {
        let mut rows = String::from("[");
        let range = neotalk_storage::TimeRange::half_open(start, end)?;
        self.inner.query_range_text(range, to_core("limit", limit)?, |alert| {
            if rows.len() > 1 {
                rows.push(',');
            }
            rows.push_str(&serde_json::to_string(&serde_json::from_str::<AlertRow<'_>>(alert)?)?);
            Ok(())
        })?;
        rows.push(']');
        Ok(rows)
    }

    /// Alerts of one severity with `start <= created_at < end`, oldest first.
    pub fn query_by_severity(&self, severity: AlertSeverity, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<AlertRecord>> {
        Ok(list(self.inner.query_by_severity(
            severity.into(),
            neotalk_storage::TimeRange::half_open(start, end)?,
            to_core("limit", limit)?,
        )?))
    }

    /// Alerts of one entity with `start <= created_at < end`, oldest first.
    pub fn query_by_entity(&self, entity_id: String, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<AlertRecord>> {
        Ok(list(self.inner.query_by_entity(&entity_id, neotalk_storage::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Alerts of one source with `start <= created_at < end`, oldest first.
    pub fn query_by_source(&self, source: String, start: i64, end: Option<i64>, limit: Option<i64>) -> Result<Vec<AlertRecord>> {
        Ok(list(self.inner.query_by_source(&source, neotalk_storage::TimeRange::half_open(start, end)?, to_core("limit", limit)?)?))
    }

    /// Alerts nobody acknowledged.
    pub fn unacknowledged(&self, limit: Option<i64>) -> Result<Vec<AlertRecord>> {
        Ok(list(self.inner.unacknowledged(to_core("limit", limit)?)?))
    }

    /// Alerts not resolved.
    pub fn unresolved(&self, limit: Option<i64>) -> Result<Vec<AlertRecord>> {
        Ok(list(self.inner.unresolved(to_core("limit", limit)?)?))
    }

    /// Stored alerts per severity.
    pub fn count_by_severity(&self) -> Result<SeverityCounts> {
        Ok(self.inner.count_by_severity()?.into())
    }

    /// Unresolved alerts per severity.
    pub fn count_unresolved_by_severity(&self) -> Result<SeverityCounts> {
        Ok(self.inner.count_unresolved_by_severity()?.into())
    }

    /// Removes alerts created before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<i64> {
        Ok(from_core(self.inner.cleanup(before_ms)?))
    }
}

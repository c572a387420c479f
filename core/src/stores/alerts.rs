//! Alerts (seed section 8): system alerts with acknowledgement and resolution.
//!
//! An alert is created once, acknowledged at most once and resolved at most once; the two are
//! independent (a resolved alert nobody acknowledged is still unacknowledged). Time-range
//! queries (any Rust range of `created_at`: `a..b`, `a..`, `..`) list oldest first; the open lists
//! ([`AlertStore::unacknowledged`], [`AlertStore::unresolved`]) list newest first.
//!
//! Tables:
//! - `alerts`: alert_id -> JSON of the [`AlertRecord`] (so `get` is one B-tree lookup)
//! - `alerts_by_time`: (created_at, alert_id) -> ()
//! - `alerts_by_severity`: (severity, created_at, alert_id) -> ()
//! - `alerts_by_entity`: (entity_id, created_at, alert_id) -> () for alerts with an entity
//! - `alerts_by_source`: (source, created_at, alert_id) -> ()
//! - `alerts_unacknowledged`, `alerts_unresolved`: (created_at, alert_id) -> severity
//! - meta `alerts.count.<severity>`: number of stored alerts of that severity

use crate::error::{Result, StorageError};
use crate::limits::check_id;
use crate::limits::encode_row;
use crate::page::Page;
use crate::range::TimeRange;
use crate::storage::backend::{Direction, KeyRange, Scan, WriteBatch};
use crate::storage::engine::{Engine, META};
use crate::storage::indexed_records::{self as records, id_after_time, row_key, stage_delete, stage_put, time_range, IndexedRecord};
use crate::storage::key::KeyBuilder;
use serde::{Deserialize, Serialize};
use std::ops::RangeBounds;
use std::sync::Arc;

const ALERTS: &str = "alerts";
const BY_TIME: &str = "alerts_by_time";
const BY_SEVERITY: &str = "alerts_by_severity";
const BY_ENTITY: &str = "alerts_by_entity";
const BY_SOURCE: &str = "alerts_by_source";
const UNACKNOWLEDGED: &str = "alerts_unacknowledged";
const UNRESOLVED: &str = "alerts_unresolved";

/// A system alert (seed section 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRecord {
    /// Unique id.
    pub alert_id: String,
    /// Short title.
    pub title: String,
    /// Severity.
    pub severity: AlertSeverity,
    /// Full message (`""` when omitted in JSON).
    #[serde(default)]
    pub message: String,
    /// The entity it concerns (device id, rule id, ...).
    pub entity_id: Option<String>,
    /// Kind of that entity (`device`, `rule`, ...).
    pub entity_type: Option<String>,
    /// When it was raised (Unix ms).
    pub created_at: i64,
    /// Whether someone acknowledged it (`false` when omitted in JSON).
    #[serde(default)]
    pub acknowledged: bool,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// When it was acknowledged.
    pub acknowledged_at: Option<i64>,
    /// When it was resolved; `None` while open.
    pub resolved_at: Option<i64>,
    /// What raised it: `rule`, `llm`, `workflow`, `manual`, ...
    pub source: String,
}

impl AlertRecord {
    /// An open, unacknowledged alert without an entity.
    pub fn new(alert_id: &str, title: &str, severity: AlertSeverity, message: &str, source: &str, created_at: i64) -> Self {
        AlertRecord {
            alert_id: alert_id.into(),
            title: title.into(),
            severity,
            message: message.into(),
            entity_id: None,
            entity_type: None,
            created_at,
            acknowledged: false,
            acknowledged_by: None,
            acknowledged_at: None,
            resolved_at: None,
            source: source.into(),
        }
    }

    /// The same alert, concerning `entity_id` of kind `entity_type`.
    pub fn for_entity(mut self, entity_id: &str, entity_type: &str) -> Self {
        self.entity_id = Some(entity_id.into());
        self.entity_type = Some(entity_type.into());
        self
    }
}

/// Alert severity, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertSeverity {
    /// Informational.
    Info,
    /// Needs attention.
    Warning,
    /// Something failed.
    Error,
    /// Needs immediate action.
    Critical,
}

impl AlertSeverity {
    /// Every severity, least severe first.
    pub const ALL: [AlertSeverity; 4] = [AlertSeverity::Info, AlertSeverity::Warning, AlertSeverity::Error, AlertSeverity::Critical];

    /// Stable index code of the severity.
    fn code(self) -> u8 {
        match self {
            AlertSeverity::Info => 0,
            AlertSeverity::Warning => 1,
            AlertSeverity::Error => 2,
            AlertSeverity::Critical => 3,
        }
    }

    fn from_code(code: u8) -> Result<Self> {
        AlertSeverity::ALL.get(code as usize).copied().ok_or_else(|| StorageError::Corrupted(format!("unknown alert severity code {code}")))
    }

    fn counter_key(self) -> &'static [u8] {
        match self {
            AlertSeverity::Info => b"alerts.count.info",
            AlertSeverity::Warning => b"alerts.count.warning",
            AlertSeverity::Error => b"alerts.count.error",
            AlertSeverity::Critical => b"alerts.count.critical",
        }
    }
}

crate::names::text_enum!(AlertSeverity, "severity", [Info, Warning, Error, Critical]);

/// Number of alerts of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// `Info` alerts.
    pub info: u64,
    /// `Warning` alerts.
    pub warning: u64,
    /// `Error` alerts.
    pub error: u64,
    /// `Critical` alerts.
    pub critical: u64,
}

impl SeverityCounts {
    /// The count of one severity.
    pub fn get(&self, severity: AlertSeverity) -> u64 {
        match severity {
            AlertSeverity::Info => self.info,
            AlertSeverity::Warning => self.warning,
            AlertSeverity::Error => self.error,
            AlertSeverity::Critical => self.critical,
        }
    }

    fn slot(&mut self, severity: AlertSeverity) -> &mut u64 {
        match severity {
            AlertSeverity::Info => &mut self.info,
            AlertSeverity::Warning => &mut self.warning,
            AlertSeverity::Error => &mut self.error,
            AlertSeverity::Critical => &mut self.critical,
        }
    }

    /// The sum over every severity.
    pub fn total(&self) -> u64 {
        self.info + self.warning + self.error + self.critical
    }
}

impl IndexedRecord for AlertRecord {
    const TABLE: &'static str = ALERTS;
    const KIND: &'static str = "alert";
    const ID_FIELD: &'static str = "alert_id";

    fn id(&self) -> &str {
        &self.alert_id
    }

    fn validate(&self) -> Result<Vec<u8>> {
        check_id("alert_id", &self.alert_id)?;
        check_id("source", &self.source)?;
        if let Some(e) = &self.entity_id {
            check_id("entity_id", e)?;
        }
        if let Some(t) = &self.entity_type {
            check_id("entity_type", t)?;
        }
        if let Some(by) = &self.acknowledged_by {
            check_id("acknowledged_by", by)?;
        }
        if self.acknowledged != self.acknowledged_at.is_some() {
            return Err(StorageError::invalid("acknowledged_at", "must be set exactly when acknowledged is true"));
        }
        if !self.acknowledged && self.acknowledged_by.is_some() {
            return Err(StorageError::invalid("acknowledged_by", "must be None while the alert is not acknowledged"));
        }
        encode_row(self)
    }

    fn index_entries(&self) -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
        let (at, id) = (self.created_at, self.alert_id.as_str());
        let time_key = || KeyBuilder::new().i64(at).str(id).finish();
        let named_key = |name: &str| KeyBuilder::new().str(name).i64(at).str(id).finish();
        let severity = self.severity.code();
        let mut entries = vec![
            (BY_TIME, time_key(), Vec::new()),
            (BY_SEVERITY, KeyBuilder::new().u8(severity).i64(at).str(id).finish(), Vec::new()),
            (BY_SOURCE, named_key(&self.source), Vec::new()),
        ];
        if let Some(e) = &self.entity_id {
            entries.push((BY_ENTITY, named_key(e), Vec::new()));
        }
        if !self.acknowledged {
            entries.push((UNACKNOWLEDGED, time_key(), vec![severity]));
        }
        if self.resolved_at.is_none() {
            entries.push((UNRESOLVED, time_key(), vec![severity]));
        }
        entries
    }
}

/// Store of alerts. Cheap to clone; obtain it from `StorageManager::alerts()`.
#[derive(Clone)]
pub struct AlertStore {
    engine: Arc<Engine>,
}

impl AlertStore {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        AlertStore { engine }
    }

    /// Stores a new alert. A stored `alert_id` fails with `Conflict`. An alert may be created
    /// already acknowledged or resolved (an import), provided `acknowledged`,
    /// `acknowledged_at` and `acknowledged_by` agree (`InvalidInput` otherwise).
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, AlertRecord, AlertSeverity};
    /// let db = StorageManager::in_memory().unwrap();
    /// let alerts = db.alerts();
    /// alerts.create(&AlertRecord::new("a1", "Overheat", AlertSeverity::Critical, "pump-7 at 95 °C", "rule", 1_000)
    ///     .for_entity("pump-7", "device")).unwrap();
    /// alerts.acknowledge("a1", "operator-3", 1_200).unwrap();
    /// assert!(alerts.unacknowledged(None).unwrap().is_empty());
    /// assert_eq!(alerts.unresolved(None).unwrap().len(), 1);
    /// assert_eq!(alerts.count_by_severity().unwrap().critical, 1);
    /// ```
    pub fn create(&self, alert: &AlertRecord) -> Result<()> {
        let row = alert.validate()?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        if view.get(ALERTS, &row_key(&alert.alert_id))?.is_some() {
            return Err(StorageError::Conflict(format!("alert {:?} already exists", alert.alert_id)));
        }
        let mut batch = WriteBatch::new();
        stage_put(&mut batch, alert, row);
        let key = alert.severity.counter_key();
        let count = Engine::meta_u64(&*view, key)? + 1;
        batch.put(META, key.to_vec(), count.to_le_bytes().to_vec());
        self.engine.commit(&batch)
    }

    /// The alert with this id (one lookup in the `alerts` table).
    pub fn get(&self, alert_id: &str) -> Result<Option<AlertRecord>> {
        records::get(&self.engine, alert_id)
    }

    /// Applies `change` to a stored alert and stores the result with its indexes, in one
    /// transaction. Unknown ids fail with `NotFound`.
    fn modify(&self, alert_id: &str, change: impl FnOnce(&mut AlertRecord) -> Result<()>) -> Result<AlertRecord> {
        records::modify(&self.engine, alert_id, change)
    }

    /// Removes the alert with this id and its index entries, and counts it out of
    /// [`count_by_severity`](Self::count_by_severity), in one transaction. Returns whether it
    /// was stored (deleting an unknown id changes nothing, as SQL's `DELETE` does).
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, AlertRecord, AlertSeverity};
    /// let db = StorageManager::in_memory().unwrap();
    /// db.alerts().create(&AlertRecord::new("a1", "Overheat", AlertSeverity::Warning, "", "rule", 1)).unwrap();
    /// assert!(db.alerts().delete("a1").unwrap());
    /// assert!(!db.alerts().delete("a1").unwrap());
    /// assert_eq!(db.alerts().count_by_severity().unwrap().total(), 0);
    /// ```
    pub fn delete(&self, alert_id: &str) -> Result<bool> {
        check_id("alert_id", alert_id)?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let Some(alert) = records::load::<AlertRecord>(&*view, alert_id)? else { return Ok(false) };
        let mut batch = WriteBatch::new();
        stage_delete(&mut batch, &alert);
        let key = alert.severity.counter_key();
        let left = Engine::meta_u64(&*view, key)?.saturating_sub(1);
        batch.put(META, key.to_vec(), left.to_le_bytes().to_vec());
        self.engine.commit(&batch)?;
        Ok(true)
    }

    /// Marks an alert acknowledged by `by` at `at`; returns the stored alert. Unknown ids fail
    /// with `NotFound`; an alert already acknowledged fails with `Conflict` and keeps its first
    /// acknowledgement.
    pub fn acknowledge(&self, alert_id: &str, by: &str, at: i64) -> Result<AlertRecord> {
        check_id("acknowledged_by", by)?;
        self.modify(alert_id, |a| {
            if a.acknowledged {
                let by = a.acknowledged_by.as_deref().unwrap_or("someone");
                let at = a.acknowledged_at.map_or_else(|| "an unknown time".to_string(), |t| t.to_string());
                return Err(StorageError::Conflict(format!("alert {alert_id} was already acknowledged by {by} at {at}")));
            }
            a.acknowledged = true;
            a.acknowledged_by = Some(by.into());
            a.acknowledged_at = Some(at);
            Ok(())
        })
    }

    /// Marks an alert resolved at `at`; returns the stored alert. Unknown ids fail with
    /// `NotFound`; an alert already resolved fails with `Conflict`.
    pub fn resolve(&self, alert_id: &str, at: i64) -> Result<AlertRecord> {
        self.modify(alert_id, |a| {
            if let Some(t) = a.resolved_at {
                return Err(StorageError::Conflict(format!("alert {alert_id:?} was already resolved at {t}")));
            }
            a.resolved_at = Some(at);
            Ok(())
        })
    }

    /// Loads the alerts named by the index entries of `range`; keys are `skip` prefix bytes,
    /// then (created_at, alert_id).
    fn collect(&self, table: &str, range: &KeyRange, skip: usize, dir: Direction, page: Page) -> Result<Vec<AlertRecord>> {
        records::collect(&self.engine, table, range, dir, page, |k| id_after_time(k, skip))
    }

    /// Alerts with `created_at` in `range`, oldest first.
    pub fn query_range(&self, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<AlertRecord>> {
        let range = TimeRange::new(range)?;
        self.collect(BY_TIME, &time_range(KeyBuilder::new(), range), 0, Direction::Forward, page.into())
    }

    /// [`query_range`](Self::query_range) with each alert handed to `visit` as its stored
    /// JSON text (the JSON form of [`AlertRecord`], every field present), nothing decoded:
    /// the bulk read of bindings that parse JSON natively.
    ///
    /// ```
    /// use neotalk_storage::{AlertRecord, AlertSeverity, StorageManager};
    /// let db = StorageManager::in_memory().unwrap();
    /// db.alerts().create(&AlertRecord::new("a1", "too hot", AlertSeverity::Warning, "31.5 C", "rules", 5)).unwrap();
    /// let mut texts = Vec::new();
    /// db.alerts().query_range_text(0..10, None, |json| {
    ///     texts.push(json.to_string());
    ///     Ok(())
    /// }).unwrap();
    /// let back: AlertRecord = serde_json::from_str(&texts[0]).unwrap();
    /// assert_eq!(back, db.alerts().get("a1").unwrap().unwrap());
    /// ```
    pub fn query_range_text(
        &self,
        range: impl RangeBounds<i64>,
        page: impl Into<Page>,
        mut visit: impl FnMut(&str) -> Result<()>,
    ) -> Result<()> {
        let range = time_range(KeyBuilder::new(), TimeRange::new(range)?);
        records::each_row::<AlertRecord>(
            &self.engine,
            BY_TIME,
            &range,
            Direction::Forward,
            page.into(),
            |k| id_after_time(k, 0),
            |row| visit(std::str::from_utf8(row).map_err(|_| StorageError::Corrupted("stored alert is not UTF-8".into()))?),
        )
    }

    /// Alerts of one severity with `created_at` in `range`, oldest first.
    pub fn query_by_severity(
        &self,
        severity: AlertSeverity,
        range: impl RangeBounds<i64>,
        page: impl Into<Page>,
    ) -> Result<Vec<AlertRecord>> {
        let range = TimeRange::new(range)?;
        let range = time_range(KeyBuilder::new().u8(severity.code()), range);
        self.collect(BY_SEVERITY, &range, 1, Direction::Forward, page.into())
    }

    /// Alerts about one entity with `created_at` in `range`, oldest first.
    pub fn query_by_entity(&self, entity_id: &str, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<AlertRecord>> {
        check_id("entity_id", entity_id)?;
        let range = TimeRange::new(range)?;
        let prefix = KeyBuilder::new().str(entity_id);
        let skip = prefix.clone().finish().len();
        self.collect(BY_ENTITY, &time_range(prefix, range), skip, Direction::Forward, page.into())
    }

    /// Alerts from one source with `created_at` in `range`, oldest first.
    pub fn query_by_source(&self, source: &str, range: impl RangeBounds<i64>, page: impl Into<Page>) -> Result<Vec<AlertRecord>> {
        check_id("source", source)?;
        let range = TimeRange::new(range)?;
        let prefix = KeyBuilder::new().str(source);
        let skip = prefix.clone().finish().len();
        self.collect(BY_SOURCE, &time_range(prefix, range), skip, Direction::Forward, page.into())
    }

    /// Alerts nobody acknowledged yet (resolved or not), newest first.
    pub fn unacknowledged(&self, page: impl Into<Page>) -> Result<Vec<AlertRecord>> {
        self.collect(UNACKNOWLEDGED, &KeyRange::all(), 0, Direction::Reverse, page.into())
    }

    /// Alerts not resolved yet (acknowledged or not), newest first.
    pub fn unresolved(&self, page: impl Into<Page>) -> Result<Vec<AlertRecord>> {
        self.collect(UNRESOLVED, &KeyRange::all(), 0, Direction::Reverse, page.into())
    }

    /// Number of stored alerts of each severity (kept as counters: no scan).
    pub fn count_by_severity(&self) -> Result<SeverityCounts> {
        let view = self.engine.read()?;
        let mut counts = SeverityCounts::default();
        for s in AlertSeverity::ALL {
            *counts.slot(s) = Engine::meta_u64(&*view, s.counter_key())?;
        }
        Ok(counts)
    }

    /// Number of unresolved alerts of each severity (a scan of the unresolved index only).
    pub fn count_unresolved_by_severity(&self) -> Result<SeverityCounts> {
        let view = self.engine.read()?;
        let mut counts = SeverityCounts::default();
        view.scan(UNRESOLVED, &KeyRange::all(), Direction::Forward, &mut |_, v| {
            let code = *v.first().ok_or_else(|| StorageError::Corrupted("unresolved index entry without severity".into()))?;
            *counts.slot(AlertSeverity::from_code(code)?) += 1;
            Ok(Scan::Continue)
        })?;
        Ok(counts)
    }

    /// Removes every alert with `created_at < before_ms`, resolved or not (retention bounds
    /// how long any alert is kept); an alert created at `before_ms` or later stays. Works in
    /// transactions of at most [`CLEANUP_BATCH`](crate::limits::CLEANUP_BATCH) alerts; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        records::in_batches(
            &self.engine,
            BY_TIME,
            &records::before(before_ms),
            |removed: &mut SeverityCounts, view, k, _, batch| {
                let a: AlertRecord = records::load_indexed(view, BY_TIME, &id_after_time(k, 0)?)?;
                stage_delete(batch, &a);
                *removed.slot(a.severity) += 1;
                Ok(())
            },
            |removed, view, batch| {
                for s in AlertSeverity::ALL.into_iter().filter(|s| removed.get(*s) > 0) {
                    let left = Engine::meta_u64(view, s.counter_key())?.saturating_sub(removed.get(s));
                    batch.put(META, s.counter_key().to_vec(), left.to_le_bytes().to_vec());
                }
                Ok(())
            },
        )
    }
}

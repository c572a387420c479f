//! The tables a sink writes, one per feed, defined once: the PostgreSQL sink creates them
//! from these columns and the Parquet sink writes files with the same columns, so a query
//! reads the same names and values from either.

use neotalk_storage::feed::{AlertBatch, EventBatch, Feed, RecordBatch, TelemetryBatch};
use neotalk_storage::MetricValue;

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UTF-8 text.
    Text,
    /// 64-bit integer.
    Int,
    /// Unix ms, as a timestamp (PostgreSQL `timestamptz`, Parquet `TIMESTAMP(MILLIS, UTC)`).
    Time,
    /// 64-bit float.
    Float,
    /// Boolean.
    Bool,
    /// Bytes.
    Bytes,
    /// A JSON document (PostgreSQL `jsonb`, Parquet text).
    Json,
}

/// One column of a feed's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Never null.
    pub required: bool,
}

const fn col(name: &'static str, kind: Kind, required: bool) -> ColumnDef {
    ColumnDef { name, kind, required }
}

/// A feed's table: name, columns (after `gateway_id`, which every table starts with) and
/// the columns of its key (after `gateway_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    /// Table name (also the Parquet partition `feed=` value's table).
    pub name: &'static str,
    /// Columns in order.
    pub columns: &'static [ColumnDef],
    /// Key columns, with `gateway_id` first.
    pub key: &'static [&'static str],
    /// Whether a redelivered row replaces the stored one (telemetry: a point overwritten
    /// on the gateway), or is the same row (events, alert changes: never rewritten).
    pub replaces: bool,
}

/// `ts` is null for times PostgreSQL cannot hold (before 4713 BC or after 294276 AD);
/// `ts_ms` always holds the exact value and is the key.
pub const TELEMETRY: TableDef = TableDef {
    name: "nts_telemetry",
    columns: &[
        col("device_id", Kind::Text, true),
        col("metric", Kind::Text, true),
        col("ts_ms", Kind::Int, true),
        col("ts", Kind::Time, false),
        col("value_float", Kind::Float, false),
        col("value_int", Kind::Int, false),
        col("value_bool", Kind::Bool, false),
        col("value_text", Kind::Text, false),
        col("value_bytes", Kind::Bytes, false),
    ],
    key: &["gateway_id", "device_id", "metric", "ts_ms"],
    replaces: true,
};

/// The event log.
pub const EVENTS: TableDef = TableDef {
    name: "nts_events",
    columns: &[
        col("sequence", Kind::Int, true),
        col("event_id", Kind::Text, true),
        col("event_type", Kind::Text, true),
        col("source", Kind::Text, true),
        col("ts", Kind::Time, false),
        col("ts_ms", Kind::Int, true),
        col("event_data", Kind::Json, true),
        col("correlation_id", Kind::Text, false),
        col("causation_id", Kind::Text, false),
    ],
    key: &["gateway_id", "sequence"],
    replaces: false,
};

/// Alerts: one row per state (creation, acknowledgement, resolution).
pub const ALERT_CHANGES: TableDef = TableDef {
    name: "nts_alert_changes",
    columns: &[
        col("change", Kind::Int, true),
        col("changed_at", Kind::Time, false),
        col("alert_id", Kind::Text, true),
        col("title", Kind::Text, true),
        col("severity", Kind::Text, true),
        col("message", Kind::Text, true),
        col("source", Kind::Text, true),
        col("created_at", Kind::Time, false),
        col("entity_id", Kind::Text, false),
        col("entity_type", Kind::Text, false),
        col("acknowledged", Kind::Bool, true),
        col("acknowledged_by", Kind::Text, false),
        col("acknowledged_at", Kind::Time, false),
        col("resolved_at", Kind::Time, false),
    ],
    key: &["gateway_id", "change"],
    replaces: false,
};

/// The columns of a record feed's table: the change, its time, the record's id and the
/// whole record as JSON.
macro_rules! record_table {
    ($name:literal, $id:literal) => {
        TableDef {
            name: $name,
            columns: &[
                col("change", Kind::Int, true),
                col("changed_at", Kind::Time, false),
                col($id, Kind::Text, true),
                col("record", Kind::Json, true),
            ],
            key: &["gateway_id", "change"],
            replaces: false,
        }
    };
}

/// LLM decisions: one row per state.
pub const DECISIONS: TableDef = record_table!("nts_decisions", "decision_id");
/// Rule executions: one row per stored state.
pub const RULE_EXECUTIONS: TableDef = record_table!("nts_rule_executions", "execution_id");
/// Workflow executions: one row per stored state (start, steps, end).
pub const WORKFLOW_EXECUTIONS: TableDef = record_table!("nts_workflow_executions", "execution_id");

/// The table of `feed`.
pub fn table_of(feed: Feed) -> &'static TableDef {
    match feed {
        Feed::Telemetry => &TELEMETRY,
        Feed::Events => &EVENTS,
        Feed::Alerts => &ALERT_CHANGES,
        Feed::Decisions => &DECISIONS,
        Feed::RuleExecutions => &RULE_EXECUTIONS,
        Feed::WorkflowExecutions => &WORKFLOW_EXECUTIONS,
    }
}

/// Values of one column, one per row.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Text.
    Text(Vec<Option<String>>),
    /// Integers, and times as Unix ms.
    Int(Vec<Option<i64>>),
    /// Floats.
    Float(Vec<Option<f64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Bytes.
    Bytes(Vec<Option<Vec<u8>>>),
    /// JSON documents.
    Json(Vec<serde_json::Value>),
}

/// Rows of one feed as columns in the order of its [`TableDef`], and the Unix ms of each
/// row's Parquet date partition.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// The table.
    pub table: &'static TableDef,
    /// One entry per column.
    pub columns: Vec<Values>,
    /// Per row, the time that picks its date partition.
    pub partition_ms: Vec<i64>,
}

impl Rows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.partition_ms.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.partition_ms.is_empty()
    }

    /// The rows at `indexes`, in that order.
    pub fn select(&self, indexes: &[usize]) -> Rows {
        fn pick<T: Clone>(v: &[T], ix: &[usize]) -> Vec<T> {
            ix.iter().map(|&i| v[i].clone()).collect()
        }
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Values::Text(v) => Values::Text(pick(v, indexes)),
                Values::Int(v) => Values::Int(pick(v, indexes)),
                Values::Float(v) => Values::Float(pick(v, indexes)),
                Values::Bool(v) => Values::Bool(pick(v, indexes)),
                Values::Bytes(v) => Values::Bytes(pick(v, indexes)),
                Values::Json(v) => Values::Json(pick(v, indexes)),
            })
            .collect();
        Rows { table: self.table, columns, partition_ms: pick(&self.partition_ms, indexes) }
    }
}

/// Unix ms PostgreSQL's `timestamptz` holds: 4713 BC to 294276 AD.
pub const PG_TIME_RANGE: std::ops::Range<i64> = -210_866_803_200_000..9_224_318_016_000_000;

fn time(ms: i64) -> Option<i64> {
    PG_TIME_RANGE.contains(&ms).then_some(ms)
}

/// Telemetry as rows: one per point.
pub fn telemetry_rows(batch: &TelemetryBatch) -> Rows {
    let n: usize = batch.series.iter().map(|s| s.points.len()).sum();
    let (mut device, mut metric, mut ts_ms, mut ts) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut f, mut i, mut b, mut t, mut bytes) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for s in &batch.series {
        for p in &s.points {
            device.push(Some(s.device_id.clone()));
            metric.push(Some(s.metric.clone()));
            ts_ms.push(Some(p.timestamp));
            ts.push(time(p.timestamp));
            f.push(if let MetricValue::Float(v) = p.value { Some(v) } else { None });
            i.push(if let MetricValue::Integer(v) = p.value { Some(v) } else { None });
            b.push(if let MetricValue::Boolean(v) = p.value { Some(v) } else { None });
            t.push(if let MetricValue::String(v) = &p.value { Some(v.clone()) } else { None });
            bytes.push(if let MetricValue::Binary(v) = &p.value { Some(v.clone()) } else { None });
        }
    }
    let partition_ms = ts_ms.iter().map(|t| t.unwrap_or(0)).collect();
    let columns = vec![
        Values::Text(device),
        Values::Text(metric),
        Values::Int(ts_ms),
        Values::Int(ts),
        Values::Float(f),
        Values::Int(i),
        Values::Bool(b),
        Values::Text(t),
        Values::Bytes(bytes),
    ];
    Rows { table: &TELEMETRY, columns, partition_ms }
}

/// Events as rows: one per event.
pub fn event_rows(batch: &EventBatch) -> Rows {
    let e = &batch.events;
    let text = |f: &dyn Fn(&neotalk_storage::EventLogEntry) -> Option<String>| Values::Text(e.iter().map(f).collect());
    let columns = vec![
        Values::Int(e.iter().map(|e| Some(e.sequence as i64)).collect()),
        text(&|e| Some(e.event_id.clone())),
        text(&|e| Some(e.event_type.clone())),
        text(&|e| Some(e.metadata.source.clone())),
        Values::Int(e.iter().map(|e| time(e.metadata.timestamp)).collect()),
        Values::Int(e.iter().map(|e| Some(e.metadata.timestamp)).collect()),
        Values::Json(e.iter().map(|e| e.event_data.clone()).collect()),
        text(&|e| e.metadata.correlation_id.clone()),
        text(&|e| e.metadata.causation_id.clone()),
    ];
    Rows { table: &EVENTS, columns, partition_ms: e.iter().map(|e| e.metadata.timestamp).collect() }
}

/// Alert changes as rows: one per change.
pub fn alert_rows(batch: &AlertBatch) -> Rows {
    let c = &batch.changes;
    let text = |f: &dyn Fn(&neotalk_storage::AlertRecord) -> Option<String>| Values::Text(c.iter().map(|c| f(&c.alert)).collect());
    let at = |f: &dyn Fn(&neotalk_storage::AlertRecord) -> Option<i64>| Values::Int(c.iter().map(|c| f(&c.alert).and_then(time)).collect());
    let columns = vec![
        Values::Int(c.iter().map(|c| Some(c.change as i64)).collect()),
        Values::Int(c.iter().map(|c| time(c.changed_at)).collect()),
        text(&|a| Some(a.alert_id.clone())),
        text(&|a| Some(a.title.clone())),
        text(&|a| Some(a.severity.to_string())),
        text(&|a| Some(a.message.clone())),
        text(&|a| Some(a.source.clone())),
        at(&|a| Some(a.created_at)),
        text(&|a| a.entity_id.clone()),
        text(&|a| a.entity_type.clone()),
        Values::Bool(c.iter().map(|c| Some(c.alert.acknowledged)).collect()),
        text(&|a| a.acknowledged_by.clone()),
        at(&|a| a.acknowledged_at),
        at(&|a| a.resolved_at),
    ];
    Rows { table: &ALERT_CHANGES, columns, partition_ms: c.iter().map(|c| c.changed_at).collect() }
}

/// Decision or execution changes as rows of their feed's table.
pub fn record_rows(batch: &RecordBatch) -> Rows {
    let c = &batch.changes;
    let columns = vec![
        Values::Int(c.iter().map(|c| Some(c.change as i64)).collect()),
        Values::Int(c.iter().map(|c| time(c.changed_at)).collect()),
        Values::Text(c.iter().map(|c| Some(c.id.clone())).collect()),
        Values::Json(c.iter().map(|c| c.record.clone()).collect()),
    ];
    Rows { table: table_of(batch.feed), columns, partition_ms: c.iter().map(|c| c.changed_at).collect() }
}

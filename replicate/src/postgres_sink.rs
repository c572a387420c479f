//! The PostgreSQL sink: one table per feed, created if missing. A batch is loaded with
//! binary `COPY` straight into the table; when a row is already there (a redelivery after
//! a crash, a point overwritten on the gateway), that COPY fails as a whole and the batch
//! is loaded into a temporary staging table and moved with `INSERT ... ON CONFLICT` on the
//! table's key, in one transaction. A batch delivered again therefore changes nothing more,
//! and an overwritten point replaces its row.
//!
//! The tables are plain, so they work unchanged as a TimescaleDB hypertable
//! (`SELECT create_hypertable('nts_telemetry', by_range('ts_ms', 86400000));`) or a Citus
//! distributed table (`SELECT create_distributed_table('nts_telemetry', 'gateway_id');`):
//! both partition columns are in every key.

use crate::table::{Kind, Rows, TableDef, Values};
use crate::{ReplicationError, Result, Sink};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Writes feeds into a PostgreSQL database.
pub struct PostgresSink {
    client: Client,
    ready: HashSet<&'static str>,
    /// Per table, batches still to load through the staging table after a conflict.
    staged_left: HashMap<&'static str, u32>,
}

fn sink_error(e: postgres::Error) -> ReplicationError {
    let message = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    };
    ReplicationError::Sink { sink: "postgres".into(), message }
}

fn sql_type(kind: Kind) -> (&'static str, Type) {
    match kind {
        Kind::Text => ("text", Type::TEXT),
        Kind::Int => ("bigint", Type::INT8),
        Kind::Time => ("timestamptz", Type::TIMESTAMPTZ),
        Kind::Float => ("double precision", Type::FLOAT8),
        Kind::Bool => ("boolean", Type::BOOL),
        Kind::Bytes => ("bytea", Type::BYTEA),
        Kind::Json => ("jsonb", Type::JSONB),
    }
}

/// `CREATE TABLE IF NOT EXISTS` of `t`.
pub fn create_table_sql(t: &TableDef) -> String {
    let mut cols = vec!["gateway_id text NOT NULL".to_string()];
    for c in t.columns {
        cols.push(format!("{} {}{}", c.name, sql_type(c.kind).0, if c.required { " NOT NULL" } else { "" }));
    }
    format!("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))", t.name, cols.join(", "), t.key.join(", "))
}

fn system_time(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    }
}

/// A column ready for `COPY`: times converted once per batch.
enum Copied<'a> {
    Text(&'a [Option<String>]),
    Int(&'a [Option<i64>]),
    Time(Vec<Option<SystemTime>>),
    Float(&'a [Option<f64>]),
    Bool(&'a [Option<bool>]),
    Bytes(&'a [Option<Vec<u8>>]),
    Json(&'a [serde_json::Value]),
}

impl Copied<'_> {
    fn value(&self, i: usize) -> &(dyn ToSql + Sync) {
        match self {
            Copied::Text(v) => &v[i],
            Copied::Int(v) => &v[i],
            Copied::Time(v) => &v[i],
            Copied::Float(v) => &v[i],
            Copied::Bool(v) => &v[i],
            Copied::Bytes(v) => &v[i],
            Copied::Json(v) => &v[i],
        }
    }
}

impl PostgresSink {
    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST:PORT/DB`, no TLS).
    pub fn connect(url: &str) -> Result<Self> {
        Ok(PostgresSink { client: Client::connect(url, NoTls).map_err(sink_error)?, ready: HashSet::new(), staged_left: HashMap::new() })
    }

    fn ensure_table(&mut self, t: &'static TableDef) -> Result<()> {
        if self.ready.insert(t.name) {
            if let Err(e) = self.client.batch_execute(&create_table_sql(t)) {
                self.ready.remove(t.name);
                return Err(sink_error(e));
            }
        }
        Ok(())
    }
}

/// After a batch collided with stored rows, this many batches of that table take the
/// staged upsert straight away (a gateway rewriting points would otherwise pay for a failed
/// COPY on every batch).
const STAGED_AFTER_CONFLICT: u32 = 16;

/// Writes `rows` of `gateway_id` with binary COPY into `table` (a column list `names` of
/// `types`), inside `tx`.
fn copy_rows(
    tx: &mut postgres::Transaction<'_>,
    table: &str,
    names: &[&str],
    types: &[Type],
    gateway_id: &str,
    columns: &[Copied],
    n: usize,
) -> std::result::Result<(), postgres::Error> {
    let copy = tx.copy_in(&format!("COPY {table} ({}) FROM STDIN (FORMAT binary)", names.join(", ")))?;
    let mut writer = BinaryCopyInWriter::new(copy, types);
    let mut row: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(names.len());
    for i in 0..n {
        row.clear();
        row.push(&gateway_id);
        row.extend(columns.iter().map(|c| c.value(i)));
        writer.write(&row)?;
    }
    writer.finish()?;
    Ok(())
}

impl Sink for PostgresSink {
    fn write(&mut self, gateway_id: &str, _batch_name: &str, rows: &Rows) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let t = rows.table;
        self.ensure_table(t)?;
        let names: Vec<&str> = std::iter::once("gateway_id").chain(t.columns.iter().map(|c| c.name)).collect();
        let types: Vec<Type> = std::iter::once(Type::TEXT).chain(t.columns.iter().map(|c| sql_type(c.kind).1)).collect();
        let columns: Vec<Copied> = rows
            .columns
            .iter()
            .zip(t.columns)
            .map(|(v, def)| match (v, def.kind) {
                (Values::Int(v), Kind::Time) => Copied::Time(v.iter().map(|t| t.map(system_time)).collect()),
                (Values::Text(v), _) => Copied::Text(v),
                (Values::Int(v), _) => Copied::Int(v),
                (Values::Float(v), _) => Copied::Float(v),
                (Values::Bool(v), _) => Copied::Bool(v),
                (Values::Bytes(v), _) => Copied::Bytes(v),
                (Values::Json(v), _) => Copied::Json(v),
            })
            .collect();
        // Most batches hold rows the table has never seen: COPY them straight in. A row
        // already there (a redelivery after a crash, an overwritten point) fails the COPY
        // with a unique violation, which rolls back everything, and the batch goes through
        // the staging table and the upsert instead.
        let staged_left = self.staged_left.entry(t.name).or_insert(0);
        if *staged_left == 0 {
            let mut tx = self.client.transaction().map_err(sink_error)?;
            match copy_rows(&mut tx, t.name, &names, &types, gateway_id, &columns, rows.len()) {
                Ok(()) => return tx.commit().map_err(sink_error),
                Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                    *self.staged_left.get_mut(t.name).expect("inserted above") = STAGED_AFTER_CONFLICT;
                }
                Err(e) => return Err(sink_error(e)),
            }
        } else {
            *staged_left -= 1;
        }
        let stage = format!("nts_stage_{}", t.name);
        let mut tx = self.client.transaction().map_err(sink_error)?;
        tx.batch_execute(&format!("CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {}) ON COMMIT DELETE ROWS", t.name))
            .map_err(sink_error)?;
        copy_rows(&mut tx, &stage, &names, &types, gateway_id, &columns, rows.len()).map_err(sink_error)?;
        let on_conflict = if t.replaces {
            let keys: HashSet<&str> = t.key.iter().copied().collect();
            let values: Vec<&str> = t.columns.iter().map(|c| c.name).filter(|c| !keys.contains(c)).collect();
            let set: Vec<String> = values.iter().map(|c| format!("{c} = EXCLUDED.{c}")).collect();
            let (stored, incoming): (Vec<String>, Vec<String>) =
                values.iter().map(|c| (format!("{}.{c}", t.name), format!("EXCLUDED.{c}"))).unzip();
            // A row delivered again with the same values is left alone (no new row version).
            format!("DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})", set.join(", "), stored.join(", "), incoming.join(", "))
        } else {
            "DO NOTHING".to_string()
        };
        let cols = names.join(", ");
        tx.batch_execute(&format!(
            "INSERT INTO {} ({cols}) SELECT {cols} FROM {stage} ON CONFLICT ({}) {on_conflict}",
            t.name,
            t.key.join(", ")
        ))
        .map_err(sink_error)?;
        tx.commit().map_err(sink_error)
    }
}

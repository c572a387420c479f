//! The Parquet sink: Hive-partitioned files, `feed=<feed>/gateway=<id>/date=<YYYY-MM-DD>/
//! part-<batch>.parquet`, readable by DuckDB, Spark, Trino and ClickHouse
//! (`read_parquet('DIR/feed=telemetry/**/*.parquet', hive_partitioning = true)`).
//!
//! Each file is written under a hidden temporary name, synced, and renamed into place; the
//! cursor advances only after the rename. A file is named after the cursor its batch was
//! read at, so a batch delivered again after a crash (the same rows, or more when new
//! changes arrived) replaces its own file instead of adding a second copy.

use crate::table::{Kind, Rows, TableDef, Values};
use crate::{ReplicationError, Result, Sink};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Writes feeds as Parquet files under a directory.
pub struct ParquetSink {
    dir: PathBuf,
}

fn io_error(what: &str, path: &Path, e: impl std::fmt::Display) -> ReplicationError {
    ReplicationError::Sink { sink: "parquet".into(), message: format!("{what} {}: {e}", path.display()) }
}

/// The Parquet schema of `t`.
pub fn message_type(t: &TableDef) -> String {
    let fields: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let repetition = if c.required { "REQUIRED" } else { "OPTIONAL" };
            let ty = match c.kind {
                Kind::Text | Kind::Json => "BYTE_ARRAY {} (STRING)",
                Kind::Int => "INT64 {}",
                Kind::Time => "INT64 {} (TIMESTAMP(MILLIS,true))",
                Kind::Float => "DOUBLE {}",
                Kind::Bool => "BOOLEAN {}",
                Kind::Bytes => "BYTE_ARRAY {}",
            };
            format!("{repetition} {};", ty.replace("{}", c.name))
        })
        .collect();
    format!("message {} {{ {} }}", t.name, fields.join(" "))
}

/// The feed's partition name (`telemetry`, `events`, `alert_changes`).
fn feed_name(t: &TableDef) -> &'static str {
    t.name.trim_start_matches("nts_")
}

/// `YYYY-MM-DD` (UTC) of Unix ms `ms`.
fn date_of(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%d").to_string(),
        Err(_) => "out-of-range".into(),
    }
}

/// Present values and, for an optional column, the definition levels (1 present, 0 null).
fn split<T: Clone>(values: &[Option<T>], required: bool) -> (Vec<T>, Option<Vec<i16>>) {
    let present = values.iter().flatten().cloned().collect();
    let levels = (!required).then(|| values.iter().map(|v| v.is_some() as i16).collect());
    (present, levels)
}

fn write_file(path: &Path, rows: &Rows) -> std::result::Result<(), parquet::errors::ParquetError> {
    let schema = Arc::new(parse_message_type(&message_type(rows.table))?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let file = std::fs::File::create(path)?;
    let mut writer = SerializedFileWriter::new(file, schema, props)?;
    let mut group = writer.next_row_group()?;
    for (values, def) in rows.columns.iter().zip(rows.table.columns) {
        let mut column = group.next_column()?.expect("a column per definition");
        let bytes = |v: &[Option<Vec<u8>>]| v.iter().map(|b| b.as_ref().map(|b| ByteArray::from(b.clone()))).collect::<Vec<_>>();
        let text = |v: &[Option<String>]| v.iter().map(|s| s.as_ref().map(|s| ByteArray::from(s.as_str()))).collect::<Vec<_>>();
        match values {
            Values::Text(v) => {
                let (vals, levels) = split(&text(v), def.required);
                column.typed::<ByteArrayType>().write_batch(&vals, levels.as_deref(), None)?;
            }
            Values::Json(v) => {
                let docs: Vec<Option<String>> = v.iter().map(|d| Some(d.to_string())).collect();
                let (vals, levels) = split(&text(&docs), def.required);
                column.typed::<ByteArrayType>().write_batch(&vals, levels.as_deref(), None)?;
            }
            Values::Bytes(v) => {
                let (vals, levels) = split(&bytes(v), def.required);
                column.typed::<ByteArrayType>().write_batch(&vals, levels.as_deref(), None)?;
            }
            Values::Int(v) => {
                let (vals, levels) = split(v, def.required);
                column.typed::<Int64Type>().write_batch(&vals, levels.as_deref(), None)?;
            }
            Values::Float(v) => {
                let (vals, levels) = split(v, def.required);
                column.typed::<DoubleType>().write_batch(&vals, levels.as_deref(), None)?;
            }
            Values::Bool(v) => {
                let (vals, levels) = split(v, def.required);
                column.typed::<BoolType>().write_batch(&vals, levels.as_deref(), None)?;
            }
        }
        column.close()?;
    }
    group.close()?;
    writer.into_inner()?.sync_all()?;
    Ok(())
}

impl ParquetSink {
    /// Writes under `dir` (created if missing).
    pub fn new(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| io_error("cannot create", dir, e))?;
        Ok(ParquetSink { dir: dir.to_path_buf() })
    }
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    let _ = dir;
    Ok(())
}

impl Sink for ParquetSink {
    fn write(&mut self, gateway_id: &str, batch_name: &str, rows: &Rows) -> Result<()> {
        let mut by_date: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, ms) in rows.partition_ms.iter().enumerate() {
            by_date.entry(date_of(*ms)).or_default().push(i);
        }
        for (date, indexes) in by_date {
            let dir =
                self.dir.join(format!("feed={}", feed_name(rows.table))).join(format!("gateway={gateway_id}")).join(format!("date={date}"));
            std::fs::create_dir_all(&dir).map_err(|e| io_error("cannot create", &dir, e))?;
            let name = format!("part-{batch_name}.parquet");
            let tmp = dir.join(format!(".{name}.tmp"));
            write_file(&tmp, &rows.select(&indexes)).map_err(|e| io_error("cannot write", &tmp, e))?;
            let path = dir.join(&name);
            std::fs::rename(&tmp, &path).map_err(|e| io_error("cannot rename", &path, e))?;
            sync_dir(&dir).map_err(|e| io_error("cannot sync", &dir, e))?;
        }
        Ok(())
    }
}

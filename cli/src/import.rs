//! `neotalk-storage import`: telemetry from the files `export` writes (CSV, JSON lines) and
//! from a wide CSV with one column per metric, streamed in batches.
//!
//! Every row is checked by the core ([`TelemetryPoint::validate`]) before it joins a batch, so
//! one bad row is reported with its line number and skipped instead of refusing its batch.

use crate::time::parse_time;
use indicatif::{ProgressBar, ProgressStyle};
use neotalk_storage::{DataPoint, MetricValue, StorageManager, TelemetryPoint};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Import file layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// `export`'s CSV: a header naming `device_id`, `metric`, `timestamp`, `value` and
    /// optionally `quality`, in any order.
    Csv,
    /// `export`'s JSON lines: one `{device_id, metric, timestamp, value, quality?, metadata?}`
    /// per line.
    Jsonl,
    /// One row per time, one column per metric, for one `--device`.
    Wide,
}

/// Points per write transaction.
const BATCH: usize = 10_000;
/// Rejected rows listed one by one; the rest are only counted.
const LISTED_REJECTIONS: usize = 20;

/// What to import and how.
pub struct ImportArgs<'a> {
    /// The file.
    pub file: &'a Path,
    /// Its layout (default: from the extension, `wide` when `device` is given).
    pub format: Option<ImportFormat>,
    /// The device of a wide CSV.
    pub device: Option<&'a str>,
    /// The time column of a wide CSV.
    pub time_column: &'a str,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportSummary {
    /// Points written (or, on a dry run, that would be).
    pub points: u64,
    /// Distinct (device, metric) series among them.
    pub series: usize,
    /// Rows refused.
    pub rejected: u64,
    /// The first refused rows: (line, reason).
    pub rejections: Vec<(u64, String)>,
}

impl ImportSummary {
    fn reject(&mut self, line: u64, reason: impl Into<String>) {
        self.rejected += 1;
        if self.rejections.len() < LISTED_REJECTIONS {
            self.rejections.push((line, reason.into()));
        }
    }
}

/// Collects checked points and writes them in batches.
struct Sink<'a> {
    /// Where to write; `None` for a dry run.
    db: Option<&'a StorageManager>,
    batch: Vec<TelemetryPoint>,
    /// Metrics seen per device.
    series: HashMap<String, HashSet<String>>,
    summary: ImportSummary,
}

impl Sink<'_> {
    fn push(&mut self, line: u64, point: Result<TelemetryPoint, String>) -> neotalk_storage::Result<()> {
        match point.and_then(|p| p.validate().map(|()| p).map_err(|e| e.to_string())) {
            Ok(p) => {
                if !self.series.get(&p.device_id).is_some_and(|m| m.contains(&p.metric)) {
                    self.series.entry(p.device_id.clone()).or_default().insert(p.metric.clone());
                }
                self.batch.push(p);
                if self.batch.len() >= BATCH {
                    self.flush()?;
                }
            }
            Err(reason) => self.summary.reject(line, reason),
        }
        Ok(())
    }

    fn flush(&mut self) -> neotalk_storage::Result<()> {
        if let Some(db) = self.db.filter(|_| !self.batch.is_empty()) {
            db.timeseries().write_batch(&self.batch)?;
        }
        self.summary.points += self.batch.len() as u64;
        self.batch.clear();
        Ok(())
    }
}

/// Imports `args.file` into `db` (only checks every row when `db` is `None`: a dry run),
/// with a progress bar on stderr.
pub fn run(db: Option<&StorageManager>, args: &ImportArgs<'_>) -> Result<ImportSummary, Box<dyn std::error::Error>> {
    let format = match (args.format, args.device) {
        (Some(f), _) => f,
        (None, Some(_)) => ImportFormat::Wide,
        (None, None) => match args.file.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => ImportFormat::Jsonl,
            Some("csv") => ImportFormat::Csv,
            _ => return Err(format!("cannot tell the format of {}: pass --as csv|jsonl|wide", args.file.display()).into()),
        },
    };
    if (format == ImportFormat::Wide) != args.device.is_some() {
        return Err("--device goes with a wide CSV (--as wide), and a wide CSV needs --device".into());
    }
    let file = File::open(args.file).map_err(|e| format!("cannot open {}: {e}", args.file.display()))?;
    let bar = ProgressBar::new(file.metadata()?.len());
    bar.set_style(ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}").expect("valid template"));
    let input = bar.wrap_read(file);
    let mut sink = Sink { db, batch: Vec::with_capacity(BATCH), series: HashMap::new(), summary: ImportSummary::default() };
    match format {
        ImportFormat::Csv => read_long_csv(input, &mut sink)?,
        ImportFormat::Jsonl => read_jsonl(input, &mut sink)?,
        ImportFormat::Wide => read_wide_csv(input, args.device.unwrap_or_default(), args.time_column, &mut sink)?,
    }
    sink.flush()?;
    bar.finish_and_clear();
    sink.summary.series = sink.series.values().map(HashSet::len).sum();
    Ok(sink.summary)
}

/// A value cell: the JSON `export` writes (`21.5`, `3`, `true`, `"on"`, bytes as
/// `{"base64": "..."}`); else a number in another spelling (`+5`, `.5`); else the text itself
/// (a hand-made `on`). `NaN` and `inf` are refused like every non-finite float.
fn value_of(cell: &str) -> Result<MetricValue, String> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(cell) {
        if v.is_array() || v.is_null() {
            return Err(format!("value {cell:?} is not a number, boolean, string or {{\"base64\": ...}}"));
        }
        return serde_json::from_value(v).map_err(|e| e.to_string());
    }
    match cell.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(MetricValue::Float(f)),
        Ok(_) => Err(format!("value {cell} is not a finite number")),
        Err(_) if cell.is_empty() => Err("value is empty".into()),
        Err(_) => Ok(MetricValue::String(cell.to_string())),
    }
}

fn quality_of(cell: &str) -> Result<Option<f32>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse().map(Some).map_err(|_| format!("quality {cell:?} is not a number"))
}

fn csv_reader(input: impl Read) -> csv::Reader<impl Read> {
    csv::ReaderBuilder::new().flexible(true).from_reader(input)
}

/// Finds a named column of a CSV header.
fn column(header: &csv::StringRecord, name: &str) -> Option<usize> {
    header.iter().position(|h| h.trim() == name)
}

fn read_long_csv(input: impl Read, sink: &mut Sink<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let mut reader = csv_reader(input);
    let header = reader.headers()?.clone();
    let need = |name: &str| {
        column(&header, name)
            .ok_or_else(|| format!("the CSV header has no {name:?} column (found: {})", header.iter().collect::<Vec<_>>().join(",")))
    };
    let (device, metric, timestamp, value) = (need("device_id")?, need("metric")?, need("timestamp")?, need("value")?);
    let quality = column(&header, "quality");
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let cell =
            |i: usize| record.get(i).ok_or_else(|| format!("the row has {} fields; {:?} is column {}", record.len(), &header[i], i + 1));
        let point = (|| {
            let point = DataPoint {
                timestamp: parse_time(cell(timestamp)?)?,
                value: value_of(cell(value)?)?,
                quality: match quality {
                    Some(q) => quality_of(record.get(q).unwrap_or(""))?,
                    None => None,
                },
                metadata: None,
            };
            Ok(TelemetryPoint { device_id: cell(device)?.to_string(), metric: cell(metric)?.to_string(), point })
        })();
        sink.push(line, point)?;
    }
    Ok(())
}

fn read_wide_csv(input: impl Read, device: &str, time_column: &str, sink: &mut Sink<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let mut reader = csv_reader(input);
    let header = reader.headers()?.clone();
    let time =
        column(&header, time_column).ok_or_else(|| format!("the CSV header has no time column {time_column:?} (pass --time-column)"))?;
    let metrics: Vec<(usize, String)> =
        header.iter().enumerate().filter(|(i, _)| *i != time).map(|(i, m)| (i, m.trim().to_string())).collect();
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let timestamp = match parse_time(record.get(time).unwrap_or("")) {
            Ok(t) => t,
            Err(e) => {
                sink.summary.reject(line, e);
                continue;
            }
        };
        // An empty cell is a metric without a sample at that time.
        for (i, metric) in &metrics {
            let cell = record.get(*i).unwrap_or("").trim();
            if !cell.is_empty() {
                let point = value_of(cell).map(|v| TelemetryPoint {
                    device_id: device.to_string(),
                    metric: metric.clone(),
                    point: DataPoint::new(timestamp, v),
                });
                sink.push(line, point.map_err(|e| format!("{metric}: {e}")))?;
            }
        }
    }
    Ok(())
}

/// A line of `export --as jsonl`; the time may also be ISO 8601 text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRow {
    device_id: String,
    metric: String,
    timestamp: serde_json::Value,
    value: MetricValue,
    #[serde(default)]
    quality: Option<f32>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

fn read_jsonl(input: impl Read, sink: &mut Sink<'_>) -> Result<(), Box<dyn std::error::Error>> {
    for (n, line) in BufReader::new(input).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let point = serde_json::from_str::<JsonRow>(&line).map_err(|e| e.to_string()).and_then(|row| {
            let timestamp = match &row.timestamp {
                serde_json::Value::Number(n) => n.as_i64().ok_or_else(|| format!("timestamp {n} is not a whole number of ms"))?,
                serde_json::Value::String(s) => parse_time(s)?,
                other => return Err(format!("timestamp {other} is not a time")),
            };
            let point = DataPoint { timestamp, value: row.value, quality: row.quality, metadata: row.metadata };
            Ok(TelemetryPoint { device_id: row.device_id, metric: row.metric, point })
        });
        sink.push(n as u64 + 1, point)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_cells_keep_their_type() {
        assert_eq!(value_of("21.5"), Ok(MetricValue::Float(21.5)));
        assert_eq!(value_of("3"), Ok(MetricValue::Integer(3)));
        assert_eq!(value_of("3.0"), Ok(MetricValue::Float(3.0)));
        assert_eq!(value_of("true"), Ok(MetricValue::Boolean(true)));
        assert_eq!(value_of("\"on\""), Ok(MetricValue::String("on".into())));
        assert_eq!(value_of("on"), Ok(MetricValue::String("on".into())));
        assert_eq!(value_of("+5"), Ok(MetricValue::Float(5.0)));
        assert!(value_of("NaN").unwrap_err().contains("not a finite number"));
        assert!(value_of("-inf").is_err());
        assert!(value_of("").is_err());
        assert!(value_of("null").is_err());
        assert!(value_of("[1]").is_err());
        assert_eq!(value_of(r#"{"base64": "AAEC"}"#), Ok(MetricValue::Binary(vec![0, 1, 2])));
        assert!(value_of(r#"{"bytes": "AAEC"}"#).unwrap_err().contains("found key \"bytes\""));
    }
}

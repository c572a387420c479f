//! `neotalk-storage export`: telemetry of one or every series as CSV or JSON lines.

use indicatif::{ProgressBar, ProgressStyle};
use neotalk_storage::{RangeOptions, StorageManager, TimeRange};
use std::io::Write;

/// Export file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// `device_id,metric,timestamp,value,quality` with a header row.
    Csv,
    /// One JSON object per point.
    Jsonl,
}

/// Points read per query while exporting, so memory stays bounded for any series length.
const PAGE: usize = 50_000;

/// Writes the points in `range` of the given series (every series when `device` is
/// `None`) to `out`, with a progress bar on stderr when `progress` is set. Returns the count.
pub fn run(
    db: &StorageManager,
    device: Option<&str>,
    metric: Option<&str>,
    range: TimeRange,
    format: ExportFormat,
    out: &mut dyn Write,
    progress: bool,
) -> neotalk_storage::Result<u64> {
    let mut series = Vec::new();
    let devices = match device {
        Some(d) => vec![d.to_string()],
        None => db.timeseries().list_devices_with_data()?,
    };
    for d in devices {
        for m in db.timeseries().list_metrics(&d)? {
            if metric.is_none_or(|want| want == m) {
                series.push((d.clone(), m));
            }
        }
    }
    let bar = if progress { ProgressBar::new(series.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} series {msg}").expect("valid template"));
    if format == ExportFormat::Csv {
        writeln!(out, "device_id,metric,timestamp,value,quality")?;
    }
    let mut written = 0u64;
    let (first, last_ts) = range.bounds().unwrap_or((0, -1));
    for (d, m) in series.iter().filter(|_| !range.is_empty()) {
        bar.set_message(format!("{d}/{m}"));
        let mut from = first;
        loop {
            let page = db.timeseries().query_range_with(d, m, from..=last_ts, RangeOptions { limit: Some(PAGE), newest_first: false })?;
            for p in &page {
                match format {
                    ExportFormat::Csv => {
                        let value = serde_json::to_string(&p.value).expect("values serialize");
                        writeln!(
                            out,
                            "{},{},{},{},{}",
                            csv(d),
                            csv(m),
                            p.timestamp,
                            csv(&value),
                            p.quality.map(|q| q.to_string()).unwrap_or_default()
                        )?;
                    }
                    ExportFormat::Jsonl => {
                        let row = serde_json::json!({"device_id": d, "metric": m, "timestamp": p.timestamp, "value": p.value, "quality": p.quality, "metadata": p.metadata});
                        writeln!(out, "{row}")?;
                    }
                }
            }
            written += page.len() as u64;
            match page.last() {
                Some(last) if page.len() == PAGE && last.timestamp < last_ts => from = last.timestamp + 1,
                _ => break,
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    out.flush()?;
    Ok(written)
}

/// Quotes a CSV field when it holds a comma, quote or line break.
fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

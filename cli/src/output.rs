//! Output of records as an aligned table or as JSON lines.

use neotalk_storage::MetricValue;
use serde::Serialize;

/// How a command prints records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON object per line, for scripts.
    Json,
}

/// Prints `rows` as JSON lines, or as a table of the given columns.
pub fn print<T: Serialize>(format: Format, columns: &[&str], rows: &[T], cells: impl Fn(&T) -> Vec<String>) {
    match format {
        Format::Json => {
            for r in rows {
                println!("{}", serde_json::to_string(r).expect("records serialize"));
            }
        }
        Format::Table => {
            let body: Vec<Vec<String>> = rows.iter().map(&cells).collect();
            let widths: Vec<usize> = (0..columns.len())
                .map(|i| body.iter().map(|r| r[i].chars().count()).chain([columns[i].len()]).max().unwrap_or(0))
                .collect();
            let line = |cells: Vec<&str>| {
                let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
                println!("{}", padded.join("  ").trim_end());
            };
            line(columns.to_vec());
            for r in &body {
                line(r.iter().map(String::as_str).collect());
            }
        }
    }
}

/// A telemetry value as table text: floats with six significant digits, bytes by their size
/// (`<1048576 bytes>`), the other types as JSON (`true`, `"on"`).
pub fn show_value(v: &MetricValue) -> String {
    match v {
        MetricValue::Float(f) => crate::time::number(*f),
        MetricValue::Binary(b) => format!("<{} bytes>", b.len()),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// An optional value as table text (`-` when absent).
pub fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

//! `neotalk-storage`: the operator's tool for a NeoTalk gateway's storage.
//!
//! Exit codes: 0 success, 1 error (message on stderr), 2 bad usage, 3 `verify` found a
//! damaged backup, `check` a damaged database or `salvage` had to skip damaged entries.

mod delete;
mod demo;
mod export;
mod import;
mod maintenance;
mod output;
mod query;
mod replicate;
mod time;

use clap::{CommandFactory, Parser, Subcommand};
use neotalk_storage::{StorageManager, DATABASE_FILE};
use output::Format;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Storage of a NeoTalk edge gateway: telemetry, devices, events, alerts, LLM memory.
#[derive(Parser)]
#[command(name = "neotalk-storage", version, about, max_term_width = 100)]
struct Cli {
    /// Data directory holding storage.redb.
    #[arg(long, global = true, default_value = "./data")]
    dir: PathBuf,
    /// Output format of records.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// How tables show times (JSON output always has Unix ms).
    #[arg(long, global = true, value_enum, default_value_t = time::TimeStyle::Utc)]
    time: time::TimeStyle,
    /// Open the database without ever writing to it (read-only media, or a copy to inspect):
    /// commands that would write fail with a read-only error.
    #[arg(long, global = true)]
    read_only: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a small gateway into the data directory, then print what it stored.
    Demo {
        /// Number of simulated devices.
        #[arg(long, default_value_t = 12)]
        devices: usize,
        /// Simulated minutes of telemetry at one sample per second.
        #[arg(long, default_value_t = 60)]
        minutes: i64,
    },
    /// Database size, entries / size / last write per table, and query latency.
    Stats,
    /// Read telemetry, events or alerts.
    #[command(subcommand)]
    Query(query::Query),
    /// Write telemetry as CSV or JSON lines.
    Export {
        /// Only this device (default: every device with data).
        #[arg(long)]
        device: Option<String>,
        /// Only this metric.
        #[arg(long)]
        metric: Option<String>,
        #[command(flatten)]
        time: time::TimeArgs,
        /// File format.
        #[arg(long = "as", value_enum, default_value_t = export::ExportFormat::Csv)]
        file_format: export::ExportFormat,
        /// Output file (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Read telemetry from CSV or JSON lines (what `export` writes, or a wide CSV with one
    /// column per metric) into the data directory, creating the database if there is none.
    /// Bad rows are listed with their line numbers and skipped.
    Import {
        /// The file to read.
        file: PathBuf,
        /// File format (default: from the extension; `wide` when --device is given).
        #[arg(long = "as", value_enum)]
        file_format: Option<import::ImportFormat>,
        /// The device of a wide CSV (one row per time, one column per metric).
        #[arg(long)]
        device: Option<String>,
        /// The time column of a wide CSV (ISO 8601 or Unix ms).
        #[arg(long, default_value = "timestamp")]
        time_column: String,
        /// Check every row and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete telemetry, a device or an alert.
    #[command(subcommand)]
    Delete(delete::Delete),
    /// Rewrite the database file to release space freed by deletes and cleanup.
    Compact,
    /// Recompute the telemetry rollup tiers (config/retention.yaml `retention.rollups`) from
    /// the raw points, after a change of tiers or an import into a database without them.
    RebuildRollups,
    /// Read every stored entry, checking its checksum, and run redb's structural check;
    /// lists what is damaged and exits 3 when something is.
    Check,
    /// Copy everything whose checksum holds into a new database in OUT, skipping and listing
    /// the damaged entries; the damaged files are never written. Exits 3 when something was
    /// skipped.
    Salvage {
        /// Directory for the new database (must not hold one).
        #[arg(long)]
        out: PathBuf,
    },
    /// Deliver telemetry, events, alert changes, decisions and rule and workflow executions
    /// to PostgreSQL (postgres://USER@HOST:PORT/DB) or Parquet files (parquet:DIR), each row
    /// exactly once.
    /// The sink's cursors are kept in the database: a run resumes where the last stopped,
    /// and retention keeps what the sink has not received (up to 7 days).
    Replicate(replicate::Args),
    /// Take a backup into the configured backup directory (default <dir>/backups).
    Backup {
        /// Store only what changed since the newest backup (a full one when there is none).
        #[arg(long, conflicts_with = "tables")]
        incremental: bool,
        /// Back up only these tables (comma-separated).
        #[arg(long, value_delimiter = ',')]
        tables: Vec<String>,
    },
    /// List the backups in the backup directory.
    Backups,
    /// Check a backup and its chain; exits 3 when it is damaged.
    Verify {
        /// Backup id (default: the newest).
        id: Option<String>,
    },
    /// Replace the live data with a backup, after verifying it (default: the newest). A
    /// safety backup of the live data is taken first; `restore <its id>` undoes the restore.
    Restore {
        /// Backup id (default: the newest that is not a safety copy).
        id: Option<String>,
        /// Do not take the safety backup of the live data first.
        #[arg(long)]
        no_safety_backup: bool,
    },
    /// Remove data past its retention (config/retention.yaml) from every store.
    Cleanup {
        /// Treat this time (ISO 8601 or Unix ms) as now (default: the current time).
        #[arg(long, value_parser = time::parse_time, allow_hyphen_values = true)]
        now: Option<i64>,
    },
    /// Validate the config tree under <dir>/config.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script: `neotalk-storage completions bash > /etc/bash_completion.d/neotalk-storage`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `neotalk-storage man > neotalk-storage.1`.
    Man,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Report every bad value with its file, line and field; exits 1 when there is one.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Opens an existing database (read-only with `--read-only`); operator commands never
/// create one by accident.
fn open_existing(dir: &Path, read_only: bool) -> Result<StorageManager, Box<dyn std::error::Error>> {
    if !dir.join(DATABASE_FILE).exists() {
        return Err(format!("no database in {} (expected {DATABASE_FILE}); pass --dir", dir.display()).into());
    }
    Ok(if read_only { StorageManager::open_read_only(dir)? } else { StorageManager::open(dir)? })
}

fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let open_existing = |dir: &Path| open_existing(dir, cli.read_only);
    if cli.read_only && matches!(cli.command, Command::Demo { .. } | Command::Import { dry_run: false, .. }) {
        return Err("--read-only: demo and import write into the data directory".into());
    }
    match cli.command {
        Command::Demo { devices, minutes } => demo::run(&cli.dir, devices, minutes, cli.time)?,
        Command::Stats => stats(&open_existing(&cli.dir)?, cli.format, cli.time)?,
        Command::Query(q) => query::run(&open_existing(&cli.dir)?, q, cli.format, cli.time)?,
        Command::Export { device, metric, time, file_format, out } => {
            let db = open_existing(&cli.dir)?;
            let range = time.range()?;
            let (count, target) = match &out {
                Some(path) => {
                    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
                    (
                        export::run(&db, device.as_deref(), metric.as_deref(), range, file_format, &mut file, true)?,
                        path.display().to_string(),
                    )
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    (export::run(&db, device.as_deref(), metric.as_deref(), range, file_format, &mut stdout, false)?, "stdout".into())
                }
            };
            eprintln!("exported {count} points to {target}");
        }
        Command::Import { file, file_format, device, time_column, dry_run } => {
            let args = import::ImportArgs { file: &file, format: file_format, device: device.as_deref(), time_column: &time_column };
            // A dry run touches no database; a real import creates one if needed.
            let db = if dry_run { None } else { Some(StorageManager::open(&cli.dir)?) };
            let summary = import::run(db.as_ref(), &args)?;
            if let Some(db) = db {
                db.close()?;
            }
            let verb = if dry_run { "dry run, nothing written: would import" } else { "imported" };
            println!("{verb} {} points into {} series from {}", summary.points, summary.series, file.display());
            if summary.rejected > 0 {
                eprintln!("rejected {} rows:", summary.rejected);
                for (line, reason) in &summary.rejections {
                    eprintln!("  line {line}: {reason}");
                }
                if summary.rejected > summary.rejections.len() as u64 {
                    eprintln!("  ... and {} more", summary.rejected - summary.rejections.len() as u64);
                }
            }
        }
        Command::Delete(what) => println!("{}", delete::run(&open_existing(&cli.dir)?, what)?),
        Command::Compact => {
            let report = open_existing(&cli.dir)?.compact()?;
            println!("compacted {}: {} -> {} bytes", cli.dir.join(DATABASE_FILE).display(), report.before_bytes, report.after_bytes);
        }
        Command::RebuildRollups => {
            let buckets = open_existing(&cli.dir)?.timeseries().rebuild_rollups()?;
            println!("rebuilt the rollup tiers: {buckets} buckets written");
        }
        Command::Check => {
            if !maintenance::check(&open_existing(&cli.dir)?, cli.format)? {
                return Ok(ExitCode::from(maintenance::DAMAGED));
            }
        }
        Command::Salvage { out } => {
            if !maintenance::salvage(&cli.dir, &out, cli.format)? {
                return Ok(ExitCode::from(maintenance::DAMAGED));
            }
        }
        Command::Replicate(args) => replicate::run(open_existing(&cli.dir)?, args, cli.format)?,
        Command::Backup { incremental, tables } => maintenance::backup(&open_existing(&cli.dir)?, incremental, tables)?,
        Command::Backups => maintenance::list(&open_existing(&cli.dir)?, cli.format, cli.time)?,
        Command::Verify { id } => {
            if !maintenance::verify(&open_existing(&cli.dir)?, id)? {
                return Ok(ExitCode::from(maintenance::DAMAGED));
            }
        }
        Command::Restore { id, no_safety_backup } => maintenance::restore(&open_existing(&cli.dir)?, id, !no_safety_backup)?,
        Command::Cleanup { now } => maintenance::cleanup(&open_existing(&cli.dir)?, now, cli.format)?,
        Command::Config(ConfigCommand::Check) => maintenance::config_check(&cli.dir)?,
        Command::Completions { shell } => clap_complete::generate(shell, &mut Cli::command(), "neotalk-storage", &mut std::io::stdout()),
        Command::Man => clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(db: &StorageManager, format: Format, style: time::TimeStyle) -> neotalk_storage::Result<()> {
    let stats = db.stats()?;
    let sinks: Vec<_> = db.feed().sinks()?.iter().map(|s| db.feed().status(s)).collect::<Result<_, _>>()?;
    if format == Format::Json {
        let mut json = serde_json::to_value(&stats).expect("stats serialize");
        json["replication"] = serde_json::to_value(&sinks).expect("sink status serializes");
        println!("{json}");
        return Ok(());
    }
    println!("database size: {} bytes", stats.database_size_bytes);
    let rows: Vec<_> = stats.table_stats.iter().collect();
    output::print(Format::Table, &["table", "entries", "bytes", "last_write"], &rows, |(name, t)| {
        let last_write = if t.last_write == 0 { "-".to_string() } else { time::show(t.last_write, style) };
        vec![name.to_string(), t.count.to_string(), t.size_bytes.to_string(), last_write]
    });
    if !sinks.is_empty() {
        println!();
        let rows: Vec<_> = sinks.iter().flat_map(|s| s.feeds.iter().map(move |f| (s, f))).collect();
        let columns = ["replication sink", "feed", "delivered", "pending", "lag", "dropped", "last delivery", "last error"];
        output::print(Format::Table, &columns, &rows, |(s, f)| {
            vec![
                s.name.clone(),
                f.feed.name().to_string(),
                f.progress.delivered.to_string(),
                f.pending_rows.to_string(),
                f.lag_ms.map_or("-".to_string(), |ms| format!("{:.1} s", ms as f64 / 1000.0)),
                f.progress.dropped.to_string(),
                time::show_opt(f.progress.last_delivery_ms, style),
                s.last_error.clone().unwrap_or_else(|| "-".into()),
            ]
        });
    }
    Ok(())
}

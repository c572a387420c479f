//! Operator commands that change or check a database: backup, restore, verify, cleanup,
//! config check.

use crate::output::{opt, print, Format};
use crate::time::{show_opt as show_time_opt, TimeStyle};
use neotalk_storage::backup::{BackupInfo, BackupManager, BackupType, RestoreManager, SnapshotKind};
use neotalk_storage::{unix_ms, DamagedEntry, DataCleanupTask, StorageManager};
use serde::Serialize;
use std::path::Path;

/// Exit code of `verify` and `check` when they find damage (1 is any other error).
pub const DAMAGED: u8 = 3;

type CliResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Takes a backup into the configured backup directory (default `<dir>/backups`).
pub fn backup(db: &StorageManager, incremental: bool, tables: Vec<String>) -> CliResult {
    let config = db.config().system()?.backup;
    let kind = match (incremental, tables.is_empty()) {
        (true, _) => BackupType::Incremental,
        (false, true) => BackupType::Full,
        (false, false) => BackupType::Selective { tables },
    };
    let manager = BackupManager::new(db, config)?;
    let info = manager.backup(&kind)?;
    println!("{} backup {} ({} bytes) -> {}", kind_of(&info), info.id, info.size_bytes, info.path.display());
    Ok(())
}

/// `full`, `incremental` or `selective`; `?` when the header does not read.
fn kind_of(info: &BackupInfo) -> &'static str {
    match info.manifest.as_ref().map(|m| &m.kind) {
        Some(SnapshotKind::Full) => "full",
        Some(SnapshotKind::Incremental) => "incremental",
        Some(SnapshotKind::Selective) => "selective",
        None => "?",
    }
}

/// A row of `backups`: the backup and whether it is a safety copy taken before a restore.
#[derive(Serialize)]
struct BackupRow<'a> {
    #[serde(flatten)]
    info: &'a BackupInfo,
    safety_copy: bool,
}

/// Lists the backups of the configured directory, newest last; safety copies taken before a
/// restore are marked.
pub fn list(db: &StorageManager, format: Format, style: TimeStyle) -> CliResult {
    let restore = RestoreManager::for_config(db, &db.config().system()?.backup)?;
    let backups = restore.list_backups()?;
    let rows: Vec<BackupRow> = backups.iter().map(|info| BackupRow { info, safety_copy: info.is_safety_copy() }).collect();
    print(format, &["id", "kind", "created_at", "bytes", "safety_copy", "problem"], &rows, |r| {
        let b = r.info;
        let safety = if r.safety_copy { "yes (pre-restore)" } else { "" };
        vec![
            b.id.clone(),
            kind_of(b).into(),
            show_time_opt(b.created_at(), style),
            b.size_bytes.to_string(),
            safety.into(),
            opt(b.problem.clone()),
        ]
    });
    Ok(())
}

fn newest_or(restore: &RestoreManager, id: Option<String>) -> CliResult<String> {
    match id {
        Some(id) => Ok(id),
        None => Ok(restore.newest()?.ok_or("no backups in the backup directory")?.id),
    }
}

/// Verifies a backup (the newest when no id is given) and its chain. Returns false when bad.
pub fn verify(db: &StorageManager, id: Option<String>) -> CliResult<bool> {
    let restore = RestoreManager::for_config(db, &db.config().system()?.backup)?;
    let id = newest_or(&restore, id)?;
    let report = restore.verify(&id)?;
    if report.ok {
        println!("backup {id} is intact: chain {}, {} tables, {} entries", report.chain.join(" <- "), report.tables, report.entries);
    } else {
        eprintln!("backup {id} is damaged: {}", report.problem.unwrap_or_default());
    }
    Ok(report.ok)
}

/// Restores a backup (the newest when no id is given), replacing the live data atomically
/// after the whole chain verified; with `safety_backup`, a full backup of the live data is
/// taken first and its id printed, so the restore can be undone.
pub fn restore(db: &StorageManager, id: Option<String>, safety_backup: bool) -> CliResult {
    let config = db.config().system()?.backup;
    let restore = RestoreManager::for_config(db, &config)?;
    let id = newest_or(&restore, id)?;
    if safety_backup {
        let safety = BackupManager::new(db, config)?.safety_backup()?;
        println!("safety backup {} of the live data taken; undo with: neotalk-storage restore {}", safety.id, safety.id);
    }
    let result = restore.restore(&id)?;
    println!("restored {id}: chain {}, {} tables, {} entries", result.chain.join(" <- "), result.tables, result.entries);
    Ok(())
}

/// Checks the whole database and prints the integrity report (one JSON object with
/// `--format json`). Returns false when something is damaged.
pub fn check(db: &StorageManager, format: Format) -> CliResult<bool> {
    let report = db.integrity_report()?;
    if format == Format::Json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(report.ok);
    }
    if report.ok {
        println!("database is intact: {} entries checked", report.entries_checked);
        return Ok(true);
    }
    println!("database is damaged: {} of {} entries", report.damaged_count, report.damaged_count + report.entries_checked);
    print_damaged(&report.damaged);
    if let Some(problem) = &report.engine_problem {
        println!("redb's structural check: {problem}");
    }
    println!("to get the data back, restore a backup (neotalk-storage restore) or copy what is sound (neotalk-storage salvage --out DIR)");
    Ok(false)
}

/// The damaged entries of a check or a salvage, as a table.
fn print_damaged(damaged: &[DamagedEntry]) {
    print(Format::Table, &["table", "key", "what", "problem"], damaged, |d| {
        vec![d.table.clone(), d.key.clone(), opt(d.what.clone()), d.problem.clone()]
    });
}

/// Salvages the database in `dir` into `out`; returns whether nothing had to be skipped.
pub fn salvage(dir: &Path, out: &Path, format: Format) -> CliResult<bool> {
    let report = StorageManager::salvage(dir, out)?;
    if format == Format::Json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(report.is_complete());
    }
    let recovered = if report.read_from_copy { " (read from a recovered copy: the files were not closed cleanly)" } else { "" };
    println!("copied {} entries and {} config files into {}{recovered}", report.entries_copied, report.config_files_copied, out.display());
    if report.is_complete() {
        println!("nothing was damaged");
        return Ok(true);
    }
    println!("skipped {} damaged entries:", report.damaged_count);
    print_damaged(&report.damaged);
    Ok(false)
}

/// Applies `retention.yaml` to every store as of `now_ms` (default: the current time).
pub fn cleanup(db: &StorageManager, now_ms: Option<i64>, format: Format) -> CliResult {
    let task = DataCleanupTask::new(db, db.config().retention()?);
    let report = task.run(now_ms.unwrap_or_else(unix_ms))?;
    let rows: Vec<(String, String)> = report
        .removed
        .iter()
        .map(|(s, n)| (s.clone(), n.to_string()))
        .chain(report.failed.iter().map(|(s, e)| (s.clone(), format!("failed: {e}"))))
        .collect();
    print(format, &["store", "removed"], &rows, |(s, n)| vec![s.clone(), n.clone()]);
    if !report.failed.is_empty() {
        return Err(format!("cleanup failed for {} store(s)", report.failed.len()).into());
    }
    Ok(())
}

/// Validates the config tree; every problem is printed as `file:line:column: field: message`.
pub fn config_check(dir: &Path) -> CliResult {
    let store = neotalk_storage::config::ConfigStore::for_data_dir(dir);
    let problems = store.check()?;
    if problems.is_empty() {
        println!("config in {} is valid", dir.join("config").display());
        return Ok(());
    }
    for p in &problems {
        eprintln!("{p}");
    }
    Err(format!("{} problem(s) in the config", problems.len()).into())
}

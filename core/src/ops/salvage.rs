//! Salvage: the recovery path for a damaged database. Every entry whose checksum holds is
//! copied into a new database in another directory; damaged entries are skipped and listed.
//! The damaged files are never written.

use crate::error::{Result, StorageError};
use crate::manager::{database_exists, intern_table_name, StorageManager, StorageOptions};
use crate::ops::integrity::{DamagedEntry, MAX_LISTED_DAMAGE};
use crate::storage::backend::WriteBatch;
use crate::storage::engine::Durability;
use crate::storage::key::hex;
use crate::storage::layout::FileGroup;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Bytes of copied entries committed to the new database at a time.
const COMMIT_BYTES: usize = 8 << 20;

/// Scratch folder inside the output directory for a copy of damaged files that need recovery.
const SCRATCH: &str = ".salvage-source";

/// Outcome of [`StorageManager::salvage`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalvageReport {
    /// Entries copied into the new database (their checksums held).
    pub entries_copied: u64,
    /// Damaged entries skipped (or tables unreadable from some key on).
    pub damaged_count: u64,
    /// The first [`MAX_LISTED_DAMAGE`] of them, in table and key order.
    pub damaged: Vec<DamagedEntry>,
    /// Whether the damaged files needed recovery (not closed cleanly, or written before
    /// checksums), so they were read from a recovered copy rather than opened read-only.
    pub read_from_copy: bool,
    /// Configuration files copied from `config/`.
    pub config_files_copied: u64,
}

impl SalvageReport {
    /// Whether everything was copied: nothing was damaged.
    pub fn is_complete(&self) -> bool {
        self.damaged_count == 0
    }
}

impl StorageManager {
    /// Copies every readable entry of the database in `damaged_dir` into a new database in
    /// `out_dir`, skipping (and listing) each entry whose checksum fails or that cannot be
    /// read; the configuration files come along. The damaged files are never written: they
    /// are opened read-only, or, when they need recovery first, a copy of them is recovered
    /// in a scratch folder of `out_dir` (removed afterwards). The new database has the same
    /// file layout and format, and passes the integrity report.
    ///
    /// Derived data is copied as found, not rebuilt: after a skipped telemetry chunk, the
    /// series' summaries and rollups still count its points (`rebuild_rollups` recomputes
    /// the rollups); after a skipped record, its index entries still point at it.
    ///
    /// Fails with `InvalidInput` when `damaged_dir` holds no database, when `out_dir` already
    /// holds one or is `damaged_dir`, with `Locked` while another handle has the damaged
    /// database open, and with the open error when even a recovered copy cannot be opened.
    ///
    /// ```
    /// use neotalk_storage::{DataPoint, StorageManager};
    /// let tmp = std::env::temp_dir().join(format!("nts-salvage-doc-{}", std::process::id()));
    /// let (old, new) = (tmp.join("old"), tmp.join("new"));
    /// let db = StorageManager::open(&old).unwrap();
    /// db.timeseries().write_series("d", "m", &[DataPoint::new(1, 2.0)]).unwrap();
    /// db.close().unwrap();
    /// let report = StorageManager::salvage(&old, &new).unwrap();
    /// assert!(report.is_complete() && report.entries_copied > 0);
    /// let db = StorageManager::open(&new).unwrap();
    /// assert_eq!(db.timeseries().query_range("d", "m", 0..10).unwrap().len(), 1);
    /// # db.close().unwrap();
    /// # std::fs::remove_dir_all(&tmp).unwrap();
    /// ```
    pub fn salvage(damaged_dir: impl AsRef<Path>, out_dir: impl AsRef<Path>) -> Result<SalvageReport> {
        let (from, out) = (damaged_dir.as_ref(), out_dir.as_ref());
        if database_exists(out) {
            return Err(StorageError::invalid(
                "out_dir",
                format!("{} already holds a database; salvage into a new directory", out.display()),
            ));
        }
        if let (Ok(a), Ok(b)) = (from.canonicalize(), out.canonicalize()) {
            if a == b {
                return Err(StorageError::invalid("out_dir", "is the damaged directory itself; salvage into a new directory"));
            }
        }
        let mut report = SalvageReport::default();
        let scratch = out.join(SCRATCH);
        let source = match StorageManager::open_read_only(from) {
            Ok(db) => db,
            Err(StorageError::ReadOnly(_) | StorageError::Corrupted(_) | StorageError::Backend { .. }) => {
                report.read_from_copy = true;
                copy_database_files(from, &scratch)?;
                StorageManager::open(&scratch)?
            }
            Err(e) => return Err(e),
        };
        let copied = source.copy_entries_into(out, &mut report);
        let closed = source.close();
        if report.read_from_copy {
            // The scratch copy is ours; failing to remove it loses nothing.
            let _ = std::fs::remove_dir_all(&scratch);
        }
        copied?;
        closed?;
        report.config_files_copied = copy_dir(&from.join("config"), &out.join("config"))?;
        Ok(report)
    }

    /// Copies every good entry of every table, file by file, into a new database in `out`.
    fn copy_entries_into(&self, out: &Path, report: &mut SalvageReport) -> Result<()> {
        let options = StorageOptions { durability: Durability::Eventual, split_files: self.is_split(), ..Default::default() };
        let target = StorageManager::open_with(out, options)?;
        let result = (|| {
            for (source, dest) in self.engines().distinct().iter().zip(target.engines().distinct()) {
                // Two guards, dropped in reverse order (each restores the thread's state).
                let _source_lock = source.lock_writes();
                let _dest_lock = dest.lock_writes();
                let view = source.read()?;
                for table in view.table_names()? {
                    let name = intern_table_name(&table);
                    let (mut batch, mut pending) = (WriteBatch::new(), 0);
                    let mut failed = Ok(());
                    let mut found = Vec::new();
                    report.entries_copied += view.salvage(
                        &table,
                        &mut |k, v| {
                            batch.put(name, k.to_vec(), v.to_vec());
                            pending += k.len() + v.len();
                            if pending >= COMMIT_BYTES && failed.is_ok() {
                                failed = dest.commit_exact(&batch);
                                (batch, pending) = (WriteBatch::new(), 0);
                            }
                        },
                        &mut |k, problem| found.push((k.to_vec(), problem)),
                    )?;
                    failed?;
                    dest.commit_exact(&batch)?;
                    for (key, problem) in found {
                        report.damaged_count += 1;
                        if report.damaged.len() < MAX_LISTED_DAMAGE {
                            let what = self.timeseries().describe_key(&*view, &table, &key);
                            report.damaged.push(DamagedEntry { table: table.clone(), key: hex(&key), what, problem });
                        }
                    }
                }
            }
            Ok(())
        })();
        let closed = target.close();
        result.and(closed)
    }
}

/// Copies the database files of `from` into `to` (created), keeping their layout.
fn copy_database_files(from: &Path, to: &Path) -> Result<()> {
    for group in FileGroup::ALL {
        let (src, dst) = (from.join(group.file()), to.join(group.file()));
        if !src.exists() {
            continue;
        }
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).map_err(|e| StorageError::io(format!("cannot create {}: {e}", parent.display()), e))?;
        }
        std::fs::copy(&src, &dst).map_err(|e| StorageError::io(format!("cannot copy {} to {}: {e}", src.display(), dst.display()), e))?;
    }
    Ok(())
}

/// Copies the files under `from` (if it exists) into `to`, recursively; returns how many.
fn copy_dir(from: &Path, to: &Path) -> Result<u64> {
    if !from.is_dir() {
        return Ok(0);
    }
    let io = |what: &str, path: &Path, e: std::io::Error| StorageError::io(format!("cannot {what} {}: {e}", path.display()), e);
    std::fs::create_dir_all(to).map_err(|e| io("create", to, e))?;
    let mut copied = 0;
    for entry in std::fs::read_dir(from).map_err(|e| io("list", from, e))? {
        let path = entry.map_err(|e| io("list", from, e))?.path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copied += copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| io("copy", &path, e))?;
            copied += 1;
        }
    }
    Ok(copied)
}

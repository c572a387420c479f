//! The integrity report: every stored entry read and checked (the redb file's value
//! checksums) plus redb's own structural check, reported rather than raised.

use crate::error::{Result, StorageError};
use crate::manager::StorageManager;
use crate::storage::key::hex;
use serde::{Deserialize, Serialize};

/// Damaged entries listed one by one in a report; the rest are counted.
pub const MAX_LISTED_DAMAGE: usize = 1_000;

/// One damaged entry (or a table unreadable from some key on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedEntry {
    /// Table name.
    pub table: String,
    /// The entry's key as hex (empty when the table cannot be opened at all).
    pub key: String,
    /// What the key holds, when the store can tell (`telemetry dev-1/temperature, the chunk
    /// of points from 1796333639000`).
    pub what: Option<String>,
    /// What is wrong.
    pub problem: String,
}

/// Outcome of [`StorageManager::integrity_report`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    /// No damaged entry and redb's own check passed.
    pub ok: bool,
    /// Entries read whose checksum held.
    pub entries_checked: u64,
    /// Damaged entries found, in table and key order.
    pub damaged_count: u64,
    /// The first [`MAX_LISTED_DAMAGE`] of them.
    pub damaged: Vec<DamagedEntry>,
    /// What redb's structural check of the file(s) said, when it did not pass.
    pub engine_problem: Option<String>,
    /// Whether redb's structural check ran: not on a database opened read-only (the check
    /// may repair, so it needs write access); the checksums are checked either way.
    pub engine_checked: bool,
}

impl StorageManager {
    /// Reads every entry of every table, checking each value's checksum, then runs redb's
    /// structural check (not on a database opened read-only), and reports what is damaged
    /// (table, key and, for telemetry, the series and time) instead of failing: an error means only that the database cannot be
    /// read at all (`Closed`, for example). Reads go on meanwhile; writes wait for the check.
    /// In memory nothing can be damaged: the report counts the entries.
    ///
    /// ```
    /// let db = neotalk_storage::StorageManager::in_memory().unwrap();
    /// db.timeseries().write_series("d", "m", &[neotalk_storage::DataPoint::new(1, 2.0)]).unwrap();
    /// let report = db.integrity_report().unwrap();
    /// assert!(report.ok && report.damaged.is_empty() && report.entries_checked > 0);
    /// ```
    pub fn integrity_report(&self) -> Result<IntegrityReport> {
        self.flush()?;
        let mut report = IntegrityReport { engine_checked: true, ..Default::default() };
        for engine in self.engines().distinct() {
            let _w = engine.lock_writes();
            engine.ensure_open()?;
            let view = engine.read()?;
            for table in view.table_names()? {
                let mut found = Vec::new();
                report.entries_checked += view.verify(&table, &mut |key, problem| found.push((key.to_vec(), problem)))?;
                for (key, problem) in found {
                    report.damaged_count += 1;
                    if report.damaged.len() < MAX_LISTED_DAMAGE {
                        let what = self.timeseries().describe_key(&*view, &table, &key);
                        report.damaged.push(DamagedEntry { table: table.clone(), key: hex(&key), what, problem });
                    }
                }
            }
            drop(view);
            match engine.backend().check_integrity() {
                Ok(true) => {}
                Ok(false) => report.engine_problem = Some("redb's check found damaged pages (and repaired what it could)".into()),
                Err(StorageError::Closed) => return Err(StorageError::Closed),
                Err(StorageError::ReadOnly(_)) => report.engine_checked = false,
                Err(e) => report.engine_problem = Some(e.to_string()),
            }
        }
        report.ok = report.damaged_count == 0 && report.engine_problem.is_none();
        Ok(report)
    }
}

//! The change log of record tables, kept while a sink is registered: every commit that puts
//! a row into a fed table (alerts, decisions, rule and workflow executions) also appends a
//! copy of the row, with its key, to `feed_records` under the
//! next sequence, in the same transaction. A copy, not a pointer to the row, so that each
//! state change reaches the sink even when the next one lands before delivery, and so that
//! deleting the record (retention) never loses an undelivered change.
//!
//! It lives in the engine, not in the stores, because the stores of these tables share
//! their write path (`indexed_records`): one hook sees every put.

use crate::error::{Result, StorageError};
use crate::storage::backend::{ReadView, WriteBatch, WriteOp};
use crate::storage::engine::{Engine, META};
use crate::storage::key::{KeyBuilder, KeyReader};
use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, Ordering};

/// Table of the log: sequence (u64) -> [`LoggedRow`] encoded.
pub(crate) const RECORD_LOG: &str = "feed_records";
/// Meta key of the next sequence.
const NEXT_KEY: &[u8] = b"feed.records_next";
/// Tables whose rows are logged (the record feeds of `crate::feed::Feed`).
pub(crate) const FED_TABLES: &[&str] = &["alerts", "llm_decisions", "rule_executions", "workflow_executions"];

/// The log's state in one engine (only the main file's is ever enabled).
#[derive(Default)]
pub(crate) struct RecordLog {
    enabled: AtomicBool,
    /// Next sequence; held from staging until the commit lands, so sequences follow commit order.
    next: Mutex<u64>,
}

/// Log entries staged for one commit; [`Staged::landed`] once it committed.
pub(crate) struct Staged<'a> {
    next: MutexGuard<'a, u64>,
    /// The sequence of the first entry staged.
    pub(crate) first: u64,
    after: u64,
    pub(crate) batch: WriteBatch,
}

impl Staged<'_> {
    pub(crate) fn landed(mut self) {
        *self.next = self.after;
    }
}

/// One logged row, borrowed from the log entry it was decoded from.
pub(crate) struct LoggedRow<'a> {
    pub(crate) seq: u64,
    pub(crate) commit_ms: i64,
    pub(crate) table: &'a str,
    /// The one sink it is for (a registration's copy of the stored rows), or every sink.
    pub(crate) owner: Option<&'a str>,
    /// The row's key (an encoded id).
    pub(crate) key: &'a [u8],
    pub(crate) row: &'a [u8],
}

impl RecordLog {
    /// Starts logging, resuming the sequence stored in `view`.
    pub(crate) fn enable(&self, view: &dyn ReadView) -> Result<()> {
        let mut next = self.next.lock();
        *next = Engine::meta_u64(view, NEXT_KEY)?.max(1);
        self.enabled.store(true, Ordering::Release);
        Ok(())
    }

    pub(crate) fn disable(&self) {
        self.enabled.store(false, Ordering::Release);
    }

    /// The log entries of the fed rows `batch` puts, or `None` when nothing is logged.
    pub(crate) fn stage(&self, batch: &WriteBatch) -> Option<Staged<'_>> {
        if !self.enabled.load(Ordering::Acquire) {
            return None;
        }
        let fed: Vec<(&'static str, &[u8], &[u8])> = batch
            .ops()
            .iter()
            .filter_map(|op| match op {
                WriteOp::Put { table, key, value } | WriteOp::Insert { table, key, value } if FED_TABLES.contains(table) => {
                    Some((*table, key.as_slice(), value.as_slice()))
                }
                _ => None,
            })
            .collect();
        (!fed.is_empty()).then(|| self.stage_rows("", fed))
    }

    /// Log entries for `owner` alone (`""`: every sink) of `rows` (table, key, row).
    pub(crate) fn stage_rows<'r>(&self, owner: &str, rows: impl IntoIterator<Item = (&'static str, &'r [u8], &'r [u8])>) -> Staged<'_> {
        let next = self.next.lock();
        let now = crate::storage::clock::unix_ms();
        let mut log = WriteBatch::new();
        let mut seq = *next;
        for (table, key, row) in rows {
            // Commit time, table, owner and key (each after its length), then the row.
            let mut value = Vec::with_capacity(15 + table.len() + owner.len() + key.len() + row.len());
            value.extend_from_slice(&now.to_le_bytes());
            value.push(table.len() as u8);
            value.extend_from_slice(table.as_bytes());
            // Sink names are ids: at most MAX_ID_BYTES (256), which a u16 holds.
            value.extend_from_slice(&(owner.len() as u16).to_le_bytes());
            value.extend_from_slice(owner.as_bytes());
            value.extend_from_slice(&(key.len() as u32).to_le_bytes());
            value.extend_from_slice(key);
            value.extend_from_slice(row);
            log.put(RECORD_LOG, seq_key(seq), value);
            seq += 1;
        }
        log.put(META, NEXT_KEY.to_vec(), seq.to_le_bytes().to_vec());
        let first = *next;
        Staged { next, first, after: seq, batch: log }
    }
}

pub(crate) fn seq_key(seq: u64) -> Vec<u8> {
    KeyBuilder::new().u64(seq).finish()
}

impl<'a> LoggedRow<'a> {
    pub(crate) fn decode(key: &[u8], value: &'a [u8]) -> Result<Self> {
        let bad = || StorageError::Corrupted(format!("{RECORD_LOG} entry is truncated"));
        let seq = KeyReader::new(key).u64()?;
        let commit_ms = i64::from_le_bytes(value.get(..8).ok_or_else(bad)?.try_into().expect("8 bytes"));
        let len = *value.get(8).ok_or_else(bad)? as usize;
        let table = std::str::from_utf8(value.get(9..9 + len).ok_or_else(bad)?).map_err(|_| bad())?;
        let rest = &value[9 + len..];
        let owner_len = u16::from_le_bytes(rest.get(..2).ok_or_else(bad)?.try_into().expect("2 bytes")) as usize;
        let owner = std::str::from_utf8(rest.get(2..2 + owner_len).ok_or_else(bad)?).map_err(|_| bad())?;
        let rest = &rest[2 + owner_len..];
        let key_len = u32::from_le_bytes(rest.get(..4).ok_or_else(bad)?.try_into().expect("4 bytes")) as usize;
        let key = rest.get(4..4 + key_len).ok_or_else(bad)?;
        Ok(LoggedRow { seq, commit_ms, table, owner: (!owner.is_empty()).then_some(owner), key, row: &rest[4 + key_len..] })
    }

    /// Whether the row is one of `table` that `sink` receives (not another sink's copy).
    pub(crate) fn is_for(&self, table: &str, sink: &str) -> bool {
        self.table == table && self.owner.is_none_or(|o| o == sink)
    }
}

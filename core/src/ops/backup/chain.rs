//! Materializing a backup chain (a full snapshot and the incrementals on it) into tables.

use super::format::{Snapshot, SnapshotKind, TableMode};
use crate::error::{Result, StorageError};
use std::collections::BTreeMap;

/// The tables a chain of snapshots describes, borrowing from the snapshots' bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainState<'a> {
    /// Table name -> key -> value.
    pub tables: BTreeMap<String, BTreeMap<&'a [u8], &'a [u8]>>,
    /// Whether the state covers only some tables (a selective snapshot): restoring it
    /// replaces those tables and leaves the others alone.
    pub selective: bool,
}

impl<'a> ChainState<'a> {
    /// Applies `chain` (oldest first): a full or selective snapshot, then incrementals each
    /// based on the one before it. Every link is checked before anything is returned.
    pub fn from_chain(chain: &[Snapshot<'a>]) -> Result<Self> {
        let (first, rest) = chain.split_first().ok_or_else(|| StorageError::invalid("chain", "is empty"))?;
        let mut state = match first.manifest.kind {
            SnapshotKind::Full => ChainState { tables: BTreeMap::new(), selective: false },
            SnapshotKind::Selective if rest.is_empty() => ChainState { tables: BTreeMap::new(), selective: true },
            SnapshotKind::Selective => return Err(StorageError::Corrupted("an incremental cannot be based on a selective backup".into())),
            SnapshotKind::Incremental => return Err(StorageError::Corrupted("the chain does not start with a full backup".into())),
        };
        for t in &first.tables {
            state.tables.insert(t.name.clone(), t.entries.iter().map(|(k, v)| (*k, v.unwrap_or_default())).collect());
        }
        let mut prev = first;
        for snap in rest {
            let m = &snap.manifest;
            if m.kind != SnapshotKind::Incremental || m.base_id.is_none() || m.base_id != prev.manifest.id {
                return Err(StorageError::Corrupted(format!(
                    "backup {:?} is not an incremental based on {:?}",
                    m.id.as_deref().unwrap_or("?"),
                    prev.manifest.id.as_deref().unwrap_or("?")
                )));
            }
            let mut next = BTreeMap::new();
            for (t, tm) in snap.tables.iter().zip(&m.tables) {
                let before = state.tables.remove(&t.name);
                let table = match t.mode {
                    TableMode::Same => {
                        let before = before.ok_or_else(|| {
                            StorageError::Corrupted(format!("table {:?} is marked unchanged but its base lacks it", t.name))
                        })?;
                        if before.len() as u64 != tm.entries {
                            return Err(StorageError::Corrupted(format!("table {:?}: entry count differs from its base", t.name)));
                        }
                        before
                    }
                    TableMode::Full | TableMode::Delta => {
                        let mut table = BTreeMap::new();
                        for (k, v) in &t.entries {
                            let value = match v {
                                Some(v) => *v,
                                None => *before.as_ref().and_then(|b| b.get(k)).ok_or_else(|| {
                                    StorageError::Corrupted(format!("table {:?}: a key refers to a value its base lacks", t.name))
                                })?,
                            };
                            table.insert(*k, value);
                        }
                        table
                    }
                };
                next.insert(t.name.clone(), table);
            }
            // Tables absent from the incremental were dropped since its base.
            state.tables = next;
            prev = snap;
        }
        Ok(state)
    }

    /// Number of keys over all tables.
    pub fn entries(&self) -> u64 {
        self.tables.values().map(|t| t.len() as u64).sum()
    }
}

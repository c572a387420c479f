//! In-memory backend: persistent ordered maps, so a read snapshot is an O(1) clone.

use super::{already_present, Backend, Direction, KeyRange, ReadView, Scan, TableSize, Visitor, WriteBatch, WriteOp};
use crate::error::{Result, StorageError};
use imbl::OrdMap;
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::Arc;

type Table = OrdMap<Vec<u8>, Arc<[u8]>>;
type Tables = BTreeMap<String, Table>;

/// Backend that keeps every table in memory; used on wasm and in tests.
///
/// Snapshots share structure with the live maps (imbl's persistent B-trees), so readers never
/// block writers and a snapshot costs a few pointer copies.
#[derive(Default)]
pub struct MemoryBackend {
    tables: RwLock<Option<Tables>>,
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        MemoryBackend { tables: RwLock::new(Some(Tables::new())) }
    }
}

struct MemoryView {
    tables: Tables,
}

impl ReadView for MemoryView {
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tables.get(table).and_then(|t| t.get(key)).map(|v| v.to_vec()))
    }

    fn scan(&self, table: &str, range: &KeyRange, dir: Direction, visit: &mut Visitor<'_>) -> Result<()> {
        let Some(t) = self.tables.get(table) else { return Ok(()) };
        if range.is_empty() {
            return Ok(());
        }
        let iter = t.range::<_, Vec<u8>>((range.start.clone(), range.end.clone()));
        let mut step = |k: &Vec<u8>, v: &Arc<[u8]>| visit(k, v);
        match dir {
            Direction::Forward => {
                for (k, v) in iter {
                    if step(k, v)? == Scan::Stop {
                        break;
                    }
                }
            }
            Direction::Reverse => {
                for (k, v) in iter.rev() {
                    if step(k, v)? == Scan::Stop {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    fn table_names(&self) -> Result<Vec<String>> {
        Ok(self.tables.keys().cloned().collect())
    }
}

impl Backend for MemoryBackend {
    fn read(&self) -> Result<Box<dyn ReadView>> {
        let guard = self.tables.read();
        let tables = guard.as_ref().ok_or(StorageError::Closed)?.clone();
        Ok(Box::new(MemoryView { tables }))
    }

    fn write(&self, batches: &[&WriteBatch], _durable: bool) -> Result<()> {
        let mut guard = self.tables.write();
        let live = guard.as_mut().ok_or(StorageError::Closed)?;
        if !batches.iter().flat_map(|b| b.ops()).any(|op| matches!(op, WriteOp::Insert { .. })) {
            return apply(live, batches);
        }
        // An insert may refuse the batch: apply it to a copy (O(1) per table: persistent
        // maps) and keep the copy only when every op applied.
        let mut copy = live.clone();
        apply(&mut copy, batches)?;
        *live = copy;
        Ok(())
    }

    fn table_sizes(&self) -> Result<Vec<TableSize>> {
        let guard = self.tables.read();
        let tables = guard.as_ref().ok_or(StorageError::Closed)?;
        Ok(tables
            .iter()
            .map(|(name, t)| TableSize {
                name: name.clone(),
                entries: t.len() as u64,
                stored_bytes: t.iter().map(|(k, v)| (k.len() + v.len()) as u64).sum(),
            })
            .collect())
    }

    fn total_bytes(&self) -> Result<u64> {
        Ok(self.table_sizes()?.iter().map(|t| t.stored_bytes).sum())
    }

    fn close(&self) -> Result<()> {
        *self.tables.write() = None;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

/// Applies the ops of `batches` to `tables`, in order; fails at the first insert whose key is
/// present.
fn apply(tables: &mut Tables, batches: &[&WriteBatch]) -> Result<()> {
    for op in batches.iter().flat_map(|b| b.ops()) {
        match op {
            WriteOp::Put { table, key, value } => {
                tables.entry((*table).to_string()).or_default().insert(key.clone(), value.as_slice().into());
            }
            WriteOp::Insert { table, key, value } => {
                if tables.entry((*table).to_string()).or_default().insert(key.clone(), value.as_slice().into()).is_some() {
                    return Err(already_present(table, key));
                }
            }
            WriteOp::Delete { table, key } => {
                if let Some(t) = tables.get_mut(*table) {
                    t.remove(key);
                }
            }
        }
    }
    Ok(())
}

//! Which database file holds which table: one `storage.redb`, or the seed's split layout
//! where time series, vectors, sessions and events each have a file (and an engine, so a
//! writer in one file never waits for the write lock of another).
//!
//! Tables are grouped so that no store commits across files: device states sit with the
//! time series (a telemetry write updates the device snapshot in the same commit) and the
//! long-term memory with the vectors (a memory entry and its embedding commit together).

use crate::error::Result;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, Visitor};
use crate::storage::engine::{Engine, WriteGuard, FORMAT_VERSION_KEY, LAST_WRITE_PREFIX, META};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The file a table lives in under the split layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FileGroup {
    /// `storage.redb`: rule and workflow history, alerts, decisions, and every unknown table.
    Main,
    /// `timeseries.redb`: telemetry chunks and device states.
    TimeSeries,
    /// `vectors.redb`: vector collections and the long-term memory.
    Vectors,
    /// `sessions/sessions.redb`: chat sessions and their summaries.
    Sessions,
    /// `events/events.redb`: the event log.
    Events,
}

impl FileGroup {
    /// Every group, `Main` first: the order files are opened, locked and written in.
    #[cfg(not(target_arch = "wasm32"))] // files exist only natively
    pub(crate) const ALL: [FileGroup; 5] =
        [FileGroup::Main, FileGroup::TimeSeries, FileGroup::Vectors, FileGroup::Sessions, FileGroup::Events];

    /// Path of the group's file relative to the data directory (the seed's layout).
    #[cfg(not(target_arch = "wasm32"))] // files exist only natively
    pub(crate) fn file(self) -> &'static str {
        match self {
            FileGroup::Main => crate::manager::DATABASE_FILE,
            FileGroup::TimeSeries => "timeseries.redb",
            FileGroup::Vectors => "vectors.redb",
            FileGroup::Sessions => "sessions/sessions.redb",
            FileGroup::Events => "events/events.redb",
        }
    }

    /// The group of a data table, by the name prefixes the stores use.
    pub(crate) fn of_table(name: &str) -> FileGroup {
        if name.starts_with("ts_") || name.starts_with("device") {
            FileGroup::TimeSeries
        } else if name.starts_with("vector") || name.starts_with("memory_") || name == "long_term_memory" {
            FileGroup::Vectors
        } else if name.starts_with("session") {
            FileGroup::Sessions
        } else if name.starts_with("events") {
            FileGroup::Events
        } else {
            FileGroup::Main
        }
    }

    /// The group whose meta table holds `key` (`None`: the format stamp, in every file).
    /// Counters are named `<store>.<counter>`; last-write stamps follow their table.
    pub(crate) fn of_meta_key(key: &[u8]) -> Option<FileGroup> {
        if key == FORMAT_VERSION_KEY {
            return None;
        }
        if let Some(table) = key.strip_prefix(LAST_WRITE_PREFIX.as_bytes()) {
            return Some(FileGroup::of_table(&String::from_utf8_lossy(table)));
        }
        Some(if key.starts_with(b"ts.") {
            FileGroup::TimeSeries
        } else if key.starts_with(b"memory.") || key.starts_with(b"vectors.") {
            FileGroup::Vectors
        } else if key.starts_with(b"sessions.") {
            FileGroup::Sessions
        } else if key.starts_with(b"events.") {
            FileGroup::Events
        } else {
            FileGroup::Main
        })
    }
}

/// The engine of each group; with one file, every group shares the same engine.
#[derive(Clone)]
pub(crate) struct Engines {
    by_group: [Arc<Engine>; 5],
}

impl Engines {
    /// One engine for everything (one file, or memory).
    pub(crate) fn single(engine: Arc<Engine>) -> Self {
        Engines { by_group: std::array::from_fn(|_| engine.clone()) }
    }

    /// One engine per group, in the order of [`FileGroup::ALL`].
    #[cfg(not(target_arch = "wasm32"))] // files exist only natively
    pub(crate) fn split(engines: [Arc<Engine>; 5]) -> Self {
        Engines { by_group: engines }
    }

    pub(crate) fn is_split(&self) -> bool {
        !Arc::ptr_eq(&self.by_group[0], &self.by_group[1])
    }

    pub(crate) fn get(&self, group: FileGroup) -> &Arc<Engine> {
        &self.by_group[group as usize]
    }

    /// Each distinct engine once, `Main` first.
    pub(crate) fn distinct(&self) -> &[Arc<Engine>] {
        if self.is_split() {
            &self.by_group
        } else {
            &self.by_group[..1]
        }
    }

    /// The write lock of every file, taken in [`FileGroup::ALL`] order (one order for every
    /// caller, so two callers cannot deadlock).
    pub(crate) fn lock_all(&self) -> AllWriteGuards<'_> {
        AllWriteGuards(self.distinct().iter().map(|e| e.lock_writes()).collect())
    }

    /// One read snapshot over every file (each file's snapshot is consistent on its own;
    /// no store commits across files, so nothing can be seen half-written).
    pub(crate) fn read_all(&self) -> Result<Box<dyn ReadView>> {
        if !self.is_split() {
            return self.get(FileGroup::Main).read();
        }
        let views = self.by_group.iter().map(|e| e.read()).collect::<Result<Vec<_>>>()?;
        Ok(Box::new(SplitView { views }))
    }
}

/// Write locks released in the reverse order they were taken (each guard restores the
/// thread's state from before it was taken).
pub(crate) struct AllWriteGuards<'a>(Vec<WriteGuard<'a>>);

impl Drop for AllWriteGuards<'_> {
    fn drop(&mut self) {
        while self.0.pop().is_some() {}
    }
}

/// A read view over the split files, indexed like [`FileGroup::ALL`]; the meta tables of all
/// files read as one table (their keys are distinct, the format stamp is the same in each).
struct SplitView {
    views: Vec<Box<dyn ReadView>>,
}

impl ReadView for SplitView {
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if table == META {
            for view in &self.views {
                if let Some(v) = view.get(META, key)? {
                    return Ok(Some(v));
                }
            }
            return Ok(None);
        }
        self.views[FileGroup::of_table(table) as usize].get(table, key)
    }

    fn scan(&self, table: &str, range: &KeyRange, dir: Direction, visit: &mut Visitor<'_>) -> Result<()> {
        if table != META {
            return self.views[FileGroup::of_table(table) as usize].scan(table, range, dir, visit);
        }
        // The meta tables are a few dozen entries: merge them in order.
        let mut merged = BTreeMap::new();
        for view in &self.views {
            view.scan(META, range, Direction::Forward, &mut |k, v| {
                merged.entry(k.to_vec()).or_insert_with(|| v.to_vec());
                Ok(Scan::Continue)
            })?;
        }
        let mut visit_all = |entries: &mut dyn Iterator<Item = (&Vec<u8>, &Vec<u8>)>| -> Result<()> {
            for (k, v) in entries {
                if visit(k, v)? == Scan::Stop {
                    break;
                }
            }
            Ok(())
        };
        match dir {
            Direction::Forward => visit_all(&mut merged.iter()),
            Direction::Reverse => visit_all(&mut merged.iter().rev()),
        }
    }

    fn table_names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for view in &self.views {
            names.extend(view.table_names()?);
        }
        names.sort();
        names.dedup();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_table_has_the_group_of_its_store() {
        for t in [
            "ts_series",
            "ts_series_by_id",
            "ts_chunks",
            "devices",
            "device_last_seen",
            "device_metrics",
            "devices_by_type",
            "devices_by_online",
        ] {
            assert_eq!(FileGroup::of_table(t), FileGroup::TimeSeries, "{t}");
        }
        for t in ["vector_collections", "vectors", "vector_metadata", "long_term_memory", "memory_index", "memory_terms", "memory_doc_ids"]
        {
            assert_eq!(FileGroup::of_table(t), FileGroup::Vectors, "{t}");
        }
        for t in ["sessions", "sessions_by_updated", "session_messages", "session_summaries"] {
            assert_eq!(FileGroup::of_table(t), FileGroup::Sessions, "{t}");
        }
        for t in ["events", "events_by_id", "events_by_time", "events_by_type", "events_by_correlation"] {
            assert_eq!(FileGroup::of_table(t), FileGroup::Events, "{t}");
        }
        for t in ["rule_executions", "workflow_executions", "alerts", "alerts_by_time", "llm_decisions", "meta", "someone_elses"] {
            assert_eq!(FileGroup::of_table(t), FileGroup::Main, "{t}");
        }
    }

    #[test]
    fn meta_keys_follow_their_store() {
        assert_eq!(FileGroup::of_meta_key(FORMAT_VERSION_KEY), None);
        assert_eq!(FileGroup::of_meta_key(b"last_write.ts_chunks"), Some(FileGroup::TimeSeries));
        assert_eq!(FileGroup::of_meta_key(b"last_write.alerts"), Some(FileGroup::Main));
        assert_eq!(FileGroup::of_meta_key(b"events.next_sequence"), Some(FileGroup::Events));
        assert_eq!(FileGroup::of_meta_key(b"memory.doc_count"), Some(FileGroup::Vectors));
        assert_eq!(FileGroup::of_meta_key(b"alerts.count.info"), Some(FileGroup::Main));
    }

    /// A restore routes meta entries by `of_meta_key`: every key a store writes must be in
    /// the file that function names, or a restored counter would land in the wrong file.
    #[test]
    fn every_meta_key_a_store_writes_is_in_the_file_of_meta_key() {
        use crate::storage::backend::{Backend, RedbBackend};
        use crate::*;
        let dir = tempfile::tempdir().unwrap();
        let db = StorageManager::open_with(dir.path(), StorageOptions { split_files: true, ..Default::default() }).unwrap();
        db.timeseries().write_series("pump", "power", &[DataPoint::new(0, 1.0)]).unwrap();
        db.devices().upsert(&DeviceState::new("pump", "pump")).unwrap();
        db.events().append(&NewEvent::new("e", "t", "s", 0, serde_json::json!({}))).unwrap();
        db.alerts().create(&AlertRecord::new("a", "t", AlertSeverity::Info, "m", "s", 0)).unwrap();
        db.rule_history().record(&RuleExecutionRecord::new("r", "rule", "n", 0, ExecutionResult::Success)).unwrap();
        db.workflow_history().start(&WorkflowExecutionRecord::new("w", "wf", "n", "manual", 0)).unwrap();
        db.decisions().create(&DecisionRecord::new("d", "t", "", "", 0.5, 0)).unwrap();
        db.sessions().create_session("s", "t", 0).unwrap();
        db.sessions().append_message("s", &SessionMessage::user("hi", 1)).unwrap();
        db.vectors().create_collection("c", 2, DistanceMetric::Cosine).unwrap();
        db.vectors().upsert("c", &VectorDocument::new("v", vec![1.0, 0.0], serde_json::json!({}))).unwrap();
        db.memory().add(&MemoryEntry::new("m", MemoryType::DeviceKnowledge, "pump facts", 0)).unwrap();
        db.close().unwrap();

        for group in FileGroup::ALL {
            let backend = RedbBackend::open(&dir.path().join(group.file()), 1 << 20).unwrap();
            let view = backend.read().unwrap();
            let mut keys = Vec::new();
            view.scan(META, &KeyRange::all(), Direction::Forward, &mut |k, _| {
                keys.push(k.to_vec());
                Ok(Scan::Continue)
            })
            .unwrap();
            assert!(keys.len() > 1, "{group:?} has only its format stamp");
            for key in keys {
                let routed = FileGroup::of_meta_key(&key);
                assert!(
                    routed.is_none() || routed == Some(group),
                    "{} is in {group:?}, routed to {routed:?}",
                    String::from_utf8_lossy(&key)
                );
            }
            for table in view.table_names().unwrap() {
                assert!(table == META || FileGroup::of_table(&table) == group, "{table} in {group:?}");
            }
            drop(view);
            backend.close().unwrap();
        }
    }
}

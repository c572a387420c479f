//! JS class `StorageManager`: an in-memory database and its store accessors.

use crate::alerts::JsAlertStore;
#[cfg(feature = "config")]
use crate::config::JsConfigStore;
use crate::convert::{record, to_js};
use crate::decisions::JsDecisionStore;
use crate::devices::JsDeviceStateStore;
use crate::error::{js_error, IntoJs, JsResult};
use crate::events::JsEventLogStore;
#[cfg(feature = "memory")]
use crate::memory::JsLongTermMemoryStore;
use crate::rules::JsRuleHistoryStore;
#[cfg(feature = "sessions")]
use crate::sessions::JsSessionStore;
use crate::snapshot::{snapshot_bytes, ImportedSnapshot};
use crate::timeseries::JsTimeSeriesStore;
#[cfg(feature = "vectors")]
use crate::vectors::JsVectorStore;
use crate::workflows::JsWorkflowHistoryStore;
use neotalk_storage::{StorageError, StorageManager, StorageOptions};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A `StorageOptionsInput` object, typed for the optional constructor argument.
    #[wasm_bindgen(typescript_type = "StorageOptionsInput")]
    pub type StorageOptionsArg;
}

/// An in-memory neotalk-storage database (the wasm build has no file backend).
#[wasm_bindgen(js_name = StorageManager)]
pub struct JsStorageManager {
    /// `None` once closed: `close()` drops the handle, so nothing of the database stays in
    /// wasm memory on this object's account and no `free()` is needed.
    inner: Option<StorageManager>,
}

impl JsStorageManager {
    /// The open database, or `CLOSED`.
    pub(crate) fn db(&self) -> JsResult<&StorageManager> {
        self.inner.as_ref().ok_or_else(|| js_error(StorageError::Closed))
    }
}

/// `options` of the constructor and of `fromSnapshot`: fields left out take the defaults.
fn options_arg(options: Option<StorageOptionsArg>) -> JsResult<StorageOptions> {
    match options {
        // serde would also read a struct from a positional array; options are an object.
        Some(o) if js_sys::Array::is_array(&o) => Err(crate::error::invalid("options", "must be an object")),
        Some(o) => record("options", o.into()),
        None => Ok(StorageOptions::default()),
    }
}

#[wasm_bindgen(js_class = StorageManager)]
impl JsStorageManager {
    /// A fresh, empty database. `options` may name only the fields to change (nested ones
    /// too); the rest take the core's defaults (`StorageManager.defaultOptions()`), as in C and
    /// Python. An unknown field is `INVALID_INPUT` naming it.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<StorageOptionsArg>) -> JsResult<JsStorageManager> {
        Ok(JsStorageManager { inner: Some(StorageManager::in_memory_with(options_arg(options)?).js()?) })
    }

    /// A new database holding a full snapshot (`exportSnapshot()` here or a native backup's
    /// `.ntbk`), verified as `importSnapshot` does; `options` as for the constructor.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
        options: Option<StorageOptionsArg>,
    ) -> JsResult<JsStorageManager> {
        let bytes = snapshot_bytes(&bytes)?;
        let db = StorageManager::in_memory_with(options_arg(options)?).js()?;
        db.import_snapshot(&bytes).js()?;
        Ok(JsStorageManager { inner: Some(db) })
    }

    /// The default options, as a plain object to adjust and pass to the constructor.
    #[wasm_bindgen(js_name = defaultOptions, unchecked_return_type = "StorageOptions")]
    pub fn default_options() -> JsResult<JsValue> {
        to_js(&StorageOptions::default())
    }

    /// The telemetry store.
    pub fn timeseries(&self) -> JsResult<JsTimeSeriesStore> {
        Ok(JsTimeSeriesStore { inner: self.db()?.timeseries().clone() })
    }

    /// The device state store.
    pub fn devices(&self) -> JsResult<JsDeviceStateStore> {
        Ok(JsDeviceStateStore { inner: self.db()?.devices().clone() })
    }

    /// The event log.
    pub fn events(&self) -> JsResult<JsEventLogStore> {
        Ok(JsEventLogStore { inner: self.db()?.events().clone() })
    }

    /// The alert store.
    pub fn alerts(&self) -> JsResult<JsAlertStore> {
        Ok(JsAlertStore { inner: self.db()?.alerts().clone() })
    }

    /// The rule execution history.
    #[wasm_bindgen(js_name = ruleHistory)]
    pub fn rule_history(&self) -> JsResult<JsRuleHistoryStore> {
        Ok(JsRuleHistoryStore { inner: self.db()?.rule_history().clone() })
    }

    /// The chat sessions (cargo feature `sessions`: the `full` entry point).
    #[cfg(feature = "sessions")]
    pub fn sessions(&self) -> JsResult<JsSessionStore> {
        Ok(JsSessionStore { inner: self.db()?.sessions().clone() })
    }

    /// The vector collections (cargo feature `vectors`: the `full` entry point).
    #[cfg(feature = "vectors")]
    pub fn vectors(&self) -> JsResult<JsVectorStore> {
        Ok(JsVectorStore { inner: self.db()?.vectors().clone() })
    }

    /// The workflow run history.
    #[wasm_bindgen(js_name = workflowHistory)]
    pub fn workflow_history(&self) -> JsResult<JsWorkflowHistoryStore> {
        Ok(JsWorkflowHistoryStore { inner: self.db()?.workflow_history().clone() })
    }

    /// The LLM decisions.
    pub fn decisions(&self) -> JsResult<JsDecisionStore> {
        Ok(JsDecisionStore { inner: self.db()?.decisions().clone() })
    }

    /// The LLM's long-term memory (cargo feature `memory`: the `full` entry point).
    #[cfg(feature = "memory")]
    pub fn memory(&self) -> JsResult<JsLongTermMemoryStore> {
        Ok(JsLongTermMemoryStore { inner: self.db()?.memory().clone() })
    }

    /// The database's config tree (in memory; it starts empty, every file reading as its
    /// defaults). It is not part of snapshots. Only in the `full` entry point (the `config`
    /// feature), because the YAML parser it needs is most of a package's size.
    #[cfg(feature = "config")]
    pub fn config(&self) -> JsResult<JsConfigStore> {
        Ok(JsConfigStore::of(self.db()?.clone()))
    }

    /// A full snapshot of every table in the portable backup format shared with the native
    /// build (a `.ntbk` file written by native `export_snapshot` / backups reads back here,
    /// and the reverse). Buffered telemetry is committed first.
    #[wasm_bindgen(js_name = exportSnapshot)]
    pub fn export_snapshot(&self) -> JsResult<Vec<u8>> {
        self.db()?.export_snapshot().js()
    }

    /// Replaces all data with a full snapshot from `exportSnapshot` (or the native build).
    /// The whole file is verified first: a damaged, truncated or foreign file throws
    /// (`CORRUPTED`, `VERSION_MISMATCH` or `INVALID_INPUT`) and the data stays as it was.
    /// Returns what was restored: `{ kind, created_at, source_format_version, total_entries,
    /// tables: [{ name, entries }] }`.
    #[wasm_bindgen(js_name = importSnapshot, unchecked_return_type = "ImportedSnapshot")]
    pub fn import_snapshot(&self, #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue) -> JsResult<JsValue> {
        let bytes = snapshot_bytes(&bytes)?;
        let manifest = self.db()?.import_snapshot(&bytes).js()?;
        to_js(&ImportedSnapshot::from(&manifest))
    }

    /// Database size, per-table counts, sizes and last write times, and query latencies
    /// (`StorageStats`; latencies are 0 in wasm, which has no clock in the core).
    #[wasm_bindgen(unchecked_return_type = "StorageStats")]
    pub fn stats(&self) -> JsResult<JsValue> {
        to_js(&self.db()?.stats().js()?)
    }

    /// Commits buffered telemetry and releases freed space: `{ before_bytes, after_bytes }`
    /// (in memory there is nothing to release; the two are equal).
    #[wasm_bindgen(unchecked_return_type = "CompactionReport")]
    pub fn compact(&self) -> JsResult<JsValue> {
        to_js(&self.db()?.compact().js()?)
    }

    /// Checks the database's structure; `true` when sound (always, in memory).
    #[wasm_bindgen(js_name = checkIntegrity)]
    pub fn check_integrity(&self) -> JsResult<bool> {
        self.db()?.check_integrity().js()
    }

    /// Reads every stored entry, checking its checksum: `{ ok, entries_checked, damaged_count,
    /// damaged: [{ table, key, what, problem }], engine_problem, engine_checked }`. Damage is
    /// reported, not thrown.
    #[wasm_bindgen(js_name = integrityReport, unchecked_return_type = "IntegrityReport")]
    pub fn integrity_report(&self) -> JsResult<JsValue> {
        to_js(&self.db()?.integrity_report().js()?)
    }

    /// `"memory"` (the only backend of the wasm build; also after `close()`).
    #[wasm_bindgen(js_name = backendKind)]
    pub fn backend_kind(&self) -> String {
        "memory".to_string()
    }

    /// Entry count and stored bytes of every table.
    #[wasm_bindgen(js_name = tableSizes, unchecked_return_type = "TableSize[]")]
    pub fn table_sizes(&self) -> JsResult<JsValue> {
        to_js(&self.db()?.table_sizes().js()?)
    }

    /// Commits buffered telemetry.
    pub fn flush(&self) -> JsResult<()> {
        self.db()?.flush().js()
    }

    /// Flushes and releases the database: its data and this object's hold on wasm memory
    /// are freed (no `free()` needed). Later calls on it and its stores throw `CLOSED`
    /// (`backendKind()` excepted). Closing twice is harmless.
    pub fn close(&mut self) -> JsResult<()> {
        match self.inner.take() {
            Some(db) => db.close().js(),
            None => Ok(()),
        }
    }
}

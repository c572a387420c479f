//! JS class `StorageManager`: an in-memory database and its store accessors.

use crate::alerts::JsAlertStore;
use crate::config::JsConfigStore;
use crate::convert::{record, to_js};
use crate::decisions::JsDecisionStore;
use crate::devices::JsDeviceStateStore;
use crate::error::{IntoJs, JsResult};
use crate::events::JsEventLogStore;
use crate::memory::JsLongTermMemoryStore;
use crate::rules::JsRuleHistoryStore;
use crate::sessions::JsSessionStore;
use crate::snapshot::{snapshot_bytes, ImportedSnapshot};
use crate::timeseries::JsTimeSeriesStore;
use crate::vectors::JsVectorStore;
use crate::workflows::JsWorkflowHistoryStore;
use neotalk_storage::{StorageManager, StorageOptions};
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
    pub(crate) inner: StorageManager,
}

#[wasm_bindgen(js_class = StorageManager)]
impl JsStorageManager {
    /// A fresh, empty database. `options` may name only the fields to change (nested ones
    /// too); the rest take the core's defaults (`StorageManager.defaultOptions()`), as in C and
    /// Python. An unknown field is `INVALID_INPUT` naming it.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<StorageOptionsArg>) -> JsResult<JsStorageManager> {
        let options: StorageOptions = match options {
            // serde would also read a struct from a positional array; options are an object.
            Some(o) if js_sys::Array::is_array(&o) => return Err(crate::error::invalid("options", "must be an object")),
            Some(o) => record("options", o.into())?,
            None => StorageOptions::default(),
        };
        Ok(JsStorageManager { inner: StorageManager::in_memory_with(options).js()? })
    }

    /// The default options, as a plain object to adjust and pass to the constructor.
    #[wasm_bindgen(js_name = defaultOptions, unchecked_return_type = "StorageOptions")]
    pub fn default_options() -> JsResult<JsValue> {
        to_js(&StorageOptions::default())
    }

    /// The telemetry store.
    pub fn timeseries(&self) -> JsTimeSeriesStore {
        JsTimeSeriesStore { inner: self.inner.timeseries().clone() }
    }

    /// The device state store.
    pub fn devices(&self) -> JsDeviceStateStore {
        JsDeviceStateStore { inner: self.inner.devices().clone() }
    }

    /// The event log.
    pub fn events(&self) -> JsEventLogStore {
        JsEventLogStore { inner: self.inner.events().clone() }
    }

    /// The alert store.
    pub fn alerts(&self) -> JsAlertStore {
        JsAlertStore { inner: self.inner.alerts().clone() }
    }

    /// The rule execution history.
    #[wasm_bindgen(js_name = ruleHistory)]
    pub fn rule_history(&self) -> JsRuleHistoryStore {
        JsRuleHistoryStore { inner: self.inner.rule_history().clone() }
    }

    /// The chat sessions.
    pub fn sessions(&self) -> JsSessionStore {
        JsSessionStore { inner: self.inner.sessions().clone() }
    }

    /// The vector collections.
    pub fn vectors(&self) -> JsVectorStore {
        JsVectorStore { inner: self.inner.vectors().clone() }
    }

    /// The workflow run history.
    #[wasm_bindgen(js_name = workflowHistory)]
    pub fn workflow_history(&self) -> JsWorkflowHistoryStore {
        JsWorkflowHistoryStore { inner: self.inner.workflow_history().clone() }
    }

    /// The LLM decisions.
    pub fn decisions(&self) -> JsDecisionStore {
        JsDecisionStore { inner: self.inner.decisions().clone() }
    }

    /// The LLM's long-term memory.
    pub fn memory(&self) -> JsLongTermMemoryStore {
        JsLongTermMemoryStore { inner: self.inner.memory().clone() }
    }

    /// The database's config tree (in memory; it starts empty, every file reading as its
    /// defaults). It is not part of snapshots and stays usable after `close()`.
    pub fn config(&self) -> JsConfigStore {
        JsConfigStore::of(self.inner.clone())
    }

    /// A full snapshot of every table in the portable backup format shared with the native
    /// build (a `.ntbk` file written by native `export_snapshot` / backups reads back here,
    /// and the reverse). Buffered telemetry is committed first.
    #[wasm_bindgen(js_name = exportSnapshot)]
    pub fn export_snapshot(&self) -> JsResult<Vec<u8>> {
        self.inner.export_snapshot().js()
    }

    /// Replaces all data with a full snapshot from `exportSnapshot` (or the native build).
    /// The whole file is verified first: a damaged, truncated or foreign file throws
    /// (`CORRUPTED`, `VERSION_MISMATCH` or `INVALID_INPUT`) and the data stays as it was.
    /// Returns what was restored: `{ kind, created_at, source_format_version, total_entries,
    /// tables: [{ name, entries }] }`.
    #[wasm_bindgen(js_name = importSnapshot, unchecked_return_type = "ImportedSnapshot")]
    pub fn import_snapshot(&self, #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue) -> JsResult<JsValue> {
        let bytes = snapshot_bytes(&bytes)?;
        let manifest = self.inner.import_snapshot(&bytes).js()?;
        to_js(&ImportedSnapshot::from(&manifest))
    }

    /// Database size, per-table counts, sizes and last write times, and query latencies
    /// (`StorageStats`; latencies are 0 in wasm, which has no clock in the core).
    #[wasm_bindgen(unchecked_return_type = "StorageStats")]
    pub fn stats(&self) -> JsResult<JsValue> {
        to_js(&self.inner.stats().js()?)
    }

    /// Commits buffered telemetry and releases freed space: `{ before_bytes, after_bytes }`
    /// (in memory there is nothing to release; the two are equal).
    #[wasm_bindgen(unchecked_return_type = "CompactionReport")]
    pub fn compact(&self) -> JsResult<JsValue> {
        to_js(&self.inner.compact().js()?)
    }

    /// Checks the database's structure; `true` when sound (always, in memory).
    #[wasm_bindgen(js_name = checkIntegrity)]
    pub fn check_integrity(&self) -> JsResult<bool> {
        self.inner.check_integrity().js()
    }

    /// `"memory"`.
    #[wasm_bindgen(js_name = backendKind)]
    pub fn backend_kind(&self) -> String {
        self.inner.backend_kind().to_string()
    }

    /// Entry count and stored bytes of every table.
    #[wasm_bindgen(js_name = tableSizes, unchecked_return_type = "TableSize[]")]
    pub fn table_sizes(&self) -> JsResult<JsValue> {
        to_js(&self.inner.table_sizes().js()?)
    }

    /// Commits buffered telemetry.
    pub fn flush(&self) -> JsResult<()> {
        self.inner.flush().js()
    }

    /// Flushes and releases the database; later calls on it and its stores throw `CLOSED`.
    /// Closing twice is harmless.
    pub fn close(&self) -> JsResult<()> {
        self.inner.close().js()
    }
}

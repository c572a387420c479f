//! JS class `StorageManager`: an in-memory database and its store accessors.

use crate::convert::{from_js, to_js};
use crate::devices::JsDeviceStateStore;
use crate::error::{IntoJs, JsResult};
use crate::events::JsEventLogStore;
use crate::timeseries::JsTimeSeriesStore;
use neotalk_storage::{StorageManager, StorageOptions};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A `StorageOptions` object, typed for the optional constructor argument.
    #[wasm_bindgen(typescript_type = "StorageOptions")]
    pub type StorageOptionsArg;
}

/// An in-memory neotalk-storage database (the wasm build has no file backend).
#[wasm_bindgen(js_name = StorageManager)]
pub struct JsStorageManager {
    inner: StorageManager,
}

#[wasm_bindgen(js_class = StorageManager)]
impl JsStorageManager {
    /// A fresh, empty database; `options` (a full `StorageOptions`, e.g. from
    /// `StorageManager.defaultOptions()` with fields changed) defaults to the defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<StorageOptionsArg>) -> JsResult<JsStorageManager> {
        let options: StorageOptions = match options {
            Some(o) => from_js("options", o.into())?,
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

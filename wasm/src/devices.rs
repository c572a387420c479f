//! JS class `DeviceStateStore`: device registration, online state and latest values.

use crate::convert::{record, string, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{DeviceState, DeviceStateStore};
use wasm_bindgen::prelude::*;

/// Device states. Obtain it from `StorageManager.devices()`.
#[wasm_bindgen(js_name = DeviceStateStore)]
pub struct JsDeviceStateStore {
    pub(crate) inner: DeviceStateStore,
}

#[wasm_bindgen(js_class = DeviceStateStore)]
impl JsDeviceStateStore {
    /// Registers a device or replaces its registration fields; `last_seen` only moves
    /// forward and given metric snapshots are merged (newer wins).
    pub fn upsert(&self, #[wasm_bindgen(unchecked_param_type = "DeviceInput")] state: JsValue) -> JsResult<()> {
        let state: DeviceState = record("state", state)?;
        self.inner.upsert(&state).js()
    }

    /// The device's full state with its latest metric values, or `null`.
    #[wasm_bindgen(js_name = getDevice, unchecked_return_type = "DeviceState | null")]
    pub fn get_device(&self, #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue) -> JsResult<JsValue> {
        to_js(&self.inner.get_device(&string("device_id", &device_id)?).js()?)
    }

    /// Removes the device; with `cascade`, every telemetry point of it first. Returns how many
    /// points went (0 without `cascade`: the telemetry stays). `NOT_FOUND` for an unknown device.
    pub fn delete(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        cascade: Option<bool>,
    ) -> JsResult<f64> {
        let device_id = string("device_id", &device_id)?;
        if cascade.unwrap_or(false) {
            return Ok(self.inner.delete_with_telemetry(&device_id).js()? as f64);
        }
        self.inner.delete(&device_id).js()?;
        Ok(0.0)
    }

    /// Every device, ordered by id.
    #[wasm_bindgen(js_name = listDevices, unchecked_return_type = "DeviceState[]")]
    pub fn list_devices(&self) -> JsResult<JsValue> {
        to_js(&self.inner.list_devices().js()?)
    }

    /// Devices of one type, ordered by id.
    #[wasm_bindgen(js_name = listByType, unchecked_return_type = "DeviceState[]")]
    pub fn list_by_type(
        &self,
        #[wasm_bindgen(js_name = deviceType, unchecked_param_type = "string")] device_type: JsValue,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.list_by_type(&string("device_type", &device_type)?).js()?)
    }

    /// Online devices, ordered by id.
    #[wasm_bindgen(js_name = listOnline, unchecked_return_type = "DeviceState[]")]
    pub fn list_online(&self) -> JsResult<JsValue> {
        to_js(&self.inner.list_online().js()?)
    }

    /// Offline devices, ordered by id.
    #[wasm_bindgen(js_name = listOffline, unchecked_return_type = "DeviceState[]")]
    pub fn list_offline(&self) -> JsResult<JsValue> {
        to_js(&self.inner.list_offline().js()?)
    }

    /// Marks a device online or offline; `NOT_FOUND` for an unknown device.
    #[wasm_bindgen(js_name = setOnline)]
    pub fn set_online(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        online: bool,
    ) -> JsResult<()> {
        self.inner.set_online(&string("device_id", &device_id)?, online).js()
    }
}

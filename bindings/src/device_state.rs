//! Device states: [`DeviceStateStore`] and its records.

use crate::enums::MdlDataType;
use crate::error::Result;
use crate::mirror::{from_core, mirror_record, to_core};
use crate::timeseries::MetricValue;
use neotalk_storage as core;
use std::collections::HashMap;

mirror_record! {
    /// A metric a device type reports.
    MdlMetric => core::MdlMetric {
        /// Metric name (`temperature`).
        name: String,
        /// Value type.
        data_type: MdlDataType,
        /// Unit (`°C`), if any.
        #[uniffi(default)]
        unit: Option<String>,
    }
}

mirror_record! {
    /// A parameter of a device command.
    MdlParameter => core::MdlParameter {
        /// Parameter name.
        name: String,
        /// Value type.
        data_type: MdlDataType,
        /// Whether the command needs it.
        required: bool,
    }
}

mirror_record! {
    /// A command a device type accepts.
    MdlCommand => core::MdlCommand {
        /// Command name (`set_power`).
        name: String,
        /// Parameters in order.
        parameters: Vec<MdlParameter>,
    }
}

mirror_record! {
    /// Typed device-type description (the seed's MDL definition).
    MdlDeviceType => core::MdlDeviceType {
        /// Device type id (`thermo-v2`).
        type_id: String,
        /// Human-readable name.
        name: String,
        /// Metrics the type reports.
        metrics: Vec<MdlMetric>,
        /// Commands the type accepts.
        commands: Vec<MdlCommand>,
    }
}

mirror_record! {
    /// The latest value of one metric of a device.
    MetricSnapshot => core::MetricSnapshot {
        /// Latest value.
        value: MetricValue,
        /// Its timestamp (Unix ms).
        timestamp: i64,
        /// Its quality, if reported.
        #[uniffi(default)]
        quality: Option<f32>,
        /// The size in bytes of a binary value, whose bytes the snapshot leaves out (`value` is
        /// then empty `Binary`); `None` for other values.
        #[uniffi(default)]
        binary_bytes: Option<i64>,
    }
}

mirror_record! {
    /// The current state of a device.
    DeviceState => core::DeviceState {
        /// Device id.
        device_id: String,
        /// Device type (indexed for `list_by_type`).
        device_type: String,
        /// Device configuration, as JSON text.
        config: String,
        /// Display name.
        #[uniffi(default = "")]
        name: String,
        /// Online state (indexed for `list_online` / `list_offline`).
        #[uniffi(default = true)]
        online: bool,
        /// Last time the device was heard from (Unix ms); it only moves forward.
        #[uniffi(default = 0)]
        last_seen: i64,
        /// Latest value per metric, kept up to date by telemetry writes.
        #[uniffi(default)]
        metrics: HashMap<String, MetricSnapshot>,
        /// Typed device-type description.
        #[uniffi(default)]
        mdl_definition: Option<MdlDeviceType>,
        /// Adapter the device comes from (`mqtt`, `modbus`, ...).
        #[uniffi(default = "")]
        adapter: String,
    }
}

fn from_core_list(devices: Vec<core::DeviceState>) -> Vec<DeviceState> {
    devices.into_iter().map(DeviceState::from).collect()
}

crate::store_object::store_object! {
    /// Store of device states; obtain it from `StorageManager.devices()`.
    DeviceStateStore => core::DeviceStateStore
}

#[uniffi::export]
impl DeviceStateStore {
    /// Registers a device or replaces its registration fields (type, name, online, config,
    /// MDL definition, adapter). `last_seen` only moves forward, and the given metric
    /// snapshots are merged: one replaces the stored snapshot of its metric when it is at
    /// least as new; snapshots not mentioned are kept.
    pub fn upsert(&self, state: DeviceState) -> Result<()> {
        Ok(self.inner.upsert(&to_core("state", state)?)?)
    }

    /// The device's full state, latest metric values included, or none.
    pub fn get_device(&self, device_id: String) -> Result<Option<DeviceState>> {
        Ok(self.inner.get_device(&device_id)?.map(DeviceState::from))
    }

    /// Removes the device, its indexes and metric snapshots; with `cascade`, every telemetry
    /// point of the device first (core `delete_with_telemetry`). Returns how many points went
    /// (0 without `cascade`: the telemetry stays). Unknown devices fail with `NotFound`.
    #[uniffi::method(default(cascade = false))]
    pub fn delete(&self, device_id: String, cascade: bool) -> Result<i64> {
        if cascade {
            return Ok(from_core(self.inner.delete_with_telemetry(&device_id)?));
        }
        self.inner.delete(&device_id)?;
        Ok(0)
    }

    /// Every device, ordered by id.
    pub fn list_devices(&self) -> Result<Vec<DeviceState>> {
        Ok(from_core_list(self.inner.list_devices()?))
    }

    /// Devices of one type, ordered by id.
    pub fn list_by_type(&self, device_type: String) -> Result<Vec<DeviceState>> {
        Ok(from_core_list(self.inner.list_by_type(&device_type)?))
    }

    /// Online devices, ordered by id.
    pub fn list_online(&self) -> Result<Vec<DeviceState>> {
        Ok(from_core_list(self.inner.list_online()?))
    }

    /// Offline devices, ordered by id.
    pub fn list_offline(&self) -> Result<Vec<DeviceState>> {
        Ok(from_core_list(self.inner.list_offline()?))
    }

    /// Marks a device online or offline. Unknown devices fail with `NotFound`.
    pub fn set_online(&self, device_id: String, online: bool) -> Result<()> {
        Ok(self.inner.set_online(&device_id, online)?)
    }
}

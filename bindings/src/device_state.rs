//! Device states: [`DeviceStateStore`] and its records.

use crate::error::Result;
use crate::json;
use crate::timeseries::MetricValue;
use neotalk_storage as core;
use std::collections::HashMap;
use std::sync::Arc;

/// Data type of a metric or command parameter in a device-type description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MdlDataType {
    /// Floating-point number.
    Float,
    /// Whole number.
    Integer,
    /// Text.
    String,
    /// Flag.
    Boolean,
}

impl From<MdlDataType> for core::MdlDataType {
    fn from(t: MdlDataType) -> Self {
        match t {
            MdlDataType::Float => core::MdlDataType::Float,
            MdlDataType::Integer => core::MdlDataType::Integer,
            MdlDataType::String => core::MdlDataType::String,
            MdlDataType::Boolean => core::MdlDataType::Boolean,
        }
    }
}

impl From<core::MdlDataType> for MdlDataType {
    fn from(t: core::MdlDataType) -> Self {
        match t {
            core::MdlDataType::Float => MdlDataType::Float,
            core::MdlDataType::Integer => MdlDataType::Integer,
            core::MdlDataType::String => MdlDataType::String,
            core::MdlDataType::Boolean => MdlDataType::Boolean,
        }
    }
}

/// A metric a device type reports.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MdlMetric {
    /// Metric name (`temperature`).
    pub name: String,
    /// Value type.
    pub data_type: MdlDataType,
    /// Unit (`°C`), if any.
    #[uniffi(default)]
    pub unit: Option<String>,
}

/// A parameter of a device command.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MdlParameter {
    /// Parameter name.
    pub name: String,
    /// Value type.
    pub data_type: MdlDataType,
    /// Whether the command needs it.
    pub required: bool,
}

/// A command a device type accepts.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MdlCommand {
    /// Command name (`set_power`).
    pub name: String,
    /// Parameters in order.
    pub parameters: Vec<MdlParameter>,
}

/// Typed device-type description (the seed's MDL definition).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MdlDeviceType {
    /// Device type id (`thermo-v2`).
    pub type_id: String,
    /// Human-readable name.
    pub name: String,
    /// Metrics the type reports.
    pub metrics: Vec<MdlMetric>,
    /// Commands the type accepts.
    pub commands: Vec<MdlCommand>,
}

impl From<MdlDeviceType> for core::MdlDeviceType {
    fn from(t: MdlDeviceType) -> Self {
        core::MdlDeviceType {
            type_id: t.type_id,
            name: t.name,
            metrics: t.metrics.into_iter().map(|m| core::MdlMetric { name: m.name, data_type: m.data_type.into(), unit: m.unit }).collect(),
            commands: t
                .commands
                .into_iter()
                .map(|c| core::MdlCommand {
                    name: c.name,
                    parameters: c
                        .parameters
                        .into_iter()
                        .map(|p| core::MdlParameter { name: p.name, data_type: p.data_type.into(), required: p.required })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl From<core::MdlDeviceType> for MdlDeviceType {
    fn from(t: core::MdlDeviceType) -> Self {
        MdlDeviceType {
            type_id: t.type_id,
            name: t.name,
            metrics: t.metrics.into_iter().map(|m| MdlMetric { name: m.name, data_type: m.data_type.into(), unit: m.unit }).collect(),
            commands: t
                .commands
                .into_iter()
                .map(|c| MdlCommand {
                    name: c.name,
                    parameters: c
                        .parameters
                        .into_iter()
                        .map(|p| MdlParameter { name: p.name, data_type: p.data_type.into(), required: p.required })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The latest value of one metric of a device.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MetricSnapshot {
    /// Latest value.
    pub value: MetricValue,
    /// Its timestamp (Unix ms).
    pub timestamp: i64,
    /// Its quality, if reported.
    #[uniffi(default)]
    pub quality: Option<f32>,
    /// The size in bytes of a binary value, whose bytes the snapshot leaves out (`value` is
    /// then empty `Binary`); `None` for other values.
    #[uniffi(default)]
    pub binary_bytes: Option<u64>,
}

impl From<MetricSnapshot> for core::MetricSnapshot {
    fn from(s: MetricSnapshot) -> Self {
        core::MetricSnapshot { value: s.value.into(), timestamp: s.timestamp, quality: s.quality, binary_bytes: s.binary_bytes }
    }
}

impl From<core::MetricSnapshot> for MetricSnapshot {
    fn from(s: core::MetricSnapshot) -> Self {
        MetricSnapshot { value: s.value.into(), timestamp: s.timestamp, quality: s.quality, binary_bytes: s.binary_bytes }
    }
}

/// The current state of a device.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DeviceState {
    /// Device id.
    pub device_id: String,
    /// Device type (indexed for `list_by_type`).
    pub device_type: String,
    /// Device configuration, as JSON text.
    pub config: String,
    /// Display name.
    #[uniffi(default = "")]
    pub name: String,
    /// Online state (indexed for `list_online` / `list_offline`).
    #[uniffi(default = true)]
    pub online: bool,
    /// Last time the device was heard from (Unix ms); it only moves forward.
    #[uniffi(default = 0)]
    pub last_seen: i64,
    /// Latest value per metric, kept up to date by telemetry writes.
    #[uniffi(default)]
    pub metrics: HashMap<String, MetricSnapshot>,
    /// Typed device-type description.
    #[uniffi(default)]
    pub mdl_definition: Option<MdlDeviceType>,
    /// Adapter the device comes from (`mqtt`, `modbus`, ...).
    #[uniffi(default = "")]
    pub adapter: String,
}

impl DeviceState {
    fn into_core(self) -> Result<core::DeviceState> {
        Ok(core::DeviceState {
            config: json::parse("config", &self.config)?,
            device_id: self.device_id,
            device_type: self.device_type,
            name: self.name,
            online: self.online,
            last_seen: self.last_seen,
            metrics: self.metrics.into_iter().map(|(m, s)| (m, s.into())).collect(),
            mdl_definition: self.mdl_definition.map(Into::into),
            adapter: self.adapter,
        })
    }
}

impl From<core::DeviceState> for DeviceState {
    fn from(d: core::DeviceState) -> Self {
        DeviceState {
            config: json::print(&d.config),
            device_id: d.device_id,
            device_type: d.device_type,
            name: d.name,
            online: d.online,
            last_seen: d.last_seen,
            metrics: d.metrics.into_iter().map(|(m, s)| (m, s.into())).collect(),
            mdl_definition: d.mdl_definition.map(Into::into),
            adapter: d.adapter,
        }
    }
}

fn from_core_list(devices: Vec<core::DeviceState>) -> Vec<DeviceState> {
    devices.into_iter().map(DeviceState::from).collect()
}

/// Store of device states; obtain it from `StorageManager.devices()`.
#[derive(uniffi::Object)]
pub struct DeviceStateStore {
    inner: core::DeviceStateStore,
}

impl DeviceStateStore {
    pub(crate) fn new(inner: core::DeviceStateStore) -> Arc<Self> {
        Arc::new(DeviceStateStore { inner })
    }
}

#[uniffi::export]
impl DeviceStateStore {
    /// Registers a device or replaces its registration fields (type, name, online, config,
    /// MDL definition, adapter). `last_seen` only moves forward, and the given metric
    /// snapshots are merged: one replaces the stored snapshot of its metric when it is at
    /// least as new; snapshots not mentioned are kept.
    pub fn upsert(&self, state: DeviceState) -> Result<()> {
        Ok(self.inner.upsert(&state.into_core()?)?)
    }

    /// The device's full state, latest metric values included, or none.
    pub fn get_device(&self, device_id: String) -> Result<Option<DeviceState>> {
        Ok(self.inner.get_device(&device_id)?.map(DeviceState::from))
    }

    /// Removes the device, its indexes and metric snapshots; with `cascade`, every telemetry
    /// point of the device first (core `delete_with_telemetry`). Returns how many points went
    /// (0 without `cascade`: the telemetry stays). Unknown devices fail with `NotFound`.
    #[uniffi::method(default(cascade = false))]
    pub fn delete(&self, device_id: String, cascade: bool) -> Result<u64> {
        if cascade {
            return Ok(self.inner.delete_with_telemetry(&device_id)?);
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

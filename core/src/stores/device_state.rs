//! Device state store (seed section 2): registration, online state and latest metric values.
//!
//! Tables:
//! - `devices`: device_id -> JSON of the registration fields (everything but `metrics` and
//!   `last_seen`, which change on every telemetry write and live in tables of their own)
//! - `device_last_seen`: device_id -> i64
//! - `device_metrics`: (device_id, metric) -> snapshot (i64 timestamp + point encoding)
//! - `devices_by_type`: (device_type, device_id) -> ()
//! - `devices_by_online`: (online as u8, device_id) -> ()
//!
//! Telemetry writes stage their snapshot and `last_seen` updates into the same batch as the
//! points (see [`DeviceStateStore::stage_telemetry`]), so `get_device` always shows the latest
//! values. A bounded write-through LRU cache holds recently used device states.

use crate::error::{Result, StorageError};
use crate::limits::{check_id, check_json};
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::cache::HotCache;
use crate::storage::engine::Engine;
use crate::storage::key::{KeyBuilder, KeyReader};
use crate::stores::timeseries::point::{self, DataPoint, MetricValue};
use crate::stores::timeseries::ValueType;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

const DEVICES: &str = "devices";
const LAST_SEEN: &str = "device_last_seen";
const METRICS: &str = "device_metrics";
const BY_TYPE: &str = "devices_by_type";
const BY_ONLINE: &str = "devices_by_online";

/// Data type of a metric or command parameter in a device-type description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

crate::names::text_enum!(MdlDataType, "data_type", [Float, Integer, String, Boolean]);

/// A metric a device type reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdlMetric {
    /// Metric name (`temperature`).
    pub name: String,
    /// Value type.
    pub data_type: MdlDataType,
    /// Unit (`°C`), if any.
    pub unit: Option<String>,
}

/// A parameter of a device command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdlParameter {
    /// Parameter name.
    pub name: String,
    /// Value type.
    pub data_type: MdlDataType,
    /// Whether the command needs it (`false` when omitted in JSON).
    #[serde(default)]
    pub required: bool,
}

/// A command a device type accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdlCommand {
    /// Command name (`set_power`).
    pub name: String,
    /// Parameters in order (none when omitted in JSON).
    #[serde(default)]
    pub parameters: Vec<MdlParameter>,
}

/// Typed device-type description (the seed's MDL definition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdlDeviceType {
    /// Device type id (`thermo-v2`).
    pub type_id: String,
    /// Human-readable name.
    pub name: String,
    /// Metrics the type reports (none when omitted in JSON).
    #[serde(default)]
    pub metrics: Vec<MdlMetric>,
    /// Commands the type accepts (none when omitted in JSON).
    #[serde(default)]
    pub commands: Vec<MdlCommand>,
}

/// The latest value of one metric of a device.
///
/// A binary value is kept by reference: `value` is an empty [`MetricValue::Binary`] and
/// `binary_bytes` its size; `timeseries().query_latest` reads the bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSnapshot {
    /// Latest value (an empty `Binary` for binary values).
    pub value: MetricValue,
    /// Its timestamp (Unix ms).
    pub timestamp: i64,
    /// Its quality, if reported.
    pub quality: Option<f32>,
    /// The size in bytes of a binary value; `None` for other values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_bytes: Option<u64>,
}

impl MetricSnapshot {
    /// The snapshot of `p`: its value, or for a binary value its size.
    pub(crate) fn of(p: &DataPoint) -> Self {
        MetricSnapshot { value: MetricValue::Binary(Vec::new()), timestamp: p.timestamp, quality: p.quality, binary_bytes: None }
            .with_value(&p.value, None)
    }

    /// The snapshot as stored: a binary value by size (its bytes' length, or for empty bytes
    /// the `binary_bytes` given, so a snapshot read and written back keeps its size).
    fn normalized(&self) -> Self {
        self.clone().with_value(&self.value, self.binary_bytes)
    }

    fn with_value(mut self, value: &MetricValue, size_if_empty: Option<u64>) -> Self {
        match value {
            MetricValue::Binary(b) => {
                self.value = MetricValue::Binary(Vec::new());
                self.binary_bytes = Some(if b.is_empty() { size_if_empty.unwrap_or(0) } else { b.len() as u64 });
            }
            other => {
                self.value = other.clone();
                self.binary_bytes = None;
            }
        }
        self
    }
}

/// The current state of a device (seed section 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceState {
    /// Device id.
    pub device_id: String,
    /// Device type (indexed for `list_by_type`).
    pub device_type: String,
    /// Display name. Empty (the default when omitted in JSON) means the device id:
    /// [`DeviceStateStore::upsert`] stores the id as the name.
    #[serde(default)]
    pub name: String,
    /// Online state (indexed for `list_online` / `list_offline`); `true` when omitted in JSON.
    #[serde(default = "default_online")]
    pub online: bool,
    /// Last time the device was heard from (Unix ms): the newest telemetry timestamp or the
    /// value given to `upsert`, whichever is later.
    #[serde(default)]
    pub last_seen: i64,
    /// Latest value per metric, kept up to date by telemetry writes.
    #[serde(default)]
    pub metrics: HashMap<String, MetricSnapshot>,
    /// Device configuration.
    #[serde(default)]
    pub config: serde_json::Value,
    /// Typed device-type description.
    #[serde(default)]
    pub mdl_definition: Option<MdlDeviceType>,
    /// Adapter the device comes from (`mqtt`, `modbus`, ...).
    #[serde(default)]
    pub adapter: String,
}

fn default_online() -> bool {
    true
}

impl DeviceState {
    /// A device with the given id and type, online, with empty config and no metrics.
    pub fn new(device_id: impl Into<String>, device_type: impl Into<String>) -> Self {
        let device_id = device_id.into();
        DeviceState {
            name: device_id.clone(),
            device_id,
            device_type: device_type.into(),
            online: true,
            last_seen: 0,
            metrics: HashMap::new(),
            config: serde_json::Value::Null,
            mdl_definition: None,
            adapter: String::new(),
        }
    }
}

/// The stored registration row: `DeviceState` without the fast-changing fields.
#[derive(Serialize, Deserialize)]
struct Registration {
    device_type: String,
    name: String,
    online: bool,
    config: serde_json::Value,
    mdl_definition: Option<MdlDeviceType>,
    adapter: String,
}

fn id_key(device_id: &str) -> Vec<u8> {
    KeyBuilder::new().str(device_id).finish()
}
fn metric_key(device_id: &str, metric: &str) -> Vec<u8> {
    KeyBuilder::new().str(device_id).str(metric).finish()
}
fn type_key(device_type: &str, device_id: &str) -> Vec<u8> {
    KeyBuilder::new().str(device_type).str(device_id).finish()
}
fn online_key(online: bool, device_id: &str) -> Vec<u8> {
    KeyBuilder::new().u8(online as u8).str(device_id).finish()
}

/// Encodes a snapshot (binary values by their size: normalize it first).
fn encode_snapshot(s: &MetricSnapshot) -> Vec<u8> {
    let mut out = s.timestamp.to_le_bytes().to_vec();
    match s.binary_bytes {
        Some(size) => point::encode_binary_size_into(&mut out, size, s.quality),
        None => point::encode_into(&mut out, &s.value, s.quality, None),
    }
    out
}

fn decode_snapshot(bytes: &[u8]) -> Result<MetricSnapshot> {
    if bytes.len() < 8 {
        return Err(StorageError::Corrupted("metric snapshot truncated".into()));
    }
    let ts = i64::from_le_bytes(bytes[..8].try_into().unwrap());
    let (p, binary_bytes) = point::decode_sized(ts, &bytes[8..])?;
    Ok(MetricSnapshot { value: p.value, timestamp: ts, quality: p.quality, binary_bytes })
}

fn decode_i64(bytes: &[u8]) -> Result<i64> {
    Ok(i64::from_le_bytes(bytes.try_into().map_err(|_| StorageError::Corrupted("last_seen is not 8 bytes".into()))?))
}

/// Telemetry staged for one device: the newest point per metric and the newest timestamp.
pub(crate) struct DeviceTelemetry<'a> {
    pub(crate) newest: HashMap<&'a str, &'a DataPoint>,
    pub(crate) max_ts: i64,
}

/// One device's part of a committed telemetry batch, replayed into the cache.
struct StagedDevice {
    device_id: String,
    max_ts: i64,
    snapshots: Vec<(String, MetricSnapshot)>,
}

/// Cache updates to apply once a staged batch has committed.
pub(crate) struct StagedDeviceUpdates {
    updates: Vec<StagedDevice>,
}

/// Deletes every point of a device; returns how many went.
type DeleteDeviceTelemetry = Box<dyn Fn(&str) -> Result<u64> + Send + Sync>;

/// What the device store asks of the time-series store, which owns it: set once at open by
/// the time-series store, whose closures hold it weakly.
pub(crate) struct TelemetryHooks {
    /// Commits buffered telemetry so device reads see it.
    pub(crate) before_read: Box<dyn Fn() -> Result<()> + Send + Sync>,
    /// Deletes every point of a device; returns how many went.
    pub(crate) delete_device: DeleteDeviceTelemetry,
}

struct Inner {
    engine: Arc<Engine>,
    cache: HotCache<String, DeviceState>,
    telemetry: std::sync::OnceLock<TelemetryHooks>,
}

/// Store of device states. Cheap to clone; obtain it from `StorageManager::devices()`.
#[derive(Clone)]
pub struct DeviceStateStore {
    inner: Arc<Inner>,
}

impl DeviceStateStore {
    pub(crate) fn new(engine: Arc<Engine>, cache_capacity: usize) -> Self {
        DeviceStateStore { inner: Arc::new(Inner { engine, cache: HotCache::new(cache_capacity), telemetry: Default::default() }) }
    }

    /// The type of a registered device as `view` sees it (one row read; no cache, so it can
    /// be called inside a telemetry commit).
    pub(crate) fn device_type_in(&self, view: &dyn ReadView, device_id: &str) -> Result<Option<String>> {
        let Some(row) = view.get(DEVICES, &id_key(device_id))? else { return Ok(None) };
        Ok(Some(serde_json::from_slice::<Registration>(&row)?.device_type))
    }

    fn load(view: &dyn ReadView, device_id: &str) -> Result<Option<DeviceState>> {
        let Some(row) = view.get(DEVICES, &id_key(device_id))? else { return Ok(None) };
        let reg: Registration = serde_json::from_slice(&row)?;
        let last_seen = match view.get(LAST_SEEN, &id_key(device_id))? {
            Some(v) => decode_i64(&v)?,
            None => 0,
        };
        let mut metrics = HashMap::new();
        view.scan(METRICS, &KeyRange::prefix(id_key(device_id)), Direction::Forward, &mut |k, v| {
            let mut r = KeyReader::new(k);
            r.str()?;
            metrics.insert(r.str()?, decode_snapshot(v)?);
            Ok(Scan::Continue)
        })?;
        Ok(Some(DeviceState {
            device_id: device_id.to_string(),
            device_type: reg.device_type,
            name: reg.name,
            online: reg.online,
            last_seen,
            metrics,
            config: reg.config,
            mdl_definition: reg.mdl_definition,
            adapter: reg.adapter,
        }))
    }

    fn stage_registration(batch: &mut WriteBatch, old: Option<&DeviceState>, new: &DeviceState) {
        if let Some(old) = old {
            batch.delete(BY_TYPE, type_key(&old.device_type, &old.device_id));
            batch.delete(BY_ONLINE, online_key(old.online, &old.device_id));
        }
        let reg = Registration {
            device_type: new.device_type.clone(),
            name: new.name.clone(),
            online: new.online,
            config: new.config.clone(),
            mdl_definition: new.mdl_definition.clone(),
            adapter: new.adapter.clone(),
        };
        batch.put(DEVICES, id_key(&new.device_id), serde_json::to_vec(&reg).expect("registration serializes"));
        batch.put(BY_TYPE, type_key(&new.device_type, &new.device_id), Vec::new());
        batch.put(BY_ONLINE, online_key(new.online, &new.device_id), Vec::new());
    }

    pub(crate) fn set_telemetry_hooks(&self, hooks: TelemetryHooks) {
        let _ = self.inner.telemetry.set(hooks);
    }

    /// Commits pending buffered telemetry, so a read or a change of a device sees the
    /// points (and the registration) written before it.
    fn commit_pending_telemetry(&self) -> Result<()> {
        match self.inner.telemetry.get() {
            Some(hooks) => (hooks.before_read)(),
            None => Ok(()),
        }
    }

    /// Snapshot for a public read: pending buffered telemetry is committed first.
    fn read_snapshot(&self) -> Result<(Box<dyn ReadView>, u64)> {
        self.commit_pending_telemetry()?;
        self.snapshot()
    }

    /// A read snapshot and the cache generation read just before it.
    fn snapshot(&self) -> Result<(Box<dyn ReadView>, u64)> {
        let generation = self.inner.cache.generation();
        Ok((self.inner.engine.read()?, generation))
    }

    /// The device from the cache, or from `view` (then cached unless a write intervened since
    /// `generation` was read before `view` was taken).
    fn cached_or_load(&self, view: &dyn ReadView, generation: u64, device_id: &str) -> Result<Option<DeviceState>> {
        if let Some(d) = self.inner.cache.get(device_id) {
            return Ok(Some(d));
        }
        let loaded = Self::load(view, device_id)?;
        if let Some(d) = &loaded {
            self.inner.cache.fill(generation, device_id.to_string(), d.clone());
        }
        Ok(loaded)
    }

    /// Registers a device or replaces its registration fields (type, name, online, config,
    /// MDL definition, adapter). `last_seen` only moves forward, and the given `metrics`
    /// snapshots are merged: one replaces the stored snapshot of its metric when it is at
    /// least as new; snapshots not mentioned are kept. An empty `name` is stored as the
    /// device id.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, DeviceState};
    /// let db = StorageManager::in_memory().unwrap();
    /// db.devices().upsert(&DeviceState::new("thermo-1", "thermometer")).unwrap();
    /// assert_eq!(db.devices().list_by_type("thermometer").unwrap().len(), 1);
    /// ```
    pub fn upsert(&self, state: &DeviceState) -> Result<()> {
        check_id("device_id", &state.device_id)?;
        // The one home of the rule "a device's name defaults to its id" for every language.
        // And of "a snapshot keeps a binary value by size".
        let normalized;
        let state = if state.name.is_empty()
            || state.metrics.values().any(|s| s.binary_bytes.is_some() || s.value.value_type() == ValueType::Binary)
        {
            let mut copy = state.clone();
            if copy.name.is_empty() {
                copy.name = copy.device_id.clone();
            }
            copy.metrics.values_mut().for_each(|s| *s = s.normalized());
            normalized = copy;
            &normalized
        } else {
            state
        };
        check_id("device_type", &state.device_type)?;
        check_json("config", &state.config)?;
        for (metric, snap) in &state.metrics {
            check_id("metric", metric)?;
            DataPoint { timestamp: snap.timestamp, value: snap.value.clone(), quality: snap.quality, metadata: None }.validate()?;
        }
        self.commit_pending_telemetry()?;
        let engine = &self.inner.engine;
        let _w = engine.lock_writes();
        let (view, generation) = self.snapshot()?;
        let old = self.cached_or_load(&*view, generation, &state.device_id)?;
        let mut merged = state.clone();
        let mut batch = WriteBatch::new();
        Self::stage_registration(&mut batch, old.as_ref(), state);
        if let Some(old) = &old {
            merged.last_seen = old.last_seen.max(state.last_seen);
            merged.metrics = old.metrics.clone();
            for (m, s) in &state.metrics {
                if old.metrics.get(m).is_none_or(|o| s.timestamp >= o.timestamp) {
                    merged.metrics.insert(m.clone(), s.clone());
                }
            }
        }
        batch.put(LAST_SEEN, id_key(&state.device_id), merged.last_seen.to_le_bytes().to_vec());
        for (m, s) in &merged.metrics {
            if old.as_ref().and_then(|o| o.metrics.get(m)) != Some(s) {
                batch.put(METRICS, metric_key(&state.device_id, m), encode_snapshot(s));
            }
        }
        engine.commit(&batch)?;
        self.inner.cache.update(|c| c.put(state.device_id.clone(), merged));
        Ok(())
    }

    /// The device's full state, latest metric values included.
    pub fn get_device(&self, device_id: &str) -> Result<Option<DeviceState>> {
        check_id("device_id", device_id)?;
        let (view, generation) = self.read_snapshot()?;
        self.cached_or_load(&*view, generation, device_id)
    }

    /// Removes the device, its indexes and metric snapshots. Its telemetry stays (it is
    /// governed by retention; [`delete_with_telemetry`](Self::delete_with_telemetry) removes
    /// it too). Unknown devices fail with `NotFound`.
    pub fn delete(&self, device_id: &str) -> Result<()> {
        check_id("device_id", device_id)?;
        self.commit_pending_telemetry()?;
        let engine = &self.inner.engine;
        let _w = engine.lock_writes();
        let view = engine.read()?;
        let old = Self::load(&*view, device_id)?.ok_or_else(|| StorageError::not_found("device", device_id))?;
        let mut batch = WriteBatch::new();
        batch.delete(DEVICES, id_key(device_id));
        batch.delete(LAST_SEEN, id_key(device_id));
        batch.delete(BY_TYPE, type_key(&old.device_type, device_id));
        batch.delete(BY_ONLINE, online_key(old.online, device_id));
        for m in old.metrics.keys() {
            batch.delete(METRICS, metric_key(device_id, m));
        }
        engine.commit(&batch)?;
        self.inner.cache.update(|c| c.pop(device_id));
        Ok(())
    }

    /// Removes every telemetry point of the device (in bounded transactions, as
    /// [`TimeSeriesStore::delete_device`](crate::TimeSeriesStore::delete_device)), then the
    /// device as [`delete`](Self::delete) does; returns how many points went. Unknown devices
    /// fail with `NotFound` and nothing is removed. Interrupted (a crash, an I/O error), it
    /// leaves the device registered, so calling it again finishes the job.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, TelemetryPoint};
    /// let db = StorageManager::in_memory().unwrap();
    /// db.timeseries().write_batch(&[TelemetryPoint::new("t1", "temp", 1, 20.0), TelemetryPoint::new("t1", "rh", 1, 40.0)]).unwrap();
    /// assert_eq!(db.devices().delete_with_telemetry("t1").unwrap(), 2);
    /// assert!(db.devices().get_device("t1").unwrap().is_none());
    /// assert!(db.timeseries().list_devices_with_data().unwrap().is_empty());
    /// ```
    pub fn delete_with_telemetry(&self, device_id: &str) -> Result<u64> {
        if self.get_device(device_id)?.is_none() {
            return Err(StorageError::not_found("device", device_id));
        }
        let removed = match self.inner.telemetry.get() {
            Some(hooks) => (hooks.delete_device)(device_id)?,
            None => 0,
        };
        self.delete(device_id)?;
        Ok(removed)
    }

    /// Loads the devices named by the keys of `table` under `prefix`; the device id is the
    /// element after the prefix.
    fn list_via(&self, table: &str, prefix: Vec<u8>) -> Result<Vec<DeviceState>> {
        let (view, generation) = self.read_snapshot()?;
        let skip = prefix.len();
        let mut ids = Vec::new();
        view.scan(table, &KeyRange::prefix(prefix), Direction::Forward, &mut |k, _| {
            ids.push(KeyReader::new(&k[skip..]).str()?);
            Ok(Scan::Continue)
        })?;
        ids.iter()
            .map(|id| {
                self.cached_or_load(&*view, generation, id)?
                    .ok_or_else(|| StorageError::Corrupted(format!("index {table} names missing device {id:?}")))
            })
            .collect()
    }

    /// Every device, ordered by id.
    pub fn list_devices(&self) -> Result<Vec<DeviceState>> {
        self.list_via(DEVICES, Vec::new())
    }

    /// Devices of one type, ordered by id.
    pub fn list_by_type(&self, device_type: &str) -> Result<Vec<DeviceState>> {
        check_id("device_type", device_type)?;
        self.list_via(BY_TYPE, KeyBuilder::new().str(device_type).finish())
    }

    fn list_by_online(&self, online: bool) -> Result<Vec<DeviceState>> {
        self.list_via(BY_ONLINE, KeyBuilder::new().u8(online as u8).finish())
    }

    /// Online devices, ordered by id.
    pub fn list_online(&self) -> Result<Vec<DeviceState>> {
        self.list_by_online(true)
    }

    /// Offline devices, ordered by id.
    pub fn list_offline(&self) -> Result<Vec<DeviceState>> {
        self.list_by_online(false)
    }

    /// Marks a device online or offline. Unknown devices fail with `NotFound`.
    pub fn set_online(&self, device_id: &str, online: bool) -> Result<()> {
        check_id("device_id", device_id)?;
        self.commit_pending_telemetry()?;
        let engine = &self.inner.engine;
        let _w = engine.lock_writes();
        let (view, generation) = self.snapshot()?;
        let old = self.cached_or_load(&*view, generation, device_id)?.ok_or_else(|| StorageError::not_found("device", device_id))?;
        if old.online == online {
            return Ok(());
        }
        let mut new = old.clone();
        new.online = online;
        let mut batch = WriteBatch::new();
        Self::stage_registration(&mut batch, Some(&old), &new);
        engine.commit(&batch)?;
        self.inner.cache.update(|c| c.put(device_id.to_string(), new));
        Ok(())
    }

    /// Stages the snapshot and `last_seen` updates of a telemetry batch into `batch`,
    /// registering unknown devices (type `"unknown"`, online). Call with the engine's write
    /// lock held; apply the result with [`Self::apply_staged`] after the commit.
    pub(crate) fn stage_telemetry(
        &self,
        view: &dyn ReadView,
        generation: u64,
        batch: &mut WriteBatch,
        per_device: &HashMap<&str, DeviceTelemetry<'_>>,
    ) -> Result<StagedDeviceUpdates> {
        let mut updates = Vec::with_capacity(per_device.len());
        for (&device_id, t) in per_device {
            let (current, fresh) = match self.cached_or_load(view, generation, device_id)? {
                Some(c) => (c, false),
                None => {
                    let fresh = DeviceState::new(device_id, "unknown");
                    Self::stage_registration(batch, None, &fresh);
                    (fresh, true)
                }
            };
            if fresh || t.max_ts > current.last_seen {
                batch.put(LAST_SEEN, id_key(device_id), t.max_ts.to_le_bytes().to_vec());
            }
            let mut changed = Vec::new();
            for (&metric, p) in &t.newest {
                if current.metrics.get(metric).is_none_or(|s| p.timestamp >= s.timestamp) {
                    let snap = MetricSnapshot::of(p);
                    batch.put(METRICS, metric_key(device_id, metric), encode_snapshot(&snap));
                    changed.push((metric.to_string(), snap));
                }
            }
            updates.push(StagedDevice { device_id: device_id.to_string(), max_ts: t.max_ts, snapshots: changed });
        }
        Ok(StagedDeviceUpdates { updates })
    }

    /// Applies committed telemetry updates to cached device states.
    pub(crate) fn apply_staged(&self, staged: StagedDeviceUpdates) {
        self.inner.cache.update(|cache| {
            for s in staged.updates {
                if let Some(d) = cache.get_mut(&s.device_id) {
                    d.last_seen = d.last_seen.max(s.max_ts);
                    d.metrics.extend(s.snapshots);
                }
            }
        });
    }

    /// Replaces (or removes) the snapshot of one metric after its points were deleted.
    /// The cache generation to read before taking a snapshot for [`Self::stage_telemetry`].
    pub(crate) fn cache_generation(&self) -> u64 {
        self.inner.cache.generation()
    }

    pub(crate) fn stage_snapshot_reset(&self, batch: &mut WriteBatch, device_id: &str, metric: &str, latest: Option<&DataPoint>) {
        match latest {
            Some(p) => {
                let snap = MetricSnapshot::of(p);
                batch.put(METRICS, metric_key(device_id, metric), encode_snapshot(&snap));
            }
            None => batch.delete(METRICS, metric_key(device_id, metric)),
        }
    }

    /// Timestamp of the stored snapshot of `metric`, read from `view` (not the cache).
    pub(crate) fn snapshot_timestamp(&self, view: &dyn ReadView, device_id: &str, metric: &str) -> Result<Option<i64>> {
        view.get(METRICS, &metric_key(device_id, metric))?.map(|v| decode_snapshot(&v).map(|s| s.timestamp)).transpose()
    }

    /// Drops a device from the cache (after a change the cache cannot replay).
    pub(crate) fn invalidate(&self, device_id: &str) {
        self.inner.cache.update(|c| c.pop(device_id));
    }

    /// Forgets every cached device: the tables were replaced under the store (restore).
    pub(crate) fn reload(&self) {
        self.inner.cache.update(|c| c.clear());
    }
}

//! Device states (`DeviceStateStore`): JSON records, typed online/offline switch.

use crate::args::str_arg;
use crate::shapes::{get_json, json_out, opt_scalar_out, record_in, unit};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::DeviceState;
use std::ffi::c_char;

/// Registers a device or replaces its registration fields, from DeviceState JSON:
/// `{"device_id", "device_type", "name", "online", "last_seen", "metrics": {name:
/// {"value", "timestamp", "quality"}}, "config", "mdl_definition", "adapter"}`. Only
/// device_id and device_type are required; an omitted or empty name becomes the device_id
/// (other defaults: ffi/README.md, "Records, enums and defaults").
/// `last_seen` only moves forward; given metric snapshots are merged (see DeviceStateStore::upsert).
#[no_mangle]
pub unsafe extern "C" fn nts_devices_upsert(db: *const nts_storage, device_json: *const c_char) -> nts_status {
    record_in(db, device_json, "device_json", |db, state: DeviceState| Ok(db.devices().upsert(&state)?))
}

/// The full state of a device (latest metric values included) as DeviceState JSON.
/// NTS_NOT_FOUND when it is not registered. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_devices_get(db: *const nts_storage, device_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, device_id, "device_id", "device", out_json, |db, id| Ok(db.devices().get_device(id)?))
}

/// Marks a device online or offline. NTS_NOT_FOUND when it is not registered.
#[no_mangle]
pub unsafe extern "C" fn nts_devices_set_online(db: *const nts_storage, device_id: *const c_char, online: bool) -> nts_status {
    unit(db, |db| Ok(db.devices().set_online(str_arg(device_id, "device_id")?, online)?))
}

/// Removes a device (its telemetry stays; see nts_devices_delete_with_telemetry()). NTS_NOT_FOUND when it is not registered.
#[no_mangle]
pub unsafe extern "C" fn nts_devices_delete(db: *const nts_storage, device_id: *const c_char) -> nts_status {
    unit(db, |db| Ok(db.devices().delete(str_arg(device_id, "device_id")?)?))
}

/// Removes every telemetry point of a device, then the device; sets `*out_removed` to how many
/// points went (`out_removed` may be NULL). NTS_NOT_FOUND when it is not registered (nothing
/// is removed).
#[no_mangle]
pub unsafe extern "C" fn nts_devices_delete_with_telemetry(
    db: *const nts_storage,
    device_id: *const c_char,
    out_removed: *mut u64,
) -> nts_status {
    opt_scalar_out(db, out_removed, "out_removed", |db| Ok(db.devices().delete_with_telemetry(str_arg(device_id, "device_id")?)?))
}

/// Every device, ordered by id, as a JSON array of DeviceState. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_devices_list(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.devices().list_devices()?))
}

/// Devices of one type, ordered by id, as a JSON array of DeviceState. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_devices_list_by_type(
    db: *const nts_storage,
    device_type: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.devices().list_by_type(str_arg(device_type, "device_type")?)?))
}

/// Online devices, ordered by id, as a JSON array of DeviceState. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_devices_list_online(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.devices().list_online()?))
}

/// Offline devices, ordered by id, as a JSON array of DeviceState. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_devices_list_offline(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.devices().list_offline()?))
}

"""DeviceStateStore through the installed wheel."""

import pytest

from neotalk_storage import DeviceState, MdlCommand, MdlDataType, MdlDeviceType, MdlMetric, MdlParameter, MetricSnapshot, StorageError


def _thermo(device_id="thermo-1", **kw):
    return DeviceState(device_id=device_id, device_type="thermometer", config={"interval_s": 10, "tags": ["lab"]}, **kw)


def test_upsert_get_and_typed_fields(db):
    mdl = MdlDeviceType(
        type_id="thermo-v2",
        name="Thermometer",
        metrics=[MdlMetric(name="temperature", data_type=MdlDataType.FLOAT, unit="°C")],
        commands=[MdlCommand(name="set_interval", parameters=[MdlParameter(name="seconds", data_type=MdlDataType.INTEGER, required=True)])],
    )
    db.devices().upsert(_thermo(name="Lab thermometer", adapter="mqtt", mdl_definition=mdl, last_seen=500,
                                metrics={"temperature": MetricSnapshot(value=20.5, timestamp=400)}))
    d = db.devices().get_device("thermo-1")
    assert d.name == "Lab thermometer" and d.adapter == "mqtt" and d.online is True and d.last_seen == 500
    assert d.config == {"interval_s": 10, "tags": ["lab"]}
    assert d.mdl_definition == mdl
    assert d.metrics["temperature"].value == 20.5
    assert db.devices().get_device("nobody") is None


def test_last_seen_only_moves_forward_and_snapshots_merge(db):
    devices = db.devices()
    devices.upsert(_thermo(last_seen=1_000, metrics={"a": MetricSnapshot(value=1, timestamp=10)}))
    devices.upsert(_thermo(last_seen=10, metrics={"b": MetricSnapshot(value="x", timestamp=5)}))
    d = devices.get_device("thermo-1")
    assert d.last_seen == 1_000
    assert {m: s.value for m, s in d.metrics.items()} == {"a": 1, "b": "x"}


def test_lists_and_online_state(db):
    devices = db.devices()
    devices.upsert(_thermo("t2"))
    devices.upsert(_thermo("t1"))
    devices.upsert(DeviceState(device_id="p1", device_type="pump", config=None, online=False))
    assert [d.device_id for d in devices.list_devices()] == ["p1", "t1", "t2"]
    assert [d.device_id for d in devices.list_by_type("thermometer")] == ["t1", "t2"]
    assert [d.device_id for d in devices.list_online()] == ["t1", "t2"]
    assert [d.device_id for d in devices.list_offline()] == ["p1"]
    devices.set_online("t1", False)
    assert [d.device_id for d in devices.list_offline()] == ["p1", "t1"]
    assert devices.get_device("p1").config is None


def test_delete(db):
    devices = db.devices()
    devices.upsert(_thermo())
    devices.delete("thermo-1")
    assert devices.get_device("thermo-1") is None
    assert devices.list_by_type("thermometer") == []
    with pytest.raises(StorageError.NotFound, match="thermo-1"):
        devices.delete("thermo-1")
    with pytest.raises(StorageError.NotFound, match="ghost"):
        devices.set_online("ghost", True)


def test_bad_device_inputs_are_refused(db):
    devices = db.devices()
    with pytest.raises(StorageError.InvalidInput, match="device_id"):
        devices.upsert(_thermo(""))
    with pytest.raises(StorageError.InvalidInput, match="device_type"):
        devices.upsert(DeviceState(device_id="x", device_type="", config={}))
    with pytest.raises(StorageError.InvalidInput, match="config"):
        devices.upsert(DeviceState(device_id="x", device_type="t", config={"bad": float("nan")}))
    with pytest.raises(StorageError.InvalidInput, match="config"):
        devices.upsert(DeviceState(device_id="x", device_type="t", config={"obj": object()}))
    with pytest.raises(StorageError.InvalidInput, match="value"):
        devices.upsert(_thermo(metrics={"m": MetricSnapshot(value=float("inf"), timestamp=1)}))
    assert devices.list_devices() == []

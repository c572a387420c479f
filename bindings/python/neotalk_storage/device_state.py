"""Device states: :class:`DeviceStateStore`."""

from ._native import neotalk_storage_uniffi as _native
from ._values import device_from_native, device_to_native
from ._store import NativeStore


class DeviceStateStore(NativeStore):
    """Store of device states; obtain it from ``StorageManager.devices()``.

    ``DeviceState.config`` is any JSON value (dict, list, ...); metric snapshot values are
    plain ``int``/``float``/``bool``/``str``.
    """

    __slots__ = ()

    def upsert(self, state) -> None:
        """Registers a device or replaces its registration fields (type, name, online,
        config, MDL definition, adapter). ``last_seen`` only moves forward; the given metric
        snapshots are merged (a newer or equally new one replaces the stored one)."""
        self._native.upsert(device_to_native(state))

    def get_device(self, device_id: str):
        """The device's full state, latest metric values included, or ``None``."""
        return device_from_native(self._native.get_device(device_id))

    def delete(self, device_id: str, cascade: bool = False) -> int:
        """Removes the device and its metric snapshots; with ``cascade``, every telemetry point
        of the device first. Returns how many points went (0 without ``cascade``: the
        telemetry stays). Unknown devices raise ``StorageError.NotFound``."""
        return self._native.delete(device_id, cascade)

    def list_devices(self) -> list:
        """Every device, ordered by id."""
        return [device_from_native(d) for d in self._native.list_devices()]

    def list_by_type(self, device_type: str) -> list:
        """Devices of one type, ordered by id."""
        return [device_from_native(d) for d in self._native.list_by_type(device_type)]

    def list_online(self) -> list:
        """Online devices, ordered by id."""
        return [device_from_native(d) for d in self._native.list_online()]

    def list_offline(self) -> list:
        """Offline devices, ordered by id."""
        return [device_from_native(d) for d in self._native.list_offline()]

    def set_online(self, device_id: str, online: bool) -> None:
        """Marks a device online or offline. Unknown devices raise ``StorageError.NotFound``."""
        self._native.set_online(device_id, online)

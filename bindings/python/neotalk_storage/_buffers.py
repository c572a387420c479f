"""Packed columns for the telemetry hot paths.

Anything with the buffer protocol crosses as one copy (read-only and strided buffers as
two): ``bytes``/``bytearray`` are taken as raw little-endian bytes (``i64`` timestamps,
``f64`` values); typed buffers (``array('q')``, ``array('d')``, numpy arrays,
``memoryview``) must be 1-D, their item format tells what they hold, and 8-byte items are
converted to little-endian when they are big-endian. numpy ``datetime64`` timestamps are
converted to Unix milliseconds exactly, or refused. The core checks lengths and values;
nothing here re-checks them.
"""

import array
import ctypes
import math
import sys

from ._native import neotalk_storage_uniffi as _native
from ._values import invalid

_FLOAT, _INTEGER, _BOOLEAN = _native.PackedValueType.FLOAT, _native.PackedValueType.INTEGER, _native.PackedValueType.BOOLEAN
# struct-module codes (byte-order prefix removed) of the items a column takes: its type and item size.
_ITEMS = {"q": (_INTEGER, 8), "l": (_INTEGER, 8), "d": (_FLOAT, 8), "?": (_BOOLEAN, 1)}
_EXPECTED = {_INTEGER: "8-byte signed integers", _FLOAT: "8-byte floats", _BOOLEAN: "booleans"}
# Codes of byte buffers (bytearray, memoryview of bytes): raw bytes of the column's first type.
_RAW_CODES = frozenset("Bbc")

# Attoseconds in one tick of each numpy datetime64 unit of fixed length (years and months vary).
_ATTOSECONDS = {
    "W": 604_800 * 10**18, "D": 86_400 * 10**18, "h": 3_600 * 10**18, "m": 60 * 10**18, "s": 10**18,
    "ms": 10**15, "us": 10**12, "ns": 10**9, "ps": 10**6, "fs": 10**3, "as": 1,
}
_MS = _ATTOSECONDS["ms"]
_I64_MAX = 2**63 - 1


def _column(field: str, data, types: tuple) -> tuple:
    """``(little-endian bytes, PackedValueType)`` of ``data``, whose items must be one of
    ``types``; raw bytes are taken as ``types[0]``. Anything else is ``InvalidInput`` naming
    ``field``."""
    expected = " or ".join(_EXPECTED[t] for t in types)
    if isinstance(data, bytes):
        return data, types[0]
    try:
        view = memoryview(data)
    except (TypeError, ValueError):  # numpy raises ValueError for dtypes without a buffer format
        what = type(data).__name__ + (f" of {data.dtype}" if hasattr(data, "dtype") else "")
        raise invalid(field, f"expected bytes or a buffer of {expected}, got {what}") from None
    if view.ndim != 1:
        raise invalid(field, f"expected a 1-D buffer, got shape {view.shape}")
    fmt = view.format
    code = fmt.lstrip("<>=!@")
    if code in _RAW_CODES:
        return _as_bytes(view), types[0]
    kind, size = _ITEMS.get(code, (None, 0))
    if kind not in types or view.itemsize != size:
        raise invalid(field, f"buffer items have format {fmt!r}; expected {expected}")
    order = fmt[0] if fmt[0] in "<>=!@" else "@"
    if size > 1 and (order in ">!" or (order in "@=" and sys.byteorder == "big")):
        items = array.array("q", view.tobytes())
        items.byteswap()  # reverses the bytes of every 8-byte item
        return _as_bytes(memoryview(items)), kind
    return _as_bytes(view), kind


def _as_bytes(view: memoryview):
    """The bytes of ``view`` as uniffi's ``bytes`` argument takes them (``len`` in bytes, read by
    ``ctypes.memmove``). A writable C-contiguous buffer (a numpy array, ``array``,
    ``bytearray``) is handed over in place as a ctypes char array, so its one copy is the one
    into uniffi's buffer: a ``tobytes()`` copy first would add the input's size again to the
    peak memory of a large write. Read-only or strided buffers are copied."""
    if view.c_contiguous and not view.readonly and view.nbytes:
        return (ctypes.c_char * view.nbytes).from_buffer(view.cast("B"))
    return view.tobytes()


def packed_values(data) -> tuple:
    """``(little-endian bytes, PackedValueType)`` of a values column: ``f64`` (format ``'d'``,
    and raw bytes), ``i64`` (``'q'``/``'l'``, 8 bytes) or booleans (``'?'``, one byte each)."""
    return _column("values", data, (_FLOAT, _INTEGER, _BOOLEAN))


def packed_timestamps(data) -> bytes:
    """Little-endian ``i64`` Unix ms of a timestamps column: 8-byte signed integers (raw bytes
    included), or a numpy ``datetime64`` array (see :func:`_datetime_ms`)."""
    if getattr(getattr(data, "dtype", None), "kind", None) == "M":
        return _datetime_ms(data)
    return _column("timestamps", data, (_INTEGER,))[0]


def _datetime_ms(data) -> bytes:
    """Unix ms of a 1-D ``datetime64`` array (numpy, or what converts to one) as little-endian
    ``i64`` bytes. Any fixed-length unit is converted exactly: ``datetime64[ms]`` crosses as
    one copy, coarser units (s, m, h, D, W) are multiplied and finer ones (us, ns, ...) divided.
    ``NaT``, a value that is not a whole millisecond and one whose milliseconds overflow
    ``i64`` are ``InvalidInput`` naming its index; so are years and months (no fixed length)."""
    import numpy  # loaded already: ``data`` has a numpy dtype

    data = numpy.asarray(data)
    if data.dtype.kind != "M":  # e.g. a pandas index with a time zone gives objects
        raise invalid("timestamps", f"expected naive datetime64 values (UTC), got {data.dtype}")
    if data.ndim != 1:
        raise invalid("timestamps", f"expected a 1-D array, got shape {data.shape}")
    unit, count = numpy.datetime_data(data.dtype)
    if unit not in _ATTOSECONDS:
        raise invalid("timestamps", f"datetime64[{unit}] has no fixed length in milliseconds; use ms, us or ns")
    tick = count * _ATTOSECONDS[unit]
    gcd = math.gcd(tick, _MS)
    multiply, divide = tick // gcd, _MS // gcd  # ms = ticks * multiply / divide
    ticks = data.view(numpy.dtype("i8").newbyteorder(data.dtype.byteorder))

    def refuse(bad, reason):
        if bad.any():
            i = int(numpy.flatnonzero(bad)[0])
            raise invalid("timestamps", f"index {i} ({data[i]}) {reason}")

    refuse(numpy.isnat(data), "is NaT")
    if divide > 1:
        refuse(ticks % divide != 0, "is not a whole millisecond")
        ticks = ticks // divide
    if multiply > 1:
        refuse((ticks > _I64_MAX // multiply) | (ticks < -(2**63 // multiply)), "overflows i64 Unix milliseconds")
        ticks = ticks * multiply
    return _as_bytes(memoryview(ticks.astype("<i8", copy=False)))

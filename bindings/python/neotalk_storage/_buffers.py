"""Packed buffers for the telemetry hot paths.

Anything with the buffer protocol crosses as one copy: ``bytes``/``bytearray`` are taken as
raw little-endian bytes; typed buffers (``array('q')``, ``array('d')``, numpy arrays,
``memoryview``) must hold 8-byte items of the right kind and are converted to little-endian
when the machine is big-endian.
"""

import array
import sys

from ._native import neotalk_storage_uniffi as _native

# struct-module format codes of 8-byte signed integers and of doubles; '<', '=' and '@'
# prefixes are native or little-endian on the machines this targets, '>' and '!' are not.
_INT64_CODES = frozenset("ql")
_FLOAT64_CODES = frozenset("d")


def _invalid(field: str, reason: str) -> Exception:
    return _native.StorageError.InvalidInput(f"invalid {field}: {reason}")


def packed(field: str, data, kind: str) -> bytes:
    """Returns ``data`` as little-endian bytes of 8-byte items.

    ``kind`` is ``"i64"`` (timestamps) or ``"f64"`` (values). Raises
    ``StorageError.InvalidInput`` naming ``field`` when ``data`` is not a buffer, holds items
    of another type, or is not a whole number of 8-byte items.
    """
    if isinstance(data, bytes):
        raw = data
    else:
        try:
            view = memoryview(data)
        except TypeError:
            raise _invalid(field, f"expected bytes or a buffer of 8-byte items, got {type(data).__name__}") from None
        fmt = view.format
        order = fmt[0] if fmt and fmt[0] in "<>=!@" else "@"
        code = fmt.lstrip("<>=!@")
        if code not in ("B", "b", "c"):
            wanted = _INT64_CODES if kind == "i64" else _FLOAT64_CODES
            if code not in wanted or view.itemsize != 8:
                expected = "8-byte signed integers" if kind == "i64" else "8-byte floats"
                raise _invalid(field, f"buffer items have format {fmt!r}; expected {expected}")
            big = order in ">!" or (order in "@=" and sys.byteorder == "big")
            if big:
                items = array.array("q", view.tobytes())
                items.byteswap()  # reverses the bytes of every 8-byte item
                return items.tobytes()
        raw = view.tobytes()
    if len(raw) % 8 != 0:
        raise _invalid(field, f"{len(raw)} bytes is not a whole number of 8-byte items")
    return raw

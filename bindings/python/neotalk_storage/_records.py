"""Records of the stores added after the first four, and their enum arguments.

Records of decisions, rule and workflow executions, sessions and memories are the native
record classes, with their JSON fields (action parameters, workflow inputs, tool calls) as
Python objects; a caller may also pass a ``dict`` of the core's JSON form, which the core
decodes (``*_from_json``) with its defaults and its errors. Stats and backup reports still
cross the native boundary as JSON text of the core's serde form; here they are plain
``dict`` objects. Enum fields inside them use the core's names
(``"Warning"``, ``"AutoExecuted"``); the core refuses unknown names with
``StorageError.InvalidInput``. Enum *arguments* are the native enums or their names as
strings, in any case and with or without underscores (``"auto_executed"``,
``"AutoExecuted"``, ``DecisionStatus.AUTO_EXECUTED``).
"""

import array
import enum
import json
import sys

from ._native import neotalk_storage_uniffi as _native
from ._values import invalid, json_dumps


def dumps(field: str, record) -> str:
    """JSON text of a record dict; values JSON cannot hold are ``InvalidInput``."""
    if not isinstance(record, dict):
        raise invalid(field, f"expected a dict, got {type(record).__name__}")
    return json_dumps(field, record)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def core_form(value):
    """A typed record (with its JSON fields as Python objects), enum or plain value as the
    core's JSON form, for the native ``*_from_json`` decoders."""
    if isinstance(value, enum.Enum):
        return _pascal(value.name)
    if isinstance(value, _native.ExecutionResult):
        return json.loads(_native.execution_result_to_json(value))
    if isinstance(value, dict):
        return {k: core_form(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [core_form(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: core_form(v) for k, v in vars(value).items() if not k.startswith("_")}
    if hasattr(value, "tolist"):  # a numpy array or scalar (an embedding)
        return value.tolist()
    return value


def json_out(record, *fields):
    """``record`` (a native record, or ``None``) with its named JSON-text fields parsed into
    Python objects, in place."""
    if record is not None:
        for name in fields:
            text = getattr(record, name)
            setattr(record, name, None if text is None else json.loads(text))
    return record


def typed_in(field: str, value, cls, from_json):
    """``value`` (a ``cls`` or a dict of the core's JSON form) as a native ``cls``, decoded by
    the core (``from_json``); anything else is ``InvalidInput`` naming ``field``."""
    if not isinstance(value, (cls, dict)):
        raise invalid(field, f"expected a {cls.__name__} or a dict, got {type(value).__name__}")
    return from_json(json_dumps(field, core_form(value)))


def loads(text):
    """The dict of a record's JSON text (``None`` stays ``None``)."""
    return None if text is None else json.loads(text)


def loads_all(texts) -> list:
    """The dicts of a list of JSON texts."""
    return [json.loads(t) for t in texts]


def _key(name: str) -> str:
    return name.replace("_", "").lower()


def enum_arg(field: str, cls, value):
    """``value`` as a member of the native enum ``cls``; unknown names are ``InvalidInput``."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        for member in cls:
            if _key(member.name) == _key(value):
                return member
    names = ", ".join(m.name.lower() for m in cls)
    raise invalid(field, f"{value!r} is not one of {names}")


def f32_buffer(field: str, data) -> bytes:
    """Little-endian ``f32`` bytes of ``data``.

    ``bytes``/``bytearray`` are taken as raw little-endian bytes; typed buffers (numpy
    ``float32`` arrays of any shape, ``array('f')``, ``memoryview``) must hold 4-byte floats;
    a sequence of numbers is converted. Anything else is ``InvalidInput`` naming ``field``.
    """
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    else:
        try:
            view = memoryview(data)
        except TypeError:
            try:
                items = array.array("f", data)
            except (TypeError, ValueError, OverflowError) as e:
                raise invalid(field, f"expected a float32 buffer or a sequence of numbers: {e}") from None
            if sys.byteorder == "big":
                items.byteswap()
            return items.tobytes()
        fmt = view.format
        order = fmt[0] if fmt and fmt[0] in "<>=!@" else "@"
        code = fmt.lstrip("<>=!@")
        if code in ("B", "b", "c"):
            raw = view.tobytes()
        else:
            if code != "f" or view.itemsize != 4:
                raise invalid(field, f"buffer items have format {fmt!r}; expected 4-byte floats (float32)")
            raw = view.tobytes()  # C order, whatever the shape
            if order in ">!" or (order in "@=" and sys.byteorder == "big"):
                items = array.array("f", raw)
                items.byteswap()
                raw = items.tobytes()
    if len(raw) % 4 != 0:
        raise invalid(field, f"{len(raw)} bytes is not a whole number of 4-byte floats")
    return raw


def f32_list(field: str, data) -> list:
    """``data`` (a buffer or a sequence of numbers) as a list of floats for per-record calls."""
    raw = f32_buffer(field, data)
    items = array.array("f", raw)
    if sys.byteorder == "big":
        items.byteswap()
    return items.tolist()

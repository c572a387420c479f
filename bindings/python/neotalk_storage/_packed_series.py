"""Methods of the native ``PackedSeries`` record: ``len()``, memoryviews, numpy and pandas.

Its two buffers are little-endian (``i64`` Unix ms timestamps, ``f64`` values). numpy and
pandas are optional: each method imports what it needs when called.
"""

import importlib
import sys

from ._native import neotalk_storage_uniffi as _native


def _optional(module: str, method: str):
    """The module ``module``, or an ``ImportError`` saying that ``method`` needs it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"PackedSeries.{method}() needs {module}, which is not installed: pip install {module}") from e


def _len(self) -> int:
    return len(self.timestamps) // 8


def timestamps_view(self) -> memoryview:
    """The timestamps as a zero-copy ``memoryview`` of ``int`` (format ``'q'``)."""
    return memoryview(self.timestamps).cast("q")


def values_view(self) -> memoryview:
    """The values as a zero-copy ``memoryview`` of ``float`` (format ``'d'``)."""
    return memoryview(self.values).cast("d")


def to_numpy(self, datetime: bool = False) -> tuple:
    """``(timestamps, values)`` as read-only numpy arrays viewing the two buffers, no copy:
    ``int64`` Unix ms (``datetime64[ms]`` when ``datetime``) and ``float64``. ``.copy()``
    them to write."""
    numpy = _optional("numpy", "to_numpy")
    timestamps = numpy.frombuffer(self.timestamps, "<i8")
    if datetime:
        timestamps = timestamps.view("<M8[ms]")
    return timestamps, numpy.frombuffer(self.values, "<f8")


def to_pandas(self):
    """The values as a ``pandas.Series`` (``float64``) indexed by a naive ``DatetimeIndex``
    named ``timestamp`` (UTC, ``datetime64[ms]`` on pandas 2 and later). pandas copies the
    data, so the Series is writable; :meth:`to_numpy` is the zero-copy path."""
    pandas = _optional("pandas", "to_pandas")
    timestamps, values = self.to_numpy(datetime=True)
    return pandas.Series(values, index=pandas.DatetimeIndex(timestamps, name="timestamp"))


def install() -> None:
    """Adds the methods to ``PackedSeries``; the memoryviews read native byte order, so they
    exist only where it is little-endian (every platform the wheels are built for)."""
    cls = _native.PackedSeries
    cls.__len__ = _len
    cls.to_numpy = to_numpy
    cls.to_pandas = to_pandas
    if sys.byteorder == "little":
        cls.timestamps_view = timestamps_view
        cls.values_view = values_view

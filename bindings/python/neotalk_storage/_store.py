"""The base of every store wrapper."""


class NativeStore:
    """A native store and the native manager it belongs to.

    The native manager closes the database when it is freed, so a store holds it: a caller
    that keeps only a store (``events = StorageManager.open(path).events()``) keeps the
    database open with it. ``StorageManager.close()`` still closes it at once.
    """

    __slots__ = ("_native", "_owner")

    def __init__(self, native, owner):
        self._native = native
        self._owner = owner

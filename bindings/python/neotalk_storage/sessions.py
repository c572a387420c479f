"""Chat sessions: :class:`SessionStore` (records are dicts)."""

import typing

from ._records import dumps, loads, loads_all


class SessionStore:
    """Chat sessions with their messages and summaries; obtain it from
    ``StorageManager.sessions()``.

    A message is a dict of the core's ``SessionMessage`` (``role``, ``content``,
    ``timestamp``, optional ``tool_calls``, ``tool_call_id``, ``thinking``); loaded messages
    are ``{"sequence": n, "message": {...}}``. Sessions are ``SessionInfo`` dicts, summaries
    ``SessionSummary`` dicts.
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        self._native = native

    def create_session(self, session_id: str, title: str, created_at: int) -> dict:
        """Creates a session; a duplicate id is ``StorageError.Conflict``."""
        return loads(self._native.create_session(session_id, title, created_at))

    def get_session(self, session_id: str):
        """The session, or ``None``."""
        return loads(self._native.get_session(session_id))

    def list_sessions(self, limit=None) -> list:
        """Sessions, most recently updated first."""
        return loads_all(self._native.list_sessions(limit))

    def append_message(self, session_id: str, message: dict) -> int:
        """Appends a message; returns its sequence."""
        return self._native.append_message(session_id, dumps("message", message))

    def append_messages(self, session_id: str, messages: typing.Iterable[dict]) -> list:
        """Appends messages in one transaction; returns their sequences."""
        return self._native.append_messages(session_id, [dumps("message", m) for m in messages])

    def load_messages(self, session_id: str) -> list:
        """Every message of a session, in order."""
        return loads_all(self._native.load_messages(session_id))

    def last_messages(self, session_id: str, n: int) -> list:
        """The last ``n`` messages, in order."""
        return loads_all(self._native.last_messages(session_id, n))

    def messages_range(self, session_id: str, start: int, end: int) -> list:
        """Messages with ``start <= sequence < end``, in order."""
        return loads_all(self._native.messages_range(session_id, start, end))

    def context_window(self, session_id: str, max_chars: int) -> list:
        """The newest messages whose content fits in ``max_chars``, in order; a tool call
        and its results are kept together."""
        return loads_all(self._native.context_window(session_id, max_chars))

    def set_summary(self, session_id: str, summary: str, updated_at: int) -> dict:
        """Sets a session's summary; returns it."""
        return loads(self._native.set_summary(session_id, summary, updated_at))

    def get_summary(self, session_id: str):
        """A session's summary, or ``None``."""
        return loads(self._native.get_summary(session_id))

    def recent_summaries(self, n: int) -> list:
        """The ``n`` most recently updated summaries."""
        return loads_all(self._native.recent_summaries(n))

    def delete_session(self, session_id: str) -> bool:
        """Deletes a session with its messages and summary; ``False`` when there was none."""
        return self._native.delete_session(session_id)

    def cleanup(self, before_ms: int) -> int:
        """Removes sessions last updated before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)

"""Chat sessions: :class:`SessionStore` (messages are ``SessionMessage``)."""

import json
import typing

from ._native import neotalk_storage_uniffi as _native
from ._records import typed_in
from ._store import NativeStore


def _message_in(message):
    return typed_in("message", message, _native.SessionMessage, _native.session_message_from_json)


def _message_out(message):
    """A native message with its ``tool_calls`` as Python objects (in place)."""
    if message.tool_calls is not None:
        message.tool_calls = [json.loads(call) for call in message.tool_calls]
    return message


def _sequenced_out(items) -> list:
    for item in items:
        _message_out(item.message)
    return items


class SessionStore(NativeStore):
    """Chat sessions with their messages and summaries; obtain it from
    ``StorageManager.sessions()``.

    A message is a ``SessionMessage`` (``role``, ``content``, ``timestamp``, optional
    ``tool_calls`` (a list of JSON values), ``tool_call_id``, ``thinking``), or a dict of the
    core's JSON form; loaded messages are ``SequencedMessage`` (``sequence``, ``message``).
    Sessions are ``SessionInfo``, summaries ``SessionSummary``.
    """

    __slots__ = ()

    def create_session(self, session_id: str, title: str, created_at: int) -> "_native.SessionInfo":
        """Creates a session; a duplicate id is ``StorageError.Conflict``."""
        return self._native.create_session(session_id, title, created_at)

    def get_session(self, session_id: str):
        """The ``SessionInfo``, or ``None``."""
        return self._native.get_session(session_id)

    def list_sessions(self, limit=None) -> list:
        """Sessions, most recently updated first."""
        return self._native.list_sessions(limit)

    def append_message(self, session_id: str, message) -> int:
        """Appends a message; returns its sequence."""
        return self._native.append_message(session_id, _message_in(message))

    def append_messages(self, session_id: str, messages: typing.Iterable) -> list:
        """Appends messages in one transaction; returns their sequences."""
        return self._native.append_messages(session_id, [_message_in(m) for m in messages])

    def load_messages(self, session_id: str) -> list:
        """Every message of a session, in order."""
        return _sequenced_out(self._native.load_messages(session_id))

    def last_messages(self, session_id: str, n: int) -> list:
        """The last ``n`` messages, in order."""
        return _sequenced_out(self._native.last_messages(session_id, n))

    def messages_range(self, session_id: str, start: int, end: int) -> list:
        """Messages with ``start <= sequence < end``, in order."""
        return _sequenced_out(self._native.messages_range(session_id, start, end))

    def context_window(self, session_id: str, max_chars: int) -> list:
        """The newest messages whose content fits in ``max_chars``, in order; a tool call
        and its results are kept together."""
        return _sequenced_out(self._native.context_window(session_id, max_chars))

    def set_summary(self, session_id: str, summary: str, updated_at: int) -> "_native.SessionSummary":
        """Sets a session's summary; returns it."""
        return self._native.set_summary(session_id, summary, updated_at)

    def get_summary(self, session_id: str):
        """A session's ``SessionSummary``, or ``None``."""
        return self._native.get_summary(session_id)

    def recent_summaries(self, n: int) -> list:
        """The ``n`` most recently updated summaries."""
        return self._native.recent_summaries(n)

    def delete_session(self, session_id: str) -> bool:
        """Deletes a session with its messages and summary; ``False`` when there was none."""
        return self._native.delete_session(session_id)

    def cleanup(self, before_ms: int) -> int:
        """Removes sessions last updated before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)

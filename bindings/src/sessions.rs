//! Chat sessions: [`SessionStore`] and its records [`SessionMessage`], [`SequencedMessage`],
//! [`SessionInfo`] and [`SessionSummary`].

use crate::error::Result;
use crate::mirror::{from_core, from_core_all, json_functions, mirror_record, to_core, Mirror};
use neotalk_storage as core;

mirror_record! {
    /// One message of a chat session. Only `assistant` messages carry `tool_calls`; a `tool`
    /// message answers a call, so it has a `tool_call_id`.
    SessionMessage => core::SessionMessage {
        /// `user`, `assistant`, `system` or `tool`.
        role: String,
        /// Text of the message.
        content: String,
        /// Tool calls requested by an assistant message: each the JSON text of the provider's call.
        #[uniffi(default)]
        tool_calls: Option<Vec<String>>,
        /// The call a `tool` message answers.
        #[uniffi(default)]
        tool_call_id: Option<String>,
        /// The model's reasoning, kept for inspection (not counted in context windows).
        #[uniffi(default)]
        thinking: Option<String>,
        /// When it was written (Unix ms).
        timestamp: i64,
    }
}

mirror_record! {
    /// A stored message with its position in the session.
    SequencedMessage => core::SequencedMessage {
        /// Position in the session, from 1.
        sequence: i64,
        /// The message.
        message: SessionMessage,
    }
}

mirror_record! {
    /// A session as listed.
    SessionInfo => core::SessionInfo {
        /// Caller-chosen id.
        session_id: String,
        /// Display title (may be empty).
        title: String,
        /// When it was created (Unix ms).
        created_at: i64,
        /// The latest of `created_at` and every message timestamp.
        updated_at: i64,
        /// Messages currently stored.
        message_count: i64,
        /// Highest sequence assigned (0 before the first message).
        last_sequence: i64,
    }
}

mirror_record! {
    /// The mid-term memory of one session: a summary of the conversation so far.
    SessionSummary => core::SessionSummary {
        /// Session summarised.
        session_id: String,
        /// The summary text.
        summary: String,
        /// When it was written (Unix ms).
        updated_at: i64,
    }
}

json_functions! {
    SessionMessage => core::SessionMessage, "message",
    /// The session message of JSON text in the core's form (the C API's); unknown fields are
    /// `InvalidInput`.
    fn session_message_from_json,
    /// The JSON text of a session message, in the core's form.
    fn session_message_to_json
}

crate::store_object::store_object! {
    /// Store of chat sessions; obtain it from `StorageManager.sessions()`.
    SessionStore => core::SessionStore
}

#[uniffi::export]
impl SessionStore {
    /// Creates a session; a duplicate id is `Conflict`.
    pub fn create_session(&self, session_id: String, title: String, created_at: i64) -> Result<SessionInfo> {
        Ok(Mirror::from_core(self.inner.create_session(&session_id, &title, created_at)?))
    }

    /// The session, or none.
    pub fn get_session(&self, session_id: String) -> Result<Option<SessionInfo>> {
        Ok(Mirror::from_core(self.inner.get_session(&session_id)?))
    }

    /// Sessions, most recently updated first, at most `limit`.
    pub fn list_sessions(&self, limit: Option<i64>) -> Result<Vec<SessionInfo>> {
        Ok(from_core_all(self.inner.list_sessions(to_core("limit", limit)?)?))
    }

    /// Appends a message; returns its sequence.
    pub fn append_message(&self, session_id: String, message: SessionMessage) -> Result<i64> {
        Ok(from_core(self.inner.append_message(&session_id, &to_core("message", message)?)?))
    }

    /// Appends messages in one transaction; returns their sequences.
    pub fn append_messages(&self, session_id: String, messages: Vec<SessionMessage>) -> Result<Vec<i64>> {
        Ok(from_core(self.inner.append_messages(&session_id, &to_core::<_, Vec<core::SessionMessage>>("message", messages)?)?))
    }

    /// Every message of a session, in order.
    pub fn load_messages(&self, session_id: String) -> Result<Vec<SequencedMessage>> {
        Ok(from_core_all(self.inner.load_messages(&session_id)?))
    }

    /// The last `n` messages, in order.
    pub fn last_messages(&self, session_id: String, n: i64) -> Result<Vec<SequencedMessage>> {
        Ok(from_core_all(self.inner.last_messages(&session_id, to_core("n", n)?)?))
    }

    /// Messages with `start <= sequence < end`, in order.
    pub fn messages_range(&self, session_id: String, start: i64, end: i64) -> Result<Vec<SequencedMessage>> {
        Ok(from_core_all(self.inner.messages_range(&session_id, to_core("start", start)?, to_core("end", end)?)?))
    }

    /// The newest messages whose content fits in `max_chars`, in order.
    pub fn context_window(&self, session_id: String, max_chars: i64) -> Result<Vec<SequencedMessage>> {
        Ok(from_core_all(self.inner.context_window(&session_id, to_core("max_chars", max_chars)?)?))
    }

    /// Sets a session's summary; returns it.
    pub fn set_summary(&self, session_id: String, summary: String, updated_at: i64) -> Result<SessionSummary> {
        Ok(Mirror::from_core(self.inner.set_summary(&session_id, &summary, updated_at)?))
    }

    /// A session's summary, or none.
    pub fn get_summary(&self, session_id: String) -> Result<Option<SessionSummary>> {
        Ok(Mirror::from_core(self.inner.get_summary(&session_id)?))
    }

    /// The `n` most recently updated summaries.
    pub fn recent_summaries(&self, n: i64) -> Result<Vec<SessionSummary>> {
        Ok(from_core_all(self.inner.recent_summaries(to_core("n", n)?)?))
    }

    /// Deletes a session with its messages and summary; false when there was none.
    pub fn delete_session(&self, session_id: String) -> Result<bool> {
        Ok(self.inner.delete_session(&session_id)?)
    }

    /// Removes sessions last updated before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<i64> {
        Ok(from_core(self.inner.cleanup(before_ms)?))
    }
}

//! Chat sessions: [`SessionStore`]. Messages cross as JSON text of the core's
//! `SessionMessage` (tool calls are JSON); sessions and summaries as JSON of `SessionInfo` /
//! `SessionSummary`, loaded messages as JSON of `SequencedMessage`.

use crate::error::Result;
use crate::json::{self, to_usize};
use neotalk_storage as core;
use std::sync::Arc;

/// Store of chat sessions; obtain it from `StorageManager.sessions()`.
#[derive(uniffi::Object)]
pub struct SessionStore {
    inner: core::SessionStore,
}

impl SessionStore {
    pub(crate) fn new(inner: core::SessionStore) -> Arc<Self> {
        Arc::new(SessionStore { inner })
    }
}

#[uniffi::export]
impl SessionStore {
    /// Creates a session; a duplicate id is `Conflict`. Returns its `SessionInfo` (JSON).
    pub fn create_session(&self, session_id: String, title: String, created_at: i64) -> Result<String> {
        json::text(&self.inner.create_session(&session_id, &title, created_at)?)
    }

    /// The session's `SessionInfo` (JSON), or none.
    pub fn get_session(&self, session_id: String) -> Result<Option<String>> {
        json::text_opt(self.inner.get_session(&session_id)?)
    }

    /// Sessions, most recently updated first, at most `limit`.
    pub fn list_sessions(&self, limit: Option<u64>) -> Result<Vec<String>> {
        json::texts(&self.inner.list_sessions(json::limit(limit))?)
    }

    /// Appends a message (JSON of a `SessionMessage`); returns its sequence.
    pub fn append_message(&self, session_id: String, message: String) -> Result<u64> {
        Ok(self.inner.append_message(&session_id, &json::record("message", &message)?)?)
    }

    /// Appends messages in one transaction; returns their sequences.
    pub fn append_messages(&self, session_id: String, messages: Vec<String>) -> Result<Vec<u64>> {
        Ok(self.inner.append_messages(&session_id, &json::records::<core::SessionMessage>("message", &messages)?)?)
    }

    /// Every message of a session, in order.
    pub fn load_messages(&self, session_id: String) -> Result<Vec<String>> {
        json::texts(&self.inner.load_messages(&session_id)?)
    }

    /// The last `n` messages, in order.
    pub fn last_messages(&self, session_id: String, n: u64) -> Result<Vec<String>> {
        json::texts(&self.inner.last_messages(&session_id, to_usize(n))?)
    }

    /// Messages with `start <= sequence < end`, in order.
    pub fn messages_range(&self, session_id: String, start: u64, end: u64) -> Result<Vec<String>> {
        json::texts(&self.inner.messages_range(&session_id, start, end)?)
    }

    /// The newest messages whose content fits in `max_chars`, in order.
    pub fn context_window(&self, session_id: String, max_chars: u64) -> Result<Vec<String>> {
        json::texts(&self.inner.context_window(&session_id, to_usize(max_chars))?)
    }

    /// Sets a session's summary; returns it (JSON of `SessionSummary`).
    pub fn set_summary(&self, session_id: String, summary: String, updated_at: i64) -> Result<String> {
        json::text(&self.inner.set_summary(&session_id, &summary, updated_at)?)
    }

    /// A session's summary (JSON), or none.
    pub fn get_summary(&self, session_id: String) -> Result<Option<String>> {
        json::text_opt(self.inner.get_summary(&session_id)?)
    }

    /// The `n` most recently updated summaries.
    pub fn recent_summaries(&self, n: u64) -> Result<Vec<String>> {
        json::texts(&self.inner.recent_summaries(to_usize(n))?)
    }

    /// Deletes a session with its messages and summary; false when there was none.
    pub fn delete_session(&self, session_id: String) -> Result<bool> {
        Ok(self.inner.delete_session(&session_id)?)
    }

    /// Removes sessions last updated before `before_ms`; returns how many.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        Ok(self.inner.cleanup(before_ms)?)
    }
}

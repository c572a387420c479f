//! JS class `SessionStore`: chat sessions, their messages, context windows and summaries.

use crate::convert::{count, int, limit, record, string, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{SessionMessage, SessionStore};
use wasm_bindgen::prelude::*;

/// Chat sessions. Obtain it from `StorageManager.sessions()`.
#[wasm_bindgen(js_name = SessionStore)]
pub struct JsSessionStore {
    pub(crate) inner: SessionStore,
}

#[wasm_bindgen(js_class = SessionStore)]
impl JsSessionStore {
    /// Creates a session; an existing id is `CONFLICT`.
    #[wasm_bindgen(js_name = createSession, unchecked_return_type = "SessionInfo")]
    pub fn create_session(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] title: JsValue,
        #[wasm_bindgen(js_name = createdAt)] created_at: f64,
    ) -> JsResult<JsValue> {
        to_js(
            &self
                .inner
                .create_session(&string("session_id", &session_id)?, &string("title", &title)?, int("created_at", created_at)?)
                .js()?,
        )
    }

    /// A session's info, or `null`.
    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "SessionInfo | null")]
    pub fn get_session(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.get_session(&string("session_id", &session_id)?).js()?)
    }

    /// Sessions, most recently updated first, at most `limit`.
    #[wasm_bindgen(js_name = listSessions, unchecked_return_type = "SessionInfo[]")]
    pub fn list_sessions(&self, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.list_sessions(limit(limit_arg)?).js()?)
    }

    /// Appends one message; returns its sequence. An unknown session is `NOT_FOUND`.
    #[wasm_bindgen(js_name = appendMessage)]
    pub fn append_message(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SessionMessage")] message: JsValue,
    ) -> JsResult<f64> {
        let message: SessionMessage = record("message", message)?;
        Ok(self.inner.append_message(&string("session_id", &session_id)?, &message).js()? as f64)
    }

    /// Appends messages in one transaction; returns their sequences.
    #[wasm_bindgen(js_name = appendMessages, unchecked_return_type = "number[]")]
    pub fn append_messages(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SessionMessage[]")] messages: JsValue,
    ) -> JsResult<JsValue> {
        let messages: Vec<SessionMessage> = record("messages", messages)?;
        to_js(&self.inner.append_messages(&string("session_id", &session_id)?, &messages).js()?)
    }

    /// Every message of a session, in order.
    #[wasm_bindgen(js_name = loadMessages, unchecked_return_type = "SequencedMessage[]")]
    pub fn load_messages(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.load_messages(&string("session_id", &session_id)?).js()?)
    }

    /// The last `n` messages, in order.
    #[wasm_bindgen(js_name = lastMessages, unchecked_return_type = "SequencedMessage[]")]
    pub fn last_messages(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        n: f64,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.last_messages(&string("session_id", &session_id)?, count("n", n)? as usize).js()?)
    }

    /// Messages with `start <= sequence < end`, in order (`end` may be `Infinity`).
    #[wasm_bindgen(js_name = messagesRange, unchecked_return_type = "SequencedMessage[]")]
    pub fn messages_range(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        start: f64,
        end: f64,
    ) -> JsResult<JsValue> {
        let end = if end == f64::INFINITY { u64::MAX } else { count("end", end)? };
        to_js(&self.inner.messages_range(&string("session_id", &session_id)?, count("start", start)?, end).js()?)
    }

    /// The newest messages whose content fits in `maxChars` characters, in order.
    #[wasm_bindgen(js_name = contextWindow, unchecked_return_type = "SequencedMessage[]")]
    pub fn context_window(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(js_name = maxChars)] max_chars: f64,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.context_window(&string("session_id", &session_id)?, count("max_chars", max_chars)? as usize).js()?)
    }

    /// Sets (replaces) a session's summary; returns it.
    #[wasm_bindgen(js_name = setSummary, unchecked_return_type = "SessionSummary")]
    pub fn set_summary(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] summary: JsValue,
        #[wasm_bindgen(js_name = updatedAt)] updated_at: f64,
    ) -> JsResult<JsValue> {
        to_js(
            &self
                .inner
                .set_summary(&string("session_id", &session_id)?, &string("summary", &summary)?, int("updated_at", updated_at)?)
                .js()?,
        )
    }

    /// A session's summary, or `null`; an unknown session is `NOT_FOUND`.
    #[wasm_bindgen(js_name = getSummary, unchecked_return_type = "SessionSummary | null")]
    pub fn get_summary(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.get_summary(&string("session_id", &session_id)?).js()?)
    }

    /// The `n` most recently updated summaries, newest first.
    #[wasm_bindgen(js_name = recentSummaries, unchecked_return_type = "SessionSummary[]")]
    pub fn recent_summaries(&self, n: f64) -> JsResult<JsValue> {
        to_js(&self.inner.recent_summaries(count("n", n)? as usize).js()?)
    }

    /// Deletes a session, its messages and summary; `false` when it was not there.
    #[wasm_bindgen(js_name = deleteSession)]
    pub fn delete_session(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> JsResult<bool> {
        self.inner.delete_session(&string("session_id", &session_id)?).js()
    }

    /// Deletes sessions last updated before `beforeMs`; returns how many.
    pub fn cleanup(&self, #[wasm_bindgen(js_name = beforeMs)] before_ms: f64) -> JsResult<f64> {
        Ok(self.inner.cleanup(crate::convert::bound("before_ms", before_ms)?).js()? as f64)
    }
}

//! Chat sessions (seed section 3) and the short- and mid-term memory tiers of the LLM.
//!
//! A session holds messages numbered 1, 2, 3, ... in append order (its own sequence).
//! - short-term memory: [`SessionStore::context_window`], the newest messages that fit a
//!   character budget, never cutting a tool call off from its results;
//! - mid-term memory: one stored summary per session ([`SessionStore::set_summary`]) and the
//!   most recent summaries across sessions ([`SessionStore::recent_summaries`]);
//! - long-term memory lives in [`crate::LongTermMemoryStore`].
//!
//! Tables:
//! - `sessions`: session_id -> JSON [`SessionInfo`]
//! - `sessions_by_updated`: (updated_at, session_id) -> ()
//! - `session_messages`: (session_id, sequence) -> JSON [`SessionMessage`]
//! - `session_summaries`: session_id -> JSON [`SessionSummary`]
//! - `session_summaries_by_time`: (updated_at, session_id) -> ()
//!
//! ```
//! use neotalk_storage::{StorageManager, SessionMessage};
//! let db = StorageManager::in_memory().unwrap();
//! let s = db.sessions();
//! s.create_session("chat-1", "Greenhouse", 1_000).unwrap();
//! s.append_messages("chat-1", &[
//!     SessionMessage::user("How warm is it?", 1_001),
//!     SessionMessage::assistant("21.5 °C", 1_002),
//! ]).unwrap();
//! assert_eq!(s.list_sessions(None).unwrap()[0].message_count, 2);
//! let window = s.context_window("chat-1", 10).unwrap();
//! assert_eq!(window.len(), 1); // only "21.5 °C" fits in 10 characters
//! ```

use crate::error::{Result, StorageError};
use crate::limits::{check_id, check_json, CLEANUP_BATCH, MAX_JSON_BYTES};
use crate::page::Page;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::Engine;
use crate::storage::key::{KeyBuilder, KeyReader};
use serde::{Deserialize, Serialize};
use std::ops::Bound;
use std::sync::Arc;

const SESSIONS: &str = "sessions";
const BY_UPDATED: &str = "sessions_by_updated";
const MESSAGES: &str = "session_messages";
const SUMMARIES: &str = "session_summaries";
const SUMMARIES_BY_TIME: &str = "session_summaries_by_time";
/// Longest session title, in UTF-8 bytes.
pub const MAX_TITLE_BYTES: usize = 1_024;
/// Longest message content, thinking or summary, in UTF-8 bytes.
pub const MAX_MESSAGE_BYTES: usize = MAX_JSON_BYTES;
/// The roles a message may have.
pub const ROLES: [&str; 4] = ["user", "assistant", "system", "tool"];

/// One chat message (seed section 3).
///
/// Rules checked on append: `role` is one of [`ROLES`]; a `tool` message answers a call, so it
/// has a `tool_call_id` (and only tool messages have one); only `assistant` messages carry
/// `tool_calls`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionMessage {
    /// `user`, `assistant`, `system` or `tool`.
    pub role: String,
    /// Text of the message.
    pub content: String,
    /// Tool calls requested by an assistant message (provider JSON, kept as is).
    pub tool_calls: Option<Vec<serde_json::Value>>,
    /// The call a `tool` message answers.
    pub tool_call_id: Option<String>,
    /// The model's reasoning, kept for inspection (not counted in context windows).
    pub thinking: Option<String>,
    /// When it was written (Unix ms).
    pub timestamp: i64,
}

impl SessionMessage {
    fn plain(role: &str, content: &str, timestamp: i64) -> Self {
        SessionMessage { role: role.into(), content: content.into(), tool_calls: None, tool_call_id: None, thinking: None, timestamp }
    }

    /// A user message.
    pub fn user(content: &str, timestamp: i64) -> Self {
        Self::plain("user", content, timestamp)
    }

    /// An assistant reply.
    pub fn assistant(content: &str, timestamp: i64) -> Self {
        Self::plain("assistant", content, timestamp)
    }

    /// A system prompt.
    pub fn system(content: &str, timestamp: i64) -> Self {
        Self::plain("system", content, timestamp)
    }

    /// An assistant message that requests tool calls.
    pub fn assistant_tool_calls(content: &str, tool_calls: Vec<serde_json::Value>, timestamp: i64) -> Self {
        SessionMessage { tool_calls: Some(tool_calls), ..Self::plain("assistant", content, timestamp) }
    }

    /// The result of tool call `tool_call_id`.
    pub fn tool_result(tool_call_id: &str, content: &str, timestamp: i64) -> Self {
        SessionMessage { tool_call_id: Some(tool_call_id.into()), ..Self::plain("tool", content, timestamp) }
    }

    /// Characters this message costs in a context window: its content plus its serialized
    /// tool calls (`thinking` is not sent back to a model, so it is not counted).
    pub fn context_chars(&self) -> usize {
        let calls = self.tool_calls.as_ref().map(|c| c.iter().map(|v| v.to_string().chars().count()).sum::<usize>()).unwrap_or(0);
        self.content.chars().count() + calls
    }

    fn validate(&self) -> Result<()> {
        if !ROLES.contains(&self.role.as_str()) {
            return Err(StorageError::invalid("role", format!("is {:?}; expected one of {ROLES:?}", self.role)));
        }
        check_text("content", &self.content, MAX_MESSAGE_BYTES)?;
        if let Some(t) = &self.thinking {
            check_text("thinking", t, MAX_MESSAGE_BYTES)?;
        }
        match (&self.tool_call_id, self.role.as_str()) {
            (Some(id), "tool") => check_id("tool_call_id", id)?,
            (None, "tool") => return Err(StorageError::invalid("tool_call_id", "a tool message must name the call it answers")),
            (Some(_), _) => return Err(StorageError::invalid("tool_call_id", "only tool messages answer a tool call")),
            (None, _) => {}
        }
        if let Some(calls) = &self.tool_calls {
            if self.role != "assistant" {
                return Err(StorageError::invalid("tool_calls", "only assistant messages request tool calls"));
            }
            check_json("tool_calls", &serde_json::Value::Array(calls.clone()))?;
        }
        Ok(())
    }
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.len() > max {
        return Err(StorageError::invalid(field, format!("is {} bytes; the limit is {max}", text.len())));
    }
    Ok(())
}

/// A stored message with its position in the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequencedMessage {
    /// Position in the session, from 1.
    pub sequence: u64,
    /// The message.
    pub message: SessionMessage,
}

/// A session as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Caller-chosen id.
    pub session_id: String,
    /// Display title (may be empty).
    pub title: String,
    /// When it was created (Unix ms).
    pub created_at: i64,
    /// The latest of `created_at` and every message timestamp.
    pub updated_at: i64,
    /// Messages currently stored.
    pub message_count: u64,
    /// Highest sequence assigned (0 before the first message).
    pub last_sequence: u64,
}

/// The mid-term memory of one session: a summary of the conversation so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Session summarised.
    pub session_id: String,
    /// The summary text.
    pub summary: String,
    /// When it was written (Unix ms).
    pub updated_at: i64,
}

fn id_key(session_id: &str) -> Vec<u8> {
    KeyBuilder::new().str(session_id).finish()
}

fn time_key(ts: i64, session_id: &str) -> Vec<u8> {
    KeyBuilder::new().i64(ts).str(session_id).finish()
}

fn msg_key(session_id: &str, seq: u64) -> Vec<u8> {
    KeyBuilder::new().str(session_id).u64(seq).finish()
}

fn decode_message(k: &[u8], v: &[u8]) -> Result<SequencedMessage> {
    let mut r = KeyReader::new(k);
    r.str()?;
    Ok(SequencedMessage { sequence: r.u64()?, message: serde_json::from_slice(v)? })
}

/// Store of chat sessions. Cheap to clone; obtain it from `StorageManager::sessions()`.
#[derive(Clone)]
pub struct SessionStore {
    engine: Arc<Engine>,
}

impl SessionStore {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        SessionStore { engine }
    }

    fn read_info(view: &dyn ReadView, session_id: &str) -> Result<Option<SessionInfo>> {
        match view.get(SESSIONS, &id_key(session_id))? {
            Some(row) => Ok(Some(serde_json::from_slice(&row)?)),
            None => Ok(None),
        }
    }

    fn require(view: &dyn ReadView, session_id: &str) -> Result<SessionInfo> {
        Self::read_info(view, session_id)?.ok_or_else(|| StorageError::not_found("session", session_id))
    }

    /// Creates an empty session. An existing id is a `Conflict`.
    pub fn create_session(&self, session_id: &str, title: &str, created_at: i64) -> Result<SessionInfo> {
        check_id("session_id", session_id)?;
        check_text("title", title, MAX_TITLE_BYTES)?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        if Self::read_info(&*view, session_id)?.is_some() {
            return Err(StorageError::Conflict(format!("session {session_id:?} already exists")));
        }
        let info = SessionInfo {
            session_id: session_id.into(),
            title: title.into(),
            created_at,
            updated_at: created_at,
            message_count: 0,
            last_sequence: 0,
        };
        let mut batch = WriteBatch::new();
        batch.put(SESSIONS, id_key(session_id), serde_json::to_vec(&info).expect("session serializes"));
        batch.put(BY_UPDATED, time_key(created_at, session_id), Vec::new());
        self.engine.commit(&batch)?;
        Ok(info)
    }

    /// One session, if it exists.
    pub fn get_session(&self, session_id: &str) -> Result<Option<SessionInfo>> {
        check_id("session_id", session_id)?;
        Self::read_info(&*self.engine.read()?, session_id)
    }

    /// Sessions, most recently updated first (ties by id, descending), one [`Page`] of them.
    pub fn list_sessions(&self, page: impl Into<Page>) -> Result<Vec<SessionInfo>> {
        let view = self.engine.read()?;
        let mut out = Vec::new();
        let mut pager = page.into().cursor();
        if pager.is_full() {
            return Ok(out);
        }
        view.scan(BY_UPDATED, &KeyRange::all(), Direction::Reverse, &mut |k, _| {
            if !pager.admit() {
                return Ok(pager.step());
            }
            let mut r = KeyReader::new(k);
            r.i64()?;
            let id = r.str()?;
            let info = Self::read_info(&*view, &id)?
                .ok_or_else(|| StorageError::Corrupted(format!("session index names missing session {id:?}")))?;
            out.push(info);
            Ok(pager.step())
        })?;
        Ok(out)
    }

    /// Appends one message; returns its sequence.
    pub fn append_message(&self, session_id: &str, message: &SessionMessage) -> Result<u64> {
        Ok(self.append_messages(session_id, std::slice::from_ref(message))?[0])
    }

    /// Appends messages in order in one transaction; returns their sequences. Every message is
    /// checked first, so either all are stored or none. The session must exist.
    pub fn append_messages(&self, session_id: &str, messages: &[SessionMessage]) -> Result<Vec<u64>> {
        check_id("session_id", session_id)?;
        for m in messages {
            m.validate()?;
        }
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let mut info = Self::require(&*view, session_id)?;
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let old_updated = info.updated_at;
        let mut batch = WriteBatch::new();
        let mut seqs = Vec::with_capacity(messages.len());
        for m in messages {
            info.last_sequence += 1;
            info.message_count += 1;
            info.updated_at = info.updated_at.max(m.timestamp);
            batch.put(MESSAGES, msg_key(session_id, info.last_sequence), serde_json::to_vec(m).expect("message serializes"));
            seqs.push(info.last_sequence);
        }
        if info.updated_at != old_updated {
            batch.delete(BY_UPDATED, time_key(old_updated, session_id));
            batch.put(BY_UPDATED, time_key(info.updated_at, session_id), Vec::new());
        }
        batch.put(SESSIONS, id_key(session_id), serde_json::to_vec(&info).expect("session serializes"));
        self.engine.commit(&batch)?;
        Ok(seqs)
    }

    fn scan_messages(&self, session_id: &str, range: KeyRange, dir: Direction, limit: usize) -> Result<Vec<SequencedMessage>> {
        check_id("session_id", session_id)?;
        let view = self.engine.read()?;
        Self::require(&*view, session_id)?;
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        view.scan(MESSAGES, &range, dir, &mut |k, v| {
            out.push(decode_message(k, v)?);
            Ok(if out.len() >= limit { Scan::Stop } else { Scan::Continue })
        })?;
        if dir == Direction::Reverse {
            out.reverse();
        }
        Ok(out)
    }

    /// Every message of a session, oldest first.
    pub fn load_messages(&self, session_id: &str) -> Result<Vec<SequencedMessage>> {
        self.scan_messages(session_id, KeyRange::prefix(id_key(session_id)), Direction::Forward, usize::MAX)
    }

    /// The last `n` messages, oldest first.
    pub fn last_messages(&self, session_id: &str, n: usize) -> Result<Vec<SequencedMessage>> {
        self.scan_messages(session_id, KeyRange::prefix(id_key(session_id)), Direction::Reverse, n)
    }

    /// Messages with `start <= sequence < end`, oldest first.
    pub fn messages_range(&self, session_id: &str, start: u64, end: u64) -> Result<Vec<SequencedMessage>> {
        if start > end {
            return Err(StorageError::invalid("sequence range", format!("start {start} is after end {end}")));
        }
        let range = KeyRange::half_open(msg_key(session_id, start), msg_key(session_id, end));
        self.scan_messages(session_id, range, Direction::Forward, usize::MAX)
    }

    /// Short-term memory: the newest messages whose [`SessionMessage::context_chars`] add up
    /// to at most `max_chars`, oldest first.
    ///
    /// An assistant message with `tool_calls` and the tool messages after it that answer them
    /// form one unit, taken whole or not at all, so a window never starts with a tool result
    /// whose call is missing. The window is contiguous: it stops at the first unit that does
    /// not fit. Tool results with no preceding assistant call (none is stored) form a unit
    /// of their own.
    pub fn context_window(&self, session_id: &str, max_chars: usize) -> Result<Vec<SequencedMessage>> {
        check_id("session_id", session_id)?;
        let view = self.engine.read()?;
        Self::require(&*view, session_id)?;
        let mut out: Vec<SequencedMessage> = Vec::new();
        let mut used = 0usize;
        // Tool results seen (newest first) whose calling assistant message is not reached yet.
        let mut pending: Vec<SequencedMessage> = Vec::new();
        let mut pending_chars = 0usize;
        view.scan(MESSAGES, &KeyRange::prefix(id_key(session_id)), Direction::Reverse, &mut |k, v| {
            let m = decode_message(k, v)?;
            let chars = m.message.context_chars();
            if m.message.tool_call_id.is_some() {
                pending_chars += chars;
                pending.push(m);
                return Ok(Scan::Continue);
            }
            let calls = m.message.tool_calls.is_some();
            if !pending.is_empty() && !calls {
                // Orphan tool results: their call is not stored; they stand alone.
                if used + pending_chars > max_chars {
                    return Ok(Scan::Stop);
                }
                used += pending_chars;
                out.append(&mut pending);
                pending_chars = 0;
            }
            let unit = chars + if calls { pending_chars } else { 0 };
            if used + unit > max_chars {
                pending.clear();
                return Ok(Scan::Stop);
            }
            used += unit;
            if calls {
                out.append(&mut pending);
                pending_chars = 0;
            }
            out.push(m);
            Ok(Scan::Continue)
        })?;
        if !pending.is_empty() && used + pending_chars <= max_chars {
            out.append(&mut pending);
        }
        out.reverse();
        Ok(out)
    }

    /// Stores (or replaces) the summary of a session.
    pub fn set_summary(&self, session_id: &str, summary: &str, updated_at: i64) -> Result<SessionSummary> {
        check_id("session_id", session_id)?;
        check_text("summary", summary, MAX_MESSAGE_BYTES)?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        Self::require(&*view, session_id)?;
        let mut batch = WriteBatch::new();
        if let Some(old) = Self::read_summary(&*view, session_id)? {
            batch.delete(SUMMARIES_BY_TIME, time_key(old.updated_at, session_id));
        }
        let s = SessionSummary { session_id: session_id.into(), summary: summary.into(), updated_at };
        batch.put(SUMMARIES, id_key(session_id), serde_json::to_vec(&s).expect("summary serializes"));
        batch.put(SUMMARIES_BY_TIME, time_key(updated_at, session_id), Vec::new());
        self.engine.commit(&batch)?;
        Ok(s)
    }

    fn read_summary(view: &dyn ReadView, session_id: &str) -> Result<Option<SessionSummary>> {
        match view.get(SUMMARIES, &id_key(session_id))? {
            Some(row) => Ok(Some(serde_json::from_slice(&row)?)),
            None => Ok(None),
        }
    }

    /// The summary of a session, if one was stored. Unknown sessions are `NotFound`.
    pub fn get_summary(&self, session_id: &str) -> Result<Option<SessionSummary>> {
        check_id("session_id", session_id)?;
        let view = self.engine.read()?;
        Self::require(&*view, session_id)?;
        Self::read_summary(&*view, session_id)
    }

    /// Mid-term memory: the `n` most recently written summaries across sessions, newest first.
    pub fn recent_summaries(&self, n: usize) -> Result<Vec<SessionSummary>> {
        let view = self.engine.read()?;
        let mut out = Vec::new();
        if n == 0 {
            return Ok(out);
        }
        view.scan(SUMMARIES_BY_TIME, &KeyRange::all(), Direction::Reverse, &mut |k, _| {
            let mut r = KeyReader::new(k);
            r.i64()?;
            let id = r.str()?;
            let s = Self::read_summary(&*view, &id)?
                .ok_or_else(|| StorageError::Corrupted(format!("summary index names missing summary {id:?}")))?;
            out.push(s);
            Ok(if out.len() >= n { Scan::Stop } else { Scan::Continue })
        })?;
        Ok(out)
    }

    /// Deletes a session with its messages and summary; returns whether it existed.
    ///
    /// Messages go oldest first in transactions of at most [`CLEANUP_BATCH`], each one also
    /// lowering `message_count`, so every intermediate state is consistent; the session row,
    /// its index entry and its summary go with the last batch.
    pub fn delete_session(&self, session_id: &str) -> Result<bool> {
        check_id("session_id", session_id)?;
        self.delete_inner(session_id, None)
    }

    /// Deletes a session in bounded batches. With `stale_before`, only a session whose
    /// `updated_at` is below it when the deletion starts (checked under the write lock).
    fn delete_inner(&self, session_id: &str, stale_before: Option<i64>) -> Result<bool> {
        let mut existed = false;
        loop {
            let _w = self.engine.lock_writes();
            let view = self.engine.read()?;
            let Some(mut info) = Self::read_info(&*view, session_id)? else { return Ok(existed) };
            if !existed && stale_before.is_some_and(|t| info.updated_at >= t) {
                return Ok(false);
            }
            existed = true;
            let mut batch = WriteBatch::new();
            let mut removed = 0usize;
            view.scan(MESSAGES, &KeyRange::prefix(id_key(session_id)), Direction::Forward, &mut |k, _| {
                batch.delete(MESSAGES, k.to_vec());
                removed += 1;
                Ok(if removed >= CLEANUP_BATCH { Scan::Stop } else { Scan::Continue })
            })?;
            if removed < CLEANUP_BATCH {
                batch.delete(SESSIONS, id_key(session_id));
                batch.delete(BY_UPDATED, time_key(info.updated_at, session_id));
                if let Some(s) = Self::read_summary(&*view, session_id)? {
                    batch.delete(SUMMARIES, id_key(session_id));
                    batch.delete(SUMMARIES_BY_TIME, time_key(s.updated_at, session_id));
                }
                self.engine.commit(&batch)?;
                return Ok(true);
            }
            info.message_count = info.message_count.saturating_sub(removed as u64);
            batch.put(SESSIONS, id_key(session_id), serde_json::to_vec(&info).expect("session serializes"));
            self.engine.commit(&batch)?;
        }
    }

    /// Retention: deletes every session not updated since `before_ms` (`updated_at <
    /// before_ms`), each as [`SessionStore::delete_session`] does; returns how many went.
    pub fn cleanup(&self, before_ms: i64) -> Result<u64> {
        let mut deleted = 0;
        loop {
            // Next batch of candidates; each is deleted in bounded transactions of its own.
            let mut ids = Vec::new();
            {
                let view = self.engine.read()?;
                let range = KeyRange { start: Bound::Unbounded, end: Bound::Excluded(KeyBuilder::new().i64(before_ms).finish()) };
                view.scan(BY_UPDATED, &range, Direction::Forward, &mut |k, _| {
                    let mut r = KeyReader::new(k);
                    r.i64()?;
                    ids.push(r.str()?);
                    Ok(if ids.len() >= CLEANUP_BATCH { Scan::Stop } else { Scan::Continue })
                })?;
            }
            if ids.is_empty() {
                return Ok(deleted);
            }
            let round_start = deleted;
            for id in ids {
                if self.delete_inner(&id, Some(before_ms))? {
                    deleted += 1;
                }
            }
            if deleted == round_start {
                // Every candidate was refreshed meanwhile; the rest waits for the next run.
                return Ok(deleted);
            }
        }
    }
}

//! Long-term memory: [`LongTermMemoryStore`]. Entries cross as JSON text of the core's
//! `MemoryEntry` (nested metadata, optional embedding); hits as JSON of `MemoryHit`.
//! Query embeddings are packed little-endian `f32` buffers (the format of `packed.rs`).

use crate::enums::MemoryType;
use crate::error::Result;
use crate::json::{self, to_usize};
use crate::packed;
use neotalk_storage as core;
use std::sync::Arc;

/// Store of long-term memories; obtain it from `StorageManager.memory()`.
#[derive(uniffi::Object)]
pub struct LongTermMemoryStore {
    inner: core::LongTermMemoryStore,
}

impl LongTermMemoryStore {
    pub(crate) fn new(inner: core::LongTermMemoryStore) -> Arc<Self> {
        Arc::new(LongTermMemoryStore { inner })
    }
}

#[uniffi::export]
impl LongTermMemoryStore {
    /// Stores a new memory (JSON of a `MemoryEntry`); a duplicate id is `Conflict`.
    pub fn add(&self, entry: String) -> Result<()> {
        Ok(self.inner.add(&json::record("entry", &entry)?)?)
    }

    /// Stores new memories in one transaction; all or none.
    pub fn add_many(&self, entries: Vec<String>) -> Result<()> {
        Ok(self.inner.add_many(&json::records::<core::MemoryEntry>("entry", &entries)?)?)
    }

    /// Replaces a stored memory; an unknown id is `NotFound`.
    pub fn update(&self, entry: String) -> Result<()> {
        Ok(self.inner.update(&json::record("entry", &entry)?)?)
    }

    /// Deletes a memory; false when there was none.
    pub fn delete(&self, memory_id: String) -> Result<bool> {
        Ok(self.inner.delete(&memory_id)?)
    }

    /// Reads a memory and records the access (`access_count` + 1, `last_accessed = now_ms`);
    /// returns the entry as updated (JSON), or none.
    pub fn get(&self, memory_id: String, now_ms: i64) -> Result<Option<String>> {
        json::text_opt(self.inner.get(&memory_id, now_ms)?)
    }

    /// Reads a memory without recording an access.
    pub fn peek(&self, memory_id: String) -> Result<Option<String>> {
        json::text_opt(self.inner.peek(&memory_id)?)
    }

    /// Number of stored memories.
    pub fn count(&self) -> Result<u64> {
        Ok(self.inner.count()?)
    }

    /// Memories of one type, newest first, at most `limit`.
    pub fn by_type(&self, memory_type: MemoryType, limit: u64) -> Result<Vec<String>> {
        json::texts(&self.inner.by_type(memory_type.into(), to_usize(limit))?)
    }

    /// The `n` most important memories, most important first.
    pub fn by_importance(&self, n: u64) -> Result<Vec<String>> {
        json::texts(&self.inner.by_importance(to_usize(n))?)
    }

    /// Keyword (BM25) search, best first; hits as JSON of `MemoryHit`.
    pub fn search_keywords(&self, query: String, limit: u64) -> Result<Vec<String>> {
        json::texts(&self.inner.search_keywords(&query, to_usize(limit))?)
    }

    /// Semantic search by a packed little-endian `f32` embedding, best first.
    pub fn search_semantic(&self, embedding: Vec<u8>, limit: u64) -> Result<Vec<String>> {
        let embedding = packed::f32s("embedding", &embedding)?;
        json::texts(&self.inner.search_semantic(&embedding, to_usize(limit))?)
    }

    /// Hybrid search (reciprocal rank fusion of keyword and semantic rankings), best first.
    pub fn search_hybrid(&self, query: String, embedding: Vec<u8>, limit: u64) -> Result<Vec<String>> {
        let embedding = packed::f32s("embedding", &embedding)?;
        json::texts(&self.inner.search_hybrid(&query, &embedding, to_usize(limit))?)
    }

    /// Deletes memories with `metadata.expires_at < now_ms`; returns how many.
    pub fn purge_expired(&self, now_ms: i64) -> Result<u64> {
        Ok(self.inner.purge_expired(now_ms)?)
    }
}

//! Long-term memory: [`LongTermMemoryStore`] and its records [`MemoryEntry`],
//! [`MemoryMetadata`] and [`MemoryHit`]. Query embeddings are packed little-endian `f32`
//! buffers (the format of `packed.rs`).

use crate::enums::MemoryType;
use crate::error::Result;
use crate::mirror::{from_core, from_core_all, json_functions, mirror_record, to_core, Mirror};
use crate::packed;
use neotalk_storage as core;

mirror_record! {
    /// One long-term memory.
    MemoryEntry => core::MemoryEntry {
        /// Caller-chosen unique id.
        memory_id: String,
        /// Kind of knowledge.
        memory_type: MemoryType,
        /// The text remembered.
        content: String,
        /// Embedding for semantic search (stored in the vector store).
        #[uniffi(default)]
        embedding: Option<Vec<f32>>,
        /// Keywords, importance, entities, expiry.
        metadata: MemoryMetadata,
        /// When it was created (Unix ms).
        created_at: i64,
        /// When `get` last read it.
        #[uniffi(default)]
        last_accessed: Option<i64>,
        /// How many times `get` read it.
        #[uniffi(default = 0)]
        access_count: i64,
    }
}

mirror_record! {
    /// Keywords, importance, related entities and expiry of a memory.
    MemoryMetadata => core::MemoryMetadata {
        /// Keywords; searched together with the content.
        #[uniffi(default = [])]
        keywords: Vec<String>,
        /// Importance from 0 to 1.
        #[uniffi(default = 0.5)]
        importance: f64,
        /// Related entities (device ids, rule ids, ...).
        #[uniffi(default = [])]
        entities: Vec<String>,
        /// When the memory expires (Unix ms), if ever.
        #[uniffi(default)]
        expires_at: Option<i64>,
    }
}

mirror_record! {
    /// A search result: the entry and its score (BM25, cosine similarity or fused RRF score,
    /// depending on the search). Higher is better.
    MemoryHit => core::MemoryHit {
        /// The memory.
        entry: MemoryEntry,
        /// Relevance; higher is better.
        score: f64,
    }
}

json_functions! {
    MemoryEntry => core::MemoryEntry, "entry",
    /// The memory of JSON text in the core's form (the C API's); omitted metadata takes its
    /// defaults, unknown fields and enum names are `InvalidInput`.
    fn memory_entry_from_json,
    /// The JSON text of a memory, in the core's form.
    fn memory_entry_to_json
}

crate::store_object::store_object! {
    /// Store of long-term memories; obtain it from `StorageManager.memory()`.
    LongTermMemoryStore => core::LongTermMemoryStore
}

#[uniffi::export]
impl LongTermMemoryStore {
    /// Stores a new memory; a duplicate id is `Conflict`.
    pub fn add(&self, entry: MemoryEntry) -> Result<()> {
        Ok(self.inner.add(&to_core("entry", entry)?)?)
    }

    /// Stores new memories in one transaction; all or none.
    pub fn add_many(&self, entries: Vec<MemoryEntry>) -> Result<()> {
        Ok(self.inner.add_many(&to_core::<_, Vec<core::MemoryEntry>>("entry", entries)?)?)
    }

    /// Replaces a stored memory; an unknown id is `NotFound`.
    pub fn update(&self, entry: MemoryEntry) -> Result<()> {
        Ok(self.inner.update(&to_core("entry", entry)?)?)
    }

    /// Deletes a memory; false when there was none.
    pub fn delete(&self, memory_id: String) -> Result<bool> {
        Ok(self.inner.delete(&memory_id)?)
    }

    /// Reads a memory and records the access (`access_count` + 1, `last_accessed = now_ms`);
    /// returns the entry as updated, or none.
    pub fn get(&self, memory_id: String, now_ms: i64) -> Result<Option<MemoryEntry>> {
        Ok(Mirror::from_core(self.inner.get(&memory_id, now_ms)?))
    }

    /// Reads a memory without recording an access.
    pub fn peek(&self, memory_id: String) -> Result<Option<MemoryEntry>> {
        Ok(Mirror::from_core(self.inner.peek(&memory_id)?))
    }

    /// Number of stored memories.
    pub fn count(&self) -> Result<i64> {
        Ok(from_core(self.inner.count()?))
    }

    /// Memories of one type, newest first, at most `limit`.
    pub fn by_type(&self, memory_type: MemoryType, limit: i64) -> Result<Vec<MemoryEntry>> {
        Ok(from_core_all(self.inner.by_type(memory_type.into(), to_core::<_, usize>("limit", limit)?)?))
    }

    /// The `n` most important memories, most important first.
    pub fn by_importance(&self, n: i64) -> Result<Vec<MemoryEntry>> {
        Ok(from_core_all(self.inner.by_importance(to_core("n", n)?)?))
    }

    /// Keyword (BM25) search, best first.
    pub fn search_keywords(&self, query: String, limit: i64) -> Result<Vec<MemoryHit>> {
        Ok(from_core_all(self.inner.search_keywords(&query, to_core("limit", limit)?)?))
    }

    /// Semantic search by a packed little-endian `f32` embedding, best first.
    pub fn search_semantic(&self, embedding: Vec<u8>, limit: i64) -> Result<Vec<MemoryHit>> {
        let embedding = packed::f32s("embedding", &embedding)?;
        Ok(from_core_all(self.inner.search_semantic(&embedding, to_core("limit", limit)?)?))
    }

    /// Hybrid search (reciprocal rank fusion of keyword and semantic rankings), best first.
    pub fn search_hybrid(&self, query: String, embedding: Vec<u8>, limit: i64) -> Result<Vec<MemoryHit>> {
        let embedding = packed::f32s("embedding", &embedding)?;
        Ok(from_core_all(self.inner.search_hybrid(&query, &embedding, to_core("limit", limit)?)?))
    }

    /// Deletes memories with `metadata.expires_at < now_ms`; returns how many.
    pub fn purge_expired(&self, now_ms: i64) -> Result<i64> {
        Ok(from_core(self.inner.purge_expired(now_ms)?))
    }
}

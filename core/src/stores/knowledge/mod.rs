//! Long-term memory of the LLM (seed section 10): a knowledge base with keyword (BM25),
//! semantic (embedding) and hybrid search.
//!
//! Tables:
//! - `long_term_memory`: memory_id -> JSON [`MemoryEntry`] (embedding left out, see below)
//! - `memory_index`: (memory_type, created_at, memory_id) -> ()
//! - `memory_by_importance`: (importance, memory_id) -> ()
//! - `memory_by_expiry`: (expires_at, memory_id) -> ()
//! - `memory_doc_numbers`: memory_id -> document number; `memory_doc_ids`: the reverse
//! - `memory_terms`: (term, document number) -> term frequency and entry length (the inverted
//!   index; small integer document numbers keep postings short and scoring free of hashing)
//! - meta `memory.doc_count`, `memory.total_len`: entry count and total length for BM25;
//!   `memory.next_doc`: the next document number
//!
//! Embeddings live in the vector store, in the reserved cosine collection
//! [`MEMORY_COLLECTION`], created with the dimension of the first embedding stored; every
//! later embedding must have that dimension. Rows, indexes, postings, statistics and
//! embeddings of an entry change in one transaction.
//!
//! The keyword index is derived from [`tokenize`]; entries are re-tokenized to remove their
//! postings, so a future tokenizer change needs a reindex.
//!
//! ```
//! use neotalk_storage::{StorageManager, MemoryEntry, MemoryType};
//! let db = StorageManager::in_memory().unwrap();
//! let m = db.memory();
//! m.add(&MemoryEntry::new("m1", MemoryType::DeviceKnowledge, "Pump 7 overheats above 80 °C", 1_000)).unwrap();
//! m.add(&MemoryEntry::new("m2", MemoryType::UserPreference, "客厅温度保持在22度", 1_000)).unwrap();
//! assert_eq!(m.search_keywords("pump overheats", 5).unwrap()[0].entry.memory_id, "m1");
//! assert_eq!(m.search_keywords("客厅温度", 5).unwrap()[0].entry.memory_id, "m2");
//! let e = m.get("m1", 2_000).unwrap().unwrap();
//! assert_eq!((e.access_count, e.last_accessed), (1, Some(2_000)));
//! ```

mod bm25;
mod tokenizer;

pub use bm25::{B as BM25_B, K1 as BM25_K1};
pub use tokenizer::{tokenize, MAX_TERM_CHARS};

use crate::error::{Result, StorageError};
use crate::limits::{check_id, MAX_JSON_BYTES, MEMORY_PURGE_BATCH};
use crate::page::Page;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::{Engine, META};
use crate::storage::key::{KeyBuilder, KeyReader};
use crate::stores::vectors::{
    check_vector, CollectionInfo, DistanceMetric, VectorChange, VectorDocument, VectorStore, MAX_VECTOR_DIMENSION,
};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

const MEMORY: &str = "long_term_memory";
const BY_TYPE: &str = "memory_index";
const BY_IMPORTANCE: &str = "memory_by_importance";
const BY_EXPIRY: &str = "memory_by_expiry";
const TERMS: &str = "memory_terms";
const DOC_NUMBERS: &str = "memory_doc_numbers";
const DOC_IDS: &str = "memory_doc_ids";
const NEXT_DOC: &[u8] = b"memory.next_doc";
const DOC_COUNT: &[u8] = b"memory.doc_count";
const TOTAL_LEN: &[u8] = b"memory.total_len";
/// The vector-store collection that holds memory embeddings (cosine).
pub const MEMORY_COLLECTION: &str = "__memory";
/// Longest memory content, in UTF-8 bytes.
pub const MAX_CONTENT_BYTES: usize = MAX_JSON_BYTES;
/// Longest keyword-search query, in UTF-8 bytes.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;
/// Rank constant of reciprocal rank fusion in [`LongTermMemoryStore::search_hybrid`].
pub const RRF_K: f32 = 60.0;

/// Kind of knowledge a memory holds (seed section 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemoryType {
    /// Knowledge about a device.
    DeviceKnowledge,
    /// A user preference.
    UserPreference,
    /// Knowledge about the system.
    SystemKnowledge,
    /// Something that happened.
    HistoricalEvent,
    /// Why a rule exists or what it does.
    RuleExplanation,
    /// Anything else.
    Other,
}

crate::names::text_enum!(
    MemoryType,
    "memory_type",
    [DeviceKnowledge, UserPreference, SystemKnowledge, HistoricalEvent, RuleExplanation, Other]
);

impl MemoryType {
    /// Stable name, as serialized (`"DeviceKnowledge"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryType::DeviceKnowledge => "DeviceKnowledge",
            MemoryType::UserPreference => "UserPreference",
            MemoryType::SystemKnowledge => "SystemKnowledge",
            MemoryType::HistoricalEvent => "HistoricalEvent",
            MemoryType::RuleExplanation => "RuleExplanation",
            MemoryType::Other => "Other",
        }
    }
}

/// Keywords, importance, related entities and expiry of a memory (seed section 10). Every
/// field omitted in JSON takes its [`Default`] (no keywords or entities, importance 0.5, no
/// expiry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryMetadata {
    /// Keywords; searched together with the content.
    pub keywords: Vec<String>,
    /// Importance from 0 to 1.
    pub importance: f32,
    /// Related entities (device ids, rule ids, ...).
    pub entities: Vec<String>,
    /// When the memory expires (Unix ms), if ever.
    pub expires_at: Option<i64>,
}

impl Default for MemoryMetadata {
    fn default() -> Self {
        MemoryMetadata { keywords: Vec::new(), importance: 0.5, entities: Vec::new(), expires_at: None }
    }
}

/// One long-term memory (seed section 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryEntry {
    /// Caller-chosen unique id.
    pub memory_id: String,
    /// Kind of knowledge.
    pub memory_type: MemoryType,
    /// The text remembered.
    pub content: String,
    /// Embedding for semantic search (stored in the vector store).
    pub embedding: Option<Vec<f32>>,
    /// Keywords, importance, entities, expiry (the defaults when omitted in JSON).
    #[serde(default)]
    pub metadata: MemoryMetadata,
    /// When it was created (Unix ms).
    pub created_at: i64,
    /// When `get` last read it.
    pub last_accessed: Option<i64>,
    /// How many times `get` read it (0 when omitted in JSON).
    #[serde(default)]
    pub access_count: u32,
}

impl MemoryEntry {
    /// A memory with default metadata (importance 0.5), no embedding, never accessed.
    pub fn new(memory_id: &str, memory_type: MemoryType, content: &str, created_at: i64) -> Self {
        MemoryEntry {
            memory_id: memory_id.into(),
            memory_type,
            content: content.into(),
            embedding: None,
            metadata: MemoryMetadata::default(),
            created_at,
            last_accessed: None,
            access_count: 0,
        }
    }

    fn validate(&self) -> Result<()> {
        check_id("memory_id", &self.memory_id)?;
        if self.content.trim().is_empty() {
            return Err(StorageError::invalid("content", "must not be empty"));
        }
        if self.content.len() > MAX_CONTENT_BYTES {
            return Err(StorageError::invalid("content", format!("is {} bytes; the limit is {MAX_CONTENT_BYTES}", self.content.len())));
        }
        let i = self.metadata.importance;
        if !(0.0..=1.0).contains(&i) {
            return Err(StorageError::invalid("importance", format!("is {i}; it must be within 0..=1")));
        }
        for k in &self.metadata.keywords {
            check_id("keywords", k)?;
        }
        for e in &self.metadata.entities {
            check_id("entities", e)?;
        }
        if let Some(v) = &self.embedding {
            if v.is_empty() || v.len() > MAX_VECTOR_DIMENSION as usize {
                return Err(StorageError::invalid(
                    "embedding",
                    format!("has {} components; it must have 1..={MAX_VECTOR_DIMENSION}", v.len()),
                ));
            }
            // Finite and non-zero now; the dimension once the collection is known.
            let info = CollectionInfo { name: MEMORY_COLLECTION.into(), dimension: v.len() as u32, metric: DistanceMetric::Cosine };
            check_vector("embedding", &info, v)?;
        }
        Ok(())
    }

    /// The searchable terms: content and keywords.
    fn terms(&self) -> Vec<String> {
        let mut t = tokenize(&self.content);
        for k in &self.metadata.keywords {
            t.extend(tokenize(k));
        }
        t
    }
}

/// A search result: the entry and its score (BM25, cosine similarity or fused RRF score,
/// depending on the search). Higher is better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryHit {
    /// The memory.
    pub entry: MemoryEntry,
    /// Relevance; higher is better.
    pub score: f32,
}

fn id_key(id: &str) -> Vec<u8> {
    KeyBuilder::new().str(id).finish()
}

fn type_key(e: &MemoryEntry) -> Vec<u8> {
    KeyBuilder::new().str(e.memory_type.as_str()).i64(e.created_at).str(&e.memory_id).finish()
}

/// Importance is in 0..=1, and non-negative floats order like their bit patterns.
fn importance_key(e: &MemoryEntry) -> Vec<u8> {
    KeyBuilder::new().u32((e.metadata.importance + 0.0).to_bits()).str(&e.memory_id).finish()
}

fn expiry_key(at: i64, id: &str) -> Vec<u8> {
    KeyBuilder::new().i64(at).str(id).finish()
}

fn term_key(term: &str, doc: u64) -> Vec<u8> {
    KeyBuilder::new().str(term).u64(doc).finish()
}

fn doc_key(doc: u64) -> Vec<u8> {
    KeyBuilder::new().u64(doc).finish()
}

fn decode_u64(v: &[u8], what: &str) -> Result<u64> {
    Ok(u64::from_le_bytes(v.try_into().map_err(|_| StorageError::Corrupted(format!("{what} is not 8 bytes")))?))
}

/// The string element after a fixed-width first element of `skip` bytes.
fn str_after(k: &[u8], skip: usize) -> Result<String> {
    KeyReader::new(k.get(skip..).ok_or_else(|| StorageError::Corrupted("index key too short".into()))?).str()
}

/// BM25 corpus statistics, kept in the meta table.
struct Stats {
    docs: u64,
    total_len: u64,
}

impl Stats {
    fn read(view: &dyn ReadView) -> Result<Stats> {
        Ok(Stats { docs: Engine::meta_u64(view, DOC_COUNT)?, total_len: Engine::meta_u64(view, TOTAL_LEN)? })
    }

    fn stage(&self, batch: &mut WriteBatch) {
        batch.put(META, DOC_COUNT.to_vec(), self.docs.to_le_bytes().to_vec());
        batch.put(META, TOTAL_LEN.to_vec(), self.total_len.to_le_bytes().to_vec());
    }
}

/// Best-first order: higher score, then smaller key.
fn better<K: Ord>(a: &(f32, K), b: &(f32, K)) -> Ordering {
    a.0.total_cmp(&b.0).then_with(|| b.1.cmp(&a.1))
}

/// The `k` best of `scored`, best first, with a bounded heap.
fn top_k<K: Ord>(scored: impl IntoIterator<Item = (f32, K)>, k: usize) -> Vec<(f32, K)> {
    /// Heap entry ordered so the max-heap keeps the worst kept candidate on top.
    struct Worst<K>((f32, K));
    impl<K: Ord> PartialEq for Worst<K> {
        fn eq(&self, o: &Self) -> bool {
            better(&self.0, &o.0) == Ordering::Equal
        }
    }
    impl<K: Ord> Eq for Worst<K> {}
    impl<K: Ord> PartialOrd for Worst<K> {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl<K: Ord> Ord for Worst<K> {
        fn cmp(&self, o: &Self) -> Ordering {
            better(&o.0, &self.0)
        }
    }
    if k == 0 {
        return Vec::new();
    }
    let mut heap = BinaryHeap::new();
    for s in scored {
        if heap.len() == k {
            let worst: &Worst<K> = heap.peek().expect("heap is full");
            if better(&s, &worst.0) != Ordering::Greater {
                continue;
            }
            heap.pop();
        }
        heap.push(Worst(s));
    }
    let mut out: Vec<(f32, K)> = heap.into_iter().map(|w| w.0).collect();
    out.sort_by(|a, b| better(b, a));
    out
}

/// Adds a term's `(doc, score)` list into the running sums; both are sorted by document.
fn merge_scores(acc: Vec<(u64, f32)>, term: &[(u64, f32)]) -> Vec<(u64, f32)> {
    let mut out = Vec::with_capacity(acc.len() + term.len());
    let (mut i, mut j) = (0, 0);
    while i < acc.len() && j < term.len() {
        match acc[i].0.cmp(&term[j].0) {
            Ordering::Less => {
                out.push(acc[i]);
                i += 1;
            }
            Ordering::Greater => {
                out.push(term[j]);
                j += 1;
            }
            Ordering::Equal => {
                out.push((acc[i].0, acc[i].1 + term[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&acc[i..]);
    out.extend_from_slice(&term[j..]);
    out
}

/// Store of long-term memories. Cheap to clone; obtain it from `StorageManager::memory()`.
#[derive(Clone)]
pub struct LongTermMemoryStore {
    engine: Arc<Engine>,
    vectors: VectorStore,
}

impl LongTermMemoryStore {
    pub(crate) fn new(engine: Arc<Engine>, vectors: VectorStore) -> Self {
        LongTermMemoryStore { engine, vectors }
    }

    fn read_row(view: &dyn ReadView, id: &str) -> Result<Option<MemoryEntry>> {
        match view.get(MEMORY, &id_key(id))? {
            Some(row) => Ok(Some(serde_json::from_slice(&row)?)),
            None => Ok(None),
        }
    }

    /// The row with its embedding from the vector store.
    fn read_full(view: &dyn ReadView, id: &str) -> Result<Option<MemoryEntry>> {
        let Some(mut e) = Self::read_row(view, id)? else { return Ok(None) };
        if let Some(info) = VectorStore::read_info(view, MEMORY_COLLECTION)? {
            e.embedding = VectorStore::read_vector(view, &info, id)?;
        }
        Ok(Some(e))
    }

    fn stage_row(batch: &mut WriteBatch, e: &MemoryEntry) {
        let row = MemoryEntry { embedding: None, ..e.clone() };
        batch.put(MEMORY, id_key(&e.memory_id), serde_json::to_vec(&row).expect("memory entry serializes"));
    }

    fn doc_number(view: &dyn ReadView, id: &str) -> Result<u64> {
        let v =
            view.get(DOC_NUMBERS, &id_key(id))?.ok_or_else(|| StorageError::Corrupted(format!("memory {id:?} has no document number")))?;
        decode_u64(&v, "memory document number")
    }

    /// Queues the row, indexes and postings of `e` as document `doc`, and counts it in `stats`.
    fn stage_insert(batch: &mut WriteBatch, e: &MemoryEntry, doc: u64, stats: &mut Stats) {
        Self::stage_row(batch, e);
        batch.put(DOC_NUMBERS, id_key(&e.memory_id), doc.to_le_bytes().to_vec());
        batch.put(DOC_IDS, doc_key(doc), e.memory_id.as_bytes().to_vec());
        batch.put(BY_TYPE, type_key(e), Vec::new());
        batch.put(BY_IMPORTANCE, importance_key(e), Vec::new());
        if let Some(at) = e.metadata.expires_at {
            batch.put(BY_EXPIRY, expiry_key(at, &e.memory_id), Vec::new());
        }
        let terms = e.terms();
        let len = terms.len() as u32;
        for (term, tf) in bm25::term_frequencies(terms) {
            batch.put(TERMS, term_key(&term, doc), bm25::encode_posting(tf, len));
        }
        stats.docs += 1;
        stats.total_len += len as u64;
    }

    /// Queues the removal of everything `stage_insert` wrote for `e` (as stored).
    fn stage_remove(batch: &mut WriteBatch, e: &MemoryEntry, doc: u64, stats: &mut Stats) {
        batch.delete(MEMORY, id_key(&e.memory_id));
        batch.delete(DOC_NUMBERS, id_key(&e.memory_id));
        batch.delete(DOC_IDS, doc_key(doc));
        batch.delete(BY_TYPE, type_key(e));
        batch.delete(BY_IMPORTANCE, importance_key(e));
        if let Some(at) = e.metadata.expires_at {
            batch.delete(BY_EXPIRY, expiry_key(at, &e.memory_id));
        }
        let terms = e.terms();
        let len = terms.len() as u64;
        for term in bm25::term_frequencies(terms).into_keys() {
            batch.delete(TERMS, term_key(&term, doc));
        }
        stats.docs = stats.docs.saturating_sub(1);
        stats.total_len = stats.total_len.saturating_sub(len);
    }

    /// Queues the embedding change of `e`, creating the memory collection on first use.
    fn stage_embedding(
        batch: &mut WriteBatch,
        collection: &mut Option<CollectionInfo>,
        e: &MemoryEntry,
        changes: &mut Vec<VectorChange>,
    ) -> Result<()> {
        let change = match &e.embedding {
            Some(v) => {
                if collection.is_none() {
                    let info = VectorStore::new_info(MEMORY_COLLECTION, v.len() as u32, DistanceMetric::Cosine)?;
                    VectorStore::stage_create(batch, &info);
                    *collection = Some(info);
                }
                VectorChange::Upsert(VectorDocument::new(&e.memory_id, v.clone(), serde_json::Value::Null))
            }
            None => VectorChange::Delete(e.memory_id.clone()),
        };
        let Some(info) = collection.as_ref() else { return Ok(()) };
        VectorStore::stage(batch, info, &change)?;
        changes.push(change);
        Ok(())
    }

    fn commit(&self, batch: &WriteBatch, changes: &[VectorChange]) -> Result<()> {
        self.engine.commit(batch)?;
        self.vectors.apply(MEMORY_COLLECTION, changes);
        Ok(())
    }

    /// Stores a new memory. An existing id is a `Conflict`.
    pub fn add(&self, entry: &MemoryEntry) -> Result<()> {
        self.add_many(std::slice::from_ref(entry))
    }

    /// Stores new memories in one transaction; all are checked first, so either all are
    /// stored or none. An id already stored, or repeated in `entries`, is a `Conflict`.
    pub fn add_many(&self, entries: &[MemoryEntry]) -> Result<()> {
        let mut seen = HashSet::new();
        for e in entries {
            e.validate()?;
            if !seen.insert(e.memory_id.as_str()) {
                return Err(StorageError::Conflict(format!("memory id {:?} appears twice in the batch", e.memory_id)));
            }
        }
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let mut stats = Stats::read(&*view)?;
        let mut next_doc = Engine::meta_u64(&*view, NEXT_DOC)?;
        let mut collection = VectorStore::read_info(&*view, MEMORY_COLLECTION)?;
        let mut batch = WriteBatch::new();
        let mut changes = Vec::new();
        for e in entries {
            if view.get(MEMORY, &id_key(&e.memory_id))?.is_some() {
                return Err(StorageError::Conflict(format!("memory {:?} already exists", e.memory_id)));
            }
            Self::stage_insert(&mut batch, e, next_doc, &mut stats);
            next_doc += 1;
            if e.embedding.is_some() {
                Self::stage_embedding(&mut batch, &mut collection, e, &mut changes)?;
            }
        }
        stats.stage(&mut batch);
        batch.put(META, NEXT_DOC.to_vec(), next_doc.to_le_bytes().to_vec());
        self.commit(&batch, &changes)
    }

    /// Replaces a stored memory with `entry` (every field, access statistics included, so a
    /// `get`-modify-`update` round keeps them). Unknown ids are `NotFound`.
    pub fn update(&self, entry: &MemoryEntry) -> Result<()> {
        entry.validate()?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let old = Self::read_row(&*view, &entry.memory_id)?.ok_or_else(|| StorageError::not_found("memory", entry.memory_id.clone()))?;
        let mut stats = Stats::read(&*view)?;
        let mut collection = VectorStore::read_info(&*view, MEMORY_COLLECTION)?;
        let mut batch = WriteBatch::new();
        let mut changes = Vec::new();
        let doc = Self::doc_number(&*view, &entry.memory_id)?;
        Self::stage_remove(&mut batch, &old, doc, &mut stats);
        Self::stage_insert(&mut batch, entry, doc, &mut stats);
        Self::stage_embedding(&mut batch, &mut collection, entry, &mut changes)?;
        stats.stage(&mut batch);
        self.commit(&batch, &changes)
    }

    /// Deletes a memory and its embedding; returns whether it existed.
    pub fn delete(&self, memory_id: &str) -> Result<bool> {
        check_id("memory_id", memory_id)?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let Some(old) = Self::read_row(&*view, memory_id)? else { return Ok(false) };
        let mut stats = Stats::read(&*view)?;
        let mut batch = WriteBatch::new();
        let mut changes = Vec::new();
        Self::stage_remove(&mut batch, &old, Self::doc_number(&*view, memory_id)?, &mut stats);
        let mut collection = VectorStore::read_info(&*view, MEMORY_COLLECTION)?;
        Self::stage_embedding(&mut batch, &mut collection, &MemoryEntry { embedding: None, ..old }, &mut changes)?;
        stats.stage(&mut batch);
        self.commit(&batch, &changes)?;
        Ok(true)
    }

    /// Reads a memory and records the access: `access_count` + 1, `last_accessed = now_ms`.
    /// Returns the entry as updated.
    pub fn get(&self, memory_id: &str, now_ms: i64) -> Result<Option<MemoryEntry>> {
        check_id("memory_id", memory_id)?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let Some(mut e) = Self::read_full(&*view, memory_id)? else { return Ok(None) };
        e.access_count = e.access_count.saturating_add(1);
        e.last_accessed = Some(now_ms);
        let mut batch = WriteBatch::new();
        Self::stage_row(&mut batch, &e);
        self.engine.commit(&batch)?;
        Ok(Some(e))
    }

    /// Reads a memory without recording an access.
    pub fn peek(&self, memory_id: &str) -> Result<Option<MemoryEntry>> {
        check_id("memory_id", memory_id)?;
        Self::read_full(&*self.engine.read()?, memory_id)
    }

    /// Number of stored memories.
    pub fn count(&self) -> Result<u64> {
        Engine::meta_u64(&*self.engine.read()?, DOC_COUNT)
    }

    fn collect_ids(&self, table: &str, range: KeyRange, page: Page, id_of: impl Fn(&[u8]) -> Result<String>) -> Result<Vec<MemoryEntry>> {
        let view = self.engine.read()?;
        let mut out = Vec::new();
        let mut pager = page.cursor();
        if pager.is_full() {
            return Ok(out);
        }
        view.scan(table, &range, Direction::Reverse, &mut |k, _| {
            if !pager.admit() {
                return Ok(pager.step());
            }
            let id = id_of(k)?;
            let e = Self::read_full(&*view, &id)?
                .ok_or_else(|| StorageError::Corrupted(format!("memory index names missing memory {id:?}")))?;
            out.push(e);
            Ok(pager.step())
        })?;
        Ok(out)
    }

    /// Memories of one type, newest (`created_at`) first, one [`Page`] of them.
    pub fn by_type(&self, memory_type: MemoryType, page: impl Into<Page>) -> Result<Vec<MemoryEntry>> {
        let range = KeyRange::prefix(KeyBuilder::new().str(memory_type.as_str()).finish());
        self.collect_ids(BY_TYPE, range, page.into(), |k| {
            let mut r = KeyReader::new(k);
            r.str()?;
            r.i64()?;
            r.str()
        })
    }

    /// The `n` most important memories, most important first (ties by id, descending).
    pub fn by_importance(&self, n: usize) -> Result<Vec<MemoryEntry>> {
        self.collect_ids(BY_IMPORTANCE, KeyRange::all(), Page::first(n), |k| str_after(k, 4))
    }

    /// Keyword search: memories ranked by Okapi BM25 ([`BM25_K1`] = 1.2, [`BM25_B`] = 0.75,
    /// idf `ln(1 + (N - n + 0.5) / (n + 0.5))`) of the distinct [`tokenize`]d query terms over
    /// content and keywords, best first (equal scores: the earlier added first), at most `limit`. Only memories sharing a
    /// term with the query are returned. Does not record accesses.
    pub fn search_keywords(&self, query: &str, limit: usize) -> Result<Vec<MemoryHit>> {
        let terms = Self::query_terms(query)?;
        let view = self.engine.read()?;
        let ranked = Self::bm25_rank(&*view, &terms, limit)?;
        Self::load_hits(&*view, ranked)
    }

    fn query_terms(query: &str) -> Result<Vec<String>> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(StorageError::invalid("query", format!("is {} bytes; the limit is {MAX_QUERY_BYTES}", query.len())));
        }
        let mut terms = tokenize(query);
        terms.sort();
        terms.dedup();
        if terms.is_empty() {
            return Err(StorageError::invalid("query", "has no searchable words"));
        }
        Ok(terms)
    }

    fn bm25_rank(view: &dyn ReadView, terms: &[String], limit: usize) -> Result<Vec<(f32, String)>> {
        let stats = Stats::read(view)?;
        if stats.docs == 0 || limit == 0 {
            return Ok(Vec::new());
        }
        let avgdl = stats.total_len as f32 / stats.docs as f32;
        // Posting lists come sorted by document number, so per-term lists merge without hashing.
        let mut scores: Vec<(u64, f32)> = Vec::new();
        let mut postings: Vec<(u64, u32, u32)> = Vec::new();
        let mut term_scores: Vec<(u64, f32)> = Vec::new();
        for term in terms {
            let prefix = KeyBuilder::new().str(term).finish();
            let plen = prefix.len();
            postings.clear();
            view.scan(TERMS, &KeyRange::prefix(prefix), Direction::Forward, &mut |k, v| {
                let doc = KeyReader::new(&k[plen..]).u64()?;
                let (tf, len) = bm25::decode_posting(v)?;
                postings.push((doc, tf, len));
                Ok(Scan::Continue)
            })?;
            // The idf needs the document frequency, known once the posting list is read.
            let idf = bm25::idf(stats.docs, postings.len() as u64);
            term_scores.clear();
            term_scores.extend(postings.iter().map(|&(doc, tf, len)| (doc, bm25::term_score(idf, tf, len, avgdl))));
            scores = merge_scores(scores, &term_scores);
        }
        let best = top_k(scores.into_iter().map(|(doc, s)| (s, doc)), limit);
        best.into_iter()
            .map(|(s, doc)| {
                let id = view
                    .get(DOC_IDS, &doc_key(doc))?
                    .ok_or_else(|| StorageError::Corrupted(format!("posting names missing document {doc}")))?;
                let id = String::from_utf8(id).map_err(|_| StorageError::Corrupted("memory id is not UTF-8".into()))?;
                Ok((s, id))
            })
            .collect()
    }

    fn load_hits(view: &dyn ReadView, ranked: Vec<(f32, String)>) -> Result<Vec<MemoryHit>> {
        ranked
            .into_iter()
            .map(|(score, id)| {
                let entry =
                    Self::read_full(view, &id)?.ok_or_else(|| StorageError::Corrupted(format!("posting names missing memory {id:?}")))?;
                Ok(MemoryHit { entry, score })
            })
            .collect()
    }

    /// Semantic search: the memories whose embeddings are closest (cosine similarity) to
    /// `embedding`, best first, at most `limit`. Empty while no memory has an embedding.
    pub fn search_semantic(&self, embedding: &[f32], limit: usize) -> Result<Vec<MemoryHit>> {
        let ranked = self.semantic_rank(embedding, limit)?;
        let view = self.engine.read()?;
        // The vector copy may be a moment ahead of this snapshot: skip entries deleted since.
        let mut out = Vec::with_capacity(ranked.len());
        for (score, id) in ranked {
            if let Some(entry) = Self::read_full(&*view, &id)? {
                out.push(MemoryHit { entry, score });
            }
        }
        Ok(out)
    }

    fn semantic_rank(&self, embedding: &[f32], limit: usize) -> Result<Vec<(f32, String)>> {
        let probe = MemoryEntry { embedding: Some(embedding.to_vec()), ..MemoryEntry::new("query", MemoryType::Other, "query", 0) };
        probe.validate()?;
        let Some(info) = self.vectors.collection(MEMORY_COLLECTION)? else { return Ok(Vec::new()) };
        check_vector("embedding", &info, embedding)?;
        Ok(self.vectors.search(MEMORY_COLLECTION, embedding, limit, None)?.into_iter().map(|m| (m.score, m.id)).collect())
    }

    /// Hybrid search by reciprocal rank fusion: the keyword ranking of `query` and the
    /// semantic ranking of `embedding` each contribute `1 / (RRF_K + rank)` (rank from 1,
    /// over the best `max(4 · limit, 20)` of each list) to a memory's score; best first.
    pub fn search_hybrid(&self, query: &str, embedding: &[f32], limit: usize) -> Result<Vec<MemoryHit>> {
        let terms = Self::query_terms(query)?;
        let depth = limit.saturating_mul(4).max(20);
        let semantic = self.semantic_rank(embedding, depth)?;
        let view = self.engine.read()?;
        let keyword = Self::bm25_rank(&*view, &terms, depth)?;
        let mut fused: HashMap<String, f32> = HashMap::new();
        for list in [keyword, semantic] {
            for (rank, (_, id)) in list.into_iter().enumerate() {
                *fused.entry(id).or_insert(0.0) += 1.0 / (RRF_K + rank as f32 + 1.0);
            }
        }
        let ranked = top_k(fused.into_iter().map(|(id, s)| (s, id)), limit);
        let mut out = Vec::with_capacity(ranked.len());
        for (score, id) in ranked {
            if let Some(entry) = Self::read_full(&*view, &id)? {
                out.push(MemoryHit { entry, score });
            }
        }
        Ok(out)
    }

    /// Deletes every memory with `metadata.expires_at < now_ms`, in transactions of at most
    /// [`MEMORY_PURGE_BATCH`]; returns how many went.
    pub fn purge_expired(&self, now_ms: i64) -> Result<u64> {
        let mut purged = 0u64;
        loop {
            let _w = self.engine.lock_writes();
            let view = self.engine.read()?;
            let mut stats = Stats::read(&*view)?;
            let mut collection = VectorStore::read_info(&*view, MEMORY_COLLECTION)?;
            let mut batch = WriteBatch::new();
            let mut changes = Vec::new();
            let mut removed = 0usize;
            let range = KeyRange { start: Bound::Unbounded, end: Bound::Excluded(KeyBuilder::new().i64(now_ms).finish()) };
            view.scan(BY_EXPIRY, &range, Direction::Forward, &mut |k, _| {
                let id = str_after(k, 8)?;
                let e = Self::read_row(&*view, &id)?
                    .ok_or_else(|| StorageError::Corrupted(format!("expiry index names missing memory {id:?}")))?;
                Self::stage_remove(&mut batch, &e, Self::doc_number(&*view, &id)?, &mut stats);
                Self::stage_embedding(&mut batch, &mut collection, &MemoryEntry { embedding: None, ..e }, &mut changes)?;
                removed += 1;
                Ok(if removed >= MEMORY_PURGE_BATCH { Scan::Stop } else { Scan::Continue })
            })?;
            if removed == 0 {
                return Ok(purged);
            }
            stats.stage(&mut batch);
            self.commit(&batch, &changes)?;
            purged += removed as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_top_k_equals_full_sort() {
        let scored: Vec<(f32, u64)> = (0..200u64).map(|i| (((i * 37) % 101) as f32, i)).collect();
        let mut sorted = scored.clone();
        sorted.sort_by(|a, b| better(b, a));
        for k in [0, 1, 5, 101, 500] {
            assert_eq!(top_k(scored.clone(), k), sorted[..k.min(sorted.len())].to_vec(), "k {k}");
        }
    }

    #[test]
    fn merge_adds_scores_of_the_same_document() {
        let acc = vec![(1, 1.0), (4, 1.0), (9, 1.0)];
        let term = [(0, 2.0), (4, 2.0), (10, 2.0)];
        assert_eq!(merge_scores(acc, &term), vec![(0, 2.0), (1, 1.0), (4, 3.0), (9, 1.0), (10, 2.0)]);
        assert_eq!(merge_scores(Vec::new(), &term), term.to_vec());
    }
}

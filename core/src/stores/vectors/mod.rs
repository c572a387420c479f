//! Vector store (seed section 4): named collections of embeddings with exact top-k search.
//!
//! A collection has a fixed dimension and a [`DistanceMetric`]. Scores follow one rule for
//! every metric: **higher is closer** (cosine similarity, negated Euclidean distance, dot
//! product); results come best first, equal scores ordered by id. Components must be finite
//! and a vector's squared length must fit in an `f32`, so no score is ever NaN.
//!
//! Vectors are stored compactly as little-endian `f32` bytes, metadata as JSON in a table of
//! its own. Search runs over an in-memory row-major copy of each collection, loaded on first
//! use and updated after every committed write, so it never touches the backend.
//!
//! Search speed: the exact scan runs AVX2 + FMA kernels where the CPU has them (detected at
//! run time; portable loops elsewhere, wasm32 included) and keeps the `k` best in a bounded
//! heap. A collection can switch on int8 [`Quantization`]: the scan then reads a quarter of
//! the bytes and the best `k * oversampling` candidates are re-ranked in exact f32.
//! [`VectorStore::search_batch`] answers many queries with one matrix product per block of
//! rows (`matrixmultiply`'s sgemm).
//!
//! Tables:
//! - `vector_collections`: name -> JSON [`CollectionInfo`] plus `"quantization"` when set
//! - `vectors`: (collection, id) -> `f32` little-endian bytes
//! - `vector_metadata`: (collection, id) -> JSON metadata
//!
//! Collection names starting with [`RESERVED_PREFIX`] belong to the SDK (the long-term memory
//! store keeps its embeddings in one); they can be read and searched but not written here.
//!
//! ```
//! use neotalk_storage::{StorageManager, DistanceMetric, VectorDocument, VectorFilter};
//! let db = StorageManager::in_memory().unwrap();
//! let v = db.vectors();
//! v.create_collection("docs", 3, DistanceMetric::Cosine).unwrap();
//! v.upsert_many("docs", &[
//!     VectorDocument::new("a", vec![1.0, 0.0, 0.0], serde_json::json!({"lang": "en"})),
//!     VectorDocument::new("b", vec![0.0, 1.0, 0.0], serde_json::json!({"lang": "zh"})),
//! ]).unwrap();
//! let hits = v.search("docs", &[0.9, 0.1, 0.0], 1, None).unwrap();
//! assert_eq!(hits[0].id, "a");
//! let zh = v.search("docs", &[0.9, 0.1, 0.0], 1, Some(&VectorFilter::equals("lang", "zh"))).unwrap();
//! assert_eq!(zh[0].id, "b");
//! ```

mod kernel;
mod matrix;
mod metric;
mod quantized;
mod topk;

pub use metric::DistanceMetric;
pub use quantized::Quantization;

use crate::error::{Result, StorageError};
use crate::limits::{check_id, check_json, CLEANUP_BATCH};
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::Engine;
use crate::storage::key::{KeyBuilder, KeyReader};
use matrix::Matrix;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

const COLLECTIONS: &str = "vector_collections";
const VECTORS: &str = "vectors";
const METADATA: &str = "vector_metadata";
/// Largest accepted collection dimension.
pub const MAX_VECTOR_DIMENSION: u32 = 65_536;
/// Collection names starting with this belong to the SDK and are read-only through this store.
pub const RESERVED_PREFIX: &str = "__";

/// A stored vector with its metadata (seed section 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorDocument {
    /// Id, unique within its collection.
    pub id: String,
    /// The vector; its length must equal the collection's dimension.
    pub embedding: Vec<f32>,
    /// Free JSON metadata (filters match its top-level fields; `null` when omitted in JSON).
    #[serde(default)]
    pub metadata: serde_json::Value,
}

impl VectorDocument {
    /// A document.
    pub fn new(id: &str, embedding: Vec<f32>, metadata: serde_json::Value) -> Self {
        VectorDocument { id: id.into(), embedding, metadata }
    }
}

/// A collection's fixed settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionInfo {
    /// Collection name.
    pub name: String,
    /// Length of every vector.
    pub dimension: u32,
    /// How vectors are compared.
    pub metric: DistanceMetric,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorMatch {
    /// Document id.
    pub id: String,
    /// Higher is closer: cosine similarity, negated Euclidean distance, or dot product.
    pub score: f32,
    /// The document's metadata.
    pub metadata: serde_json::Value,
}

/// Keeps only documents whose metadata has top-level `field` equal to `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFilter {
    /// Top-level metadata field.
    pub field: String,
    /// Value it must equal (JSON equality).
    pub value: serde_json::Value,
}

impl VectorFilter {
    /// `metadata[field] == value`.
    pub fn equals(field: &str, value: impl Into<serde_json::Value>) -> Self {
        VectorFilter { field: field.into(), value: value.into() }
    }

    /// Whether `metadata` passes the filter.
    pub fn matches(&self, metadata: &serde_json::Value) -> bool {
        metadata.get(&self.field) == Some(&self.value)
    }
}

/// A collection's row in `vector_collections`: its settings plus the quantisation, which
/// is absent (`None`) in rows written before it existed and in the memory store's row.
#[derive(Serialize, Deserialize)]
struct CollectionRow {
    #[serde(flatten)]
    info: CollectionInfo,
    #[serde(default, skip_serializing_if = "is_unquantized")]
    quantization: Quantization,
}

fn is_unquantized(q: &Quantization) -> bool {
    *q == Quantization::None
}

/// A change to one collection, staged in a batch and applied to the in-memory copy after commit.
pub(crate) enum VectorChange {
    Upsert(VectorDocument),
    Delete(String),
}

/// A collection's settings and its in-memory copy.
struct Loaded {
    info: CollectionInfo,
    matrix: RwLock<Matrix>,
}

/// Store of vector collections. Cheap to clone; obtain it from `StorageManager::vectors()`.
#[derive(Clone)]
pub struct VectorStore {
    engine: Arc<Engine>,
    loaded: Arc<RwLock<HashMap<String, Arc<Loaded>>>>,
}

fn row_key(collection: &str, id: &str) -> Vec<u8> {
    KeyBuilder::new().str(collection).str(id).finish()
}

fn encode(v: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 4);
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

fn decode(bytes: &[u8], dim: u32) -> Result<Vec<f32>> {
    if bytes.len() != dim as usize * 4 {
        return Err(StorageError::Corrupted(format!("stored vector is {} bytes; dimension {dim} needs {}", bytes.len(), dim as usize * 4)));
    }
    Ok(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

fn check_name(name: &str) -> Result<()> {
    check_id("collection", name)
}

fn check_writable(name: &str) -> Result<()> {
    check_name(name)?;
    if name.starts_with(RESERVED_PREFIX) {
        return Err(StorageError::invalid("collection", format!("names starting with {RESERVED_PREFIX:?} are reserved for the SDK")));
    }
    Ok(())
}

/// Checks a vector against a collection: dimension, finite components and squared length,
/// non-zero length for cosine.
pub(crate) fn check_vector(field: &'static str, info: &CollectionInfo, v: &[f32]) -> Result<()> {
    if v.len() != info.dimension as usize {
        return Err(StorageError::invalid(
            field,
            format!("has {} components; collection {:?} has dimension {}", v.len(), info.name, info.dimension),
        ));
    }
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(StorageError::invalid(field, format!("component {i} is {} (NaN and infinity are refused)", v[i])));
    }
    // Bounded length keeps every score finite (|a·b| <= |a||b|); no NaN can reach a ranking.
    let squared_len = metric::dot(v, v);
    if !squared_len.is_finite() {
        return Err(StorageError::invalid(field, "is too long: its squared length overflows f32"));
    }
    if info.metric == DistanceMetric::Cosine && squared_len == 0.0 {
        return Err(StorageError::invalid(field, "has zero length (or underflows to it); cosine similarity is undefined for it"));
    }
    Ok(())
}

fn check_filter(filter: Option<&VectorFilter>) -> Result<()> {
    if let Some(f) = filter {
        check_id("filter field", &f.field)?;
    }
    Ok(())
}

fn to_matches(hits: Vec<matrix::Hit>) -> Vec<VectorMatch> {
    hits.into_iter().map(|h| VectorMatch { id: h.id.to_string(), score: h.score, metadata: (*h.metadata).clone() }).collect()
}

impl VectorStore {
    /// Forgets every loaded matrix after the tables were replaced (restore / import); each
    /// collection is loaded again on its next use. Call with the engine's write lock held.
    pub(crate) fn reload(&self) {
        self.loaded.write().clear();
    }

    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        VectorStore { engine, loaded: Arc::new(RwLock::new(HashMap::new())) }
    }

    pub(crate) fn read_info(view: &dyn ReadView, name: &str) -> Result<Option<CollectionInfo>> {
        match view.get(COLLECTIONS, &KeyBuilder::new().str(name).finish())? {
            Some(row) => Ok(Some(serde_json::from_slice(&row)?)),
            None => Ok(None),
        }
    }

    fn require_info(view: &dyn ReadView, name: &str) -> Result<CollectionInfo> {
        Self::read_info(view, name)?.ok_or_else(|| StorageError::not_found("collection", name))
    }

    fn require_row(view: &dyn ReadView, name: &str) -> Result<CollectionRow> {
        match view.get(COLLECTIONS, &KeyBuilder::new().str(name).finish())? {
            Some(row) => Ok(serde_json::from_slice(&row)?),
            None => Err(StorageError::not_found("collection", name)),
        }
    }

    fn stage_row(batch: &mut WriteBatch, row: &CollectionRow) {
        let bytes = serde_json::to_vec(row).expect("collection row serializes");
        batch.put(COLLECTIONS, KeyBuilder::new().str(&row.info.name).finish(), bytes);
    }

    /// Queues the creation of a collection (the caller checked it does not exist).
    pub(crate) fn stage_create(batch: &mut WriteBatch, info: &CollectionInfo) {
        let row = serde_json::to_vec(info).expect("collection info serializes");
        batch.put(COLLECTIONS, KeyBuilder::new().str(&info.name).finish(), row);
    }

    /// Checks `name`, `dimension` and returns the settings of a new collection.
    pub(crate) fn new_info(name: &str, dimension: u32, metric: DistanceMetric) -> Result<CollectionInfo> {
        check_name(name)?;
        if dimension == 0 || dimension > MAX_VECTOR_DIMENSION {
            return Err(StorageError::invalid("dimension", format!("is {dimension}; it must be 1..={MAX_VECTOR_DIMENSION}")));
        }
        Ok(CollectionInfo { name: name.into(), dimension, metric })
    }

    /// Creates a collection with exact f32 search. An existing collection of that name is a
    /// `Conflict`.
    pub fn create_collection(&self, name: &str, dimension: u32, metric: DistanceMetric) -> Result<CollectionInfo> {
        self.create_collection_with(name, dimension, metric, Quantization::None)
    }

    /// Creates a collection with the given [`Quantization`] (see there for its memory cost).
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, DistanceMetric, VectorDocument};
    /// use neotalk_storage::Quantization;
    /// let db = StorageManager::in_memory().unwrap();
    /// let v = db.vectors();
    /// v.create_collection_with("docs", 2, DistanceMetric::DotProduct, Quantization::int8()).unwrap();
    /// v.upsert("docs", &VectorDocument::new("a", vec![1.0, 0.5], serde_json::Value::Null)).unwrap();
    /// assert_eq!(v.quantization("docs").unwrap(), Quantization::Int8 { oversampling: 10 });
    /// // Scores are exact f32 scores: candidates are re-ranked in f32.
    /// assert_eq!(v.search("docs", &[2.0, 2.0], 1, None).unwrap()[0].score, 3.0);
    /// ```
    pub fn create_collection_with(
        &self,
        name: &str,
        dimension: u32,
        metric: DistanceMetric,
        quantization: Quantization,
    ) -> Result<CollectionInfo> {
        check_writable(name)?;
        let info = Self::new_info(name, dimension, metric)?;
        let quantization = quantization.check()?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        if Self::read_info(&*view, name)?.is_some() {
            return Err(StorageError::Conflict(format!("collection {name:?} already exists")));
        }
        let mut batch = WriteBatch::new();
        Self::stage_row(&mut batch, &CollectionRow { info: info.clone(), quantization });
        self.engine.commit(&batch)?;
        self.loaded.write().remove(name);
        Ok(info)
    }

    /// A collection's [`Quantization`]; unknown names are `NotFound`.
    pub fn quantization(&self, name: &str) -> Result<Quantization> {
        check_name(name)?;
        Ok(Self::require_row(&*self.engine.read()?, name)?.quantization)
    }

    /// Switches a collection's [`Quantization`] (persisted). A loaded collection builds or
    /// drops its int8 copy at once; that takes one pass over its vectors.
    pub fn set_quantization(&self, name: &str, quantization: Quantization) -> Result<()> {
        check_writable(name)?;
        let quantization = quantization.check()?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let mut row = Self::require_row(&*view, name)?;
        row.quantization = quantization;
        let mut batch = WriteBatch::new();
        Self::stage_row(&mut batch, &row);
        self.engine.commit(&batch)?;
        if let Some(loaded) = self.loaded.read().get(name).cloned() {
            loaded.matrix.write().set_quantization(quantization);
        }
        Ok(())
    }

    /// The settings of a collection, if it exists.
    pub fn collection(&self, name: &str) -> Result<Option<CollectionInfo>> {
        check_name(name)?;
        Self::read_info(&*self.engine.read()?, name)
    }

    /// Every collection of the caller's, by name; the SDK's own (named with
    /// [`RESERVED_PREFIX`], such as the long-term memory's) are left out but still answer
    /// [`collection`](Self::collection) and [`search`](Self::search).
    pub fn list_collections(&self) -> Result<Vec<CollectionInfo>> {
        let view = self.engine.read()?;
        let mut out: Vec<CollectionInfo> = Vec::new();
        view.scan(COLLECTIONS, &KeyRange::all(), Direction::Forward, &mut |_, v| {
            out.push(serde_json::from_slice(v)?);
            Ok(Scan::Continue)
        })?;
        out.retain(|c| !c.name.starts_with(RESERVED_PREFIX));
        Ok(out)
    }

    /// Deletes a collection and all its vectors, in transactions of at most [`CLEANUP_BATCH`]
    /// vectors; the collection itself goes with the last one. Unknown names are `NotFound`.
    pub fn drop_collection(&self, name: &str) -> Result<()> {
        check_writable(name)?;
        loop {
            let _w = self.engine.lock_writes();
            let view = self.engine.read()?;
            Self::require_info(&*view, name)?;
            let mut batch = WriteBatch::new();
            let mut removed = Vec::new();
            view.scan(VECTORS, &KeyRange::prefix(KeyBuilder::new().str(name).finish()), Direction::Forward, &mut |k, _| {
                let mut r = KeyReader::new(k);
                r.str()?;
                removed.push(VectorChange::Delete(r.str()?));
                batch.delete(VECTORS, k.to_vec());
                batch.delete(METADATA, k.to_vec());
                Ok(if removed.len() >= CLEANUP_BATCH { Scan::Stop } else { Scan::Continue })
            })?;
            let last = removed.len() < CLEANUP_BATCH;
            if last {
                batch.delete(COLLECTIONS, KeyBuilder::new().str(name).finish());
            }
            self.engine.commit(&batch)?;
            if last {
                self.loaded.write().remove(name);
                return Ok(());
            }
            self.apply(name, &removed);
        }
    }

    /// Queues an upsert after checking the document against `info`.
    fn stage_upsert(batch: &mut WriteBatch, info: &CollectionInfo, doc: &VectorDocument) -> Result<()> {
        check_id("id", &doc.id)?;
        check_vector("embedding", info, &doc.embedding)?;
        check_json("metadata", &doc.metadata)?;
        let key = row_key(&info.name, &doc.id);
        batch.put(VECTORS, key.clone(), encode(&doc.embedding));
        batch.put(METADATA, key, serde_json::to_vec(&doc.metadata).expect("JSON value serializes"));
        Ok(())
    }

    /// Queues one change after checking it against `info`.
    pub(crate) fn stage(batch: &mut WriteBatch, info: &CollectionInfo, change: &VectorChange) -> Result<()> {
        match change {
            VectorChange::Upsert(doc) => Self::stage_upsert(batch, info, doc)?,
            VectorChange::Delete(id) => {
                let key = row_key(&info.name, id);
                batch.delete(VECTORS, key.clone());
                batch.delete(METADATA, key);
            }
        }
        Ok(())
    }

    /// Brings the in-memory copy of `collection` (if loaded) in step with committed changes.
    /// Call with the engine's write lock held, after the commit.
    pub(crate) fn apply(&self, collection: &str, changes: &[VectorChange]) {
        let Some(loaded) = self.loaded.read().get(collection).cloned() else { return };
        let mut m = loaded.matrix.write();
        for c in changes {
            match c {
                VectorChange::Upsert(doc) => m.upsert(&doc.id, &doc.embedding, doc.metadata.clone()),
                VectorChange::Delete(id) => m.remove(id),
            }
        }
    }

    /// Inserts or replaces one document.
    pub fn upsert(&self, collection: &str, doc: &VectorDocument) -> Result<()> {
        self.upsert_many(collection, std::slice::from_ref(doc))
    }

    /// Inserts or replaces documents in one transaction; all are checked first, so either all
    /// are stored or none. A repeated id within the batch: the last one wins.
    pub fn upsert_many(&self, collection: &str, docs: &[VectorDocument]) -> Result<()> {
        check_writable(collection)?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let info = Self::require_info(&*view, collection)?;
        let mut batch = WriteBatch::new();
        for d in docs {
            Self::stage_upsert(&mut batch, &info, d)?;
        }
        self.engine.commit(&batch)?;
        if let Some(loaded) = self.loaded.read().get(collection).cloned() {
            let mut m = loaded.matrix.write();
            for d in docs {
                m.upsert(&d.id, &d.embedding, d.metadata.clone());
            }
        }
        Ok(())
    }

    /// Deletes a document; returns whether it existed.
    pub fn delete(&self, collection: &str, id: &str) -> Result<bool> {
        check_writable(collection)?;
        check_id("id", id)?;
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let info = Self::require_info(&*view, collection)?;
        if view.get(VECTORS, &row_key(collection, id))?.is_none() {
            return Ok(false);
        }
        let change = [VectorChange::Delete(id.into())];
        let mut batch = WriteBatch::new();
        Self::stage(&mut batch, &info, &change[0])?;
        self.engine.commit(&batch)?;
        self.apply(collection, &change);
        Ok(true)
    }

    /// Reads one vector of a collection from a snapshot (`None` when absent).
    pub(crate) fn read_vector(view: &dyn ReadView, info: &CollectionInfo, id: &str) -> Result<Option<Vec<f32>>> {
        match view.get(VECTORS, &row_key(&info.name, id))? {
            Some(bytes) => Ok(Some(decode(&bytes, info.dimension)?)),
            None => Ok(None),
        }
    }

    /// One document.
    pub fn get(&self, collection: &str, id: &str) -> Result<Option<VectorDocument>> {
        check_name(collection)?;
        check_id("id", id)?;
        let view = self.engine.read()?;
        let info = Self::require_info(&*view, collection)?;
        let Some(embedding) = Self::read_vector(&*view, &info, id)? else { return Ok(None) };
        let metadata = match view.get(METADATA, &row_key(collection, id))? {
            Some(m) => serde_json::from_slice(&m)?,
            None => serde_json::Value::Null,
        };
        Ok(Some(VectorDocument { id: id.into(), embedding, metadata }))
    }

    /// The in-memory copy of a collection, loading it under the write lock on first use so no
    /// commit can slip between the load and the copy being registered.
    fn loaded(&self, name: &str) -> Result<Arc<Loaded>> {
        check_name(name)?;
        if let Some(l) = self.loaded.read().get(name) {
            if self.engine.is_closed() {
                return Err(StorageError::Closed);
            }
            return Ok(l.clone());
        }
        let _w = self.engine.lock_writes();
        let view = self.engine.read()?;
        let CollectionRow { info, quantization } = Self::require_row(&*view, name)?;
        if let Some(l) = self.loaded.read().get(name) {
            return Ok(l.clone());
        }
        let mut m = Matrix::new(info.dimension as usize, info.metric);
        m.set_quantization(quantization);
        let mut failure = None;
        view.scan(VECTORS, &KeyRange::prefix(KeyBuilder::new().str(name).finish()), Direction::Forward, &mut |k, v| {
            let mut r = KeyReader::new(k);
            r.str()?;
            let id = r.str()?;
            let vector = decode(v, info.dimension)?;
            if let Err(e) = check_vector("stored vector", &info, &vector) {
                failure = Some(StorageError::Corrupted(e.to_string()));
                return Ok(Scan::Stop);
            }
            let metadata = match view.get(METADATA, k)? {
                Some(m) => serde_json::from_slice(&m)?,
                None => serde_json::Value::Null,
            };
            m.upsert(&id, &vector, metadata);
            Ok(Scan::Continue)
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        let l = Arc::new(Loaded { info, matrix: RwLock::new(m) });
        self.loaded.write().insert(name.to_string(), l.clone());
        Ok(l)
    }

    /// Number of documents in a collection.
    pub fn count(&self, collection: &str) -> Result<u64> {
        Ok(self.loaded(collection)?.matrix.read().len() as u64)
    }

    /// The `k` documents closest to `query`, best first (higher score is closer), optionally
    /// only those whose metadata passes `filter`. Without quantisation every document is
    /// scored exactly; with int8 the best `k * oversampling` by int8 score are re-scored in
    /// f32, so scores are exact and a true top-k document is missed only if its int8 score
    /// falls below that many others (recall@10 >= 0.99 in the tests).
    pub fn search(&self, collection: &str, query: &[f32], k: usize, filter: Option<&VectorFilter>) -> Result<Vec<VectorMatch>> {
        let loaded = self.loaded(collection)?;
        check_vector("query", &loaded.info, query)?;
        check_filter(filter)?;
        let keep = filter.map(|f| move |m: &serde_json::Value| f.matches(m));
        let keep_ref: Option<&dyn Fn(&serde_json::Value) -> bool> = keep.as_ref().map(|f| f as _);
        let hits = loaded.matrix.read().top_k(query, k, keep_ref);
        Ok(to_matches(hits))
    }

    /// [`Self::search`] for many queries at once: `result[i]` answers `queries[i]`. Scores
    /// come from one matrix product per block of rows (exact f32, whatever the collection's
    /// quantisation), and each query's best candidates are re-scored by the kernel `search`
    /// uses, so results equal exact per-query search. Any bad query refuses the whole call.
    ///
    /// ```
    /// use neotalk_storage::{StorageManager, DistanceMetric, VectorDocument};
    /// let db = StorageManager::in_memory().unwrap();
    /// let v = db.vectors();
    /// v.create_collection("docs", 2, DistanceMetric::Euclidean).unwrap();
    /// v.upsert_many("docs", &[
    ///     VectorDocument::new("a", vec![0.0, 0.0], serde_json::Value::Null),
    ///     VectorDocument::new("b", vec![3.0, 4.0], serde_json::Value::Null),
    /// ]).unwrap();
    /// let found = v.search_batch("docs", &[vec![0.1, 0.0], vec![3.0, 4.0]], 1, None).unwrap();
    /// assert_eq!((found[0][0].id.as_str(), found[1][0].id.as_str()), ("a", "b"));
    /// assert_eq!(found[1][0].score, 0.0);
    /// ```
    pub fn search_batch<Q: AsRef<[f32]>>(
        &self,
        collection: &str,
        queries: &[Q],
        k: usize,
        filter: Option<&VectorFilter>,
    ) -> Result<Vec<Vec<VectorMatch>>> {
        let loaded = self.loaded(collection)?;
        let mut flat = Vec::with_capacity(queries.len() * loaded.info.dimension as usize);
        for (i, q) in queries.iter().enumerate() {
            check_vector("queries", &loaded.info, q.as_ref()).map_err(|e| match e {
                StorageError::InvalidInput { field, reason } => StorageError::InvalidInput { field, reason: format!("query {i} {reason}") },
                other => other,
            })?;
            flat.extend_from_slice(q.as_ref());
        }
        check_filter(filter)?;
        let keep = filter.map(|f| move |m: &serde_json::Value| f.matches(m));
        let keep_ref: Option<&dyn Fn(&serde_json::Value) -> bool> = keep.as_ref().map(|f| f as _);
        let found = loaded.matrix.read().top_k_batch(&flat, k, keep_ref);
        Ok(found.into_iter().map(to_matches).collect())
    }
}

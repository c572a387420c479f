//! Vector collections: [`VectorStore`]. Per-record calls take `Vec<f32>`; the batch calls
//! take packed little-endian `f32` buffers (`n x dim` for upsert, one vector for search).
//! Metadata crosses as JSON text. `search_batch_packed` takes `n` queries in one packed
//! buffer and answers with one list of matches per query.

use crate::enums::DistanceMetric;
use crate::error::{Result, StorageError};
use crate::json;
use crate::mirror::{from_core, mirror_record, to_core};
use crate::packed;
use neotalk_storage as core;

mirror_record! {
    /// A collection: name, dimension and metric.
    CollectionInfo => core::CollectionInfo {
        /// Collection name.
        name: String,
        /// Length of every vector.
        dimension: i64,
        /// How vectors are compared.
        metric: DistanceMetric,
    }
}

/// How a collection's search scans its vectors (see the core's `Quantization`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Quantization {
    /// Exact f32 scan.
    None,
    /// Int8 scan; the best `k * oversampling` candidates are re-ranked in exact f32
    /// (`1..=1000`; 10 is the core's default). Costs `dimension + 4` bytes more per vector
    /// in memory.
    Int8 {
        /// Candidates re-ranked per result wanted.
        oversampling: i64,
    },
}

impl TryFrom<Quantization> for core::Quantization {
    type Error = StorageError;
    fn try_from(q: Quantization) -> Result<Self> {
        Ok(match q {
            Quantization::None => core::Quantization::None,
            Quantization::Int8 { oversampling } => core::Quantization::Int8 { oversampling: to_core("oversampling", oversampling)? },
        })
    }
}

impl From<core::Quantization> for Quantization {
    fn from(q: core::Quantization) -> Self {
        match q {
            core::Quantization::None => Quantization::None,
            core::Quantization::Int8 { oversampling } => Quantization::Int8 { oversampling: from_core(oversampling) },
        }
    }
}

/// A stored vector with its metadata.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VectorDocument {
    /// Document id, unique in its collection.
    pub id: String,
    /// The vector.
    pub embedding: Vec<f32>,
    /// Metadata, as JSON text.
    pub metadata: String,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VectorMatch {
    /// Document id.
    pub id: String,
    /// Similarity; higher is closer.
    pub score: f32,
    /// The document's metadata, as JSON text.
    pub metadata: String,
}

/// Keeps documents whose metadata field `field` equals `value`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VectorFilter {
    /// Top-level metadata field.
    pub field: String,
    /// The value it must equal, as JSON text.
    pub value: String,
}

impl VectorFilter {
    fn into_core(self) -> Result<core::VectorFilter> {
        Ok(core::VectorFilter { value: json::parse("filter.value", &self.value)?, field: self.field })
    }
}

fn matches(found: Vec<core::VectorMatch>) -> Vec<VectorMatch> {
    found.into_iter().map(|m| VectorMatch { id: m.id, score: m.score, metadata: json::print(&m.metadata) }).collect()
}

crate::store_object::store_object! {
    /// Store of vector collections; obtain it from `StorageManager.vectors()`.
    VectorStore => core::VectorStore
}

#[uniffi::export]
impl VectorStore {
    /// Creates a collection; an existing name is `Conflict`.
    pub fn create_collection(&self, name: String, dimension: i64, metric: DistanceMetric) -> Result<CollectionInfo> {
        Ok(self.inner.create_collection(&name, to_core("dimension", dimension)?, metric.into())?.into())
    }

    /// Creates a collection with the given quantisation; an existing name is `Conflict`.
    pub fn create_collection_with(
        &self,
        name: String,
        dimension: i64,
        metric: DistanceMetric,
        quantization: Quantization,
    ) -> Result<CollectionInfo> {
        Ok(self.inner.create_collection_with(&name, to_core("dimension", dimension)?, metric.into(), quantization.try_into()?)?.into())
    }

    /// A collection's quantisation; an unknown name is `NotFound`.
    pub fn quantization(&self, name: String) -> Result<Quantization> {
        Ok(self.inner.quantization(&name)?.into())
    }

    /// Switches a collection's quantisation (persisted).
    pub fn set_quantization(&self, name: String, quantization: Quantization) -> Result<()> {
        Ok(self.inner.set_quantization(&name, quantization.try_into()?)?)
    }

    /// The collection, or none.
    pub fn collection(&self, name: String) -> Result<Option<CollectionInfo>> {
        Ok(self.inner.collection(&name)?.map(CollectionInfo::from))
    }

    /// Every collection, by name.
    pub fn list_collections(&self) -> Result<Vec<CollectionInfo>> {
        Ok(self.inner.list_collections()?.into_iter().map(CollectionInfo::from).collect())
    }

    /// Drops a collection and its documents; an unknown name is `NotFound`.
    pub fn drop_collection(&self, name: String) -> Result<()> {
        Ok(self.inner.drop_collection(&name)?)
    }

    /// Inserts or replaces one document (metadata as JSON text).
    pub fn upsert(&self, collection: String, id: String, embedding: Vec<f32>, metadata: String) -> Result<()> {
        let doc = core::VectorDocument::new(&id, embedding, json::parse("metadata", &metadata)?);
        Ok(self.inner.upsert(&collection, &doc)?)
    }

    /// Inserts or replaces `ids.len()` documents in one transaction from one packed buffer of
    /// little-endian `f32` (`ids.len() x dim`, row by row). `metadata`, when given, has one
    /// JSON text per id; otherwise each document's metadata is `null`. All or none.
    pub fn upsert_packed(&self, collection: String, ids: Vec<String>, vectors: Vec<u8>, metadata: Option<Vec<String>>) -> Result<()> {
        let rows = packed::rows("vectors", &vectors, ids.len())?;
        let metadata = match metadata {
            Some(m) if m.len() != ids.len() => {
                return Err(StorageError::invalid("metadata", format!("{} entries for {} ids", m.len(), ids.len())))
            }
            Some(m) => m.iter().map(|t| json::parse("metadata", t)).collect::<Result<Vec<_>>>()?,
            None => vec![serde_json::Value::Null; ids.len()],
        };
        let docs: Vec<core::VectorDocument> =
            ids.iter().zip(rows).zip(metadata).map(|((id, v), m)| core::VectorDocument::new(id, v, m)).collect();
        Ok(self.inner.upsert_many(&collection, &docs)?)
    }

    /// Deletes a document; false when there was none.
    pub fn delete(&self, collection: String, id: String) -> Result<bool> {
        Ok(self.inner.delete(&collection, &id)?)
    }

    /// One document, or none.
    pub fn get(&self, collection: String, id: String) -> Result<Option<VectorDocument>> {
        Ok(self.inner.get(&collection, &id)?.map(|d| VectorDocument {
            metadata: json::print(&d.metadata),
            id: d.id,
            embedding: d.embedding,
        }))
    }

    /// Number of documents in a collection.
    pub fn count(&self, collection: String) -> Result<i64> {
        Ok(from_core(self.inner.count(&collection)?))
    }

    /// The `k` documents closest to `query`, best first, optionally only those passing `filter`.
    pub fn search(&self, collection: String, query: Vec<f32>, k: i64, filter: Option<VectorFilter>) -> Result<Vec<VectorMatch>> {
        let filter = filter.map(VectorFilter::into_core).transpose()?;
        Ok(matches(self.inner.search(&collection, &query, to_core("k", k)?, filter.as_ref())?))
    }

    /// [`Self::search`] with the query as a packed little-endian `f32` buffer.
    pub fn search_packed(&self, collection: String, query: Vec<u8>, k: i64, filter: Option<VectorFilter>) -> Result<Vec<VectorMatch>> {
        let query = packed::f32s("query", &query)?;
        let filter = filter.map(VectorFilter::into_core).transpose()?;
        Ok(matches(self.inner.search(&collection, &query, to_core("k", k)?, filter.as_ref())?))
    }

    /// `count` queries in one packed little-endian `f32` buffer (`count x dim`, row by row),
    /// answered with one matrix product per block of rows: `result[i]` answers query `i`.
    pub fn search_batch_packed(
        &self,
        collection: String,
        queries: Vec<u8>,
        count: i64,
        k: i64,
        filter: Option<VectorFilter>,
    ) -> Result<Vec<Vec<VectorMatch>>> {
        let queries = packed::rows("queries", &queries, to_core("count", count)?)?;
        let filter = filter.map(VectorFilter::into_core).transpose()?;
        Ok(self.inner.search_batch(&collection, &queries, to_core("k", k)?, filter.as_ref())?.into_iter().map(matches).collect())
    }
}

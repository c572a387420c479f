//! JS class `VectorStore`: vector collections with similarity search; vectors travel as
//! `Float32Array`s (one packed array for a batch).

use crate::convert::{count, enum_arg, f32s, record, string, strings, to_js};
use crate::error::{invalid, IntoJs, JsResult};
use js_sys::{Float32Array, Object, Reflect};
use neotalk_storage::{DistanceMetric, VectorDocument, VectorFilter, VectorStore};
use wasm_bindgen::prelude::*;

/// `{ id, embedding: Float32Array, metadata }` of a stored document.
fn document_to_js(doc: &VectorDocument) -> JsResult<JsValue> {
    let out = Object::new();
    Reflect::set(&out, &"id".into(), &doc.id.as_str().into())?;
    Reflect::set(&out, &"embedding".into(), &Float32Array::from(doc.embedding.as_slice()))?;
    Reflect::set(&out, &"metadata".into(), &to_js(&doc.metadata)?)?;
    Ok(out.into())
}

/// Metadata argument: `undefined` / `null` are JSON null.
fn metadata(field: &'static str, v: JsValue) -> JsResult<serde_json::Value> {
    if v.is_undefined() || v.is_null() {
        return Ok(serde_json::Value::Null);
    }
    record(field, v)
}

/// Vector collections. Obtain it from `StorageManager.vectors()`.
#[wasm_bindgen(js_name = VectorStore)]
pub struct JsVectorStore {
    pub(crate) inner: VectorStore,
}

#[wasm_bindgen(js_class = VectorStore)]
impl JsVectorStore {
    /// Creates a collection of `dimension`-long vectors compared by `metric`
    /// (`"Cosine"`, `"Euclidean"` or `"DotProduct"`, any case). An existing name is `CONFLICT`.
    #[wasm_bindgen(js_name = createCollection, unchecked_return_type = "CollectionInfo")]
    pub fn create_collection(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        dimension: f64,
        #[wasm_bindgen(unchecked_param_type = "DistanceMetric")] metric: JsValue,
    ) -> JsResult<JsValue> {
        let dimension = u32::try_from(count("dimension", dimension)?).map_err(|_| invalid("dimension", "is too large"))?;
        let metric: DistanceMetric = enum_arg("metric", &metric)?;
        to_js(&self.inner.create_collection(&string("name", &name)?, dimension, metric).js()?)
    }

    /// A collection's settings, or `null`.
    #[wasm_bindgen(unchecked_return_type = "CollectionInfo | null")]
    pub fn collection(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> JsResult<JsValue> {
        to_js(&self.inner.collection(&string("name", &name)?).js()?)
    }

    /// Every collection's settings.
    #[wasm_bindgen(js_name = listCollections, unchecked_return_type = "CollectionInfo[]")]
    pub fn list_collections(&self) -> JsResult<JsValue> {
        to_js(&self.inner.list_collections().js()?)
    }

    /// Removes a collection and its vectors. An unknown name is `NOT_FOUND`.
    #[wasm_bindgen(js_name = dropCollection)]
    pub fn drop_collection(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> JsResult<()> {
        self.inner.drop_collection(&string("name", &name)?).js()
    }

    /// Inserts or replaces one document.
    pub fn upsert(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float32Array")] embedding: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] metadata_arg: JsValue,
    ) -> JsResult<()> {
        let doc = VectorDocument::new(&string("id", &id)?, f32s("embedding", &embedding)?, metadata("metadata", metadata_arg)?);
        self.inner.upsert(&string("collection", &collection)?, &doc).js()
    }

    /// Inserts or replaces documents in one transaction: `embeddings` holds
    /// `ids.length` vectors back to back; `metadata` (optional) one value per id.
    #[wasm_bindgen(js_name = upsertMany)]
    pub fn upsert_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] ids: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float32Array")] embeddings: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown[] | undefined")] metadata_arg: JsValue,
    ) -> JsResult<()> {
        let ids = strings("ids", &ids)?;
        let flat = f32s("embeddings", &embeddings)?;
        let metas: Vec<serde_json::Value> = if metadata_arg.is_undefined() || metadata_arg.is_null() {
            vec![serde_json::Value::Null; ids.len()]
        } else {
            record("metadata", metadata_arg)?
        };
        if metas.len() != ids.len() {
            return Err(invalid("metadata", format!("has {} elements; expected {} (one per id)", metas.len(), ids.len())));
        }
        if ids.is_empty() {
            return if flat.is_empty() { Ok(()) } else { Err(invalid("embeddings", "must be empty when ids is empty")) };
        }
        if flat.len() % ids.len() != 0 {
            return Err(invalid("embeddings", format!("has {} values, not a multiple of {} ids", flat.len(), ids.len())));
        }
        let dim = flat.len() / ids.len();
        let docs: Vec<VectorDocument> =
            ids.iter().zip(flat.chunks(dim.max(1))).zip(metas).map(|((id, v), m)| VectorDocument::new(id, v.to_vec(), m)).collect();
        self.inner.upsert_many(&string("collection", &collection)?, &docs).js()
    }

    /// Removes a document; `false` when it was not there.
    pub fn delete(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> JsResult<bool> {
        self.inner.delete(&string("collection", &collection)?, &string("id", &id)?).js()
    }

    /// `{ id, embedding: Float32Array, metadata }`, or `null`.
    #[wasm_bindgen(unchecked_return_type = "VectorDocument | null")]
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> JsResult<JsValue> {
        match self.inner.get(&string("collection", &collection)?, &string("id", &id)?).js()? {
            Some(doc) => document_to_js(&doc),
            None => Ok(JsValue::NULL),
        }
    }

    /// Number of documents in a collection.
    pub fn count(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue) -> JsResult<f64> {
        Ok(self.inner.count(&string("collection", &collection)?).js()? as f64)
    }

    /// The `k` closest documents to `query`, best first, optionally only those whose
    /// metadata has `filter.field` equal to `filter.value`.
    #[wasm_bindgen(unchecked_return_type = "VectorMatch[]")]
    pub fn search(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float32Array")] query: JsValue,
        k: f64,
        #[wasm_bindgen(unchecked_param_type = "VectorFilter | undefined")] filter: JsValue,
    ) -> JsResult<JsValue> {
        let filter: Option<VectorFilter> = if filter.is_undefined() || filter.is_null() { None } else { Some(record("filter", filter)?) };
        let k = count("k", k)? as usize;
        to_js(&self.inner.search(&string("collection", &collection)?, &f32s("query", &query)?, k, filter.as_ref()).js()?)
    }
}

//! JS class `LongTermMemoryStore`: the LLM's long-term memory with keyword (BM25),
//! semantic (embedding) and hybrid search. Embeddings travel as `Float32Array`s.

use crate::convert::{count, enum_arg, f32s, int, record, string, to_js, type_of};
use crate::error::{invalid, IntoJs, JsResult};
use js_sys::{Array, Float32Array, Object, Reflect};
use neotalk_storage::{LongTermMemoryStore, MemoryEntry, MemoryHit, MemoryType};
use wasm_bindgen::prelude::*;

/// A `MemoryInput` object as an entry. The embedding (a `Float32Array` or an array of
/// numbers) is taken out first and converted on its own, because typed arrays do not read
/// as JSON and the rest of the object is read strictly (unknown fields refused).
fn memory_input(field: &'static str, v: &JsValue) -> JsResult<MemoryEntry> {
    let obj =
        v.dyn_ref::<Object>().filter(|_| v.is_object()).ok_or_else(|| invalid(field, format!("must be an object, not {}", type_of(v))))?;
    let embedding = Reflect::get(obj, &"embedding".into())?;
    let rest = Object::assign(&Object::new(), obj);
    Reflect::delete_property(&rest, &"embedding".into())?;
    let mut entry: MemoryEntry = record(field, rest.into())?;
    entry.embedding = if embedding.is_undefined() || embedding.is_null() { None } else { Some(f32s("embedding", &embedding)?) };
    Ok(entry)
}

/// An array of `MemoryInput` objects.
fn memory_inputs(field: &'static str, v: &JsValue) -> JsResult<Vec<MemoryEntry>> {
    let array = v.dyn_ref::<Array>().ok_or_else(|| invalid(field, format!("must be an array, not {}", type_of(v))))?;
    array.iter().map(|e| memory_input(field, &e)).collect()
}

/// A stored memory as a plain object, its embedding as a `Float32Array` (or `null`).
fn entry_to_js(e: &MemoryEntry) -> JsResult<JsValue> {
    let out = to_js(&MemoryEntry { embedding: None, ..e.clone() })?;
    let embedding: JsValue = match &e.embedding {
        Some(v) => Float32Array::from(v.as_slice()).into(),
        None => JsValue::NULL,
    };
    Reflect::set(&out, &"embedding".into(), &embedding)?;
    Ok(out)
}

fn entry_or_null(e: Option<MemoryEntry>) -> JsResult<JsValue> {
    e.as_ref().map_or(Ok(JsValue::NULL), entry_to_js)
}

fn entries_to_js(entries: &[MemoryEntry]) -> JsResult<JsValue> {
    let out = Array::new();
    for e in entries {
        out.push(&entry_to_js(e)?);
    }
    Ok(out.into())
}

/// `[{ entry, score }]`, best first.
fn hits_to_js(hits: &[MemoryHit]) -> JsResult<JsValue> {
    let out = Array::new();
    for h in hits {
        let hit = Object::new();
        Reflect::set(&hit, &"entry".into(), &entry_to_js(&h.entry)?)?;
        Reflect::set(&hit, &"score".into(), &f64::from(h.score).into())?;
        out.push(&hit);
    }
    Ok(out.into())
}

fn usize_arg(field: &'static str, v: f64) -> JsResult<usize> {
    Ok(count(field, v)? as usize)
}

/// Long-term memory. Obtain it from `StorageManager.memory()`.
#[wasm_bindgen(js_name = LongTermMemoryStore)]
pub struct JsLongTermMemoryStore {
    pub(crate) inner: LongTermMemoryStore,
}

#[wasm_bindgen(js_class = LongTermMemoryStore)]
impl JsLongTermMemoryStore {
    /// Stores a new memory. A stored `memory_id` is `CONFLICT`; empty content, importance
    /// outside `[0, 1]`, or an embedding of another dimension than the first one stored is
    /// `INVALID_INPUT`.
    pub fn add(&self, #[wasm_bindgen(unchecked_param_type = "MemoryInput")] entry: JsValue) -> JsResult<()> {
        self.inner.add(&memory_input("entry", &entry)?).js()
    }

    /// Stores new memories in one transaction; all or none are stored.
    #[wasm_bindgen(js_name = addMany)]
    pub fn add_many(&self, #[wasm_bindgen(unchecked_param_type = "MemoryInput[]")] entries: JsValue) -> JsResult<()> {
        self.inner.add_many(&memory_inputs("entries", &entries)?).js()
    }

    /// Replaces a stored memory with `entry` (every field; left-out fields take their
    /// defaults). An unknown id is `NOT_FOUND`.
    pub fn update(&self, #[wasm_bindgen(unchecked_param_type = "MemoryInput")] entry: JsValue) -> JsResult<()> {
        self.inner.update(&memory_input("entry", &entry)?).js()
    }

    /// Deletes a memory and its embedding; `false` when it was not there.
    pub fn delete(&self, #[wasm_bindgen(js_name = memoryId, unchecked_param_type = "string")] memory_id: JsValue) -> JsResult<bool> {
        self.inner.delete(&string("memory_id", &memory_id)?).js()
    }

    /// Reads a memory and records the access (`access_count` + 1, `last_accessed` =
    /// `nowMs`); returns it as updated, or `null`.
    #[wasm_bindgen(unchecked_return_type = "MemoryEntry | null")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = memoryId, unchecked_param_type = "string")] memory_id: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: f64,
    ) -> JsResult<JsValue> {
        let memory_id = string("memory_id", &memory_id)?;
        entry_or_null(self.inner.get(&memory_id, int("now_ms", now_ms)?).js()?)
    }

    /// Reads a memory without recording an access, or `null`.
    #[wasm_bindgen(unchecked_return_type = "MemoryEntry | null")]
    pub fn peek(&self, #[wasm_bindgen(js_name = memoryId, unchecked_param_type = "string")] memory_id: JsValue) -> JsResult<JsValue> {
        entry_or_null(self.inner.peek(&string("memory_id", &memory_id)?).js()?)
    }

    /// Number of stored memories.
    pub fn count(&self) -> JsResult<f64> {
        Ok(self.inner.count().js()? as f64)
    }

    /// Memories of one type (`MemoryType` name, any case), newest first, at most `limit`.
    #[wasm_bindgen(js_name = byType, unchecked_return_type = "MemoryEntry[]")]
    pub fn by_type(
        &self,
        #[wasm_bindgen(js_name = memoryType, unchecked_param_type = "MemoryType")] memory_type: JsValue,
        #[wasm_bindgen(js_name = limit)] limit_arg: f64,
    ) -> JsResult<JsValue> {
        let memory_type: MemoryType = enum_arg("memory_type", &memory_type)?;
        entries_to_js(&self.inner.by_type(memory_type, usize_arg("limit", limit_arg)?).js()?)
    }

    /// The `n` most important memories, most important first.
    #[wasm_bindgen(js_name = byImportance, unchecked_return_type = "MemoryEntry[]")]
    pub fn by_importance(&self, n: f64) -> JsResult<JsValue> {
        entries_to_js(&self.inner.by_importance(usize_arg("n", n)?).js()?)
    }

    /// Keyword search (BM25 over content and keywords), best first, at most `limit`; only
    /// memories sharing a word with `query`. A query without searchable words is
    /// `INVALID_INPUT`. Records no access.
    #[wasm_bindgen(js_name = searchKeywords, unchecked_return_type = "MemoryHit[]")]
    pub fn search_keywords(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] query: JsValue,
        #[wasm_bindgen(js_name = limit)] limit_arg: f64,
    ) -> JsResult<JsValue> {
        let query = string("query", &query)?;
        hits_to_js(&self.inner.search_keywords(&query, usize_arg("limit", limit_arg)?).js()?)
    }

    /// Semantic search: the memories whose embeddings are closest (cosine) to `embedding`,
    /// best first, at most `limit`; empty while no memory has an embedding.
    #[wasm_bindgen(js_name = searchSemantic, unchecked_return_type = "MemoryHit[]")]
    pub fn search_semantic(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array")] embedding: JsValue,
        #[wasm_bindgen(js_name = limit)] limit_arg: f64,
    ) -> JsResult<JsValue> {
        let embedding = f32s("embedding", &embedding)?;
        hits_to_js(&self.inner.search_semantic(&embedding, usize_arg("limit", limit_arg)?).js()?)
    }

    /// Hybrid search: keyword and semantic rankings fused by reciprocal rank; best first.
    #[wasm_bindgen(js_name = searchHybrid, unchecked_return_type = "MemoryHit[]")]
    pub fn search_hybrid(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] query: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float32Array")] embedding: JsValue,
        #[wasm_bindgen(js_name = limit)] limit_arg: f64,
    ) -> JsResult<JsValue> {
        let query = string("query", &query)?;
        let embedding = f32s("embedding", &embedding)?;
        hits_to_js(&self.inner.search_hybrid(&query, &embedding, usize_arg("limit", limit_arg)?).js()?)
    }

    /// Deletes every memory with `metadata.expires_at < nowMs`; returns how many.
    #[wasm_bindgen(js_name = purgeExpired)]
    pub fn purge_expired(&self, #[wasm_bindgen(js_name = nowMs)] now_ms: f64) -> JsResult<f64> {
        Ok(self.inner.purge_expired(int("now_ms", now_ms)?).js()? as f64)
    }
}

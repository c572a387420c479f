//! Vector collections (`VectorStore`): vectors cross typed (`const float*` + dimension),
//! metadata and results as JSON, the distance metric as its name (read through serde).

use crate::args::{enum_arg, floats_arg, json_arg, opt_json_arg, out_handle, out_ptr, set_json, set_out, str_arg};
use crate::call::{run, FfiError};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::{DistanceMetric, VectorDocument, VectorFilter};
use std::ffi::c_char;

/// Creates a collection of `dimension`-component vectors compared by `metric` ("Cosine" |
/// "Euclidean" | "DotProduct"); the CollectionInfo JSON `{"name", "dimension", "metric"}` in
/// `*out_json` (may be NULL when not wanted; free with nts_string_free()). An existing name
/// is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_create_collection(
    db: *const nts_storage,
    name: *const c_char,
    dimension: u32,
    metric: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    run(|| {
        let out = if out_json.is_null() { None } else { Some(out_handle(out_json, "out_json")?) };
        let db = handle(db)?;
        let name = str_arg(name, "name")?;
        let metric: DistanceMetric = enum_arg(metric, "metric")?;
        let info = db.vectors().create_collection(name, dimension, metric)?;
        out.map_or(Ok(()), |o| set_json(o, &info))
    })
}

/// The settings of a collection as CollectionInfo JSON; NTS_NOT_FOUND when unknown. Free
/// `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_collection(db: *const nts_storage, name: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let name = str_arg(name, "name")?;
        let found = db.vectors().collection(name)?.ok_or_else(|| FfiError::not_found("collection", name))?;
        set_json(out, &found)
    })
}

/// Every collection, by name, as a JSON array of CollectionInfo. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_list_collections(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.vectors().list_collections()?)
    })
}

/// Deletes a collection and all its vectors. NTS_NOT_FOUND when unknown.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_drop_collection(db: *const nts_storage, name: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let name = str_arg(name, "name")?;
        Ok(db.vectors().drop_collection(name)?)
    })
}

/// Inserts or replaces document `id` with the `dimension` floats at `embedding` and
/// `metadata_json` (any JSON; NULL for null). A dimension other than the collection's, or a
/// non-finite component, is NTS_INVALID_INPUT; an unknown collection NTS_NOT_FOUND.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_upsert(
    db: *const nts_storage,
    collection: *const c_char,
    id: *const c_char,
    embedding: *const f32,
    dimension: usize,
    metadata_json: *const c_char,
) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let collection = str_arg(collection, "collection")?;
        let id = str_arg(id, "id")?;
        let embedding = floats_arg(embedding, dimension, "embedding")?;
        let metadata: serde_json::Value = opt_json_arg(metadata_json, "metadata_json")?.unwrap_or(serde_json::Value::Null);
        Ok(db.vectors().upsert(collection, &VectorDocument::new(id, embedding, metadata))?)
    })
}

/// Inserts or replaces a JSON array of VectorDocument `{"id", "embedding": [numbers],
/// "metadata"}` in one transaction, all or none.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_upsert_many(
    db: *const nts_storage,
    collection: *const c_char,
    documents_json: *const c_char,
) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let collection = str_arg(collection, "collection")?;
        let docs: Vec<VectorDocument> = json_arg(documents_json, "documents_json")?;
        Ok(db.vectors().upsert_many(collection, &docs)?)
    })
}

/// Deletes a document; whether it existed in `*out_deleted`.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_delete(
    db: *const nts_storage,
    collection: *const c_char,
    id: *const c_char,
    out_deleted: *mut bool,
) -> nts_status {
    run(|| {
        out_ptr(out_deleted, "out_deleted")?;
        let db = handle(db)?;
        let collection = str_arg(collection, "collection")?;
        let id = str_arg(id, "id")?;
        let existed = db.vectors().delete(collection, id)?;
        set_out(out_deleted, "out_deleted", existed)
    })
}

/// One document as VectorDocument JSON `{"id", "embedding", "metadata"}`; NTS_NOT_FOUND when
/// absent. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_get(
    db: *const nts_storage,
    collection: *const c_char,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let collection = str_arg(collection, "collection")?;
        let id = str_arg(id, "id")?;
        let found = db.vectors().get(collection, id)?.ok_or_else(|| FfiError::not_found("vector", id))?;
        set_json(out, &found)
    })
}

/// Number of documents in a collection, in `*out_count`.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_count(db: *const nts_storage, collection: *const c_char, out_count: *mut u64) -> nts_status {
    run(|| {
        out_ptr(out_count, "out_count")?;
        let db = handle(db)?;
        let collection = str_arg(collection, "collection")?;
        let n = db.vectors().count(collection)?;
        set_out(out_count, "out_count", n)
    })
}

/// The `k` documents closest to the `dimension` floats at `query`, best first (higher score
/// is closer), as a JSON array of VectorMatch `{"id", "score", "metadata"}`. `filter_json`
/// (NULL for none) is a VectorFilter `{"field", "value"}`: only documents whose metadata
/// field equals the value. A dimension other than the collection's is NTS_INVALID_INPUT.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_search(
    db: *const nts_storage,
    collection: *const c_char,
    query: *const f32,
    dimension: usize,
    k: usize,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let collection = str_arg(collection, "collection")?;
        let query = floats_arg(query, dimension, "query")?;
        let filter: Option<VectorFilter> = opt_json_arg(filter_json, "filter_json")?;
        set_json(out, &db.vectors().search(collection, &query, k, filter.as_ref())?)
    })
}

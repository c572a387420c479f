//! Vector collections (`VectorStore`): vectors cross typed (`const float*` + dimension),
//! metadata and results as JSON, the distance metric as its name (read through serde).

use crate::args::{enum_arg, floats_arg, json_arg, opt_json_arg, str_arg};
use crate::call::FfiError;
use crate::shapes::{get_json, json_out, opt_json_out, scalar_out, unit};
use crate::status::nts_status;
use crate::storage::nts_storage;
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
    opt_json_out(db, out_json, |db| {
        let name = str_arg(name, "name")?;
        Ok(db.vectors().create_collection(name, dimension, enum_arg::<DistanceMetric>(metric, "metric")?)?)
    })
}

/// The settings of a collection as CollectionInfo JSON; NTS_NOT_FOUND when unknown. Free
/// `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_collection(db: *const nts_storage, name: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, name, "name", "collection", out_json, |db, name| Ok(db.vectors().collection(name)?))
}

/// Every collection, by name, as a JSON array of CollectionInfo. Free `*out_json` with
/// nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_list_collections(db: *const nts_storage, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.vectors().list_collections()?))
}

/// Deletes a collection and all its vectors. NTS_NOT_FOUND when unknown.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_drop_collection(db: *const nts_storage, name: *const c_char) -> nts_status {
    unit(db, |db| Ok(db.vectors().drop_collection(str_arg(name, "name")?)?))
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
    unit(db, |db| {
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
    unit(db, |db| {
        let collection = str_arg(collection, "collection")?;
        Ok(db.vectors().upsert_many(collection, &json_arg::<Vec<VectorDocument>>(documents_json, "documents_json")?)?)
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
    scalar_out(db, out_deleted, "out_deleted", |db| Ok(db.vectors().delete(str_arg(collection, "collection")?, str_arg(id, "id")?)?))
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
    json_out(db, out_json, |db| {
        let (collection, id) = (str_arg(collection, "collection")?, str_arg(id, "id")?);
        db.vectors().get(collection, id)?.ok_or_else(|| FfiError::not_found("vector", id))
    })
}

/// Number of documents in a collection, in `*out_count`.
#[no_mangle]
pub unsafe extern "C" fn nts_vectors_count(db: *const nts_storage, collection: *const c_char, out_count: *mut u64) -> nts_status {
    scalar_out(db, out_count, "out_count", |db| Ok(db.vectors().count(str_arg(collection, "collection")?)?))
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
    json_out(db, out_json, |db| {
        let collection = str_arg(collection, "collection")?;
        let query = floats_arg(query, dimension, "query")?;
        let filter: Option<VectorFilter> = opt_json_arg(filter_json, "filter_json")?;
        Ok(db.vectors().search(collection, &query, k, filter.as_ref())?)
    })
}

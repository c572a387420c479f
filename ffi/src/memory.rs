//! Long-term memory (`LongTermMemoryStore`): entries cross as MemoryEntry JSON, memory types
//! as their names (read through serde), search embeddings as `const float*` + dimension.

use crate::args::{enum_arg, floats_arg, limit_arg, str_arg};
use crate::shapes::{get_json, json_out, record_in, scalar_out};
use crate::status::nts_status;
use crate::storage::nts_storage;
use neotalk_storage::{MemoryEntry, MemoryType};
use std::ffi::c_char;

/// Stores a new memory from MemoryEntry JSON: `{"memory_id", "memory_type"
/// ("DeviceKnowledge" | "UserPreference" | "SystemKnowledge" | "HistoricalEvent" |
/// "RuleExplanation" | "Other"), "content", "embedding" (array of numbers or null),
/// "metadata": {"keywords", "importance", "entities", "expires_at"}, "created_at",
/// "last_accessed", "access_count"}`. An existing id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_add(db: *const nts_storage, entry_json: *const c_char) -> nts_status {
    record_in(db, entry_json, "entry_json", |db, entry: MemoryEntry| Ok(db.memory().add(&entry)?))
}

/// Stores a JSON array of MemoryEntry in one transaction, all or none.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_add_many(db: *const nts_storage, entries_json: *const c_char) -> nts_status {
    record_in(db, entries_json, "entries_json", |db, entries: Vec<MemoryEntry>| Ok(db.memory().add_many(&entries)?))
}

/// Replaces a stored memory with MemoryEntry JSON (every field). NTS_NOT_FOUND when unknown.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_update(db: *const nts_storage, entry_json: *const c_char) -> nts_status {
    record_in(db, entry_json, "entry_json", |db, entry: MemoryEntry| Ok(db.memory().update(&entry)?))
}

/// Deletes a memory; whether it existed in `*out_deleted`.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_delete(db: *const nts_storage, memory_id: *const c_char, out_deleted: *mut bool) -> nts_status {
    scalar_out(db, out_deleted, "out_deleted", |db| Ok(db.memory().delete(str_arg(memory_id, "memory_id")?)?))
}

/// Reads a memory and records the access at `now_ms` (access_count + 1, last_accessed); the
/// updated MemoryEntry JSON in `*out_json` (free with nts_string_free()). NTS_NOT_FOUND when
/// unknown.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_get(
    db: *const nts_storage,
    memory_id: *const c_char,
    now_ms: i64,
    out_json: *mut *mut c_char,
) -> nts_status {
    get_json(db, memory_id, "memory_id", "memory", out_json, |db, id| Ok(db.memory().get(id, now_ms)?))
}

/// Reads a memory without recording an access, as MemoryEntry JSON. NTS_NOT_FOUND when
/// unknown. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_peek(db: *const nts_storage, memory_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    get_json(db, memory_id, "memory_id", "memory", out_json, |db, id| Ok(db.memory().peek(id)?))
}

/// Number of stored memories, in `*out_count`.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_count(db: *const nts_storage, out_count: *mut u64) -> nts_status {
    scalar_out(db, out_count, "out_count", |db| Ok(db.memory().count()?))
}

/// Memories of one type (a type name), newest first, at most `limit` (NTS_NO_LIMIT for all), as a
/// JSON array of MemoryEntry. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_by_type(
    db: *const nts_storage,
    memory_type: *const c_char,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.memory().by_type(enum_arg::<MemoryType>(memory_type, "memory_type")?, limit_arg(limit))?))
}

/// The `n` most important memories, most important first, as a JSON array of MemoryEntry.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_by_importance(db: *const nts_storage, n: usize, out_json: *mut *mut c_char) -> nts_status {
    json_out(db, out_json, |db| Ok(db.memory().by_importance(n)?))
}

/// Keyword (BM25) search, best first, at most `limit` (NTS_NO_LIMIT for all), as a JSON array of
/// MemoryHit `{"entry", "score"}`. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_search_keywords(
    db: *const nts_storage,
    query: *const c_char,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.memory().search_keywords(str_arg(query, "query")?, limit)?))
}

/// Semantic search: the memories whose embeddings are closest (cosine) to the `dimension`
/// floats at `embedding`, best first, at most `limit` (NTS_NO_LIMIT for all), as a JSON array of
/// MemoryHit. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_search_semantic(
    db: *const nts_storage,
    embedding: *const f32,
    dimension: usize,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| Ok(db.memory().search_semantic(&floats_arg(embedding, dimension, "embedding")?, limit)?))
}

/// Hybrid search (reciprocal rank fusion of the keyword ranking of `query` and the semantic
/// ranking of the `dimension` floats at `embedding`), best first, at most `limit`
/// (NTS_NO_LIMIT for all), as a JSON array of MemoryHit. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_search_hybrid(
    db: *const nts_storage,
    query: *const c_char,
    embedding: *const f32,
    dimension: usize,
    limit: usize,
    out_json: *mut *mut c_char,
) -> nts_status {
    json_out(db, out_json, |db| {
        let query = str_arg(query, "query")?;
        Ok(db.memory().search_hybrid(query, &floats_arg(embedding, dimension, "embedding")?, limit)?)
    })
}

/// Deletes every memory whose metadata.expires_at is before `now_ms`; the count in
/// `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_purge_expired(db: *const nts_storage, now_ms: i64, out_removed: *mut u64) -> nts_status {
    scalar_out(db, out_removed, "out_removed", |db| Ok(db.memory().purge_expired(now_ms)?))
}

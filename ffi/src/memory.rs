//! Long-term memory (`LongTermMemoryStore`): entries cross as MemoryEntry JSON, memory types
//! as their names (read through serde), search embeddings as `const float*` + dimension.

use crate::args::{enum_arg, floats_arg, json_arg, limit_arg, out_handle, out_ptr, set_json, set_out, str_arg};
use crate::call::{run, FfiError};
use crate::status::nts_status;
use crate::storage::{handle, nts_storage};
use neotalk_storage::{MemoryEntry, MemoryType};
use std::ffi::c_char;

/// Stores a new memory from MemoryEntry JSON: `{"memory_id", "memory_type"
/// ("DeviceKnowledge" | "UserPreference" | "SystemKnowledge" | "HistoricalEvent" |
/// "RuleExplanation" | "Other"), "content", "embedding" (array of numbers or null),
/// "metadata": {"keywords", "importance", "entities", "expires_at"}, "created_at",
/// "last_accessed", "access_count"}`. An existing id is NTS_CONFLICT.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_add(db: *const nts_storage, entry_json: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let entry: MemoryEntry = json_arg(entry_json, "entry_json")?;
        Ok(db.memory().add(&entry)?)
    })
}

/// Stores a JSON array of MemoryEntry in one transaction, all or none.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_add_many(db: *const nts_storage, entries_json: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let entries: Vec<MemoryEntry> = json_arg(entries_json, "entries_json")?;
        Ok(db.memory().add_many(&entries)?)
    })
}

/// Replaces a stored memory with MemoryEntry JSON (every field). NTS_NOT_FOUND when unknown.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_update(db: *const nts_storage, entry_json: *const c_char) -> nts_status {
    run(|| {
        let db = handle(db)?;
        let entry: MemoryEntry = json_arg(entry_json, "entry_json")?;
        Ok(db.memory().update(&entry)?)
    })
}

/// Deletes a memory; whether it existed in `*out_deleted`.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_delete(db: *const nts_storage, memory_id: *const c_char, out_deleted: *mut bool) -> nts_status {
    run(|| {
        out_ptr(out_deleted, "out_deleted")?;
        let db = handle(db)?;
        let id = str_arg(memory_id, "memory_id")?;
        let existed = db.memory().delete(id)?;
        set_out(out_deleted, "out_deleted", existed)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let id = str_arg(memory_id, "memory_id")?;
        let found = db.memory().get(id, now_ms)?.ok_or_else(|| FfiError::not_found("memory", id))?;
        set_json(out, &found)
    })
}

/// Reads a memory without recording an access, as MemoryEntry JSON. NTS_NOT_FOUND when
/// unknown. Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_peek(db: *const nts_storage, memory_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let id = str_arg(memory_id, "memory_id")?;
        let found = db.memory().peek(id)?.ok_or_else(|| FfiError::not_found("memory", id))?;
        set_json(out, &found)
    })
}

/// Number of stored memories, in `*out_count`.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_count(db: *const nts_storage, out_count: *mut u64) -> nts_status {
    run(|| {
        out_ptr(out_count, "out_count")?;
        let n = handle(db)?.memory().count()?;
        set_out(out_count, "out_count", n)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let memory_type: MemoryType = enum_arg(memory_type, "memory_type")?;
        set_json(out, &db.memory().by_type(memory_type, limit_arg(limit))?)
    })
}

/// The `n` most important memories, most important first, as a JSON array of MemoryEntry.
/// Free `*out_json` with nts_string_free().
#[no_mangle]
pub unsafe extern "C" fn nts_memory_by_importance(db: *const nts_storage, n: usize, out_json: *mut *mut c_char) -> nts_status {
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        set_json(out, &handle(db)?.memory().by_importance(n)?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let query = str_arg(query, "query")?;
        set_json(out, &db.memory().search_keywords(query, limit)?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let embedding = floats_arg(embedding, dimension, "embedding")?;
        set_json(out, &db.memory().search_semantic(&embedding, limit)?)
    })
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
    run(|| {
        let out = out_handle(out_json, "out_json")?;
        let db = handle(db)?;
        let query = str_arg(query, "query")?;
        let embedding = floats_arg(embedding, dimension, "embedding")?;
        set_json(out, &db.memory().search_hybrid(query, &embedding, limit)?)
    })
}

/// Deletes every memory whose metadata.expires_at is before `now_ms`; the count in
/// `*out_removed`.
#[no_mangle]
pub unsafe extern "C" fn nts_memory_purge_expired(db: *const nts_storage, now_ms: i64, out_removed: *mut u64) -> nts_status {
    run(|| {
        out_ptr(out_removed, "out_removed")?;
        let n = handle(db)?.memory().purge_expired(now_ms)?;
        set_out(out_removed, "out_removed", n)
    })
}

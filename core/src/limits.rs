//! Documented resource limits and the input checks that enforce them.
//!
//! Every id and name is checked before anything is written, so a bad input is refused with
//! `StorageError::InvalidInput` naming the field, and stored data never changes.

use crate::error::{Result, StorageError};

// Limits of single stores, listed here so every documented limit has one home.
pub use crate::stores::knowledge::{
    MAX_CONTENT_BYTES as MAX_MEMORY_CONTENT_BYTES, MAX_QUERY_BYTES as MAX_MEMORY_QUERY_BYTES, MAX_TERM_CHARS,
};
pub use crate::stores::sessions::{MAX_MESSAGE_BYTES, MAX_TITLE_BYTES};
pub use crate::stores::vectors::MAX_VECTOR_DIMENSION;

/// Records removed or changed per transaction by cleanups, deletes and bulk updates of the
/// record stores (events, alerts, decisions, rule and workflow history, sessions, vector
/// collections), so no call holds one giant transaction.
pub const CLEANUP_BATCH: usize = 1_000;
/// Telemetry points removed per transaction by `delete_range` and retention.
pub const TELEMETRY_DELETE_BATCH: usize = 10_000;
/// Long-term memory entries (each with its embedding) purged per transaction.
pub const MEMORY_PURGE_BATCH: usize = 500;

/// Longest id or name (device id, metric, event id, event type, ...), in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Largest string telemetry value, in UTF-8 bytes.
pub const MAX_STRING_VALUE_BYTES: usize = 64 * 1024;
/// Default largest binary telemetry value (`StorageOptions::max_binary_value_bytes`).
pub const DEFAULT_MAX_BINARY_VALUE_BYTES: usize = 16 * 1024 * 1024;
/// Largest `StorageOptions::max_binary_value_bytes` accepted: one value is read and written
/// whole, in memory, and must fit a 32-bit gateway's snapshot (`MAX_SNAPSHOT_BYTES`).
pub const MAX_BINARY_VALUE_BYTES: usize = 256 * 1024 * 1024;
/// Largest JSON document (metadata, event data, config), serialized, in bytes.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;
/// Deepest nesting of arrays and objects accepted in a JSON document.
pub const MAX_JSON_DEPTH: usize = 64;

/// Largest config file (`system.yaml`, a rule definition, ...) read, in bytes.
pub const MAX_CONFIG_FILE_BYTES: usize = 1024 * 1024;
/// Largest snapshot / backup file accepted, in bytes. It is refused before being read into
/// memory (restoring holds the whole file in memory). 4 GiB on 64-bit targets, 1 GiB on
/// 32-bit ones (armv7, wasm32).
#[cfg(target_pointer_width = "64")]
pub const MAX_SNAPSHOT_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Largest snapshot / backup file accepted, in bytes: 1 GiB on 32-bit targets (armv7, wasm32),
/// whose 4 GiB address space (2-3 GiB for the process) cannot hold a 4 GiB file in one buffer.
#[cfg(not(target_pointer_width = "64"))]
pub const MAX_SNAPSHOT_BYTES: u64 = 1024 * 1024 * 1024;

// A snapshot is read into one `Vec<u8>`, whose length cannot exceed `isize::MAX`.
const _: () = assert!(MAX_SNAPSHOT_BYTES < isize::MAX as u64);
/// Most tables one snapshot may hold.
pub const MAX_SNAPSHOT_TABLES: usize = 1024;
/// Longest backup id, in bytes.
pub const MAX_BACKUP_ID_BYTES: usize = 128;

/// Checks that an id is non-empty and at most [`MAX_ID_BYTES`] long.
pub(crate) fn check_id(field: &'static str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(StorageError::invalid(field, "must not be empty"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(StorageError::invalid(field, format!("is {} bytes long; the limit is {MAX_ID_BYTES}", id.len())));
    }
    Ok(())
}

/// Checks the depth and serialized size of a JSON document.
pub(crate) fn check_json(field: &'static str, value: &serde_json::Value) -> Result<()> {
    check_json_depth(field, value)?;
    check_json_size(field, serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX))
}

/// Refuses JSON nesting deeper than [`MAX_JSON_DEPTH`] (a scalar is 0 deep, `[1]` 1 deep).
pub(crate) fn check_json_depth(field: &'static str, value: &serde_json::Value) -> Result<()> {
    fn depth(v: &serde_json::Value, level: usize) -> usize {
        if level > MAX_JSON_DEPTH {
            return level;
        }
        match v {
            serde_json::Value::Array(a) => a.iter().map(|x| depth(x, level + 1)).max().unwrap_or(level + 1),
            serde_json::Value::Object(o) => o.values().map(|x| depth(x, level + 1)).max().unwrap_or(level + 1),
            _ => level,
        }
    }
    too_deep(field, depth(value, 0))
}

fn too_deep(field: &'static str, depth: usize) -> Result<()> {
    match depth > MAX_JSON_DEPTH {
        true => Err(StorageError::invalid(field, format!("JSON nests deeper than {MAX_JSON_DEPTH} levels"))),
        false => Ok(()),
    }
}

/// Refuses a JSON document of `size` bytes (serialized) over [`MAX_JSON_BYTES`].
pub(crate) fn check_json_size(field: &'static str, size: usize) -> Result<()> {
    match size > MAX_JSON_BYTES {
        true => Err(StorageError::invalid(field, format!("JSON is {size} bytes; the limit is {MAX_JSON_BYTES}"))),
        false => Ok(()),
    }
}

/// [`check_json`] for JSON text, which is also checked to be one well-formed JSON value
/// (without building it: the text is stored as given).
pub(crate) fn check_json_text(field: &'static str, text: &str) -> Result<()> {
    check_json_size(field, text.len())?;
    // The nesting is counted on the text first: serde's own recursion limit (128) is deeper
    // than ours and would answer with a less helpful message.
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text.as_bytes() {
        if in_string {
            (in_string, escaped) = match (escaped, b) {
                (true, _) => (true, false),
                (false, b'\\') => (true, true),
                (false, b'"') => (false, false),
                _ => (true, false),
            };
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    too_deep(field, deepest)?;
    serde_json::from_str::<serde::de::IgnoredAny>(text).map(drop).map_err(|e| crate::json::invalid_json(field, e))
}

/// Serializes a record as its stored JSON row, refusing rows over [`MAX_JSON_BYTES`].
pub(crate) fn encode_row<T: serde::Serialize>(record: &T) -> Result<Vec<u8>> {
    let row = serde_json::to_vec(record).map_err(|e| StorageError::invalid("record", e.to_string()))?;
    if row.len() > MAX_JSON_BYTES {
        return Err(StorageError::invalid("record", format!("is {} bytes as JSON; the limit is {MAX_JSON_BYTES}", row.len())));
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(check_id("device_id", "").is_err());
        assert!(check_id("device_id", &"x".repeat(MAX_ID_BYTES)).is_ok());
        let err = check_id("device_id", &"x".repeat(MAX_ID_BYTES + 1)).unwrap_err();
        assert!(err.to_string().contains("device_id"), "{err}");
    }

    #[test]
    fn json_depth_and_size() {
        let mut deep = serde_json::json!(1);
        for _ in 0..MAX_JSON_DEPTH + 1 {
            deep = serde_json::json!([deep]);
        }
        assert!(check_json("metadata", &deep).is_err());
        assert!(check_json("metadata", &serde_json::json!({"a": [1, 2, {"b": null}]})).is_ok());
        let huge = serde_json::Value::String("x".repeat(MAX_JSON_BYTES));
        assert!(check_json("metadata", &huge).is_err());
    }
}

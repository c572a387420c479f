//! JSON fields cross the boundary as text: parse what callers send, print what they get.
//!
//! Every caller's JSON goes through the core's one user-input path
//! ([`neotalk_storage::from_json`]): the same defaults, unknown-field refusal, enum spellings,
//! key order and `InvalidInput` errors as C and JS.

use crate::error::{Result, StorageError};

/// Parses a caller's JSON text for `field`; malformed text is `InvalidInput` naming it. Keys
/// keep the caller's order.
pub(crate) fn parse(field: &'static str, text: &str) -> Result<serde_json::Value> {
    Ok(neotalk_storage::from_json(field, text)?)
}

/// Parses optional JSON text.
pub(crate) fn parse_opt(field: &'static str, text: Option<&str>) -> Result<Option<serde_json::Value>> {
    text.map(|t| parse(field, t)).transpose()
}

/// JSON text of a stored value.
pub(crate) fn print(value: &serde_json::Value) -> String {
    value.to_string()
}

/// Decodes a caller's JSON text of a core record for `field`; malformed text, unknown enum
/// names and missing fields are `InvalidInput` naming it.
pub(crate) fn record<T: serde::de::DeserializeOwned>(field: &'static str, text: &str) -> Result<T> {
    Ok(neotalk_storage::from_json(field, text)?)
}

/// JSON text of a core record (every core record serializes; a failure would be a core bug,
/// reported as `Corrupted` rather than a panic).
pub(crate) fn text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupted(format!("record does not serialize: {e}")))
}

/// JSON text of each record.
pub(crate) fn texts<T: serde::Serialize>(values: &[T]) -> Result<Vec<String>> {
    values.iter().map(text).collect()
}

/// JSON text of an optional record.
pub(crate) fn text_opt<T: serde::Serialize>(value: Option<T>) -> Result<Option<String>> {
    value.as_ref().map(text).transpose()
}

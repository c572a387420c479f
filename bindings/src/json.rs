//! JSON fields cross the boundary as text: parse what callers send, print what they get.

use crate::error::{Result, StorageError};

/// Parses a caller's JSON text for `field`; malformed text is `InvalidInput` naming it.
pub(crate) fn parse(field: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| StorageError::invalid(field, format!("malformed JSON: {e}")))
}

/// Parses optional JSON text.
pub(crate) fn parse_opt(field: &str, text: Option<&str>) -> Result<Option<serde_json::Value>> {
    text.map(|t| parse(field, t)).transpose()
}

/// JSON text of a stored value.
pub(crate) fn print(value: &serde_json::Value) -> String {
    value.to_string()
}

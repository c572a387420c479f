//! Records and options from a caller's JSON: the one serde path every binding uses.
//!
//! C passes JSON text, the wasm layer a JS object read as a `serde_json::Value`, the uniffi
//! layer builds a `Value` from the fields a caller gave; all of them decode through
//! [`from_json`] or [`from_json_value`], so the defaults of omitted fields (the serde
//! defaults on the core types), the refusal of unknown fields (`deny_unknown_fields`) and the
//! enum spellings (any case, underscores ignored) are the same in every language.
//!
//! A caller's JSON that does not decode is [`StorageError::InvalidInput`] on the argument, its
//! reason naming the field (`unknown field `mesage`, expected one of ...`). Only bytes read
//! back from the database that do not decode are [`StorageError::Corrupted`] (the
//! `From<serde_json::Error>` conversion used by the stores' read paths).
//!
//! Key order: free-form JSON a caller stores (event data, metadata, decision context, tool
//! calls, ...) comes back with its keys in the order the caller wrote them. The core builds
//! serde_json with `preserve_order` (objects are insertion-ordered maps) rather than holding
//! such fields as `Box<RawValue>`: the public fields stay `serde_json::Value`, which Rust
//! callers index and compare, every store keeps the order with no change to its code or to
//! its stored rows (files written before read unchanged), and the depth and size checks of
//! `limits::check_json` keep working on a parsed value.

use crate::error::{Result, StorageError};
use serde::de::DeserializeOwned;

/// Decodes a record or options from a caller's JSON text, applying the type's defaults.
///
/// `field` names the argument in the error: malformed JSON, a wrong shape, a missing
/// required field or an unknown field is [`StorageError::InvalidInput`] on `field`, its reason
/// naming what was wrong.
///
/// ```
/// use neotalk_storage::{from_json, NewEvent, StorageError};
/// let e: NewEvent = from_json("event", r#"{"event_id": "e1", "event_type": "device.online",
///     "metadata": {"source": "mqtt", "timestamp": 1000}}"#).unwrap();
/// assert_eq!(e.event_data, serde_json::Value::Null);
/// let err = from_json::<NewEvent>("event", r#"{"event_id": "e1", "event_typ": "x"}"#).unwrap_err();
/// assert!(matches!(&err, StorageError::InvalidInput { field: "event", reason } if reason.contains("unknown field `event_typ`")));
/// ```
pub fn from_json<T: DeserializeOwned>(field: &'static str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| invalid_json(field, e))
}

/// Decodes a record or options from a caller's parsed JSON, applying the type's defaults;
/// errors as [`from_json`].
///
/// ```
/// use neotalk_storage::{from_json_value, StorageOptions};
/// let o: StorageOptions = from_json_value("options", serde_json::json!({"durability": "eventual"})).unwrap();
/// assert_eq!(o.device_cache_entries, StorageOptions::default().device_cache_entries);
/// assert!(from_json_value::<StorageOptions>("options", serde_json::json!({"split_file": true})).is_err());
/// ```
pub fn from_json_value<T: DeserializeOwned>(field: &'static str, value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| invalid_json(field, e))
}

/// A caller's JSON that does not decode: `InvalidInput` on `field` with serde's message,
/// which names the offending field and, for text, where it is; text that is not JSON at all
/// says `malformed JSON`. Public for bindings that decode a caller's JSON through a
/// deserializer of their own (the wasm binding's field-name matching), so the error is the
/// one [`from_json`] gives.
pub fn invalid_json(field: &'static str, e: serde_json::Error) -> StorageError {
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            StorageError::invalid(field, format!("malformed JSON: {e}"))
        }
        _ => StorageError::invalid(field, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_json_is_invalid_input_stored_json_is_corrupted() {
        let user = from_json::<crate::NewEvent>("event", "{not json").unwrap_err();
        assert_eq!(user.code(), "INVALID_INPUT");
        assert!(user.to_string().starts_with("invalid event: malformed JSON: key must be a string"), "{user}");
        let shape = from_json::<crate::NewEvent>("event", "[]").unwrap_err();
        assert!(!shape.to_string().contains("malformed"), "{shape}");
        let stored: StorageError = serde_json::from_slice::<crate::NewEvent>(b"{not json").unwrap_err().into();
        assert_eq!(stored.code(), "CORRUPTED");
    }

    #[test]
    fn keys_keep_their_order() {
        let v: serde_json::Value = from_json("data", r#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#);
    }
}

//! The serde form of [`MetricValue`]: the bare value (`21.5`, `3`, `true`, `"on"`), as the
//! seed's `serde_json::Value`, and for bytes `{"base64": "..."}` in JSON (which has no bytes)
//! or the serializer's own bytes elsewhere (serde-wasm-bindgen's `Uint8Array`).
//!
//! Written by hand because `#[serde(untagged)]` would give bytes as an array of numbers (a
//! 1 MB image as 3.5 MB of JSON) and cannot choose a form by `is_human_readable`.

use super::point::MetricValue;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;
use std::fmt;

/// The one key of a binary value's JSON object.
const BASE64_KEY: &str = "base64";

thread_local! {
    static BYTES_AS_BYTES: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with binary values serialized as bytes (`serialize_bytes`) even by a serializer
/// that calls itself human-readable. serde-wasm-bindgen does (it keeps serde's default) yet
/// turns bytes into a `Uint8Array`, which is what a JS caller should get; the wasm binding
/// serializes its results inside this. The setting is per thread and restored on return.
///
/// ```
/// use neotalk_storage::{with_binary_as_bytes, MetricValue};
/// let v = MetricValue::Binary(vec![1, 2]);
/// assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"base64":"AQI="}"#);
/// assert_eq!(with_binary_as_bytes(|| serde_json::to_string(&v).unwrap()), "[1,2]");
/// ```
pub fn with_binary_as_bytes<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            BYTES_AS_BYTES.with(|b| b.set(self.0));
        }
    }
    let _restore = Restore(BYTES_AS_BYTES.with(|b| b.replace(true)));
    f()
}

impl Serialize for MetricValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MetricValue::Integer(i) => s.serialize_i64(*i),
            MetricValue::Float(f) => s.serialize_f64(*f),
            MetricValue::Boolean(b) => s.serialize_bool(*b),
            MetricValue::String(v) => s.serialize_str(v),
            MetricValue::Binary(b) if s.is_human_readable() && !BYTES_AS_BYTES.with(Cell::get) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(BASE64_KEY, &STANDARD.encode(b))?;
                map.end()
            }
            MetricValue::Binary(b) => s.serialize_bytes(b),
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = MetricValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a boolean, a string or {\"base64\": \"...\"}")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<MetricValue, E> {
        Ok(MetricValue::Integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<MetricValue, E> {
        // As the untagged form did: beyond i64 a whole number is a float.
        Ok(i64::try_from(v).map(MetricValue::Integer).unwrap_or(MetricValue::Float(v as f64)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<MetricValue, E> {
        Ok(MetricValue::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<MetricValue, E> {
        Ok(MetricValue::Boolean(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<MetricValue, E> {
        Ok(MetricValue::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<MetricValue, E> {
        Ok(MetricValue::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<MetricValue, E> {
        Ok(MetricValue::Binary(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<MetricValue, E> {
        Ok(MetricValue::Binary(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetricValue, A::Error> {
        let mut bytes = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != BASE64_KEY || bytes.is_some() {
                return Err(de::Error::custom(format!("a binary value is {{\"base64\": \"...\"}} and nothing else; found key \"{key}\"")));
            }
            let text: String = map.next_value()?;
            bytes = Some(STANDARD.decode(text.as_bytes()).map_err(|e| de::Error::custom(format!("base64 of a binary value: {e}")))?);
        }
        bytes.map(MetricValue::Binary).ok_or_else(|| de::Error::custom("a binary value is {\"base64\": \"...\"}; the object is empty"))
    }
}

impl<'de> Deserialize<'de> for MetricValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_forms() {
        for (value, text) in [
            (MetricValue::Integer(-3), "-3"),
            (MetricValue::Float(21.5), "21.5"),
            (MetricValue::Boolean(true), "true"),
            (MetricValue::String("on".into()), "\"on\""),
            (MetricValue::Binary(vec![0, 1, 2, 255]), r#"{"base64":"AAEC/w=="}"#),
            (MetricValue::Binary(Vec::new()), r#"{"base64":""}"#),
        ] {
            assert_eq!(serde_json::to_string(&value).unwrap(), text);
            assert_eq!(serde_json::from_str::<MetricValue>(text).unwrap(), value);
        }
        assert_eq!(serde_json::from_value::<MetricValue>(json!(u64::MAX)).unwrap(), MetricValue::Float(u64::MAX as f64));
    }

    #[test]
    fn bad_binary_objects_are_named() {
        for (bad, says) in [
            (json!({"base64": "***"}), "base64 of a binary value"),
            (json!({"bytes": "AA=="}), "found key \"bytes\""),
            (json!({}), "the object is empty"),
            (json!({"base64": 3}), "expected a string"),
            (json!([1, 2]), "expected a number, a boolean, a string"),
            (json!(null), "expected a number, a boolean, a string"),
        ] {
            let err = serde_json::from_value::<MetricValue>(bad.clone()).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}

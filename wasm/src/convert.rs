//! Conversions between JS values and core types: records through serde, numbers through
//! explicit checks (a JS number is an f64; ids, limits and timestamps must be integers).

use crate::case::{to_snake, Camel, EitherCase};
use crate::error::{invalid, js_error, JsResult};
use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use neotalk_storage::{with_binary_as_bytes, DataPoint, MetricValue, StorageError, TimeRange};
use serde::{de::DeserializeOwned, Serialize};
use std::str::FromStr;
use wasm_bindgen::{JsCast, JsValue};

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Decodes a plain JS object into a core record, its fields in camelCase or snake_case
/// ([`EitherCase`]); a shape mismatch is `INVALID_INPUT` on `field`.
pub(crate) fn from_js<T: DeserializeOwned>(field: &'static str, value: JsValue) -> JsResult<T> {
    T::deserialize(EitherCase(serde_wasm_bindgen::Deserializer::from(value))).map_err(|e| invalid(field, e.to_string()))
}

/// [`from_js`] that also refuses the fields core's record does not have, as the JSON path
/// ([`record`]) does: serde-wasm-bindgen reads only the fields a struct names. For records
/// whose numbers need not be JSON-finite (a NaN point value must reach core's own check,
/// which names `value`). The known fields are those core writes for the decoded record.
pub(crate) fn from_js_strict<T: DeserializeOwned + Serialize>(field: &'static str, value: JsValue) -> JsResult<T> {
    let decoded: T = from_js(field, value.clone())?;
    let known = serde_json::to_value(&decoded).map_err(|e| invalid(field, e.to_string()))?;
    refuse_unknown_keys(field, &value, &known)?;
    Ok(decoded)
}

/// Walks plain objects and arrays of `v` beside `known` (core's form of the decoded value) and
/// refuses a key `known` lacks in either spelling (camelCase or core's snake_case). Members
/// that are `undefined` count as absent, as in [`to_json`].
fn refuse_unknown_keys(field: &'static str, v: &JsValue, known: &serde_json::Value) -> JsResult<()> {
    match known {
        serde_json::Value::Array(items) => {
            if let Some(array) = v.dyn_ref::<Array>() {
                for (x, k) in array.iter().zip(items) {
                    refuse_unknown_keys(field, &x, k)?;
                }
            }
        }
        serde_json::Value::Object(fields) if v.is_object() && !js_sys::Symbol::iterator().js_in(v) => {
            for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
                let pair: Array = entry.unchecked_into();
                let (key, value) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1));
                match fields.get(&key).or_else(|| fields.get(&to_snake(&key))) {
                    Some(k) => refuse_unknown_keys(field, &value, k)?,
                    None if value.is_undefined() => {}
                    None => {
                        let expected: Vec<String> = fields.keys().map(|k| format!("`{k}`")).collect();
                        return Err(invalid(field, format!("unknown field `{key}`, expected one of {}", expected.join(", "))));
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Decodes a plain JS object into a core record or options by the core types' own serde
/// rules, as [`neotalk_storage::from_json_value`] does for C's JSON and Python's dicts: the
/// core's defaults for omitted fields, unknown fields refused by name, enum names in any
/// spelling, object keys kept in their order; fields in camelCase or snake_case
/// ([`EitherCase`]). The object is read as JSON first
/// ([`to_json`]): serde-wasm-bindgen reads only the fields a struct names, which would defeat
/// `deny_unknown_fields`. A shape mismatch or an unknown field is `INVALID_INPUT` on `field`.
pub(crate) fn record<T: DeserializeOwned>(field: &'static str, value: JsValue) -> JsResult<T> {
    T::deserialize(EitherCase(to_json(field, &value)?)).map_err(|e| js_error(neotalk_storage::invalid_json(field, e)))
}

/// A JS value as JSON: plain objects, arrays, strings, finite numbers (safe integers as
/// integers, so integer fields take them), booleans and `null`; a `Uint8Array` as the core's
/// JSON form of bytes, `{"base64": "..."}` (a binary telemetry value, as in a device's metric
/// snapshot read back and written again). Object members that are `undefined` are left out,
/// as `JSON.stringify` does; NaN, infinities, other typed arrays, maps, sets and other
/// non-JSON values are `INVALID_INPUT` on `field`.
pub(crate) fn to_json(field: &'static str, v: &JsValue) -> JsResult<serde_json::Value> {
    use serde_json::Value;
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(f) = v.as_f64() {
        if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER {
            return Ok(Value::from(f as i64));
        }
        return serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(|| invalid(field, format!("{f} is not a finite number")));
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    if let Some(a) = v.dyn_ref::<Array>() {
        return a.iter().map(|x| to_json(field, &x)).collect::<JsResult<Vec<_>>>().map(Value::Array);
    }
    if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
        return serde_json::to_value(MetricValue::Binary(bytes.to_vec())).map_err(|e| invalid(field, e.to_string()));
    }
    // Plain objects only: iterables (typed arrays, maps, sets) have no JSON form here.
    if v.is_object() && !js_sys::Symbol::iterator().js_in(v) {
        let mut map = serde_json::Map::new();
        for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
            let pair: Array = entry.unchecked_into();
            let value = pair.get(1);
            if !value.is_undefined() {
                map.insert(pair.get(0).as_string().unwrap_or_default(), to_json(field, &value)?);
            }
        }
        return Ok(Value::Object(map));
    }
    Err(invalid(field, format!("holds a value with no JSON form (typeof {})", type_of(v))))
}

/// Encodes a core record as a plain JS object: fields in camelCase ([`Camel`]), maps as
/// objects, `None` as `null`, bytes as a `Uint8Array`.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    // JSON-compatible, except that bytes (binary telemetry values) are a Uint8Array.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible().serialize_bytes_as_arrays(false);
    with_binary_as_bytes(|| Camel(value).serialize(&serializer))
        .map_err(|e| js_error(StorageError::Backend { message: format!("result cannot be represented in JavaScript: {e}"), source: None }))
}

/// A string argument. Strings and arrays arrive as `JsValue` and are checked here, because
/// wasm-bindgen's own glue traps (a wasm `RuntimeError`) on a value of the wrong type.
pub(crate) fn string(field: &'static str, v: &JsValue) -> JsResult<String> {
    v.as_string().ok_or_else(|| invalid(field, format!("must be a string, not {}", type_of(v))))
}

pub(crate) fn type_of(v: &JsValue) -> String {
    v.js_typeof().as_string().unwrap_or_default()
}

/// An array of strings.
pub(crate) fn strings(field: &'static str, v: &JsValue) -> JsResult<Vec<String>> {
    let array = v.dyn_ref::<Array>().ok_or_else(|| invalid(field, format!("must be an array of strings, not {}", type_of(v))))?;
    array.iter().enumerate().map(|(i, x)| x.as_string().ok_or_else(|| invalid(field, format!("element {i} is not a string")))).collect()
}

/// A `Float64Array` (or an array of numbers) copied out of JS.
pub(crate) fn f64s(field: &'static str, v: &JsValue) -> JsResult<Vec<f64>> {
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        return Ok(a.to_vec());
    }
    let array = v.dyn_ref::<Array>().ok_or_else(|| invalid(field, format!("must be a Float64Array, not {}", type_of(v))))?;
    array.iter().enumerate().map(|(i, x)| x.as_f64().ok_or_else(|| invalid(field, format!("element {i} is not a number")))).collect()
}

/// A `Uint32Array` (or an array of non-negative integers) copied out of JS.
pub(crate) fn u32s(field: &'static str, v: &JsValue) -> JsResult<Vec<u32>> {
    if let Some(a) = v.dyn_ref::<Uint32Array>() {
        return Ok(a.to_vec());
    }
    let array = v.dyn_ref::<Array>().ok_or_else(|| invalid(field, format!("must be a Uint32Array, not {}", type_of(v))))?;
    array
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(f))
                .map(|f| f as u32)
                .ok_or_else(|| invalid(field, format!("element {i} is not a 32-bit unsigned integer")))
        })
        .collect()
}

/// A timestamp or other integer argument: finite, whole, within the safe-integer range.
pub(crate) fn int(field: &'static str, v: f64) -> JsResult<i64> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > MAX_SAFE_INTEGER {
        return Err(invalid(field, format!("{v} is not a safe integer")));
    }
    Ok(v as i64)
}

/// A time-range bound: an integer as [`int`], or `-Infinity` / `Infinity` for an open end.
pub(crate) fn bound(field: &'static str, v: f64) -> JsResult<i64> {
    match v {
        f64::NEG_INFINITY => Ok(i64::MIN),
        f64::INFINITY => Ok(i64::MAX),
        _ => int(field, v),
    }
}

/// A telemetry time range: `start <= t < end`; `end` `undefined` / `null` / `Infinity` is no
/// upper bound (through `i64::MAX`, included), `start` `-Infinity` no lower bound. The core's
/// `TimeRange` decides the rest (start after end is `INVALID_INPUT` on `time range`).
pub(crate) fn time_range(start: f64, end: Option<f64>) -> JsResult<TimeRange> {
    let start = bound("start", start)?;
    let end = match end {
        None | Some(f64::INFINITY) => None,
        Some(e) => Some(bound("end", e)?),
    };
    TimeRange::half_open(start, end).map_err(js_error)
}

/// A count (limit, sequence): a non-negative safe integer.
pub(crate) fn count(field: &'static str, v: f64) -> JsResult<u64> {
    let i = int(field, v)?;
    u64::try_from(i).map_err(|_| invalid(field, format!("{v} is negative")))
}

/// An optional limit (`undefined` / `null` for none).
pub(crate) fn limit(v: Option<f64>) -> JsResult<Option<usize>> {
    v.map(|v| count("limit", v).map(|n| n as usize)).transpose()
}

/// Checks that parallel packed arrays have the same length.
pub(crate) fn same_len(field: &'static str, expected: usize, actual: usize) -> JsResult<()> {
    if expected != actual {
        return Err(invalid(field, format!("has {actual} elements; expected {expected} (one per timestamp)")));
    }
    Ok(())
}

/// Packs float samples from parallel `timestamps` / `values` arrays into points.
pub(crate) fn packed_points(timestamps: &[f64], values: &[f64]) -> JsResult<Vec<DataPoint>> {
    same_len("values", timestamps.len(), values.len())?;
    timestamps.iter().zip(values).map(|(&t, &v)| Ok(DataPoint::new(int("timestamps", t)?, v))).collect()
}

/// Timestamps of a packed write: safe integers (a JS number is an f64).
pub(crate) fn timestamps(v: &[f64]) -> JsResult<Vec<i64>> {
    v.iter().map(|&t| int("timestamps", t)).collect()
}

/// `{ timestamps: Float64Array, values: Float64Array }` of a float column.
pub(crate) fn packed_series(timestamps: &[i64], values: &[f64]) -> JsResult<JsValue> {
    let timestamps: Vec<f64> = timestamps.iter().map(|&t| t as f64).collect();
    let out = Object::new();
    Reflect::set(&out, &"timestamps".into(), &Float64Array::from(timestamps.as_slice()))?;
    Reflect::set(&out, &"values".into(), &Float64Array::from(values))?;
    Ok(out.into())
}

/// A `Float32Array` (or an array of numbers) copied out of JS.
#[cfg(any(feature = "vectors", feature = "memory"))]
pub(crate) fn f32s(field: &'static str, v: &JsValue) -> JsResult<Vec<f32>> {
    if let Some(a) = v.dyn_ref::<js_sys::Float32Array>() {
        return Ok(a.to_vec());
    }
    let array = v.dyn_ref::<Array>().ok_or_else(|| invalid(field, format!("must be a Float32Array, not {}", type_of(v))))?;
    array
        .iter()
        .enumerate()
        .map(|(i, x)| x.as_f64().map(|f| f as f32).ok_or_else(|| invalid(field, format!("element {i} is not a number"))))
        .collect()
}

/// An enum argument given by name, parsed by the core's `FromStr` (any case, `_` ignored;
/// a wrong name is `INVALID_INPUT` listing the valid ones).
pub(crate) fn enum_arg<T: FromStr<Err = StorageError>>(field: &'static str, v: &JsValue) -> JsResult<T> {
    string(field, v)?.parse().map_err(js_error)
}

/// An optional record argument, read as [`record`]: `undefined` / `null` are none.
pub(crate) fn optional<T: DeserializeOwned>(field: &'static str, v: JsValue) -> JsResult<Option<T>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    record(field, v).map(Some)
}

/// An optional string argument: `undefined` / `null` are none.
pub(crate) fn optional_string(field: &'static str, v: &JsValue) -> JsResult<Option<String>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    string(field, v).map(Some)
}

//! YAML parsing with errors that name the file, the line and the field.

use crate::error::StorageError;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A config file that could not be read: where, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigError {
    /// The file, relative to the config directory (`system.yaml`, `rules/a.yaml`, ...).
    pub file: String,
    /// 1-based line of the bad value (0 when the parser gave no position).
    pub line: usize,
    /// 1-based column of the bad value (0 when the parser gave no position).
    pub column: usize,
    /// Dotted path of the field (`storage.timeseries_retention_days`; `.` for the document).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}: {}", self.file, self.line, self.column, self.field, self.message)
    }
}

impl From<ConfigError> for StorageError {
    fn from(e: ConfigError) -> Self {
        StorageError::invalid("config", e.to_string())
    }
}

/// Parses `text` (the contents of `file`) as `T`; an empty document gives `T::default()`.
pub(crate) fn parse<T: DeserializeOwned + Default>(file: &str, text: &str) -> Result<T, ConfigError> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(T::default());
    }
    serde_yaml_ng::from_str(text).map_err(|e| to_config_error(file, &e))
}

/// Serializes `value` as YAML.
pub(crate) fn emit<T: Serialize>(file: &str, value: &T) -> Result<String, StorageError> {
    serde_yaml_ng::to_string(value).map_err(|e| StorageError::invalid("config", format!("{file}: cannot serialize: {e}")))
}

fn to_config_error(file: &str, e: &serde_yaml_ng::Error) -> ConfigError {
    let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
    // The message reads "path.to.field: what is wrong at line L column C".
    let mut text = e.to_string();
    if let Some(at) = text.rfind(" at line ") {
        text.truncate(at);
    }
    let (field, message) = match text.split_once(": ") {
        Some((path, rest)) if !path.is_empty() && !path.contains(' ') => (path.to_string(), rest.to_string()),
        _ => (".".to_string(), text),
    };
    ConfigError { file: file.to_string(), line, column, field, message }
}

/// Accepts an integer in `1..=max`. The check runs inside the scalar's visitor, so the
/// error carries the value's own line and field path (a check after deserializing would be
/// reported at the enclosing map).
struct Positive(u64);

impl serde::de::Visitor<'_> for Positive {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer from 1 to {}", self.0)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
        if v == 0 {
            return Err(E::custom("must be at least 1"));
        }
        if v > self.0 {
            return Err(E::custom(format!("must be at most {}, not {v}", self.0)));
        }
        Ok(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!("must be at least 1, not {v}"))),
        }
    }
}

/// Deserializes a count of days (or hours, or backups) that must be at least 1.
pub(crate) fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_u64(Positive(u32::MAX as u64)).map(|v| v as u32)
}

/// Like [`at_least_one`], for `u64` sizes.
pub(crate) fn at_least_one_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_u64(Positive(u64::MAX))
}

/// A TCP port, 1..=65535.
pub(crate) fn port<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    d.deserialize_u64(Positive(u16::MAX as u64)).map(|v| v as u16)
}

/// A map of name -> retention window where every name is a valid id (each window is checked
/// by its own deserializer, where it stands, so the error carries its line).
pub(crate) fn window_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<std::collections::BTreeMap<String, crate::retention_window::RetentionWindow>, D::Error> {
    let raw = std::collections::BTreeMap::<String, crate::retention_window::RetentionWindow>::deserialize(d)?;
    for k in raw.keys() {
        if let Err(e) = crate::limits::check_id("name", k) {
            return Err(D::Error::custom(format!("key {k:?}: {e}")));
        }
    }
    Ok(raw)
}

//! `adapters.yaml`: named adapter sections (MQTT, Modbus, ...), kept as JSON values.
//!
//! The seed does not define the adapters' fields; each adapter interprets its own section.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Contents of `config/adapters.yaml`: adapter name -> its settings.
///
/// ```yaml
/// mqtt:
///   broker: tcp://localhost:1883
///   topics: [sensors/#]
/// modbus:
///   port: /dev/ttyUSB0
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AdaptersConfig {
    /// Adapter sections by name.
    pub adapters: BTreeMap<String, serde_json::Value>,
}

impl AdaptersConfig {
    /// The section of adapter `name`.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.adapters.get(name)
    }
}

//! One module per store. Each reads through a consistent snapshot and writes atomic batches
//! through the engine; none touches a backend directly.

pub(crate) mod alerts;
pub(crate) mod decisions;
pub(crate) mod device_state;
pub(crate) mod event_log;
/// Long-term memory (the seed's `MemoryEntry`): named `knowledge` so it does not collide with
/// the in-memory backend.
pub(crate) mod knowledge;
pub(crate) mod rule_history;
pub(crate) mod sessions;
pub(crate) mod timeseries;
pub(crate) mod vectors;
pub(crate) mod workflow_history;

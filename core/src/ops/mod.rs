//! What runs across stores: retention cleanup, backup and restore, the unified query trait,
//! the async facade with its maintenance scheduler, and the YAML configuration tree.

#[cfg(feature = "tokio")]
pub(crate) mod async_api;
pub(crate) mod backup;
pub(crate) mod cleanup;
pub(crate) mod config;
pub(crate) mod integrity;
pub(crate) mod query;
#[cfg(not(target_arch = "wasm32"))] // salvage works on files
pub(crate) mod salvage;

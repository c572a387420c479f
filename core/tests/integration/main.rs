//! The core's integration tests, one module per store or concern, built as one test binary:
//! one compile and one link of the core's dependencies instead of one per file, which is most
//! of the test build (cross-compiled release builds for qemu above all).
//!
//! Run one module with a filter: `cargo test -p neotalk-storage --test integration -- alerts::`.

#[macro_use]
mod common;

mod alerts;
mod async_api;
mod backup;
mod binary_values;
mod byte_flips;
mod cleanup;
mod config;
mod crash;
mod decisions;
mod deletes;
mod devices;
mod events;
mod events_model;
mod feed;
mod full_disk;
mod integrity;
mod lifecycle;
mod manager;
mod memory;
mod model;
mod paging;
mod power_loss;
mod read_only;
mod records_json;
mod rollups;
mod rule_history;
mod salvage;
mod sessions;
mod split_files;
mod stats;
mod storage_query;
mod stress;
mod timeseries;
mod timeseries_model;
mod vectors;
mod workflow_history;

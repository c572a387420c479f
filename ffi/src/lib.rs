//! # neotalk-storage-ffi
//!
//! The C ABI of `neotalk-storage`. Every function is `extern "C"`, named `nts_*`, and returns
//! an [`nts_status`]; the message of a failure is read with [`nts_last_error_message`].
//! Handles are opaque ([`nts_storage`], [`nts_points`]); records with many fields cross as
//! JSON with the field names of the Rust types.
//!
//! This crate only converts types and errors: every store behaviour lives in `core`.
//! One file per store; each entry point is one call of the helper for its shape in
//! [`shapes`] (JSON out, record in, scalar out, lookup by id, ...) with a body that converts
//! the remaining arguments with [`args`] and calls core:
//!
//! ```text
//! #[no_mangle]
//! pub unsafe extern "C" fn nts_alerts_get(db: *const nts_storage, alert_id: *const c_char, out_json: *mut *mut c_char) -> nts_status {
//!     get_json(db, alert_id, "alert_id", "alert", out_json, |db, id| Ok(db.alerts().get(id)?))
//! }
//! ```
//!
//! The header `include/neotalk_storage.h` is generated from these files by `build.rs`.
//!
//! # Safety
//!
//! One contract covers every `unsafe extern "C"` function here, and the header states it:
//! pointer arguments are NULL (reported as `NTS_NULL_POINTER` where a value is required) or
//! valid for the access their type implies; strings are NUL-terminated; arrays hold the count
//! passed with them; handles and result sets come from this library and are not used after
//! their free function. Everything else (bad UTF-8, malformed JSON, impossible sizes, closed
//! handles, panics) is reported as a status, never undefined behaviour.
#![allow(non_camel_case_types)]
// The contract above is the `# Safety` section of every entry point.
#![allow(clippy::missing_safety_doc)]
#![warn(missing_docs)]

pub mod alerts;
pub mod args;
pub mod arrays;
pub mod backup;
pub mod call;
pub mod decisions;
pub mod devices;
pub mod events;
pub mod maintenance;
pub mod memory;
pub mod points;
pub mod query;
pub mod replication;
pub mod rules;
pub mod sessions;
pub mod shapes;
pub mod status;
pub mod storage;
pub mod strings;
pub mod timeseries;
pub mod vectors;
pub mod version;
pub mod workflows;

pub use call::nts_last_error_message;
pub use events::{nts_event, nts_event_entry, nts_event_list};
pub use points::{nts_point, nts_points, nts_value_kind};
pub use status::nts_status;
pub use storage::nts_storage;
pub use timeseries::{nts_bucket, nts_range_options};

//! The storage engine under every store: the backend seam and its redb and memory
//! implementations, the order-preserving key codec, the engine (snapshots, commits,
//! durability), the file layout, the hot cache, the indexed-record helper, the record change log and statistics.

pub(crate) mod backend;
pub(crate) mod cache;
pub(crate) mod clock;
pub(crate) mod engine;
pub(crate) mod indexed_records;
pub(crate) mod key;
pub(crate) mod layout;
pub(crate) mod record_log;
pub(crate) mod stats;

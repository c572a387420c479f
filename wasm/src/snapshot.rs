//! Snapshot bytes in and the summary of an import out (the manifest's checksums are u64s a
//! JS number cannot hold, so the summary keeps what a caller uses: names and counts).

use crate::convert::type_of;
use crate::error::{invalid, JsResult};
use js_sys::{ArrayBuffer, Uint8Array};
use neotalk_storage::backup::{Manifest, SnapshotKind};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// The bytes of a `Uint8Array` or `ArrayBuffer` argument, copied out of JS. Checked here
/// because wasm-bindgen's own slice glue does not reject other values cleanly.
pub(crate) fn snapshot_bytes(v: &JsValue) -> JsResult<Vec<u8>> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Ok(a.to_vec());
    }
    if let Some(b) = v.dyn_ref::<ArrayBuffer>() {
        return Ok(Uint8Array::new(b).to_vec());
    }
    Err(invalid("snapshot", format!("must be a Uint8Array or ArrayBuffer, not {}", type_of(v))))
}

/// One restored table.
#[derive(Serialize)]
pub(crate) struct ImportedTable {
    name: String,
    entries: u64,
}

/// What `importSnapshot` returns.
#[derive(Serialize)]
pub(crate) struct ImportedSnapshot {
    kind: SnapshotKind,
    created_at: i64,
    source_format_version: u32,
    total_entries: u64,
    tables: Vec<ImportedTable>,
}

impl From<&Manifest> for ImportedSnapshot {
    fn from(m: &Manifest) -> Self {
        ImportedSnapshot {
            kind: m.kind,
            created_at: m.created_at,
            source_format_version: m.source_format_version,
            total_entries: m.total_entries(),
            tables: m.tables.iter().map(|t| ImportedTable { name: t.name.clone(), entries: t.entries }).collect(),
        }
    }
}

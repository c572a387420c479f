//! The snapshot file: a portable, versioned, checksummed copy of tables.
//!
//! Layout (integers little-endian):
//!
//! ```text
//! magic            8 bytes  "NEOTSNAP"
//! snapshot version u32      SNAPSHOT_VERSION
//! manifest length  u32
//! manifest         JSON     Manifest (tables, counts, section sizes and checksums, ...)
//! manifest hash    u64      xxh3-64 of the manifest bytes
//! sections                  one per manifest table, in manifest order
//! file hash        u64      xxh3-64 of every byte before it
//! ```
//!
//! A section is a sequence of entries in ascending key order:
//! `key length u32, key, tag u8` then, for tag 0, `value length u32, value`. Tag 1 (only in
//! incrementals) means "the value is the one of the base chain". A table whose mode is
//! `same` has an empty section: it equals the base's table.
//!
//! The format does not depend on the backend or the platform: a snapshot written by the
//! native build (redb) restores in the wasm build (memory) and back.

use crate::error::{Result, StorageError};
use crate::limits::{MAX_ID_BYTES, MAX_JSON_BYTES, MAX_SNAPSHOT_BYTES, MAX_SNAPSHOT_TABLES};
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan};
use crate::storage::engine::{FORMAT_VERSION, READABLE_FORMATS};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// First bytes of every snapshot file.
pub const MAGIC: [u8; 8] = *b"NEOTSNAP";
/// Version of the snapshot layout this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;
const HEADER_BYTES: usize = 8 + 4 + 4;
const TAG_VALUE: u8 = 0;
const TAG_FROM_BASE: u8 = 1;

/// What a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotKind {
    /// Every table, self-contained.
    Full,
    /// Every table, with values unchanged since `base_id` left out.
    Incremental,
    /// Some tables, self-contained; restoring it replaces only those tables.
    Selective,
}

/// How one table is stored in a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableMode {
    /// Every key with its value.
    Full,
    /// Every key; values equal to the base chain's are left out.
    Delta,
    /// Equal to the base chain's table: no entries stored.
    Same,
}

/// One table of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableManifest {
    /// Table name.
    pub name: String,
    /// How the table is stored.
    pub mode: TableMode,
    /// Number of keys in the table at snapshot time.
    pub entries: u64,
    /// Bytes of the table's section.
    pub section_bytes: u64,
    /// xxh3-64 of the section.
    pub checksum: u64,
}

/// The table of contents of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Backup id (`None` for a plain export).
    pub id: Option<String>,
    /// Full, incremental or selective.
    pub kind: SnapshotKind,
    /// For an incremental: the id of the backup it is based on.
    pub base_id: Option<String>,
    /// Database format version of the source (`FORMAT_VERSION`).
    pub source_format_version: u32,
    /// When the snapshot was taken, Unix ms.
    pub created_at: i64,
    /// The tables, in file order.
    pub tables: Vec<TableManifest>,
}

impl Manifest {
    /// Total number of keys over all tables.
    pub fn total_entries(&self) -> u64 {
        self.tables.iter().map(|t| t.entries).sum()
    }
}

/// One entry of a decoded table: the key and its value, or `None` for "as in the base".
pub type Entry<'a> = (&'a [u8], Option<&'a [u8]>);

/// A decoded table, borrowing from the snapshot bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct TableData<'a> {
    /// Table name.
    pub name: String,
    /// How it is stored.
    pub mode: TableMode,
    /// Entries in ascending key order (empty for mode `Same`).
    pub entries: Vec<Entry<'a>>,
}

/// A verified snapshot, decoded from its bytes without copying them.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot<'a> {
    /// The manifest.
    pub manifest: Manifest,
    /// The tables, in manifest order.
    pub tables: Vec<TableData<'a>>,
}

/// For an incremental snapshot: the state of the base chain, as a hash per value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaseIndex {
    /// Id of the newest backup of the chain (the incremental's `base_id`).
    pub id: String,
    tables: BTreeMap<String, BTreeMap<Vec<u8>, u64>>,
}

impl BaseIndex {
    /// Indexes the materialized state of a chain whose newest backup is `id`.
    pub fn new(id: &str, state: &super::ChainState<'_>) -> Self {
        let tables =
            state.tables.iter().map(|(name, t)| (name.clone(), t.iter().map(|(k, v)| (k.to_vec(), xxh3_64(v))).collect())).collect();
        BaseIndex { id: id.to_string(), tables }
    }
}

/// What to write.
#[derive(Debug, Clone)]
pub struct SnapshotOptions<'b> {
    /// Backup id recorded in the manifest.
    pub id: Option<String>,
    /// Recorded creation time, Unix ms.
    pub created_at: i64,
    /// Full, incremental (needs `base`) or selective (needs `tables`).
    pub kind: SnapshotKind,
    /// Tables of a selective snapshot.
    pub tables: Vec<String>,
    /// Base chain of an incremental.
    pub base: Option<&'b BaseIndex>,
}

impl SnapshotOptions<'_> {
    /// A full snapshot taken at `created_at`.
    pub fn full(created_at: i64) -> Self {
        SnapshotOptions { id: None, created_at, kind: SnapshotKind::Full, tables: Vec::new(), base: None }
    }

    /// A snapshot of `tables` only.
    pub fn selective(created_at: i64, tables: Vec<String>) -> Self {
        SnapshotOptions { id: None, created_at, kind: SnapshotKind::Selective, tables, base: None }
    }
}

impl<'b> SnapshotOptions<'b> {
    /// An incremental snapshot over `base`.
    pub fn incremental(created_at: i64, base: &'b BaseIndex) -> Self {
        SnapshotOptions { id: None, created_at, kind: SnapshotKind::Incremental, tables: Vec::new(), base: Some(base) }
    }
}

/// Counts and hashes bytes without keeping them (first pass of the writer).
struct Measure {
    hasher: Xxh3,
    bytes: u64,
}

impl Write for Measure {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.hasher.update(buf);
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Forwards to `inner` while hashing everything written (the file hash).
struct Hashing<'w, W: Write> {
    inner: &'w mut W,
    hasher: Xxh3,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn io_err(e: std::io::Error) -> StorageError {
    StorageError::io(format!("cannot write snapshot: {e}"), e)
}

fn len_u32(what: &str, n: usize) -> Result<[u8; 4]> {
    u32::try_from(n).map(u32::to_le_bytes).map_err(|_| StorageError::invalid("snapshot", format!("{what} of {n} bytes is too large")))
}

/// Streams one table's section to `out`; returns the number of keys and whether every value
/// equals the base's (so the table can be stored as `Same`).
fn write_section(view: &dyn ReadView, table: &str, base: Option<&BTreeMap<Vec<u8>, u64>>, out: &mut dyn Write) -> Result<(u64, bool)> {
    let mut entries = 0u64;
    let mut all_same = true;
    view.scan(table, &KeyRange::all(), Direction::Forward, &mut |k, v| {
        entries += 1;
        let same = base.and_then(|b| b.get(k)).is_some_and(|h| *h == xxh3_64(v));
        all_same &= same;
        out.write_all(&len_u32("key", k.len())?).map_err(io_err)?;
        out.write_all(k).map_err(io_err)?;
        if same {
            out.write_all(&[TAG_FROM_BASE]).map_err(io_err)?;
        } else {
            out.write_all(&[TAG_VALUE]).map_err(io_err)?;
            out.write_all(&len_u32("value", v.len())?).map_err(io_err)?;
            out.write_all(v).map_err(io_err)?;
        }
        Ok(Scan::Continue)
    })?;
    let same_count = base.is_some_and(|b| b.len() as u64 == entries);
    Ok((entries, all_same && same_count))
}

impl<'a> Snapshot<'a> {
    /// Writes a snapshot of `view` (one consistent read snapshot, so writes may go on
    /// meanwhile) to `out`, and returns its manifest.
    ///
    /// Tables are discovered with `view.table_names()`, so every store is covered. The view
    /// is read twice (sizes and checksums first, so the manifest can lead the file).
    pub fn write_to(view: &dyn ReadView, options: &SnapshotOptions<'_>, out: &mut impl Write) -> Result<Manifest> {
        let names: Vec<String> = match options.kind {
            SnapshotKind::Selective => {
                if options.tables.is_empty() {
                    return Err(StorageError::invalid("tables", "a selective snapshot needs at least one table"));
                }
                let live: BTreeSet<String> = view.table_names()?.into_iter().collect();
                let mut seen = BTreeSet::new();
                for t in &options.tables {
                    if !live.contains(t) {
                        return Err(StorageError::not_found("table", t.clone()));
                    }
                    if !seen.insert(t.clone()) {
                        return Err(StorageError::invalid("tables", format!("{t:?} is listed twice")));
                    }
                }
                options.tables.clone()
            }
            _ => {
                let mut n = view.table_names()?;
                n.sort();
                n
            }
        };
        if names.len() > MAX_SNAPSHOT_TABLES {
            return Err(StorageError::invalid("snapshot", format!("{} tables; the limit is {MAX_SNAPSHOT_TABLES}", names.len())));
        }
        let base = match (options.kind, options.base) {
            (SnapshotKind::Incremental, Some(b)) => Some(b),
            (SnapshotKind::Incremental, None) => return Err(StorageError::invalid("base", "an incremental snapshot needs a base")),
            _ => None,
        };
        let mut tables = Vec::with_capacity(names.len());
        for name in &names {
            let base_table = base.and_then(|b| b.tables.get(name));
            let mut m = Measure { hasher: Xxh3::new(), bytes: 0 };
            let (entries, same) = write_section(view, name, base_table, &mut m)?;
            let (mode, section_bytes, checksum) = match (base.is_some(), same) {
                (true, true) => (TableMode::Same, 0, xxh3_64(&[])),
                (true, false) => (TableMode::Delta, m.bytes, m.hasher.digest()),
                (false, _) => (TableMode::Full, m.bytes, m.hasher.digest()),
            };
            tables.push(TableManifest { name: name.clone(), mode, entries, section_bytes, checksum });
        }
        let manifest = Manifest {
            id: options.id.clone(),
            kind: options.kind,
            base_id: base.map(|b| b.id.clone()),
            source_format_version: FORMAT_VERSION,
            created_at: options.created_at,
            tables,
        };
        let manifest_json = serde_json::to_vec(&manifest).map_err(|e| StorageError::invalid("manifest", e.to_string()))?;
        if manifest_json.len() > MAX_JSON_BYTES {
            return Err(StorageError::invalid("manifest", "is larger than the JSON limit"));
        }
        let mut w = Hashing { inner: out, hasher: Xxh3::new() };
        w.write_all(&MAGIC).map_err(io_err)?;
        w.write_all(&SNAPSHOT_VERSION.to_le_bytes()).map_err(io_err)?;
        w.write_all(&len_u32("manifest", manifest_json.len())?).map_err(io_err)?;
        w.write_all(&manifest_json).map_err(io_err)?;
        w.write_all(&xxh3_64(&manifest_json).to_le_bytes()).map_err(io_err)?;
        for t in &manifest.tables {
            if t.mode == TableMode::Same {
                continue;
            }
            // Second pass over the same view: the bytes must match what was measured.
            let mut check = Hashing { inner: &mut w, hasher: Xxh3::new() };
            let base_table = base.and_then(|b| b.tables.get(&t.name));
            write_section(view, &t.name, base_table, &mut check)?;
            if check.hasher.digest() != t.checksum {
                return Err(StorageError::backend_msg(format!("table {:?} changed inside one read snapshot", t.name)));
            }
        }
        let file_hash = w.hasher.digest();
        w.inner.write_all(&file_hash.to_le_bytes()).map_err(io_err)?;
        w.inner.flush().map_err(io_err)?;
        Ok(manifest)
    }

    /// Writes a snapshot into a new byte vector.
    pub fn to_bytes(view: &dyn ReadView, options: &SnapshotOptions<'_>) -> Result<(Manifest, Vec<u8>)> {
        let mut out = Vec::new();
        let m = Self::write_to(view, options, &mut out)?;
        Ok((m, out))
    }

    /// Checks the header and returns the manifest, reading only the first bytes (the file's
    /// checksums are not verified: use [`Snapshot::read_from`] for that).
    pub fn read_manifest(head: &[u8]) -> Result<(Manifest, usize)> {
        if head.len() < HEADER_BYTES {
            return Err(StorageError::Corrupted("snapshot is truncated (no header)".into()));
        }
        if head[..8] != MAGIC {
            return Err(StorageError::Corrupted("not a neotalk-storage snapshot (bad magic bytes)".into()));
        }
        let version = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
        if version != SNAPSHOT_VERSION {
            return Err(StorageError::VersionMismatch { found: version, supported: SNAPSHOT_VERSION });
        }
        let mlen = u32::from_le_bytes(head[12..16].try_into().expect("4 bytes")) as usize;
        if mlen > MAX_JSON_BYTES {
            return Err(StorageError::Corrupted(format!("manifest length {mlen} exceeds the limit")));
        }
        let end = HEADER_BYTES + mlen;
        if head.len() < end + 8 {
            return Err(StorageError::Corrupted("snapshot is truncated (manifest)".into()));
        }
        let json = &head[HEADER_BYTES..end];
        let stored = u64::from_le_bytes(head[end..end + 8].try_into().expect("8 bytes"));
        if xxh3_64(json) != stored {
            return Err(StorageError::Corrupted("manifest checksum mismatch".into()));
        }
        let manifest: Manifest =
            serde_json::from_slice(json).map_err(|e| StorageError::Corrupted(format!("manifest does not decode: {e}")))?;
        Ok((manifest, end + 8))
    }

    /// Verifies every checksum, count and key order of `bytes` and decodes the snapshot.
    /// Fails with `VersionMismatch` for another snapshot or database format version,
    /// `Corrupted` for damage or truncation, `InvalidInput` above [`MAX_SNAPSHOT_BYTES`].
    pub fn read_from(bytes: &'a [u8]) -> Result<Snapshot<'a>> {
        if bytes.len() as u64 > MAX_SNAPSHOT_BYTES {
            return Err(StorageError::invalid("snapshot", format!("{} bytes; the limit is {MAX_SNAPSHOT_BYTES}", bytes.len())));
        }
        if bytes.len() < HEADER_BYTES + 16 {
            return Err(StorageError::Corrupted("snapshot is truncated".into()));
        }
        if bytes[..8] != MAGIC {
            return Err(StorageError::Corrupted("not a neotalk-storage snapshot (bad magic bytes)".into()));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != SNAPSHOT_VERSION {
            return Err(StorageError::VersionMismatch { found: version, supported: SNAPSHOT_VERSION });
        }
        let (body, footer) = bytes.split_at(bytes.len() - 8);
        if xxh3_64(body) != u64::from_le_bytes(footer.try_into().expect("8 bytes")) {
            return Err(StorageError::Corrupted("snapshot checksum mismatch (damaged or truncated file)".into()));
        }
        let (manifest, mut pos) = Self::read_manifest(body)?;
        if !READABLE_FORMATS.contains(&manifest.source_format_version) {
            return Err(StorageError::VersionMismatch { found: manifest.source_format_version, supported: FORMAT_VERSION });
        }
        check_manifest(&manifest)?;
        let mut tables = Vec::with_capacity(manifest.tables.len());
        for t in &manifest.tables {
            let len = usize::try_from(t.section_bytes).ok().filter(|l| pos.checked_add(*l).is_some_and(|e| e <= body.len()));
            let len = len.ok_or_else(|| StorageError::Corrupted(format!("table {:?}: section runs past the end", t.name)))?;
            let section = &body[pos..pos + len];
            pos += len;
            if xxh3_64(section) != t.checksum {
                return Err(StorageError::Corrupted(format!("table {:?}: checksum mismatch", t.name)));
            }
            let entries = decode_section(t, section)?;
            tables.push(TableData { name: t.name.clone(), mode: t.mode, entries });
        }
        if pos != body.len() {
            return Err(StorageError::Corrupted(format!("{} unexpected bytes after the last table", body.len() - pos)));
        }
        Ok(Snapshot { manifest, tables })
    }
}

fn check_manifest(m: &Manifest) -> Result<()> {
    if m.tables.len() > MAX_SNAPSHOT_TABLES {
        return Err(StorageError::Corrupted(format!("{} tables; the limit is {MAX_SNAPSHOT_TABLES}", m.tables.len())));
    }
    let mut names = BTreeSet::new();
    for t in &m.tables {
        if t.name.is_empty() || t.name.len() > MAX_ID_BYTES || !names.insert(t.name.as_str()) {
            return Err(StorageError::Corrupted(format!("bad or repeated table name {:?}", t.name)));
        }
        let mode_ok = match m.kind {
            SnapshotKind::Incremental => true,
            SnapshotKind::Full | SnapshotKind::Selective => t.mode == TableMode::Full,
        };
        if !mode_ok || (t.mode == TableMode::Same && t.section_bytes != 0) {
            return Err(StorageError::Corrupted(format!("table {:?}: mode {:?} not allowed here", t.name, t.mode)));
        }
    }
    if (m.kind == SnapshotKind::Incremental) != m.base_id.is_some() {
        return Err(StorageError::Corrupted("only an incremental snapshot has a base id".into()));
    }
    Ok(())
}

fn decode_section<'a>(t: &TableManifest, mut s: &'a [u8]) -> Result<Vec<Entry<'a>>> {
    let bad = |why: &str| StorageError::Corrupted(format!("table {:?}: {why}", t.name));
    fn take<'a>(s: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if s.len() < n {
            return None;
        }
        let (a, b) = s.split_at(n);
        *s = b;
        Some(a)
    }
    fn take_len(s: &mut &[u8]) -> Option<usize> {
        take(s, 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
    }
    // Every entry takes at least 5 bytes: a hostile count cannot make us reserve much.
    let mut entries = Vec::with_capacity((s.len() / 5).min(t.entries as usize));
    let mut prev: Option<&[u8]> = None;
    while !s.is_empty() {
        let klen = take_len(&mut s).ok_or_else(|| bad("truncated key length"))?;
        let key = take(&mut s, klen).ok_or_else(|| bad("truncated key"))?;
        if prev.is_some_and(|p| p >= key) {
            return Err(bad("keys out of order"));
        }
        prev = Some(key);
        let tag = take(&mut s, 1).ok_or_else(|| bad("truncated tag"))?[0];
        let value = match tag {
            TAG_VALUE => {
                let vlen = take_len(&mut s).ok_or_else(|| bad("truncated value length"))?;
                Some(take(&mut s, vlen).ok_or_else(|| bad("truncated value"))?)
            }
            TAG_FROM_BASE if t.mode == TableMode::Delta => None,
            _ => return Err(bad("bad entry tag")),
        };
        entries.push((key, value));
    }
    if t.mode != TableMode::Same && entries.len() as u64 != t.entries {
        return Err(bad(&format!("manifest says {} entries, the section holds {}", t.entries, entries.len())));
    }
    Ok(entries)
}

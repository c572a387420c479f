//! `BackupManager` and `RestoreManager`: backup files in a directory (native only).

use super::{
    check_backup_id, generate_id, BackupConfig, BackupType, BaseIndex, ChainState, Manifest, Snapshot, SnapshotKind, SnapshotOptions,
};
use crate::error::{Result, StorageError};
use crate::limits::{MAX_JSON_BYTES, MAX_SNAPSHOT_BYTES};
use crate::ops::config::atomic_file::sync_dir;
use crate::StorageManager;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// File extension of backup files: `<id>.ntsnap`.
pub const BACKUP_EXTENSION: &str = "ntsnap";
/// Label of the full backup taken of the live data just before a restore
/// ([`BackupManager::safety_backup`]): ids `<UTC time>Z-pre-restore`, so id order stays age
/// order.
pub const SAFETY_LABEL: &str = "pre-restore";
/// Longest chain of incrementals followed from one backup back to its full base.
const MAX_CHAIN: usize = 10_000;

/// A backup file in the backup directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupInfo {
    /// Backup id (the file name without `.ntsnap`).
    pub id: String,
    /// File path.
    pub path: PathBuf,
    /// File size in bytes.
    pub size_bytes: u64,
    /// The manifest, when the file's header reads (checksums of the contents are checked by
    /// `RestoreManager::verify`).
    pub manifest: Option<Manifest>,
    /// Why the header does not read, when it does not.
    pub problem: Option<String>,
}

impl BackupInfo {
    /// Creation time (Unix ms), when the manifest reads.
    pub fn created_at(&self) -> Option<i64> {
        self.manifest.as_ref().map(|m| m.created_at)
    }

    /// Whether this is a safety copy taken before a restore ([`BackupManager::safety_backup`]):
    /// never pruned, never the base of an incremental, never "the newest" backup.
    pub fn is_safety_copy(&self) -> bool {
        is_safety_id(&self.id)
    }
}

/// `<time>Z-pre-restore`, or `<time>Z-pre-restore-<n>` when two were taken in one millisecond.
fn is_safety_id(id: &str) -> bool {
    id.split_once("Z-")
        .is_some_and(|(_, label)| label == SAFETY_LABEL || label.strip_prefix(SAFETY_LABEL).is_some_and(|n| n.starts_with('-')))
}

/// Outcome of [`RestoreManager::verify`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Backup verified.
    pub id: String,
    /// Whether the backup and its whole chain are intact and readable by this build.
    pub ok: bool,
    /// What is wrong, when something is.
    pub problem: Option<String>,
    /// The chain, oldest (full) first, as far as it could be followed.
    pub chain: Vec<String>,
    /// Tables the restored state would hold (0 when not ok).
    pub tables: usize,
    /// Keys the restored state would hold (0 when not ok).
    pub entries: u64,
}

/// Outcome of [`RestoreManager::restore`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreResult {
    /// Backup restored.
    pub id: String,
    /// The chain applied, oldest (full) first.
    pub chain: Vec<String>,
    /// Tables written.
    pub tables: usize,
    /// Keys written.
    pub entries: u64,
}

fn io(path: &Path, what: &str, e: std::io::Error) -> StorageError {
    StorageError::io(format!("cannot {what} {}: {e}", path.display()), e)
}

/// Resolves the configured backup directory: absolute as given, relative from the data
/// directory (an in-memory database has none: then the path must be absolute).
fn resolve_dir(storage: &StorageManager, backup_dir: &str) -> Result<PathBuf> {
    storage.ensure_open()?;
    let p = Path::new(backup_dir);
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    match storage.path() {
        Some(data) => Ok(data.join(p)),
        None => {
            Err(StorageError::invalid("backup_dir", format!("{backup_dir:?} is relative, and an in-memory database has no data directory")))
        }
    }
}

/// The files of a backup directory.
struct BackupDir {
    dir: PathBuf,
}

impl BackupDir {
    fn path_of(&self, id: &str) -> Result<PathBuf> {
        check_backup_id(id)?;
        Ok(self.dir.join(format!("{id}.{BACKUP_EXTENSION}")))
    }

    /// Reads a whole backup file, refusing it before reading when it exceeds the limit.
    fn read(&self, id: &str) -> Result<Vec<u8>> {
        let path = self.path_of(id)?;
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StorageError::not_found("backup", id)),
            Err(e) => return Err(io(&path, "open", e)),
        };
        let len = file.metadata().map_err(|e| io(&path, "stat", e))?.len();
        if len > MAX_SNAPSHOT_BYTES {
            return Err(StorageError::invalid("backup", format!("{id} is {len} bytes; the limit is {MAX_SNAPSHOT_BYTES}")));
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.take(MAX_SNAPSHOT_BYTES + 1).read_to_end(&mut bytes).map_err(|e| io(&path, "read", e))?;
        Ok(bytes)
    }

    /// Reads just the header and manifest of a backup file.
    fn info(&self, id: &str) -> Result<BackupInfo> {
        let path = self.path_of(id)?;
        let file = std::fs::File::open(&path).map_err(|e| io(&path, "open", e))?;
        let size_bytes = file.metadata().map_err(|e| io(&path, "stat", e))?.len();
        let mut head = Vec::new();
        file.take((16 + MAX_JSON_BYTES + 8) as u64).read_to_end(&mut head).map_err(|e| io(&path, "read", e))?;
        let (manifest, problem) = match Snapshot::read_manifest(&head) {
            Ok((m, _)) if m.id.as_deref() == Some(id) => (Some(m), None),
            Ok((m, _)) => (None, Some(format!("the file holds backup {:?}, not {id:?}", m.id))),
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(BackupInfo { id: id.to_string(), path, size_bytes, manifest, problem })
    }

    /// Every backup file, oldest first (by creation time, then id).
    fn list(&self) -> Result<Vec<BackupInfo>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&self.dir, "list", e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io(&self.dir, "list", e))?;
            let name = entry.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(&format!(".{BACKUP_EXTENSION}"))) else { continue };
            if check_backup_id(id).is_ok() && entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
                out.push(self.info(id)?);
            }
        }
        // Generated ids start with their UTC time, so id order is age order, and a file whose
        // header no longer reads keeps its place instead of sorting first.
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Reads `id` and every backup it builds on; returns (id, bytes) oldest first.
    fn read_chain(&self, id: &str, chain: &mut Vec<String>) -> Result<Vec<Vec<u8>>> {
        let mut files = Vec::new();
        let mut current = id.to_string();
        let mut seen = BTreeSet::new();
        loop {
            if !seen.insert(current.clone()) || files.len() >= MAX_CHAIN {
                return Err(StorageError::Corrupted(format!("backup chain of {id:?} loops or is too long")));
            }
            let bytes = self.read(&current).map_err(|e| match e {
                StorageError::NotFound { .. } if current != id => StorageError::Corrupted(format!("base backup {current:?} is missing")),
                other => other,
            })?;
            chain.insert(0, current.clone());
            let (manifest, _) = Snapshot::read_manifest(&bytes)?;
            if manifest.id.as_deref() != Some(current.as_str()) {
                return Err(StorageError::Corrupted(format!("file {current:?} holds backup {:?}", manifest.id)));
            }
            files.push(bytes);
            match manifest.base_id {
                Some(base) => current = base,
                None => break,
            }
        }
        files.reverse();
        Ok(files)
    }
}

/// Verifies every file of a chain and materializes it.
fn decode_chain(files: &[Vec<u8>]) -> Result<ChainState<'_>> {
    let snaps = files.iter().map(|b| Snapshot::read_from(b)).collect::<Result<Vec<_>>>()?;
    ChainState::from_chain(&snaps)
}

/// Takes backups of a [`StorageManager`] into the configured directory (the seed's
/// `BackupManager`).
///
/// ```
/// use neotalk_storage::{StorageManager, BackupConfig, BackupType};
/// use neotalk_storage::backup::{BackupManager, RestoreManager};
/// let data = tempfile::tempdir().unwrap();
/// let db = StorageManager::open(data.path()).unwrap();
/// let backups = BackupManager::new(&db, BackupConfig::default()).unwrap();
/// let info = backups.backup(&BackupType::Full).unwrap();
/// let restore = RestoreManager::new(&db, backups.dir());
/// assert!(restore.verify(&info.id).unwrap().ok);
/// ```
pub struct BackupManager {
    storage: StorageManager,
    config: BackupConfig,
    files: BackupDir,
}

impl BackupManager {
    /// A manager writing into `config.backup_dir` (relative to the data directory).
    pub fn new(storage: &StorageManager, config: BackupConfig) -> Result<Self> {
        if config.retain_count == 0 {
            return Err(StorageError::invalid("retain_count", "must be at least 1"));
        }
        let dir = resolve_dir(storage, &config.backup_dir)?;
        Ok(BackupManager { storage: storage.clone(), config, files: BackupDir { dir } })
    }

    /// The backup directory.
    pub fn dir(&self) -> &Path {
        &self.files.dir
    }

    /// The settings.
    pub fn config(&self) -> &BackupConfig {
        &self.config
    }

    /// Takes one backup from one consistent read snapshot (writes go on meanwhile), writes it
    /// atomically into the backup directory, then removes backups beyond `retain_count`.
    ///
    /// An incremental is based on the newest full or incremental backup in the directory
    /// (its whole chain is verified first, and the backup fails when it does not verify);
    /// when there is none, a full backup is taken instead (the returned manifest says
    /// which). Building an incremental holds the base chain's keys and value hashes in
    /// memory.
    pub fn backup(&self, kind: &BackupType) -> Result<BackupInfo> {
        self.take(kind, None)
    }

    /// Takes a backup of `kind`, labelled `label` instead of its kind when given.
    fn take(&self, kind: &BackupType, label_as: Option<&str>) -> Result<BackupInfo> {
        self.storage.ensure_open()?;
        std::fs::create_dir_all(&self.files.dir).map_err(|e| io(&self.files.dir, "create", e))?;
        let now = crate::storage::clock::unix_ms();
        let base_files = match kind {
            BackupType::Incremental => self
                .chain_tip()?
                .map(|tip| -> Result<_> {
                    let mut chain = Vec::new();
                    Ok((tip.clone(), self.files.read_chain(&tip, &mut chain)?))
                })
                .transpose()?,
            _ => None,
        };
        let base = match &base_files {
            Some((tip, files)) => Some(BaseIndex::new(tip, &decode_chain(files)?)),
            None => None,
        };
        let (mut options, label) = match (kind, &base) {
            (BackupType::Incremental, Some(b)) => (SnapshotOptions::incremental(now, b), "incremental"),
            (BackupType::Selective { tables }, _) => (SnapshotOptions::selective(now, tables.clone()), "selective"),
            _ => (SnapshotOptions::full(now), "full"),
        };
        let id = self.unused_id(now, label_as.unwrap_or(label))?;
        options.id = Some(id.clone());
        let path = self.files.path_of(&id)?;
        let tmp = self.files.dir.join(format!(".{id}.tmp"));
        let written = (|| {
            let view = self.storage.snapshot_view()?;
            let file = std::fs::File::create(&tmp).map_err(|e| io(&tmp, "create", e))?;
            let mut out = std::io::BufWriter::new(file);
            Snapshot::write_to(&*view, &options, &mut out)?;
            let file = out.into_inner().map_err(|e| io(&tmp, "write", e.into_error()))?;
            file.sync_all().map_err(|e| io(&tmp, "fsync", e))?;
            std::fs::rename(&tmp, &path).map_err(|e| io(&path, "rename onto", e))?;
            sync_dir(&self.files.dir)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        self.prune()?;
        self.files.info(&id)
    }

    /// Takes a full backup of the live data to undo a restore with: its id is
    /// `<UTC time>Z-pre-restore` ([`BackupInfo::is_safety_copy`]). Safety copies are kept
    /// until removed by hand: they do not count towards `retain_count`, pruning never removes
    /// them, incrementals never build on them, and [`RestoreManager::newest`] skips them, so
    /// restoring "the newest" twice restores the same backup.
    pub fn safety_backup(&self) -> Result<BackupInfo> {
        self.take(&BackupType::Full, Some(SAFETY_LABEL))
    }

    /// Takes one backup of each kind in `enabled_backups`, in order.
    pub fn run_enabled(&self) -> Result<Vec<BackupInfo>> {
        self.config.enabled_backups.iter().map(|k| self.backup(k)).collect()
    }

    /// The newest full or incremental backup whose header reads.
    fn chain_tip(&self) -> Result<Option<String>> {
        Ok(self
            .files
            .list()?
            .into_iter()
            .rev()
            .find(|b| !b.is_safety_copy() && b.manifest.as_ref().is_some_and(|m| m.kind != SnapshotKind::Selective))
            .map(|b| b.id))
    }

    fn unused_id(&self, now: i64, label: &str) -> Result<String> {
        let base = generate_id(now, label);
        let mut id = base.clone();
        let mut n = 1;
        while self.files.path_of(&id)?.exists() {
            id = format!("{base}-{n}");
            n += 1;
        }
        Ok(id)
    }

    /// Removes the oldest backups beyond `retain_count`, never the base (or any ancestor) of
    /// a kept incremental, never a safety copy and never a file whose header does not read.
    /// Returns the ids removed.
    pub fn prune(&self) -> Result<Vec<String>> {
        self.storage.ensure_open()?;
        let list: Vec<BackupInfo> = self.files.list()?.into_iter().filter(|b| b.manifest.is_some() && !b.is_safety_copy()).collect();
        let keep_n = self.config.retain_count as usize;
        if list.len() <= keep_n {
            return Ok(Vec::new());
        }
        let by_id: std::collections::BTreeMap<&str, &BackupInfo> = list.iter().map(|b| (b.id.as_str(), b)).collect();
        let mut keep = BTreeSet::new();
        for b in list.iter().rev().take(keep_n) {
            let mut cur = Some(b);
            while let Some(c) = cur {
                if !keep.insert(c.id.clone()) {
                    break;
                }
                cur = c.manifest.as_ref().and_then(|m| m.base_id.as_deref()).and_then(|id| by_id.get(id).copied());
            }
        }
        let mut removed = Vec::new();
        for b in &list {
            if !keep.contains(&b.id) {
                std::fs::remove_file(&b.path).map_err(|e| io(&b.path, "remove", e))?;
                removed.push(b.id.clone());
            }
        }
        if !removed.is_empty() {
            sync_dir(&self.files.dir)?;
        }
        Ok(removed)
    }
}

/// Lists, verifies and restores backups (the seed's `RestoreManager`).
pub struct RestoreManager {
    storage: StorageManager,
    files: BackupDir,
}

impl RestoreManager {
    /// A manager for the backups in `backup_dir`, restoring into `storage`.
    pub fn new(storage: &StorageManager, backup_dir: impl AsRef<Path>) -> Self {
        RestoreManager { storage: storage.clone(), files: BackupDir { dir: backup_dir.as_ref().to_path_buf() } }
    }

    /// A manager for the directory configured in `config` (relative to the data directory).
    pub fn for_config(storage: &StorageManager, config: &BackupConfig) -> Result<Self> {
        Ok(Self::new(storage, resolve_dir(storage, &config.backup_dir)?))
    }

    /// Every backup file in the directory, oldest first. Files whose header does not read
    /// are listed with their `problem`.
    pub fn list_backups(&self) -> Result<Vec<BackupInfo>> {
        self.storage.ensure_open()?;
        self.files.list()
    }

    /// The newest backup that is not a safety copy, by id (generated ids start with their
    /// time), damaged or not: an operator who verifies or restores "the newest" must hear
    /// that it is damaged rather than silently get an older one.
    pub fn newest(&self) -> Result<Option<BackupInfo>> {
        Ok(self.list_backups()?.into_iter().rev().find(|b| !b.is_safety_copy()))
    }

    /// Checks a backup and its whole chain (magic, versions, every checksum and count, the
    /// links between incrementals) without touching live data. A damaged backup gives
    /// `Ok` with `ok == false` and the problem; a hostile id `InvalidInput`; an unknown id
    /// `NotFound`.
    pub fn verify(&self, id: &str) -> Result<VerifyReport> {
        self.storage.ensure_open()?;
        check_backup_id(id)?;
        if !self.files.path_of(id)?.exists() {
            return Err(StorageError::not_found("backup", id));
        }
        let mut chain = Vec::new();
        let result = self.files.read_chain(id, &mut chain).and_then(|files| {
            let state = decode_chain(&files)?;
            Ok((state.tables.len(), state.entries()))
        });
        Ok(match result {
            Ok((tables, entries)) => VerifyReport { id: id.to_string(), ok: true, problem: None, chain, tables, entries },
            Err(e) => VerifyReport { id: id.to_string(), ok: false, problem: Some(e.to_string()), chain, tables: 0, entries: 0 },
        })
    }

    /// Restores a backup: verifies the whole chain, then replaces the live data (every table,
    /// or the tables of a selective backup) in one atomic write batch. Any failure leaves the
    /// live data as it was.
    pub fn restore(&self, id: &str) -> Result<RestoreResult> {
        self.storage.ensure_open()?;
        let mut chain = Vec::new();
        let files = self.files.read_chain(id, &mut chain)?;
        let state = decode_chain(&files)?;
        self.storage.replace_tables(&state)?;
        Ok(RestoreResult { id: id.to_string(), chain, tables: state.tables.len(), entries: state.entries() })
    }
}

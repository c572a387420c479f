//! Where config files live: a directory natively, a map in memory (wasm, tests).
//!
//! `ConfigStore` reads and writes through this seam only, so the same API works without a
//! filesystem.

use crate::error::Result;
#[cfg(not(target_arch = "wasm32"))]
use crate::error::StorageError;
#[cfg(not(target_arch = "wasm32"))]
use crate::limits::MAX_CONFIG_FILE_BYTES;
use parking_lot::RwLock;
use std::collections::BTreeMap;

/// Storage of config files by relative path (`system.yaml`, `rules/x.rule`).
pub(crate) trait ConfigSource: Send + Sync {
    /// The text of `rel`, or `None` when it does not exist.
    fn read(&self, rel: &str) -> Result<Option<String>>;
    /// Replaces `rel` with `text` atomically: a reader sees the old or the new file, never a mix.
    fn write(&self, rel: &str, text: &str) -> Result<()>;
    /// Relative paths of the files directly inside folder `dir`, sorted.
    fn list(&self, dir: &str) -> Result<Vec<String>>;
}

/// Config files held in memory.
#[derive(Default)]
pub(crate) struct MemorySource {
    files: RwLock<BTreeMap<String, String>>,
}

impl ConfigSource for MemorySource {
    fn read(&self, rel: &str) -> Result<Option<String>> {
        Ok(self.files.read().get(rel).cloned())
    }

    fn write(&self, rel: &str, text: &str) -> Result<()> {
        self.files.write().insert(rel.to_string(), text.to_string());
        Ok(())
    }

    fn list(&self, dir: &str) -> Result<Vec<String>> {
        let prefix = format!("{dir}/");
        Ok(self.files.read().keys().filter(|k| k.strip_prefix(&prefix).is_some_and(|rest| !rest.contains('/'))).cloned().collect())
    }
}

/// Config files in a directory on disk.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) struct DirSource {
    pub(crate) root: std::path::PathBuf,
}

#[cfg(not(target_arch = "wasm32"))]
impl DirSource {
    fn io(path: &std::path::Path, what: &str, e: std::io::Error) -> StorageError {
        StorageError::io(format!("cannot {what} {}: {e}", path.display()), e)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ConfigSource for DirSource {
    fn read(&self, rel: &str) -> Result<Option<String>> {
        use std::io::Read;
        let path = self.root.join(rel);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Self::io(&path, "read", e)),
        };
        // Read at most one byte past the limit, so a huge file is refused without loading it.
        let mut text = String::new();
        file.take(MAX_CONFIG_FILE_BYTES as u64 + 1).read_to_string(&mut text).map_err(|e| Self::io(&path, "read", e))?;
        Ok(Some(text))
    }

    fn write(&self, rel: &str, text: &str) -> Result<()> {
        let path = self.root.join(rel);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| Self::io(&dir, "create", e))?;
        crate::ops::config::atomic_file::write(&path, text.as_bytes())
    }

    fn list(&self, dir: &str) -> Result<Vec<String>> {
        let path = self.root.join(dir);
        let entries = match std::fs::read_dir(&path) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::io(&path, "list", e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Self::io(&path, "list", e))?;
            let is_file = entry.file_type().map_err(|e| Self::io(&path, "list", e))?.is_file();
            let name = entry.file_name();
            // Temp files of an interrupted save start with '.'; they are not definitions.
            if let (true, Some(name)) = (is_file, name.to_str()) {
                if !name.starts_with('.') {
                    out.push(format!("{dir}/{name}"));
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

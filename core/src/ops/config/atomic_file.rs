//! Crash-safe file replacement: temp file in the same directory, fsync, rename, fsync the dir.

use crate::error::{Result, StorageError};
use std::io::Write;
use std::path::Path;

/// Replaces `path` with `bytes` so that after a crash the file is either the old or the new
/// one. On failure the temp file is removed and the old file is left as it was.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().ok_or_else(|| StorageError::invalid("path", format!("{} has no parent directory", path.display())))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let io = |what: &str, p: &Path, e: std::io::Error| StorageError::io(format!("cannot {what} {}: {e}", p.display()), e);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| io("create", &tmp, e))?;
        f.write_all(bytes).map_err(|e| io("write", &tmp, e))?;
        f.sync_all().map_err(|e| io("fsync", &tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| io("rename onto", path, e))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Makes a rename in `dir` durable (directories cannot be fsynced on Windows: skipped there).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| StorageError::io(format!("cannot fsync {}: {e}", dir.display()), e))?;
    }
    let _ = dir;
    Ok(())
}

//! The state file on disk (`--state.file`): reading it at start and
//! replacing it atomically, so that a crash mid-write leaves the old file
//! or the new one, never half of either. The format is
//! [`crate::model::snapshot`]'s.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use tracing::{info, warn};

use crate::model::snapshot::{self, AccountSnapshot, SnapshotError};

/// Why the state file could not be used or written. Never fatal: the
/// exporter logs it and carries on without (or with the old) file.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Its content is not a usable state file.
    #[error("state file {path}: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: SnapshotError,
    },
}

/// The state file at one path.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// The state file at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The accounts it holds; `Ok(None)` when there is no file yet.
    pub fn load(&self) -> Result<Option<BTreeMap<String, AccountSnapshot>>, StateFileError> {
        let io_error = |source| StateFileError::Io { path: self.path.clone(), source };
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io_error(err)),
        };
        // A FIFO or device at the path would block or never end.
        if !file.metadata().map_err(io_error)?.is_file() {
            return Err(io_error(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file")));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io_error)?;
        snapshot::decode(&bytes)
            .map(Some)
            .map_err(|source| StateFileError::Format { path: self.path.clone(), source })
    }

    /// The accounts to start from: the file's, or none when it is missing
    /// (normal on a first start) or unusable (logged with its path; it is
    /// replaced after the next successful refresh, never fatal).
    pub fn load_at_start(&self) -> BTreeMap<String, AccountSnapshot> {
        match self.load() {
            Ok(Some(accounts)) => accounts,
            Ok(None) => {
                info!(path = %self.path.display(), "no state file yet; it is written after the first successful refresh");
                BTreeMap::new()
            }
            Err(err) => {
                warn!(
                    path = %self.path.display(),
                    error = %err,
                    "ignoring the state file; it is replaced after the next successful refresh"
                );
                BTreeMap::new()
            }
        }
    }

    /// Replaces the file with `bytes`: a temporary file beside it (mode
    /// 0600), fsync, rename over the old one, fsync of the directory.
    pub fn replace(&self, bytes: &[u8]) -> Result<(), StateFileError> {
        replace_atomically(&self.path, bytes)
            .map_err(|source| StateFileError::Io { path: self.path.clone(), source })
    }
}

fn replace_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temporary = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    let written = write_new(&temporary, bytes).and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    // The rename is durable only once the directory entry is.
    File::open(dir)?.sync_all()
}

/// Writes a new file at `path` readable by the owner only. A leftover from
/// a crash is removed first; `create_new` then refuses to follow a symlink
/// planted in its place.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        // The umask may have taken bits away but never adds any; set the
        // mode anyway so it is exactly 0600.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests;

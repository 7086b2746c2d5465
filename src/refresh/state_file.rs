//! The state file on disk (`--state.file`): reading it at start, only when
//! it can be trusted (a regular file of at most [`MAX_STATE_FILE_BYTES`],
//! owned by the exporter's user and not writable by every user), and replacing
//! it atomically, so that a crash mid-write leaves the old file or the new
//! one, never half of either. The format is [`crate::model::snapshot`]'s.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use tracing::{info, warn};

use crate::clock::unix_now;
use crate::model::snapshot::{self, AccountSnapshot, Adjustment, Checked, SnapshotError};

/// The most the state file may hold, read or written: 1,000 accounts take
/// about 20 MB, so this leaves room for ten times that and bounds what a
/// stray or planted file can make the exporter read.
pub const MAX_STATE_FILE_BYTES: u64 = 256 << 20;

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
    /// Not a file the exporter may trust: not a regular file, too large,
    /// owned by another user or writable by every user.
    #[error("state file {path}: {why}")]
    Untrusted {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
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
        Ok(self.load_checked()?.map(|(accounts, _)| accounts))
    }

    /// [`Self::load`], with what was dropped or clamped on the way.
    pub fn load_checked(&self) -> Result<Option<Checked>, StateFileError> {
        let io_error = |source| StateFileError::Io { path: self.path.clone(), source };
        let untrusted = |why: String| StateFileError::Untrusted { path: self.path.clone(), why };
        // Not following a FIFO or device: checked on the path before opening,
        // which would block on a FIFO.
        match fs::metadata(&self.path) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io_error(err)),
            Ok(metadata) if !metadata.is_file() => {
                return Err(untrusted("is not a regular file".to_owned()));
            }
            Ok(_) => {}
        }
        let file = File::open(&self.path).map_err(io_error)?;
        // Checked again on what was opened: the path may have changed since.
        let metadata = file.metadata().map_err(io_error)?;
        if let Some(why) = distrust(&metadata) {
            return Err(untrusted(why));
        }
        let mut bytes = Vec::new();
        file.take(MAX_STATE_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io_error)?;
        if bytes.len() as u64 > MAX_STATE_FILE_BYTES {
            return Err(untrusted(format!("grew past {MAX_STATE_FILE_BYTES} bytes while read")));
        }
        let written = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(f64::MAX, |d| d.as_secs_f64());
        snapshot::decode_checked(&bytes, written.min(unix_now()))
            .map(Some)
            .map_err(|source| StateFileError::Format { path: self.path.clone(), source })
    }

    /// The accounts to start from: the file's, or none when it is missing
    /// (normal on a first start) or unusable (logged with its path; it is
    /// replaced after the next successful refresh, never fatal).
    pub fn load_at_start(&self) -> BTreeMap<String, AccountSnapshot> {
        match self.load_checked() {
            Ok(Some((accounts, adjustments))) => {
                for adjustment in adjustments {
                    log_adjustment(&self.path, &adjustment);
                }
                accounts
            }
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
    /// 0600), fsync, rename over the old one, fsync of the directory. More
    /// than [`MAX_STATE_FILE_BYTES`] is refused: it could not be read back.
    pub fn replace(&self, bytes: &[u8]) -> Result<(), StateFileError> {
        if bytes.len() as u64 > MAX_STATE_FILE_BYTES {
            return Err(StateFileError::Untrusted {
                path: self.path.clone(),
                why: format!(
                    "the new content is {} bytes, more than the {MAX_STATE_FILE_BYTES} it may hold; the old file stays",
                    bytes.len()
                ),
            });
        }
        replace_atomically(&self.path, bytes)
            .map_err(|source| StateFileError::Io { path: self.path.clone(), source })
    }
}

/// Why a state file with these facts must not be served, if it must not.
fn distrust(metadata: &fs::Metadata) -> Option<String> {
    if metadata.len() > MAX_STATE_FILE_BYTES {
        return Some(format!(
            "is {} bytes; a state file holds at most {MAX_STATE_FILE_BYTES}",
            metadata.len()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = rustix::process::geteuid().as_raw();
        if metadata.uid() != me {
            return Some(format!(
                "is owned by user {}, not by the exporter's user {me}: another user could have planted it",
                metadata.uid()
            ));
        }
        // Group write is allowed: Kubernetes adds it (fsGroup) to every
        // file of a volume it mounts, the state file's included.
        if metadata.mode() & 0o002 != 0 {
            return Some(format!(
                "is writable by every user (mode {:o}): chmod 600 it",
                metadata.mode() & 0o777
            ));
        }
    }
    None
}

fn log_adjustment(path: &Path, adjustment: &Adjustment) {
    match adjustment {
        Adjustment::Dropped { account_id, why } => {
            warn!(path = %path.display(), account_id = ?account_id, why, "left an entry of the state file out");
        }
        Adjustment::Clamped { account_id, from, to } => warn!(
            path = %path.display(),
            account_id,
            written = from,
            used = to,
            "the state file dates an account's last success after the file itself was written; using the file's time"
        ),
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

//! Reading a file the operator named (`--config.file`, `--web.config.file`,
//! the TLS files it names, token files) without trusting what is at the
//! path: it must be a regular file (a symlink to one is fine) of at most a
//! given size. Anything else is refused with what it is, before it can hang
//! start-up (a FIFO blocks on open, `/dev/urandom` never ends) or grow
//! memory without end (`/dev/zero`). Owns only that check and the bounded
//! read; callers say which option named the path.
//!
//! May use: nothing of the crate.

use std::fmt;
use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest configuration file or PEM bundle read: 1 MiB. A web config,
/// a credentials file or a CA bundle (the whole Mozilla bundle is about
/// 220 KiB) is far smaller.
pub const CONFIG_LIMIT: u64 = 1024 * 1024;

/// Largest token file read: 64 KiB. A Cloudflare token is 40 characters.
pub const TOKEN_LIMIT: u64 = 64 * 1024;

/// A named file that cannot be used; its message names the path and what
/// is wrong, never the content.
#[derive(Debug, thiserror::Error)]
#[error("{path} {problem}")]
pub struct OperatorFileError {
    /// The file as named.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a named file.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// It does not exist, or cannot be looked at, opened or read.
    #[error("cannot be read: {0}")]
    Unreadable(#[source] std::io::Error),
    /// A directory, a FIFO, a socket, a device.
    #[error("is {0}, not a regular file")]
    NotRegular(Kind),
    /// Its size is above the limit.
    #[error("is {}; at most {} is read", human(.size), human(.limit))]
    TooLarge {
        /// What its metadata says.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// It held more than the limit although its size said otherwise (it
    /// grew while read, or reports no size, as some virtual files do).
    #[error("holds more than {}; at most {} is read", human(.limit), human(.limit))]
    Grew {
        /// The limit.
        limit: u64,
    },
    /// Text was expected.
    #[error("is not UTF-8 text")]
    NotText,
}

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A directory.
    Directory,
    /// A named pipe: opening it waits for a writer.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A character device, such as `/dev/zero` or `/dev/urandom`.
    CharacterDevice,
    /// A block device.
    BlockDevice,
    /// Anything else.
    Other,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Directory => "a directory",
            Kind::Fifo => "a FIFO",
            Kind::Socket => "a socket",
            Kind::CharacterDevice => "a character device",
            Kind::BlockDevice => "a block device",
            Kind::Other => "not a file",
        })
    }
}

/// What a non-regular file type is; `None` for a regular file.
pub fn kind_of(file_type: FileType) -> Option<Kind> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some(Kind::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some(Kind::Fifo);
        }
        if file_type.is_socket() {
            return Some(Kind::Socket);
        }
        if file_type.is_char_device() {
            return Some(Kind::CharacterDevice);
        }
        if file_type.is_block_device() {
            return Some(Kind::BlockDevice);
        }
    }
    Some(Kind::Other)
}

/// The bytes of the regular file at `path` (symlinks followed), at most
/// `limit` of them. The type and size are checked before the file is
/// opened, since opening a FIFO blocks until someone writes; the read is
/// bounded too, so a file that grows or reports no size stays bounded.
pub fn read_operator_file(path: &Path, limit: u64) -> Result<Vec<u8>, OperatorFileError> {
    let fail = |problem| OperatorFileError { path: path.to_owned(), problem };
    let metadata = std::fs::metadata(path).map_err(|e| fail(Problem::Unreadable(e)))?;
    check(&metadata, limit).map_err(fail)?;
    let file = File::open(path).map_err(|e| fail(Problem::Unreadable(e)))?;
    // The path may have been replaced between the look and the open: what
    // was opened is checked again.
    let opened = file.metadata().map_err(|e| fail(Problem::Unreadable(e)))?;
    check(&opened, limit).map_err(fail)?;
    let capacity = usize::try_from(opened.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| fail(Problem::Unreadable(e)))?;
    if bytes.len() as u64 > limit {
        return Err(fail(Problem::Grew { limit }));
    }
    Ok(bytes)
}

/// [`read_operator_file`] for a file that must hold UTF-8 text.
pub fn read_operator_text(path: &Path, limit: u64) -> Result<String, OperatorFileError> {
    let bytes = read_operator_file(path, limit)?;
    String::from_utf8(bytes)
        .map_err(|_| OperatorFileError { path: path.to_owned(), problem: Problem::NotText })
}

/// A regular file within `limit`.
fn check(metadata: &Metadata, limit: u64) -> Result<(), Problem> {
    if let Some(kind) = kind_of(metadata.file_type()) {
        return Err(Problem::NotRegular(kind));
    }
    if metadata.len() > limit {
        return Err(Problem::TooLarge { size: metadata.len(), limit });
    }
    Ok(())
}

/// `bytes` for people, in an error message.
fn human(bytes: &u64) -> Size {
    Size(*bytes)
}

/// A byte count for people: `512 bytes`, `64 KiB`, `3.5 GiB`.
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if self.0 < 1024 {
            return write!(f, "{} bytes", self.0);
        }
        // Display only: the precision lost in the cast does not matter.
        let mut value = self.0 as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        // Rounded up, so a size just over a limit never reads as the limit.
        let value = (value * 10.0).ceil() / 10.0;
        if value.fract() == 0.0 {
            write!(f, "{value} {}", UNITS[unit])
        } else {
            write!(f, "{value:.1} {}", UNITS[unit])
        }
    }
}

#[cfg(test)]
mod tests;

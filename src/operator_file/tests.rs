//! Unit tests of `operator_file`: every kind of path an operator could
//! name by mistake is refused by what it is, without blocking or reading it.

use super::*;

/// A fresh directory for one test, removed when it ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cse-operator-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn problem(path: &Path, limit: u64) -> Problem {
    let err = read_operator_file(path, limit).expect_err("refused");
    assert_eq!(err.path, path);
    assert!(err.to_string().starts_with(&path.display().to_string()), "{err}");
    err.problem
}

#[test]
fn a_regular_file_and_a_symlink_to_one_are_read_whole() {
    let dir = Scratch::new("regular");
    let file = dir.join("config.yml");
    std::fs::write(&file, "a: 1\n").unwrap();
    assert_eq!(read_operator_text(&file, CONFIG_LIMIT).unwrap(), "a: 1\n");
    let link = dir.join("link.yml");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    assert_eq!(read_operator_file(&link, 5).unwrap(), b"a: 1\n");
    std::fs::write(&file, "").unwrap();
    assert_eq!(read_operator_file(&file, 0).unwrap(), b"");
}

#[test]
fn devices_are_refused_without_reading_them() {
    for device in ["/dev/zero", "/dev/urandom", "/dev/null"] {
        let path = Path::new(device);
        assert!(matches!(problem(path, CONFIG_LIMIT), Problem::NotRegular(Kind::CharacterDevice)));
        let text = read_operator_file(path, CONFIG_LIMIT).unwrap_err().to_string();
        assert_eq!(text, format!("{device} is a character device, not a regular file"));
    }
}

#[test]
fn a_directory_is_refused() {
    let dir = Scratch::new("directory");
    let text = read_operator_file(&dir.0, CONFIG_LIMIT).unwrap_err().to_string();
    assert!(text.ends_with("is a directory, not a regular file"), "{text}");
}

#[test]
fn a_fifo_is_refused_before_it_is_opened() {
    // An anonymous pipe is a FIFO to stat(2) through /proc/self/fd; opening
    // it for reading would wait for data that never comes.
    use std::os::fd::AsRawFd;
    let (reader, _writer) = std::io::pipe().unwrap();
    let path = PathBuf::from(format!("/proc/self/fd/{}", reader.as_raw_fd()));
    assert!(matches!(problem(&path, CONFIG_LIMIT), Problem::NotRegular(Kind::Fifo)));
    let text = read_operator_file(&path, CONFIG_LIMIT).unwrap_err().to_string();
    assert!(text.ends_with("is a FIFO, not a regular file"), "{text}");
}

#[test]
fn a_socket_is_refused() {
    let dir = Scratch::new("socket");
    let path = dir.join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    assert!(matches!(problem(&path, CONFIG_LIMIT), Problem::NotRegular(Kind::Socket)));
}

#[test]
fn a_file_above_the_limit_is_refused_by_its_size_without_reading_it() {
    let dir = Scratch::new("large");
    let path = dir.join("huge.pem");
    // Sparse: three GiB on paper, nothing on disk.
    File::create(&path).unwrap().set_len(3 * 1024 * 1024 * 1024).unwrap();
    let text = read_operator_file(&path, CONFIG_LIMIT).unwrap_err().to_string();
    assert_eq!(text, format!("{} is 3 GiB; at most 1 MiB is read", path.display()));
    std::fs::write(&path, [b'x'; 11]).unwrap();
    assert!(matches!(problem(&path, 10), Problem::TooLarge { size: 11, limit: 10 }));
    assert_eq!(read_operator_file(&path, 11).unwrap().len(), 11);
}

#[test]
fn a_file_that_reports_no_size_is_still_bounded() {
    // /proc files say they are empty and then hold lines.
    let path = Path::new("/proc/self/status");
    assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
    assert!(matches!(problem(path, 16), Problem::Grew { limit: 16 }));
    assert!(read_operator_text(path, CONFIG_LIMIT).unwrap().contains("Name:"));
}

#[test]
fn a_missing_file_or_dangling_symlink_is_unreadable() {
    let dir = Scratch::new("missing");
    let missing = dir.join("missing");
    assert!(matches!(problem(&missing, TOKEN_LIMIT), Problem::Unreadable(_)));
    let link = dir.join("dangling");
    std::os::unix::fs::symlink(&missing, &link).unwrap();
    let text = read_operator_file(&link, TOKEN_LIMIT).unwrap_err().to_string();
    assert!(text.contains("dangling cannot be read: No such file"), "{text}");
}

#[test]
fn text_must_be_utf8() {
    let dir = Scratch::new("text");
    let path = dir.join("binary");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(read_operator_file(&path, 3).unwrap(), [0xff, 0xfe, 0x00]);
    let text = read_operator_text(&path, 3).unwrap_err().to_string();
    assert!(text.ends_with("is not UTF-8 text"), "{text}");
}

#[test]
fn sizes_read_like_people_write_them() {
    let shown = |n| Size(n).to_string();
    assert_eq!(shown(0), "0 bytes");
    assert_eq!(shown(1023), "1023 bytes");
    assert_eq!(shown(64 * 1024), "64 KiB");
    assert_eq!(shown(1536), "1.5 KiB");
    assert_eq!(shown(CONFIG_LIMIT + 1), "1.1 MiB");
    assert_eq!(shown(u64::MAX), "16 EiB");
}

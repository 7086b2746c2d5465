//! Unit tests of `state_file`.

use super::*;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cse-state-file-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_missing_file_is_none_and_a_written_one_reads_back() {
    let dir = temp_dir("round-trip");
    let file = StateFile::new(dir.join("state.json"));
    assert!(file.load().unwrap().is_none());
    let accounts = BTreeMap::from([(
        "acc00000000000000000000000000000".to_owned(),
        AccountSnapshot::new(12.0, &[], &[]),
    )]);
    file.replace(&snapshot::encode(&accounts)).unwrap();
    file.replace(&snapshot::encode(&accounts)).unwrap();
    assert_eq!(file.load().unwrap(), Some(accounts));
    let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["state.json"], "no temporary file is left behind");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn unusable_files_are_errors_naming_the_path() {
    let dir = temp_dir("unusable");
    let corrupt = StateFile::new(dir.join("corrupt.json"));
    fs::write(corrupt.path(), "{\"version\": 1, \"accounts\": ").unwrap();
    let err = corrupt.load().unwrap_err();
    assert!(matches!(err, StateFileError::Format { .. }), "{err:?}");
    assert!(err.to_string().contains(&corrupt.path().display().to_string()), "{err}");
    let a_directory = StateFile::new(dir.clone());
    assert!(matches!(a_directory.load(), Err(StateFileError::Io { .. })));
    let no_dir = StateFile::new(dir.join("missing-dir").join("state.json"));
    let err = no_dir.replace(b"{}").unwrap_err();
    assert!(err.to_string().contains("missing-dir"), "{err}");
    let _ = fs::remove_dir_all(&dir);
}

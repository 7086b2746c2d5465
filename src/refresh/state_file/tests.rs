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
    let err = a_directory.load().unwrap_err();
    assert!(
        matches!(err, StateFileError::Untrusted { .. }) && err.to_string().contains("not a regular file"),
        "{err}"
    );
    let no_dir = StateFile::new(dir.join("missing-dir").join("state.json"));
    let err = no_dir.replace(b"{}").unwrap_err();
    assert!(err.to_string().contains("missing-dir"), "{err}");
    let _ = fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_file_others_could_have_written_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("untrusted");
    let accounts = BTreeMap::from([(
        "0123456789abcdef0123456789abcdef".to_owned(),
        AccountSnapshot::new(12.0, &[], &[]),
    )]);
    let file = StateFile::new(dir.join("state.json"));
    file.replace(&snapshot::encode(&accounts)).unwrap();
    fs::set_permissions(file.path(), fs::Permissions::from_mode(0o660)).unwrap();
    assert_eq!(file.load().unwrap(), Some(accounts.clone()), "group write is Kubernetes' fsGroup");
    fs::set_permissions(file.path(), fs::Permissions::from_mode(0o666)).unwrap();
    let err = file.load().unwrap_err();
    assert!(
        matches!(err, StateFileError::Untrusted { .. }) && err.to_string().contains("chmod 600"),
        "{err}"
    );

    // Another user's file: one we give away when we are root, else one of the system's.
    let foreign = if rustix::process::geteuid().is_root() {
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::chown(file.path(), Some(65534), None).unwrap();
        file.clone()
    } else {
        StateFile::new(PathBuf::from("/etc/passwd"))
    };
    let err = foreign.load().unwrap_err();
    assert!(err.to_string().contains("is owned by user"), "{err}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_file_past_the_bound_is_neither_read_nor_written() {
    let dir = temp_dir("too-large");
    let file = StateFile::new(dir.join("state.json"));
    // Sparse: the size is claimed, not written.
    File::create(file.path()).unwrap().set_len(MAX_STATE_FILE_BYTES + 1).unwrap();
    let err = file.load().unwrap_err();
    assert!(matches!(err, StateFileError::Untrusted { .. }) && err.to_string().contains("at most"), "{err}");
    let too_much = vec![0u8; MAX_STATE_FILE_BYTES as usize + 1];
    let err = file.replace(&too_much).unwrap_err();
    assert!(err.to_string().contains("the old file stays"), "{err}");
    assert_eq!(fs::metadata(file.path()).unwrap().len(), MAX_STATE_FILE_BYTES + 1, "not replaced");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_last_success_after_the_file_was_written_is_moved_back_to_it() {
    let dir = temp_dir("future");
    let file = StateFile::new(dir.join("state.json"));
    let year_2100 = 4_102_444_800.0;
    let id = "0123456789abcdef0123456789abcdef".to_owned();
    file.replace(&snapshot::encode(&BTreeMap::from([(
        id.clone(),
        AccountSnapshot::new(year_2100, &[], &[]),
    )])))
    .unwrap();
    let (accounts, adjustments) = file.load_checked().unwrap().unwrap();
    let used = accounts[&id].last_success_timestamp_seconds;
    assert!(used <= unix_now() && used > unix_now() - 600.0, "{used}");
    assert!(
        matches!(&adjustments[..], [Adjustment::Clamped { from, .. }] if *from == year_2100),
        "{adjustments:?}"
    );
    let _ = fs::remove_dir_all(&dir);
}

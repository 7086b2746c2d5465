//! The `--idp-metadata.*` flags.

use std::time::Duration;

use super::*;

fn args(ca_file: Option<&std::path::Path>, interval: &str) -> IdpMetadataArgs {
    IdpMetadataArgs {
        ca_file: ca_file.map(std::path::Path::to_path_buf),
        refresh_interval: interval.to_owned(),
        timeout: "30s".to_owned(),
    }
}

#[test]
fn defaults_give_an_hourly_read_without_extra_roots() {
    let config = idp_metadata_config(&args(None, "1h"), Vec::new()).unwrap();
    assert_eq!(config.refresh_interval, Duration::from_secs(3600));
    assert_eq!(config.fetch.timeout, Duration::from_secs(30));
    assert!(config.fetch.extra_roots_pem.is_none());
}

#[test]
fn a_bad_interval_or_ca_file_is_a_usage_error_naming_the_flag() {
    let err = idp_metadata_config(&args(None, "0s"), Vec::new()).unwrap_err().to_string();
    assert!(err.contains("--idp-metadata.refresh-interval"), "{err}");
    let missing = std::path::Path::new("/nonexistent/ca.pem");
    let err = idp_metadata_config(&args(Some(missing), "1h"), Vec::new()).unwrap_err().to_string();
    assert!(err.contains("--idp-metadata.ca-file") && err.contains("/nonexistent/ca.pem"), "{err}");
    let dir = std::env::temp_dir().join(format!("idp-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_pem = dir.join("ca.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let err = idp_metadata_config(&args(Some(&not_pem), "1h"), Vec::new()).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.contains("--idp-metadata.ca-file") && err.contains("no"), "{err}");
}

//! Hostile inputs: configuration. Every path the operator names (the
//! `--config.file` credentials file, `--web.config.file`, the TLS files it
//! names, token files) pointed at what is not a small regular file, empty
//! or unreadable token files, and numeric flags past what the code can use:
//! each exits 64 at once, naming the path or the flag, from `serve` and
//! (where the option applies) `check`, which must never exit 2 (CRITICAL)
//! for a configuration mistake.

use std::fs::File;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::support::{Exporter, TempDir};

/// How long a refusal may take. It reads no network and waits for nothing,
/// so it is over in milliseconds; the bound is for a loaded machine. What
/// it guards against (reading `/dev/zero`, waiting on a FIFO) never ends.
const REFUSAL: Duration = Duration::from_secs(10);

const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

/// A closed port: a request to it fails with exit 1 or 2, never 64, so a
/// 64 shows the refusal came first.
const CLOSED_API: &str = "http://127.0.0.1:9/client/v4";

/// A path that is not a small regular file, and what the refusal says it is.
struct Hostile {
    path: PathBuf,
    says: &'static str,
}

/// Every kind of hostile path; `dir` holds the ones made for the test.
fn hostile_paths(dir: &TempDir) -> (Vec<Hostile>, UnixListener) {
    let directory = dir.join("a-directory");
    std::fs::create_dir(&directory).unwrap();
    let socket = dir.join("a-socket");
    let listener = UnixListener::bind(&socket).unwrap();
    let huge = dir.join("huge");
    // Sparse: 3 GiB on paper, nothing on disk.
    File::create(&huge).unwrap().set_len(3 * 1024 * 1024 * 1024).unwrap();
    let paths = vec![
        Hostile { path: "/dev/zero".into(), says: "is a character device, not a regular file" },
        Hostile { path: "/dev/urandom".into(), says: "is a character device, not a regular file" },
        // The binary's own standard output: the pipe this test reads, a FIFO
        // to stat(2). Reading it would wait for ever, since the binary
        // itself holds the writing end.
        Hostile { path: "/proc/self/fd/1".into(), says: "is a FIFO, not a regular file" },
        Hostile { path: socket, says: "is a socket, not a regular file" },
        Hostile { path: directory, says: "is a directory, not a regular file" },
        Hostile { path: huge, says: "is 3 GiB; at most" },
    ];
    (paths, listener)
}

/// Runs `exporter` to its end within [`REFUSAL`] and asserts exit 64 with
/// every one of `named` in its standard error.
fn refused(exporter: Exporter, what: &str, named: &[&str]) -> String {
    let Output { status, stderr, .. } = exporter.run_within(REFUSAL);
    let err = String::from_utf8_lossy(&stderr).into_owned();
    assert_eq!(status.code(), Some(64), "{what}: {err}");
    for name in named {
        assert!(err.contains(name), "{what}: stderr does not name {name:?}: {err}");
    }
    err
}

/// `serve` (the default command) against a closed port, on loopback
/// should it ever get as far as listening.
fn serve() -> Exporter {
    Exporter::bare().api(CLOSED_API).args(["--web.listen-address", "127.0.0.1:0"])
}

/// `serve` and `check`, with `args`, against a closed port.
fn serve_and_check(args: &[&str]) -> [(&'static str, Exporter); 2] {
    [("serve", serve().args(args)), ("check", Exporter::check().api(CLOSED_API).args(args))]
}

fn credentials_file_naming_token_file(dir: &Path, token_file: &Path) -> PathBuf {
    let file = dir.join(format!("credentials-{}.yml", token_file.file_name().unwrap().to_string_lossy()));
    let yaml = format!(
        "credentials:\n  - name: ops\n    api_token_file: {}\n    accounts: [{ACCOUNT}]\n",
        token_file.display()
    );
    std::fs::write(&file, yaml).unwrap();
    file
}

#[test]
fn a_config_file_that_is_not_a_small_regular_file_exits_64_naming_it() {
    let dir = TempDir::new("hostile-config-file");
    let (paths, _socket) = hostile_paths(&dir);
    for Hostile { path, says } in &paths {
        let (shown, says) = (path.to_str().unwrap(), *says);
        for (command, exporter) in serve_and_check(&["--config.file", shown]) {
            let err = refused(exporter, &format!("{command} --config.file {shown}"), &[shown, says]);
            assert!(err.contains("--config.file"), "{err}");
        }
    }
}

#[test]
fn a_web_config_file_or_tls_file_that_is_not_a_small_regular_file_exits_64_naming_it() {
    let dir = TempDir::new("hostile-web-config");
    let (paths, _socket) = hostile_paths(&dir);
    let pki = crate::support::pki::pki(dir.path());
    for (index, Hostile { path, says }) in paths.iter().enumerate() {
        let (shown, says) = (path.to_str().unwrap(), *says);
        let exporter = serve().token("t").account(ACCOUNT).args(["--web.config.file", shown]);
        let err = refused(exporter, &format!("--web.config.file {shown}"), &[shown, says]);
        assert!(err.contains("--web.config.file"), "{err}");
        for key in ["cert_file", "key_file", "client_ca_file"] {
            let web = dir.join(&format!("web-{index}-{key}.yml"));
            std::fs::write(&web, tls_config_naming(key, path, &pki.dir)).unwrap();
            let exporter =
                serve().token("t").account(ACCOUNT).args(["--web.config.file", web.to_str().unwrap()]);
            let setting = format!("tls_server_config.{key}");
            refused(exporter, &format!("{setting}: {shown}"), &[shown, says, &setting]);
        }
    }
}

/// A web config whose `key` names `hostile`; the other files are the real
/// ones in `pki`, so only `key` can be at fault.
fn tls_config_naming(key: &str, hostile: &Path, pki: &Path) -> String {
    let real = |name: &str| pki.join(name).display().to_string();
    let pick = |this: &str, name: &str| if key == this { hostile.display().to_string() } else { real(name) };
    format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {}\n",
        pick("cert_file", "server.crt"),
        pick("key_file", "server.key"),
        pick("client_ca_file", "clients-ca.crt"),
    )
}

#[test]
fn a_token_file_that_is_not_a_small_regular_file_exits_64_naming_it() {
    let dir = TempDir::new("hostile-token-file");
    let (paths, _socket) = hostile_paths(&dir);
    for Hostile { path, says } in &paths {
        let shown = path.to_str().unwrap();
        let says = if says.starts_with("is 3 GiB") { "is 3 GiB; at most 64 KiB" } else { *says };
        let file = credentials_file_naming_token_file(dir.path(), path);
        for (command, exporter) in serve_and_check(&["--api-token-file", shown, "--account-id", ACCOUNT]) {
            refused(
                exporter,
                &format!("{command} --api-token-file {shown}"),
                &[shown, says, "--api-token-file"],
            );
        }
        for (command, exporter) in serve_and_check(&["--account-id", ACCOUNT]) {
            let exporter = exporter.env("CLOUDFLARE_API_TOKEN_FILE", shown);
            refused(exporter, &format!("{command} CLOUDFLARE_API_TOKEN_FILE={shown}"), &[shown, says]);
        }
        for (command, exporter) in serve_and_check(&["--config.file", file.to_str().unwrap()]) {
            let what = format!("{command} api_token_file: {shown}");
            refused(exporter, &what, &[shown, says, "api_token_file", "credentials[0] (ops)"]);
        }
    }
}

/// A path that cannot be read: a file of mode 000, unless the tests run as
/// root (who reads it anyway); then a symlink to nothing.
fn unreadable_token_file(dir: &TempDir) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("token-000");
    std::fs::write(&path, "tok-never-shown\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_err() {
        return path;
    }
    let dangling = dir.join("token-dangling");
    std::os::unix::fs::symlink(dir.join("no-such-token"), &dangling).unwrap();
    dangling
}

/// Issue 20: an empty or unreadable token file passed validation, so
/// `check` read nothing and exited 2, paging someone for a typo.
#[test]
fn an_empty_or_unreadable_token_file_exits_64_at_start_never_2() {
    let dir = TempDir::new("hostile-token-content");
    let empty = dir.join("token-empty");
    std::fs::write(&empty, " \n\t\n").unwrap();
    let unreadable = unreadable_token_file(&dir);
    for (path, says) in [(&empty, "is empty"), (&unreadable, "cannot be read")] {
        let shown = path.to_str().unwrap();
        let file = credentials_file_naming_token_file(dir.path(), path);
        let ways: [(&str, Vec<&str>, Option<&str>); 3] = [
            ("--api-token-file", vec!["--api-token-file", shown, "--account-id", ACCOUNT], None),
            ("CLOUDFLARE_API_TOKEN_FILE", vec!["--account-id", ACCOUNT], Some(shown)),
            ("api_token_file", vec!["--config.file", file.to_str().unwrap()], None),
        ];
        for (way, args, env) in ways {
            for (command, exporter) in serve_and_check(&args) {
                let exporter = match env {
                    Some(value) => exporter.env("CLOUDFLARE_API_TOKEN_FILE", value),
                    None => exporter,
                };
                let err = refused(exporter, &format!("{command} {way} {shown}"), &[shown, says]);
                assert!(!err.contains("tok-never-shown"), "{err}");
            }
        }
    }
}

/// Issue 20: `--web.max-requests 2305843009213693952` (one past tokio's
/// semaphore) panicked with exit 101.
#[test]
fn numbers_past_what_the_code_can_use_exit_64_naming_the_flag_and_range() {
    let serve_only: [(&str, &str, &str); 4] = [
        ("--web.max-requests", "2305843009213693952", "from 0 to 100000"),
        ("--web.max-requests", "18446744073709551616", "from 0 to 100000"),
        ("--web.max-requests", "-1", "from 0 to 100000"),
        ("--refresh-interval", "100000y", "up to 365d"),
    ];
    // `--flag=value`, so that a negative number is a value, not a flag.
    for (flag, value, range) in serve_only {
        let exporter = serve().token("t").account(ACCOUNT).arg(format!("{flag}={value}"));
        refused(exporter, &format!("{flag}={value}"), &[flag, range]);
    }
    let both: [(&str, &str, &str); 9] = [
        ("--cloudflare.max-requests-per-5m", "4294967296", "from 1 to 1000000"),
        ("--cloudflare.max-requests-per-5m", "0", "from 1 to 1000000"),
        ("--cloudflare.max-body-bytes", "18446744073709551615", "from 1024 to 1073741824"),
        ("--cloudflare.max-body-bytes", "12", "from 1024 to 1073741824"),
        ("--shard", "18446744073709551616", "from 0 to 9999"),
        ("--total-shards", "0", "from 1 to 10000"),
        ("--total-shards", "99999999999999999999", "from 1 to 10000"),
        ("--cloudflare.timeout", "600000000000y", "up to 365d"),
        ("--cloudflare.set-list-interval", "100000y", "up to 365d"),
    ];
    for (flag, value, range) in both {
        for (command, exporter) in serve_and_check(&["--account-id", ACCOUNT]) {
            let exporter = exporter.token("t").arg(format!("{flag}={value}"));
            refused(exporter, &format!("{command} {flag}={value}"), &[flag, range]);
        }
    }
    for (flag, value) in
        [("--warn-days", "1e400"), ("--crit-days", "-1"), ("--crit-days", "NaN"), ("--warn-days", "36501")]
    {
        let check =
            Exporter::check().token("t").api(CLOSED_API).account(ACCOUNT).arg(format!("{flag}={value}"));
        refused(check, &format!("check {flag}={value}"), &[flag, "36500"]);
    }
}

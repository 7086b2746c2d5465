//! The systemd unit (systemd-analyze verify and security) and the Debian
//! package (cargo-deb, inspected with dpkg-deb).

use std::path::{Path, PathBuf};

use super::{UNIT, files_ending, read, repo};
use crate::support::TempDir;
use crate::support::process::BINARY;
use crate::tools::{run, run_ok, tool};

const INSTALLED_BINARY: &str = "/usr/bin/cloudflare-saml-exporter";
/// The exposure score `systemd-analyze security` gives the unit with
/// Debian 12's systemd 252 (README, "Deploy"); other versions weigh the
/// settings differently, so the test asks for no more than this.
const EXPOSURE: &str = "1.1";

/// A copy of the unit whose ExecStart runs the freshly built binary:
/// `systemd-analyze verify` checks that the executable exists.
fn unit_with_built_binary(dir: &Path) -> PathBuf {
    let unit = read(UNIT);
    let exec = format!("ExecStart={INSTALLED_BINARY} ");
    assert_eq!(unit.matches(&exec).count(), 1, "the unit runs {INSTALLED_BINARY}, where the package puts it");
    let path = dir.join("cloudflare-saml-exporter.service");
    std::fs::write(&path, unit.replace(&exec, &format!("ExecStart={BINARY} "))).unwrap();
    path
}

#[test]
fn systemd_analyze_verifies_the_unit() {
    let dir = TempDir::new("deploy-unit-verify");
    let unit = unit_with_built_binary(dir.path());
    let output = run_ok(tool("systemd-analyze", "Debian package `systemd`").arg("verify").arg(&unit));
    let said =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(!said.contains("cloudflare-saml-exporter.service"), "systemd-analyze verify complains:\n{said}");
    // The check is real: a unit whose binary is missing fails it.
    std::fs::write(&unit, read(UNIT).replace(INSTALLED_BINARY, "/nonexistent/cloudflare-saml-exporter"))
        .unwrap();
    let missing = run(tool("systemd-analyze", "Debian package `systemd`").arg("verify").arg(&unit));
    assert!(!missing.status.success(), "verify accepted a missing binary");
}

#[test]
fn the_unit_is_hardened_to_the_recorded_exposure() {
    let dir = TempDir::new("deploy-unit-security");
    let unit = unit_with_built_binary(dir.path());
    let output = run_ok(
        tool("systemd-analyze", "Debian package `systemd`")
            .args(["security", "--offline=yes", "--no-pager"])
            .arg(&unit),
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().find(|l| l.contains("Overall exposure level")).expect("an overall exposure line");
    let score = line.split(": ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap();
    let recorded: f64 = EXPOSURE.parse().unwrap();
    assert!(score.parse::<f64>().unwrap() <= recorded, "the unit is more exposed than recorded: {line}");
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("Overall exposure level {EXPOSURE} OK")),
        "README.md must record the score {EXPOSURE}"
    );
    let unit_text = read(UNIT);
    for setting in [
        "DynamicUser=yes",
        "LoadCredential=cloudflare-api-token:/etc/cloudflare-saml-exporter/api-token",
        "--api-token-file=%d/cloudflare-api-token",
        "EnvironmentFile=-/etc/default/cloudflare-saml-exporter",
        "StateDirectory=cloudflare-saml-exporter",
        "--state.file=%S/cloudflare-saml-exporter/state.json",
        "$ARGS",
    ] {
        assert!(unit_text.contains(setting), "the unit lacks {setting}");
    }
}

/// `dpkg-deb` output as text.
fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let output = run_ok(tool("dpkg-deb", "Debian package `dpkg`").args(args).arg(deb));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn cargo_deb_packages_the_binary_unit_and_monitoring_files() {
    assert!(
        crate::tools::on_path("cargo-deb"),
        "`cargo-deb` is needed by this test: cargo install cargo-deb --locked \
         (./scripts/install-test-tools.sh installs it)"
    );
    let out = TempDir::new("deploy-deb");
    // The binary cargo test just built; `cargo deb` alone builds and packages a release build.
    run_ok(
        std::process::Command::new(env!("CARGO"))
            .current_dir(repo(""))
            .args(["deb", "--no-build", "--profile", "dev", "--fast", "--quiet", "--output"])
            .arg(out.path()),
    );
    let debs = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).collect::<Vec<_>>();
    assert_eq!(debs.len(), 1, "{debs:?}");
    let deb = &debs[0];

    let info = dpkg_deb(&["-I"], deb);
    assert!(info.contains("Package: cloudflare-saml-exporter"), "{info}");
    assert!(info.contains(&format!("Version: {}-1", env!("CARGO_PKG_VERSION"))), "{info}");
    let depends = info.lines().find(|l| l.trim_start().starts_with("Depends:")).expect("Depends");
    assert!(depends.contains("libc6") && depends.contains("ca-certificates"), "{depends}");
    for script in ["postinst", "prerm", "postrm"] {
        assert!(info.contains(script), "no {script}: {info}");
    }

    let contents = dpkg_deb(&["-c"], deb);
    let entry = |path: &str| contents.lines().find(|l| l.ends_with(&format!(" .{path}"))).map(str::to_owned);
    let binary = entry(INSTALLED_BINARY).expect("the binary");
    assert!(binary.starts_with("-rwxr-xr-x root/root") || binary.starts_with("-rwxr-xr-x 0/0"), "{binary}");
    let mut expected = vec![
        "/usr/lib/systemd/system/cloudflare-saml-exporter.service".to_owned(),
        "/etc/default/cloudflare-saml-exporter".to_owned(),
    ];
    expected.extend(
        files_ending("alerts", ".rules.yml")
            .iter()
            .map(|f| format!("/usr/share/cloudflare-saml-exporter/alerts/{f}")),
    );
    expected.extend(
        files_ending("dashboards", ".json")
            .iter()
            .map(|f| format!("/usr/share/cloudflare-saml-exporter/dashboards/{f}")),
    );
    for path in &expected {
        assert!(entry(path).is_some(), "{path} is not in the package:\n{contents}");
    }

    // The packaged files are the repository's, byte for byte; /etc/default is a conffile.
    let root = out.join("root");
    run_ok(tool("dpkg-deb", "Debian package `dpkg`").arg("-x").arg(deb).arg(&root));
    let same = |packaged: &str, source: &str| {
        assert!(
            std::fs::read(root.join(&packaged[1..])).unwrap() == std::fs::read(repo(source)).unwrap(),
            "{packaged} differs from {source}"
        );
    };
    same("/usr/lib/systemd/system/cloudflare-saml-exporter.service", UNIT);
    same("/etc/default/cloudflare-saml-exporter", "deploy/systemd/cloudflare-saml-exporter.default");
    for f in files_ending("alerts", ".rules.yml") {
        same(&format!("/usr/share/cloudflare-saml-exporter/alerts/{f}"), &format!("alerts/{f}"));
    }
    let control = out.join("control");
    run_ok(tool("dpkg-deb", "Debian package `dpkg`").arg("-e").arg(deb).arg(&control));
    let conffiles = std::fs::read_to_string(control.join("conffiles")).unwrap();
    assert!(conffiles.lines().any(|l| l == "/etc/default/cloudflare-saml-exporter"), "{conffiles}");
}

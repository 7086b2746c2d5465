//! The deployment artefacts against real tools: the Helm chart through Helm
//! v4's SDK (helm-python-sdk), kubernetes-validate and promtool; the systemd
//! unit through systemd-analyze; the Debian package through cargo-deb and
//! dpkg-deb; the Dockerfile by reading it (no container engine here).
//!
//! `./scripts/install-test-tools.sh` installs every tool used; a missing one
//! fails its test with the tool's name, never skips it.

use std::process::Command;

use serde_json::Value;

use crate::support::repo;

mod chart;
mod chart_args;
mod chart_monitoring;
mod package;

const CHART: &str = "deploy/helm/cloudflare-saml-exporter";
const UNIT: &str = "deploy/systemd/cloudflare-saml-exporter.service";

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Python of `.venv-test`, which holds helm-python-sdk and kubernetes-validate.
fn venv_python() -> Command {
    let python = repo(".venv-test/bin/python");
    assert!(
        python.is_file(),
        "{} is needed by this test: a venv with helm-python-sdk and kubernetes-validate \
         (./scripts/install-test-tools.sh creates it from scripts/test-requirements.txt)",
        python.display()
    );
    Command::new(python)
}

/// A YAML file of the repository as JSON values.
fn yaml_file(path: &str) -> Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// Every file of `dir` whose name ends with `suffix`, sorted.
fn files_ending(dir: &str, suffix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(suffix))
        .collect();
    names.sort();
    names
}

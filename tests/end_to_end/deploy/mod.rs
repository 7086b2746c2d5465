//! The deployment artefacts against real tools: the Helm chart through Helm
//! v4's SDK (helm-python-sdk), kubernetes-validate and promtool; the systemd
//! unit through systemd-analyze; the Debian package through cargo-deb and
//! dpkg-deb. (What needs no tool, the Dockerfile included, is checked in
//! `tests/deploy.rs`.)
//!
//! `./scripts/install-test-tools.sh` installs every tool used; a missing one
//! fails its test with the tool's name, never skips it.

use std::process::Command;

use crate::support::{files_ending, read, repo, yaml_file};

mod chart;
mod chart_args;
mod chart_monitoring;
mod package;

const CHART: &str = "deploy/helm/cloudflare-saml-exporter";
const UNIT: &str = "deploy/systemd/cloudflare-saml-exporter.service";

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

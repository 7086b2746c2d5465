//! The deployment artefacts against real tools: the Helm chart through Helm
//! v4's SDK (helm-python-sdk), kubernetes-validate and promtool; the systemd
//! unit through systemd-analyze; the Debian package through cargo-deb and
//! dpkg-deb. (What needs no tool, the Dockerfile included, is checked in
//! `tests/deploy.rs`.)
//!
//! `./scripts/install-test-tools.sh` installs every tool used; a missing one
//! fails its test with the tool's name, never skips it.

use crate::support::{files_ending, read, repo, yaml_file};
use crate::tools::venv_python;

mod chart;
mod chart_args;
mod chart_monitoring;
mod package;

const CHART: &str = "deploy/helm/cloudflare-saml-exporter";
const UNIT: &str = "deploy/systemd/cloudflare-saml-exporter.service";

#!/usr/bin/env bash
# Runs every test: installs the tools the tests drive (promtool, Prometheus,
# Alertmanager from Debian) when missing, then formatting, lints and the
# whole cargo test suite (unit, integration, end to end).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-test-tools.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked --test integration deploy:: # deploy artefacts first: seconds, and a missing tool is named at once
cargo test --all-targets --locked

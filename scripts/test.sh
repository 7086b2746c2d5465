#!/usr/bin/env bash
# Runs every test: installs the tools the tests drive (promtool, Prometheus,
# Alertmanager from Debian) when missing, then formatting, lints, docs, the
# fuzz targets' build and the whole cargo test suite (unit, integration, end
# to end).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-test-tools.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
# The fuzz targets are their own workspace: check them so a library change
# cannot silently break them.
cargo check --manifest-path fuzz/Cargo.toml --locked
cargo test --all-targets --locked

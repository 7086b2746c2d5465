#!/usr/bin/env bash
# Runs every test: installs the tools the tests drive (promtool, Prometheus,
# Alertmanager from Debian, ...) when missing, then formatting, lints, docs,
# the fuzz targets' build, a release build without the demo (which must not
# link rcgen), and both test tiers: the fast one (unit, fake API,
# tests/integration.rs) and the end-to-end one (tests/end_to_end/, behind the
# `end-to-end` feature: the external tools and the long scale run).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-test-tools.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features end-to-end --locked -- -D warnings
# The build without the demo has code of its own (`demo` refusing with exit 64).
cargo clippy --no-default-features --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
# The fuzz targets are their own workspace: check them so a library change
# cannot silently break them.
cargo check --manifest-path fuzz/Cargo.toml --locked
# The exporter alone: no fake API, and nothing in its normal dependencies
# pulls rcgen back in.
cargo build --release --no-default-features --locked
if cargo tree --locked -e normal --no-default-features --prefix none | grep -q '^rcgen '; then
    echo "rcgen is in the normal dependencies of the --no-default-features build:" >&2
    cargo tree --locked -e normal --no-default-features -i rcgen >&2
    exit 1
fi
# Its `demo` refuses as a usage error (64) and says how to get a build with it.
status=0
message=$("${CARGO_TARGET_DIR:-target}/release/cloudflare-saml-exporter" demo 2>&1) || status=$?
if [ "$status" -ne 64 ] || ! grep -q -- '--features demo' <<<"$message"; then
    echo "demo without the demo feature: exit $status (want 64 and how to get it): $message" >&2
    exit 1
fi
# Fast tier, then the end-to-end tier alone (not the fast tier twice).
cargo test --workspace --all-targets --locked
cargo test --features end-to-end --test end_to_end --locked

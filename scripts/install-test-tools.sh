#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain; each part is
# skipped when already in place, so running it again is cheap.
#
# - Debian: promtool and Prometheus (`prometheus`), Alertmanager
#   (`prometheus-alertmanager`), systemd-analyze (`systemd`), dpkg-shlibdeps
#   (`dpkg-dev`, for cargo-deb's automatic dependencies), python3-venv when the
#   Python on PATH cannot make a venv, a C++ compiler (`g++`, for the fuzz
#   targets' check). The Prometheus services are never
#   started: the tests run their own instances on loopback.
# - .venv-test/: a Python venv with the pinned packages of
#   scripts/test-requirements.txt (Helm v4 as a library, kubernetes-validate,
#   icalendar).
# - cargo-deb (pinned below), installed with `cargo install --locked`.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
VENV=.venv-test

# Installs Debian packages with their services kept stopped.
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-test-tools: need root or sudo to install $*" >&2; exit 1; }
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || {
    echo "install-test-tools: no apt-get; install the Debian packages $* (or their tools) by hand" >&2
    exit 1
  }
  echo "install-test-tools: installing $*" >&2
  # policy-rc.d answering 101 stops the packages' maintainer scripts from
  # starting their daemons (which would grab :9090 and :9093).
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=1
  fi
  local status=0
  # Through env: sudo resets the environment, and a package asking a
  # question with its output hidden would look like a hang.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    status=$?
  [ "$own_policy" -eq 1 ] && "${sudo[@]}" rm -f "$policy"
  return "$status"
}

need=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v dpkg-shlibdeps >/dev/null 2>&1 || need+=(dpkg-dev)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)
# The fuzz check (scripts/test.sh) builds libFuzzer's C++ even for `cargo check`.
command -v c++ >/dev/null 2>&1 || need+=(g++)
# The status page's browser test (tests/end_to_end/browser.rs): headless Chromium, and a
# font so its screenshot is readable.
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}"
  for tool in promtool prometheus prometheus-alertmanager amtool systemd-analyze dpkg-shlibdeps python3 chromium c++; do
    command -v "$tool" >/dev/null 2>&1 || { echo "install-test-tools: $tool still missing after install" >&2; exit 1; }
  done
fi

# The venv is rebuilt only when the pinned requirements change.
if ! cmp -s scripts/test-requirements.txt "$VENV/requirements.installed" 2>/dev/null; then
  echo "install-test-tools: creating $VENV with scripts/test-requirements.txt" >&2
  rm -rf "$VENV"
  # Debian's own python3 makes venvs only with python3-venv.
  python3 -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; apt_install python3-venv; python3 -m venv "$VENV"; }
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/test-requirements.txt
  cp scripts/test-requirements.txt "$VENV/requirements.installed"
fi
"$VENV/bin/python" -c 'import helm_python, icalendar, kubernetes_validate, yaml' || {
  echo "install-test-tools: $VENV cannot import helm_python, icalendar, kubernetes_validate and yaml; delete $VENV and run again" >&2
  exit 1
}

if [ "$(cargo deb --version 2>/dev/null || true)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
  echo "install-test-tools: installing cargo-deb $CARGO_DEB_VERSION" >&2
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
fi

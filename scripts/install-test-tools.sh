#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain: promtool and
# Prometheus (Debian `prometheus`) and Alertmanager (`prometheus-alertmanager`).
# Their system services are never started: the tests run their own instances
# on loopback.
set -euo pipefail

need=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)

# The status page's browser test (tests/browser.rs): headless Chromium, and a
# font so its screenshot is readable.
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-test-tools: need root or sudo to install ${need[*]}" >&2
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || {
  echo "install-test-tools: no apt-get; install ${need[*]} (promtool, prometheus, prometheus-alertmanager) by hand" >&2
  exit 1
}

echo "install-test-tools: installing ${need[*]}" >&2
# policy-rc.d answering 101 stops the packages' maintainer scripts from
# starting their daemons (which would grab :9090 and :9093).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  own_policy=1
fi
cleanup() { [ "$own_policy" -eq 1 ] && "${sudo[@]}" rm -f "$policy"; return 0; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
for tool in promtool prometheus prometheus-alertmanager amtool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-test-tools: $tool still missing after install" >&2; exit 1; }
done

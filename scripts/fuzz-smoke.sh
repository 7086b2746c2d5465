#!/usr/bin/env bash
# Fuzz smoke test: runs every cargo-fuzz target in fuzz/ for a bounded time
# on the stable toolchain (`--sanitizer none`, so no nightly-only flags) and
# fails on the first crash, panic, out-of-memory or slow input.
#
#   scripts/fuzz-smoke.sh                 # every target, 20 s each
#   FUZZ_SECONDS=60 scripts/fuzz-smoke.sh # longer
#   scripts/fuzz-smoke.sh api_json        # only the named targets
#
# Installs cargo-fuzz (`cargo install cargo-fuzz --locked`) when missing.
# Each target starts from fuzz/corpus/<target> (kept between runs, git-ignored)
# plus the committed seeds in fuzz/seeds/<target>; crashes are written to
# fuzz/artifacts/<target>/. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
case "$seconds" in
  '' | *[!0-9]* | 0)
    echo "fuzz-smoke: FUZZ_SECONDS must be a positive whole number of seconds, got '$seconds'" >&2
    exit 2
    ;;
esac
# An input slower than this is reported as a failure (libFuzzer's "timeout").
per_input_timeout="${FUZZ_INPUT_TIMEOUT:-10}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: cargo-fuzz is missing; installing it with cargo install cargo-fuzz --locked" >&2
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "fuzz-smoke: no fuzz targets found in fuzz/" >&2
  exit 1
fi

echo "fuzz-smoke: building ${#targets[@]} target(s) (${targets[*]}) with --sanitizer none" >&2
cargo fuzz build --fuzz-dir fuzz --sanitizer none

logs="fuzz/target/fuzz-smoke"
mkdir -p "$logs"
failed=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus")
  [ -d "fuzz/seeds/$target" ] && dirs+=("fuzz/seeds/$target")
  log="$logs/$target.log"
  stamp="$logs/$target.stamp"
  touch "$stamp"
  echo "fuzz-smoke: $target for ${seconds}s ..." >&2
  status=0
  cargo fuzz run --fuzz-dir fuzz --sanitizer none "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -timeout="$per_input_timeout" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if [ "$status" -eq 0 ]; then
    echo "fuzz-smoke: $target ok: ${runs:-?} executions in ${seconds}s, corpus $(find "$corpus" -type f | wc -l) inputs" >&2
    continue
  fi
  failed+=("$target")
  echo "fuzz-smoke: FAIL: $target exited with status $status after ${runs:-?} executions" >&2
  echo "----- last lines of $log -----" >&2
  tail -n 40 "$log" >&2
  echo "-----" >&2
  found=0
  while IFS= read -r artifact; do
    found=1
    echo "fuzz-smoke: crashing input: $artifact" >&2
    echo "fuzz-smoke:   reproduce: cargo fuzz run --fuzz-dir fuzz --sanitizer none $target $artifact" >&2
  done < <(find "$artifacts" -type f -newer "$stamp" 2>/dev/null)
  [ "$found" -eq 1 ] || echo "fuzz-smoke: no artifact was written; see $log" >&2
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz-smoke: FAILED: ${failed[*]} (turn each crash into a regression test: fuzz/README.md)" >&2
  exit 1
fi
echo "fuzz-smoke: all ${#targets[@]} target(s) ran ${seconds}s each without a crash" >&2

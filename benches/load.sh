#!/usr/bin/env bash
# Load test: hammer /metrics of `cloudflare-saml-exporter demo` with wrk while
# the built-in fake Cloudflare API fails 30 % of its requests, and check that
# every scrape answered 200, no socket errors happened and RSS stayed flat.
#
# Usage: ./benches/load.sh
# Env:   DURATION (30s)  CONNECTIONS (32, max 32)  THREADS (2)  TIMEOUT (5s)
#        CHAOS (0.3)  READY_TIMEOUT (60, seconds)  MAX_RSS_RATIO (1.5)
# See benches/README.md.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
TIMEOUT=${TIMEOUT:-5s}
CHAOS=${CHAOS:-0.3}
READY_TIMEOUT=${READY_TIMEOUT:-60}
MAX_RSS_RATIO=${MAX_RSS_RATIO:-1.5}

# The exporter answers 503 past --web.max-requests (default 40) concurrent
# scrapes; stay well below so a 503 is always a real failure.
if ((CONNECTIONS > 32)); then
    echo "load.sh: CONNECTIONS=$CONNECTIONS is above 32; the exporter's concurrency cap would answer 503 by design" >&2
    exit 2
fi
if ((CONNECTIONS < THREADS)); then
    echo "load.sh: CONNECTIONS ($CONNECTIONS) must be at least THREADS ($THREADS)" >&2
    exit 2
fi

log() { printf '==> %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]})); then
    log "installing ${missing[*]} from Debian"
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq >&2
    "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

# --- build -------------------------------------------------------------------
log "building the release binary"
cargo build --release --locked
BIN=target/release/cloudflare-saml-exporter

# --- temp dir and cleanup ----------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cf-saml-load.XXXXXX")
DEMO_PID=
cleanup() {
    if [[ -n $DEMO_PID ]] && kill -0 "$DEMO_PID" 2>/dev/null; then
        kill "$DEMO_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$DEMO_PID" 2>/dev/null || true
        wait "$DEMO_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- start the demo ----------------------------------------------------------
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local p
    for p in 39380 39381 39382 39383 39384; do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
    echo "load.sh: no free port found" >&2
    return 1
}

PORT=$(free_port)
log "starting the demo on 127.0.0.1:$PORT (chaos $CHAOS, refresh 1s)"
"$BIN" demo --web.listen-address "127.0.0.1:$PORT" --refresh-interval 1s --fake-api.chaos "$CHAOS" \
    >"$TMP/demo.out" 2>"$TMP/demo.err" &
DEMO_PID=$!

BASE="http://127.0.0.1:$PORT"
deadline=$((SECONDS + READY_TIMEOUT))
until curl -fsS -o /dev/null --max-time 2 "$BASE/-/ready" 2>/dev/null; do
    if ! kill -0 "$DEMO_PID" 2>/dev/null; then
        echo "load.sh: the demo exited early; its output:" >&2
        cat "$TMP/demo.out" "$TMP/demo.err" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "load.sh: /-/ready not 200 within ${READY_TIMEOUT}s; last log lines:" >&2
        tail -n 20 "$TMP/demo.err" >&2
        exit 1
    fi
    sleep 0.5
done
METRICS_URL=$(sed -n 's/^Exporter metrics:[[:space:]]*//p' "$TMP/demo.out" | head -n 1)
METRICS_URL=${METRICS_URL:-$BASE/metrics}
log "ready: $METRICS_URL"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$DEMO_PID/status"; }

BODY_BYTES=$(curl -fsS --max-time 5 "$METRICS_URL" | wc -c)
RSS_BEFORE=$(rss_kib)

# --- wrk ---------------------------------------------------------------------
cat >"$TMP/count.lua" <<'LUA'
-- Counts non-200 responses per thread and sums them in done().
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    non200 = 0
end

function response(status, headers, body)
    if status ~= 200 then
        non200 = non200 + 1
    end
end

function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do
        total = total + (t:get("non200") or 0)
    end
    local e = summary.errors
    io.write(string.format("RESULT requests=%d duration_us=%d bytes=%d non200=%d status=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
        summary.requests, summary.duration, summary.bytes, total, e.status,
        e.connect, e.read, e.write, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
LUA

log "wrk: $DURATION, $CONNECTIONS connections, $THREADS threads against $METRICS_URL"
wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "$DURATION" --timeout "$TIMEOUT" \
    --latency --script "$TMP/count.lua" "$METRICS_URL" | tee "$TMP/wrk.out" >&2

RSS_AFTER=$(rss_kib)
REFRESH_ERRORS=$(curl -fsS --max-time 5 "$METRICS_URL" |
    awk '/^cloudflare_access_saml_refresh_errors_total([{ ]|$)/ { s += $NF } END { printf "%d", s }')

# --- summary -----------------------------------------------------------------
RESULT=$(grep '^RESULT ' "$TMP/wrk.out" | tail -n 1)
if [[ -z $RESULT ]]; then
    echo "load.sh: wrk printed no RESULT line" >&2
    exit 1
fi
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$RESULT"; }
requests=$(get requests) duration_us=$(get duration_us) non200=$(get non200) status=$(get status)
connect=$(get connect) read=$(get read) write=$(get write) timeout=$(get timeout)
p50=$(get p50_us) p90=$(get p90_us) p99=$(get p99_us) max=$(get max_us)
# wrk's own non-2xx/3xx count and the Lua non-200 count: take the larger.
non2xx=$((non200 > status ? non200 : status))
socket_errors=$((connect + read + write + timeout))

rps=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.1f", (d > 0 ? r / (d / 1e6) : 0) }')
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
ratio=$(awk -v a="$RSS_AFTER" -v b="$RSS_BEFORE" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')

cat <<EOF

=== load summary ===
target              $METRICS_URL (demo, fake API chaos $CHAOS, refresh 1s)
load                wrk, $DURATION, $CONNECTIONS connections, $THREADS threads
/metrics body       $BODY_BYTES bytes
requests            $requests in $(awk -v d="$duration_us" 'BEGIN { printf "%.1f s", d / 1e6 }')
requests/s          $rps
latency p50 / p99   $(ms "$p50") / $(ms "$p99")   (p90 $(ms "$p90"), max $(ms "$max"))
non-2xx responses   $non2xx   (Lua non-200: $non200, wrk non-2xx/3xx: $status)
socket errors       $socket_errors   (connect $connect, read $read, write $write, timeout $timeout)
RSS before / after  $RSS_BEFORE KiB / $RSS_AFTER KiB   ratio $ratio (limit $MAX_RSS_RATIO)
                    (one process: the exporter plus the demo's in-process fake Cloudflare API)
refresh errors      $REFRESH_ERRORS   (sum of cloudflare_access_saml_refresh_errors_total at the end)
EOF

fail=0
if ((non2xx > 0)); then echo "FAIL: $non2xx non-2xx responses" >&2; fail=1; fi
if ((socket_errors > 0)); then echo "FAIL: $socket_errors socket errors" >&2; fail=1; fi
if [[ -z $RSS_BEFORE || -z $RSS_AFTER ]] || awk -v r="$ratio" -v m="$MAX_RSS_RATIO" 'BEGIN { exit !(r + 0 > m + 0) }'; then
    echo "FAIL: RSS grew by a factor of $ratio (> $MAX_RSS_RATIO): possible leak" >&2
    fail=1
fi
if ((fail == 0)); then echo "PASS"; fi
exit "$fail"

#!/usr/bin/env bash
# Memory under sustained load: does the gateway's heap grow while it works for ten minutes?
#   bench/soak.sh                   10 minutes of transfers, a heap-after-GC sample every 30 s
#   SOAK_SECONDS=120 bench/soak.sh  a short run, to try the script out (too short for a verdict
#                                   worth keeping: the JIT and caches are still warming)
# Starts its own packaged gateway (heap SOAK_HEAP, default 512m) on a fresh embedded PostgreSQL
# under bench/out/soak-*/, opens and funds accounts through the API, then keeps a closed-loop load
# of transfers on it (wrk, SOAK_CLIENTS connections, default 8) for SOAK_SECONDS (default 600).
# Every SOAK_SAMPLE_SECONDS (default 30) it forces a full collection (jcmd GC.run) and reads the
# heap left in use (jstat: survivors + eden + old). It prints the samples, the least-squares slope
# of the samples after the first SOAK_WARMUP_SECONDS (default 120), and a verdict: a growth trend
# when the slope, over the measured window, adds more than SOAK_GROWTH_MAX_PERCENT (default 10)
# of the median sample and more than 8 MiB. Exit 0 without a trend, 1 with one, 2 on a failed run.
# Needs java (with jcmd and jstat), node, wrk, curl, jq. Not part of CI.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SOAK_SECONDS=${SOAK_SECONDS:-600}
SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-30}
WARMUP_SECONDS=${SOAK_WARMUP_SECONDS:-120}
GROWTH_MAX_PERCENT=${SOAK_GROWTH_MAX_PERCENT:-10}
GROWTH_MIN_KIB=8192
CLIENTS=${SOAK_CLIENTS:-8}
ACCOUNTS=${SOAK_ACCOUNTS:-1000}
HEAP=${SOAK_HEAP:-512m}
JAR=$ROOT/target/paygate-0.1.0-SNAPSHOT.jar
OUT=$ROOT/bench/out/soak-$(date +%Y%m%d-%H%M%S)
DATA=$OUT/postgres-17
mkdir -p "$OUT"

# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
WRK_PID=""

for tool in java jcmd jstat node wrk curl jq awk; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install wrk jq nodejs)"
done
((SOAK_SECONDS >= 2 * SAMPLE_SECONDS)) || die "SOAK_SECONDS must be at least twice SOAK_SAMPLE_SECONDS"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_all "$WRK_PID" 3
  [[ $status -eq 0 || $status -eq 1 ]] || log "exit $status; logs in $OUT"
  exit "$status"
}
trap_cleanup cleanup
# Setup, the load, and a margin for a busy machine.
start_watchdog $((SOAK_SECONDS + 600))
choose_ports

# Heap in use right after a full collection, in KiB: what the gateway keeps, not what it churns.
heap_after_gc_kib() {
  jcmd "$GW_PID" GC.run >/dev/null
  jstat -gc "$GW_PID" | awk '
    NR == 1 { for (i = 1; i <= NF; i++) column[$i] = i; next }
    NR == 2 { printf "%d\n", $column["S0U"] + $column["S1U"] + $column["EU"] + $column["OU"] }'
}

build_jar_if_missing || exit 2
start_gateway "$OUT/gateway.log" --logging.level.dev.paygate.access=WARN
log "opening and funding $ACCOUNTS accounts through the API"
timeout 330 node "$ROOT/bench/client.mjs" setup "$BASE" "$ACCOUNTS" "$OUT" >"$OUT/setup.txt"
MERCHANT=$(cut -f1 "$OUT/merchant.tsv")

log "load: $CLIENTS connections for ${SOAK_SECONDS}s; a heap sample every ${SAMPLE_SECONDS}s"
# A few seconds past the last sample, so that sample too is taken under load.
wrk -t2 -c"$CLIENTS" -d$((SOAK_SECONDS + 5))s --timeout 10s -s "$ROOT/bench/transfers.lua" "$BASE" \
  -- "$OUT/accounts.tsv" uniform "$MERCHANT" >"$OUT/wrk.txt" 2>&1 &
WRK_PID=$!
: >"$OUT/samples.tsv"
started=$(date +%s)
for ((elapsed = SAMPLE_SECONDS; elapsed <= SOAK_SECONDS; elapsed += SAMPLE_SECONDS)); do
  sleep $((started + elapsed - $(date +%s) > 0 ? started + elapsed - $(date +%s) : 0))
  kill -0 "$GW_PID" 2>/dev/null || die "the gateway exited during the load (see $OUT/gateway.log)"
  kib=$(heap_after_gc_kib)
  printf '%d\t%d\n' "$elapsed" "$kib" | tee -a "$OUT/samples.tsv" |
    awk -F'\t' '{ printf "  t=%4ds  heap after GC %7.1f MiB\n", $1, $2 / 1024 }' >&2
done
wait "$WRK_PID" || true
WRK_PID=""
grep '^WRK_RESULT' "$OUT/wrk.txt" >&2 || die "wrk gave no result (see $OUT/wrk.txt)"
# wrk counts every answer of 400 or more as a status error.
read -r status_errors socket_errors < <(sed -n 's/.*status_errors=\([0-9]*\) socket_errors=\([0-9]*\).*/\1 \2/p' "$OUT/wrk.txt")

median=$(awk -F'\t' -v warmup="$WARMUP_SECONDS" '$1 > warmup { print $2 }' "$OUT/samples.tsv" | sort -n |
  awk '{ y[NR] = $1 } END { print (NR ? y[int((NR + 1) / 2)] : 0) }')
awk -F'\t' -v warmup="$WARMUP_SECONDS" -v max_percent="$GROWTH_MAX_PERCENT" -v min_kib="$GROWTH_MIN_KIB" \
  -v median="$median" -v status_errors="$status_errors" -v socket_errors="$socket_errors" '
  $1 > warmup { n++; x[n] = $1; y[n] = $2; sx += $1; sy += $2 }
  END {
    if (n < 3) { print "verdict: too few samples after the warm-up for a trend"; exit 2 }
    mx = sx / n; my = sy / n
    for (i = 1; i <= n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2 }
    slope = sxy / sxx                       # KiB per second
    growth = slope * (x[n] - x[1])          # KiB over the measured window
    limit = median * max_percent / 100; if (limit < min_kib) limit = min_kib
    printf "samples after %ds warm-up: %d, median %.1f MiB, slope %+.2f MiB/min, %+.1f MiB over %ds (limit %.1f MiB)\n",
      warmup, n, median / 1024, slope * 60 / 1024, growth / 1024, x[n] - x[1], limit / 1024
    printf "error answers (400 or more): %d, socket errors: %d\n", status_errors, socket_errors
    if (growth > limit) { print "verdict: GROWTH TREND: the heap after GC grows under sustained load"; exit 1 }
    print "verdict: no heap growth trend"
  }' "$OUT/samples.tsv" | tee "$OUT/verdict.txt"
verdict=${PIPESTATUS[0]}
# Every account holds a million: any refusal, error or dropped connection is a failed run.
((status_errors + socket_errors == 0)) || { log "$status_errors error answers, $socket_errors socket errors"; exit 2; }
exit "$verdict"

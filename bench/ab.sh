#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# One side of an A/B: where a gateway build spends its CPU per transfer, on this machine.
#
#   bench/ab.sh JAR [-- --gateway.arg=value ...]
#
# Starts the given jar (copied first, so a rebuild cannot change it mid-run) on a fresh embedded
# PostgreSQL under bench/out/, opens and funds the accounts through the API, warms the JVM up,
# then runs AB_REPS closed-loop wrk runs and prints one line per run: transfers/s, p50/p99, and
# the CPU per transfer of the gateway (user, system) and of PostgreSQL (all its processes), in
# milliseconds, with the share of the machine left idle. Run it for A, then B, then A and B again:
# on a shared 2-core machine the same build moved by up to a quarter from one start to the next.
#
# Environment (optional): AB_CLIENTS (16), AB_SECONDS (per run, 20), AB_REPS (3),
# AB_WARMUP_SECONDS (60), AB_ACCOUNTS (10000), AB_MODE (uniform|hot), AB_LABEL (printed first),
# AB_HOLD_RELAY=1 (every second run holds the outbox relay's advisory lock, so the relay does
# nothing during it: what the relay costs the transfers; its backlog is published afterwards).
# BENCH_KEEP_DATA=1 keeps the database directory, as for run.sh. Needs what bench/run.sh needs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [[ $# -lt 1 || ! -f $1 ]]; then
  echo "usage: bench/ab.sh JAR [-- --gateway.arg=value ...]" >&2
  exit 2
fi
SOURCE_JAR=$1
shift
[[ ${1:-} == -- ]] && shift
CLIENTS=${AB_CLIENTS:-16}
SECONDS_PER_RUN=${AB_SECONDS:-20}
REPS=${AB_REPS:-3}
WARMUP_SECONDS=${AB_WARMUP_SECONDS:-60}
ACCOUNTS=${AB_ACCOUNTS:-10000}
MODE=${AB_MODE:-uniform}
LABEL=${AB_LABEL:-$(basename "$SOURCE_JAR" .jar)}
# The relay's round takes this transaction-scoped advisory lock (OutboxEvents.tryLeadRelayRound).
RELAY_LOCK=7341
HEAP=512m
OUT=$ROOT/bench/out/ab-$(date +%Y%m%d-%H%M%S)-$$
DATA=$OUT/postgres-17
JAR=$OUT/gateway.jar
mkdir -p "$OUT"
cp "$SOURCE_JAR" "$JAR"

# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
for tool in java node wrk psql curl; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install wrk postgresql-client nodejs)"
done

HOLDER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_all "$HOLDER_PID" 3
  rm -f "$JAR"
  [[ $status -eq 0 ]] || log "exit $status; logs in $OUT"
  exit "$status"
}
trap_cleanup cleanup
start_watchdog $((300 + WARMUP_SECONDS + REPS * (SECONDS_PER_RUN + 30)))
choose_ports
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d paygate -v ON_ERROR_STOP=1 -qAt)

start_gateway "$OUT/gateway.log" "$@"
log "opening and funding $ACCOUNTS accounts"
timeout 360 node "$ROOT/bench/client.mjs" setup "$BASE" "$ACCOUNTS" "$OUT" >"$OUT/setup.txt" || die "setup"
MERCHANT=$(cut -f1 "$OUT/merchant.tsv")
"${PSQL[@]}" -c "VACUUM ANALYZE" -c "CHECKPOINT"

# utime and stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat" 2>/dev/null || echo "0 0"; }

# PostgreSQL's postmaster and every backend it forked; a backend that exited during the run
# takes its ticks with it, which the pooled, long-lived connections make rare.
postgres_ticks() {
  local postmaster user=0 system=0 u s pid
  postmaster=$(head -1 "$DATA/postmaster.pid")
  for pid in "$postmaster" $(pgrep -P "$postmaster"); do
    read -r u s < <(cpu_ticks "$pid")
    user=$((user + u))
    system=$((system + s))
  done
  echo "$user $system"
}

idle_ticks() { awk '/^cpu / { print $5 }' /proc/stat; }

log "warming up for ${WARMUP_SECONDS}s"
wrk_run "$WARMUP_SECONDS" "$MODE" >/dev/null
TICKS_PER_SECOND=$(getconf CLK_TCK)
CPUS=$(nproc)
for ((run = 1; run <= REPS; run++)); do
  relay=running
  if [[ ${AB_HOLD_RELAY:-0} == 1 && $((run % 2)) == 0 ]]; then
    relay=held
    "${PSQL[@]}" -c "SELECT pg_advisory_lock($RELAY_LOCK)" -c "SELECT pg_sleep($SECONDS_PER_RUN + 1)" >/dev/null &
    HOLDER_PID=$!
    sleep 0.5
  fi
  read -r gw_user0 gw_system0 < <(cpu_ticks "$GW_PID")
  read -r pg_user0 pg_system0 < <(postgres_ticks)
  idle0=$(idle_ticks)
  result=$(wrk_run "$SECONDS_PER_RUN" "$MODE")
  read -r gw_user1 gw_system1 < <(cpu_ticks "$GW_PID")
  read -r pg_user1 pg_system1 < <(postgres_ticks)
  idle1=$(idle_ticks)
  if [[ -n $HOLDER_PID ]]; then
    wait "$HOLDER_PID" || true
    HOLDER_PID=""
  fi
  awk -v label="$LABEL" -v relay="$relay" -v requests="$(field requests "$result")" \
    -v errors="$(field status_errors "$result")" -v us="$(field duration_us "$result")" \
    -v p50="$(field p50_us "$result")" -v p99="$(field p99_us "$result")" \
    -v gu=$((gw_user1 - gw_user0)) -v gs=$((gw_system1 - gw_system0)) \
    -v pu=$((pg_user1 - pg_user0)) -v ps=$((pg_system1 - pg_system0)) \
    -v idle=$((idle1 - idle0)) -v hz="$TICKS_PER_SECOND" -v cpus="$CPUS" -v secs="$SECONDS_PER_RUN" 'BEGIN {
      ok = requests - errors; ms = 1000 / hz / ok
      printf "AB_RESULT label=%s relay=%s transfers_per_s=%.0f p50_ms=%.1f p99_ms=%.1f errors=%d", label, relay, ok / (us / 1e6), p50 / 1000, p99 / 1000, errors
      printf " gateway_user_ms=%.3f gateway_system_ms=%.3f postgres_user_ms=%.3f postgres_system_ms=%.3f idle_percent=%.0f\n", gu * ms, gs * ms, pu * ms, ps * ms, idle / (hz * secs * cpus) * 100 }'
done

#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Paygate's transfer throughput next to PostgreSQL's own limit for the same SQL, on this machine.
#
#   bench/run.sh           full run (10,000 accounts, 30 s per measurement; 20-25 minutes)
#   bench/run.sh --quick   the same rows in under 3 minutes (1,000 accounts, 4 s per measurement)
#
# Starts its own gateway (512 MiB heap) on a fresh embedded PostgreSQL under bench/out/, opens the
# accounts through the API, gives the database a history of transfers (full runs: 1,000,000, see
# seed_history), then measures, all against 127.0.0.1 only:
#   (1) pgbench running ledger_apply for one transfer per transaction: uniform and hot account;
#   (2) the gateway, closed loop over keep-alive HTTP (wrk) at the same concurrency, uniform and
#       hot, with the transfer batcher off and on (a gateway restart between them);
#   (3) the gateway at 80% of that closed-loop rate under an open arrival schedule, per setting;
#   (4) the gateway with SSE subscribers connected (batcher on), when it has event streams;
#   (5) the batcher-on uniform row again with every AML rule disabled (issue 11: within 10%);
#   (6) pgbench at the first concurrency once more (the ratios divide by the faster pass), then
#       pgbench and the batcher-on gateway at a higher concurrency (BENCH_HIGH_CLIENTS, 64),
#       closed loop uniform and hot, and the open model at 80% of that maximum;
#   (7) pgbench and the batcher-on gateway at the first concurrency in pairs of rows back to back,
#       uniform and hot, for ratios that do not ride on the machine's drift between rows measured
#       minutes apart (full runs only).
# Prints a table, then one key=value line per ratio (see bench/README.md). Everything it starts
# it stops on exit; every step has a time limit. Needs: java, jcmd, node, wrk, pgbench, psql,
# curl, jq (apt-get install wrk postgresql-client jq nodejs).
#
# Environment (optional): BENCH_CLIENTS (concurrency, default 16), BENCH_HIGH_CLIENTS (the
# concurrency of the rows that find where batching pays off, default 64; 0 skips them), BENCH_ACCOUNTS, BENCH_SECONDS,
# BENCH_SSE_SUBSCRIBERS, BENCH_PAIRS (pairs of rows in (7), default 3; 0 skips them), BENCH_HISTORY
# (transfers applied before anything is measured; full 1000000, quick 0), BENCH_PORT,
# BENCH_PG_PORT, BENCH_GATEWAY_ARGS (extra --args for the jar),
# BENCH_KEEP_DATA=1 (keep the database directory, deleted at the end otherwise).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=full
if [[ ${1:-} == --quick ]]; then
  MODE=quick
elif [[ $# -gt 0 ]]; then
  echo "usage: bench/run.sh [--quick]" >&2
  exit 2
fi

if [[ $MODE == quick ]]; then
  ACCOUNTS=${BENCH_ACCOUNTS:-1000}
  MEASURE_SECONDS=${BENCH_SECONDS:-4}
  WARMUP_SECONDS_MIN=6
  WARMUP_SECONDS_MAX=15
  OPEN_WARMUP_SECONDS=1
  OPEN_PREWARM_SECONDS=0
  SSE_SUBSCRIBERS=${BENCH_SSE_SUBSCRIBERS:-1000}
  PAIRS=0
  HISTORY=${BENCH_HISTORY:-0}
  # Under 3 minutes on a quiet 2-core machine (the 64-client rows take 30 s of it; 6 s rows took
  # 3:03 on a 2-core Xeon, and 5 s rows with warm-ups of up to 21 s 3:23 on the slower EPYC of
  # 2026-12-07); the limit leaves room for a busy or slower one (the gateway's start alone went
  # from 13 to 25 s beside a test suite).
  TIME_LIMIT_SECONDS=360
else
  ACCOUNTS=${BENCH_ACCOUNTS:-10000}
  MEASURE_SECONDS=${BENCH_SECONDS:-30}
  # A run at d85c4a5 stopped warming at 30 s and measured 665/s, then 952/s on the next row:
  # the batched path keeps gaining from the JIT well past half a minute (see warm_up).
  WARMUP_SECONDS_MIN=60
  WARMUP_SECONDS_MAX=180
  OPEN_WARMUP_SECONDS=5
  OPEN_PREWARM_SECONDS=15
  SSE_SUBSCRIBERS=${BENCH_SSE_SUBSCRIBERS:-10000}
  PAIRS=${BENCH_PAIRS:-3}
  PAIR_SECONDS=15
  HISTORY=${BENCH_HISTORY:-1000000}
  TIME_LIMIT_SECONDS=2400
fi
CLIENTS=${BENCH_CLIENTS:-16}
HIGH_CLIENTS=${BENCH_HIGH_CLIENTS:-64}
OPEN_LOAD_FRACTION=0.8
WARMUP_PROBE_SECONDS=3
HEAP=512m
JAR=$ROOT/target/paygate-0.1.0-SNAPSHOT.jar
OUT=$ROOT/bench/out/run-$(date +%Y%m%d-%H%M%S)
DATA=$OUT/postgres-17
mkdir -p "$OUT"

# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
SSE_PID=""
SAMPLER_PID=""
REPORTED=no
INCOMPLETE=""
ROWS=()
declare -A GW P50 P99
PAIRED_UNIFORM="" PAIRED_HOT="" PG_UNIFORM="" PG_HOT="" PG_UNIFORM_HIGH="" PG_HOT_HIGH="" HIGH_P50="" HIGH_P99="" SSE_TPS="" AML_OFF_TPS="" AML_ON_TPS="" SSE_HEAP_KIB=n/a BEST=true

for tool in java jcmd jstat node wrk pgbench psql curl jq awk; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install wrk postgresql-client jq nodejs)"
done

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # Stopped part-way (time limit, a failed step): the rows measured so far are still worth printing.
  if [[ $status -ne 0 && $REPORTED == no && ${#ROWS[@]} -gt 0 ]]; then
    INCOMPLETE=" INCOMPLETE (exit $status)"
    report | tee "$OUT/report.txt" || true
  fi
  stop_all "$SAMPLER_PID" 3 "$SSE_PID" 5
  [[ $status -eq 0 ]] || log "exit $status; logs in $OUT"
  exit "$status"
}
trap_cleanup cleanup
start_watchdog "$TIME_LIMIT_SECONDS"
choose_ports
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d paygate -v ON_ERROR_STOP=1 -qAt)

start_gateway_batching() { # true|false
  # shellcheck disable=SC2086 # BENCH_GATEWAY_ARGS is a list of --args on purpose
  start_gateway "$OUT/gateway-batching-$1.log" --paygate.ledger.batching.enabled="$1" ${BENCH_GATEWAY_ARGS:-}
}

# ---- gateway memory: peak RSS (VmHWM) and the most heap seen, per measurement ------------------

# Only health, info and prometheus are public: the metrics endpoint (which the bench exposes on its
# own gateway) wants a bearer token like the API, so it is read with the setup's operator token.
# Without one (a gateway without /dev/tokens) it answers 401 and the column reads 0.
OPERATOR_TOKEN=-
metric() { # name statistic [tag] -> that measurement (VALUE, COUNT, TOTAL, MAX), rounded down; 0 if none
  local auth=() value
  [[ $OPERATOR_TOKEN == - ]] || auth=(-H "Authorization: Bearer $OPERATOR_TOKEN")
  value=$(curl -sf -m 2 "${auth[@]}" "$BASE/actuator/metrics/$1${3:+?tag=$3}" |
    jq -r --arg s "$2" '.measurements[] | select(.statistic == $s) | .value | floor' 2>/dev/null) || true
  [[ $value =~ ^[0-9]+$ ]] && echo "$value" || echo 0
}
heap_used_bytes() { metric jvm.memory.used VALUE area:heap; }

begin_memory_watch() {
  # VmHWM only ever grows; 5 > clear_refs resets it to the current RSS, so each row gets its own peak.
  echo 5 >"/proc/$GW_PID/clear_refs" 2>/dev/null || true
  rm -f "$OUT/heap.max" "$OUT/heap.stop"
  echo 0 >"$OUT/heap.max"
  (
    max=0
    for ((i = 0; i < 3600; i++)); do
      [[ -e $OUT/heap.stop ]] && break
      v=$(heap_used_bytes)
      if [[ $v =~ ^[0-9]+$ ]] && ((v > max)); then max=$v; echo "$max" >"$OUT/heap.max"; fi
      sleep 1
    done
  ) &
  SAMPLER_PID=$!
}

end_memory_watch() { # sets MEM_RSS_MIB and MEM_HEAP_MIB
  local heap seen rss
  heap=$(heap_used_bytes)
  touch "$OUT/heap.stop"
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  seen=$(cat "$OUT/heap.max")
  if [[ $heap =~ ^[0-9]+$ ]] && ((heap > seen)); then seen=$heap; fi
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$GW_PID/status")
  MEM_RSS_MIB=$(awk -v r="$rss" 'BEGIN { printf "%.0f", r / 1024 }')
  MEM_HEAP_MIB=$(awk -v h="$seen" 'BEGIN { printf "%.0f", h / 1048576 }')
}

# ---- movements per ledger_apply call, per measurement -------------------------------------------
# The batcher records each call's size in paygate.ledger.batch.size; the mean over a row is the
# growth of its TOTAL over the growth of its COUNT. With the batcher off nothing is recorded: every
# call is one movement.

begin_batch_watch() {
  BATCH_COUNT0=$(metric paygate.ledger.batch.size COUNT)
  BATCH_TOTAL0=$(metric paygate.ledger.batch.size TOTAL)
}

end_batch_watch() { # sets BATCH_MEAN
  local count total
  count=$(metric paygate.ledger.batch.size COUNT)
  total=$(metric paygate.ledger.batch.size TOTAL)
  BATCH_MEAN=$(awk -v c=$((count - BATCH_COUNT0)) -v t=$((total - BATCH_TOTAL0)) -v on="$batching" \
    'BEGIN { if (c > 0) printf "%.1f", t / c; else print (on == "true" ? "-" : "1") }')
}

# ---- WAL per transfer, per measurement ---------------------------------------------------------
# What PostgreSQL wrote to its WAL during a row (everything: the transfers, the relay marking
# their events published, autovacuum), per transfer the row completed. It shows the database's side
# of a row: a commit waits on its WAL, and the first change to a page after a checkpoint writes the
# whole 8 KB page (bench/RESULTS.md, 2026-12-08), so a row close to a checkpoint writes more.

begin_wal_watch() {
  WAL_LSN0=$("${PSQL[@]}" -c "SELECT pg_current_wal_insert_lsn()")
}

end_wal_watch() { # transfers; sets WAL_PER_TRANSFER (bytes, rounded)
  local bytes
  bytes=$("${PSQL[@]}" -c "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$WAL_LSN0')")
  WAL_PER_TRANSFER=$(awk -v b="$bytes" -v n="$1" 'BEGIN { if (n + 0 > 0) printf "%.0f", b / n; else print "-" }')
}

# ---- rows -------------------------------------------------------------------------------------

TABLE_FORMAT='%-50s %7s %11s %9s %9s %7s %9s %9s %8s %8s'
add_row() { # name clients tps p50_ms p99_ms errors rss_mib heap_mib movements_per_call wal_bytes_per_transfer
  # shellcheck disable=SC2059 # one format for the header and the rows
  ROWS+=("$(printf "$TABLE_FORMAT" "$@")")
  log "$(printf '%s: %s transfers/s, p50 %s ms, p99 %s ms, errors %s, peak RSS %s MiB, heap %s MiB, %s movements per ledger_apply call, %s B of WAL per transfer' \
    "$1" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}")"
}

pgbench_row() { # name script [clients [seconds]]; sets ROW_TPS
  local clients=${3:-$CLIENTS} seconds=${4:-$MEASURE_SECONDS}
  local prefix=$OUT/pgbench-$2-$clients
  while [[ -e $prefix.txt ]]; do prefix+=-again; done
  local report
  begin_wal_watch
  report=$(cd "$OUT" && timeout $((seconds + 60)) pgbench -h 127.0.0.1 -p "$PG_PORT" -U postgres -n \
    -c "$clients" -j 2 -T "$seconds" -M prepared -D accounts="$ACCOUNTS" \
    -f "$ROOT/bench/ledger_apply_$2.sql" -l --log-prefix="$prefix" paygate 2>&1) || { echo "$report" >&2; die "pgbench $2"; }
  echo "$report" >"$prefix.txt"
  local tps failed p50 p99
  tps=$(awk '/^tps = / {printf "%.0f", $3}' <<<"$report")
  failed=$(awk '/number of failed transactions/ {print $5}' <<<"$report")
  end_wal_watch "$(awk '/number of transactions actually processed/ {print $NF}' <<<"$report" | cut -d/ -f1)"
  read -r p50 p99 < <(cat "$prefix".[0-9]* | awk '{print $3}' | sort -n | awk '
    { v[NR] = $1 } END { i50 = int(NR * 0.50 + 0.999); i99 = int(NR * 0.99 + 0.999);
      printf "%.1f %.1f\n", v[i50] / 1000, v[i99] / 1000 }')
  rm -f "$prefix".[0-9]*
  add_row "$1" "$clients" "$tps" "$p50" "$p99" "${failed:-0}" "-" "-" 1 "$WAL_PER_TRANSFER"
  ROW_TPS=$tps
}

gateway_row() { # name uniform|hot [clients [seconds]]; sets ROW_TPS
  local clients=${3:-$CLIENTS} seconds=${4:-$MEASURE_SECONDS}
  begin_memory_watch
  begin_batch_watch
  begin_wal_watch
  local result
  result=$(wrk_run "$seconds" "$2" "$clients")
  echo "$result" >>"$OUT/wrk.txt"
  local requests duration status_errors socket_errors tps p50 p99
  requests=$(field requests "$result")
  duration=$(field duration_us "$result")
  status_errors=$(field status_errors "$result")
  socket_errors=$(field socket_errors "$result")
  tps=$(awk -v r="$requests" -v e="$status_errors" -v d="$duration" 'BEGIN { printf "%.0f", (r - e) / (d / 1e6) }')
  p50=$(awk -v v="$(field p50_us "$result")" 'BEGIN { printf "%.1f", v / 1000 }')
  p99=$(awk -v v="$(field p99_us "$result")" 'BEGIN { printf "%.1f", v / 1000 }')
  end_memory_watch
  end_batch_watch
  end_wal_watch $((requests - status_errors))
  add_row "$1" "$clients" "$tps" "$p50" "$p99" $((status_errors + socket_errors)) "$MEM_RSS_MIB" "$MEM_HEAP_MIB" "$BATCH_MEAN" \
    "$WAL_PER_TRANSFER"
  ROW_TPS=$tps
}

# pgbench and the batcher-on gateway back to back, PAIRS times, the first of each pair alternating;
# the median of the pairs' gateway/pgbench ratios. The machine's speed wanders by a quarter
# within minutes (bench/RESULTS.md), and a ratio of two rows measured minutes apart rides on that
# drift; two rows measured back to back share it.
paired_rows() { # uniform|hot; sets PAIRED_RATIO
  local mode=$1 i gateway pgbench ratios=() name=$1
  [[ $mode == hot ]] && name="hot account"
  for ((i = 1; i <= PAIRS; i++)); do
    if ((i % 2 == 1)); then
      pgbench_row "pgbench ledger_apply $name, pair $i" "$mode" "$CLIENTS" "$PAIR_SECONDS"
      pgbench=$ROW_TPS
    fi
    gateway_row "gateway closed loop $name, batcher on, pair $i" "$mode" "$CLIENTS" "$PAIR_SECONDS"
    gateway=$ROW_TPS
    if ((i % 2 == 0)); then
      pgbench_row "pgbench ledger_apply $name, pair $i" "$mode" "$CLIENTS" "$PAIR_SECONDS"
      pgbench=$ROW_TPS
    fi
    ratios+=("$(ratio "$gateway" "$pgbench")")
  done
  PAIRED_RATIO=$(printf '%s\n' "${ratios[@]}" | grep -v '^n/a$' | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}

max_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print ""; else print (a + 0 > b + 0 ? a : b) }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'; }

# ---- report -------------------------------------------------------------------------------------

# The table and the ratios go to stdout and into the run's folder beside its logs.
report() {
  echo
  echo "Paygate bench ($MODE)$INCOMPLETE $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "$ACCOUNTS accounts with a history of ${HISTORY_APPLIED:-0} transfers, $CLIENTS concurrent clients, ${MEASURE_SECONDS}s per row; gateway heap $HEAP; logs: ${OUT#"$ROOT"/}"
  # Everything shares the machine's cores: anything else running skews the rows, so say how busy it was.
  echo "load average at start: $LOAD_AT_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  # shellcheck disable=SC2059
  printf "$TABLE_FORMAT\n" "row" "clients" "transfers/s" "p50 ms" "p99 ms" "errors" "RSS MiB" "heap MiB" "per call" "WAL B"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "uniform_vs_pgbench=$(ratio "${GW[uniform-false]:-}" "$PG_UNIFORM")"
  echo "batched_vs_pgbench=$(ratio "${GW[uniform-true]:-}" "$PG_UNIFORM")"
  echo "hot_vs_uniform=$(ratio "${GW[hot-true]:-}" "${GW[uniform-true]:-}")"
  echo "hot_vs_pgbench_hot=$(ratio "${GW[hot-true]:-}" "$PG_HOT")"
  echo "p99_over_p50=$(ratio "${P99[$BEST]:-}" "${P50[$BEST]:-}")"
  echo "sse_heap_kib_per_subscriber=$SSE_HEAP_KIB"
  echo "sse_uniform_vs_uniform=$(ratio "$SSE_TPS" "${GW[uniform-true]:-}")"
  echo "aml_on_vs_off=$(ratio "$AML_ON_TPS" "$AML_OFF_TPS")"
  if ((PAIRS > 0)); then
    echo "batched_vs_pgbench_paired=${PAIRED_UNIFORM:-n/a}"
    echo "hot_vs_pgbench_hot_paired=${PAIRED_HOT:-n/a}"
  fi
  if ((HIGH_CLIENTS > 0)); then
    echo "batched_vs_pgbench_at_$HIGH_CLIENTS=$(ratio "${GW[uniform-high]:-}" "$PG_UNIFORM_HIGH")"
    echo "batched_vs_best_pgbench=$(ratio "$(max_of "${GW[uniform-high]:-}" "${GW[uniform-true]:-}")" "$(max_of "$PG_UNIFORM_HIGH" "$PG_UNIFORM")")"
    echo "hot_vs_pgbench_hot_at_$HIGH_CLIENTS=$(ratio "${GW[hot-high]:-}" "$PG_HOT_HIGH")"
    echo "p99_over_p50_at_$HIGH_CLIENTS=$(ratio "$HIGH_P99" "$HIGH_P50")"
  fi
}

# ---- the run ------------------------------------------------------------------------------------

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "mode $MODE: $ACCOUNTS accounts, $CLIENTS clients, ${MEASURE_SECONDS}s per measurement; output in $OUT"
build_jar_if_missing
CLIENT=(node "$ROOT/bench/client.mjs")

start_gateway_batching false
log "opening and funding $ACCOUNTS accounts through the API"
timeout 330 "${CLIENT[@]}" setup "$BASE" "$ACCOUNTS" "$OUT" | tee "$OUT/setup.txt" >&2
MERCHANT=$(cut -f1 "$OUT/merchant.tsv")
OPERATOR_TOKEN=$(cat "$OUT/operator.tsv")
[[ $OPERATOR_TOKEN == - ]] && log "no operator token (no /dev/tokens): the heap column will read 0"
# pgbench addresses the same accounts by number: 1..N customers, 0 the merchant.
"${PSQL[@]}" -c "CREATE SCHEMA bench; CREATE TABLE bench.accounts (n int PRIMARY KEY, id uuid NOT NULL)"
{ printf '0\t%s\n' "$MERCHANT"; awk -F'\t' '{ printf "%d\t%s\n", NR, $1 }' "$OUT/accounts.tsv"; } |
  "${PSQL[@]}" -c "\\copy bench.accounts (n, id) FROM STDIN"
"${PSQL[@]}" -c "ANALYZE"

# Each setting starts on a database whose dead rows from earlier rows are vacuumed and whose dirty
# pages are flushed, so neither autovacuum nor a checkpoint lands in one setting's rows only. The
# setup's gateway (batcher off) goes on to the first setting, saving a restart; the warm-up
# below, not the JVM's history, decides when measuring starts.
settle_database() {
  "${PSQL[@]}" -c "VACUUM ANALYZE" -c "CHECKPOINT"
}

# A ledger in use carries history, and one transfer's cost depends on it: on a database of
# 10,000 fresh accounts pgbench's rows read 969 (uniform) and 353/s (hot account), and on the same
# database once it held 1.2 million transfers 651 and 222/s, while the batched gateway's stayed at
# 1,437-1,491/s (bench/RESULTS.md, 2026-12-08). pgbench at 16 clients waits on its commits, and
# on a grown database each commit carries full-page images of index pages the transfer touched
# for the first time since the last checkpoint, and reads index pages from outside shared_buffers.
# A run that starts on an empty database measures pgbench on a young database and the gateway on
# one that its own rows have grown by 800,000 transfers; a history first puts every row on a
# database of about the same size, as in production, where the run's own rows change it less.
seed_history() {
  local clients=4 started=$SECONDS
  local calls=$(((HISTORY + 64 * clients - 1) / (64 * clients)))
  HISTORY_APPLIED=$((calls * clients * 64))
  log "(0) a history of $HISTORY_APPLIED transfers between the accounts, 64 to a ledger_apply call"
  (cd "$OUT" && timeout 900 pgbench -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c "$clients" -j 2 -t "$calls" \
    -M prepared -D accounts="$ACCOUNTS" -f "$ROOT/bench/ledger_apply_history.sql" paygate) >"$OUT/history.txt" 2>&1 ||
    { cat "$OUT/history.txt" >&2; die "history"; }
  # The gateway's relay publishes the history's events as they come; the rows wait until it has
  # caught up, or they would share the machine with it.
  local waiting i
  for ((i = 0; i < 600; i++)); do
    waiting=$("${PSQL[@]}" -c "SELECT count(*) FROM outbox WHERE published_at IS NULL")
    ((waiting == 0)) && break
    sleep 1
  done
  ((waiting == 0)) || die "the relay still had $waiting history events to publish after 10 minutes"
  settle_database
  log "(0) history applied and published in $((SECONDS - started)) s"
}
if ((HISTORY > 0)); then seed_history; fi

log "(1) pgbench: ledger_apply, one transfer per transaction"
pgbench_row "pgbench ledger_apply uniform" uniform
PG_UNIFORM=$ROW_TPS
pgbench_row "pgbench ledger_apply hot account" hot
PG_HOT=$ROW_TPS

# The JIT needs tens of seconds of load on two busy cores (from a cold start, the same gateway did
# 840, 1220, then 1640 transfers/s in three back-to-back 8 s runs), more when the machine is
# busier: load it in short probes until one gains less than 5% on the one before and the JIT
# compiler has gone quiet, within bounds. The compiler matters on its own: on a 2-core Xeon its
# thread took a fifth of the gateway's CPU for the first 80 s of load, while the probes had
# stopped gaining, and the batcher-off gateway did 585/s after a 9 s warm-up, 850-1,000/s after 100 s.
jit_seconds() { # seconds the gateway's JIT compilers have spent so far (jstat's Time column)
  jstat -compiler "$GW_PID" 2>/dev/null | awk 'NR == 2 { print $4 }'
}

warm_up() { # batching
  local elapsed=0 previous=0 tps result jit_before jit_after jit_busy=-
  while ((elapsed < WARMUP_SECONDS_MAX)); do
    jit_before=$(jit_seconds)
    result=$(wrk_run "$WARMUP_PROBE_SECONDS" uniform)
    jit_after=$(jit_seconds)
    elapsed=$((elapsed + WARMUP_PROBE_SECONDS))
    tps=$(awk -v r="$(field requests "$result")" -v d="$(field duration_us "$result")" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
    # The share of the probe the compilers were busy; quiet below 5% (unknown counts as quiet).
    jit_busy=$(awk -v a="$jit_before" -v b="$jit_after" -v p="$WARMUP_PROBE_SECONDS" \
      'BEGIN { if (a == "" || b == "") print "-"; else printf "%.0f", (b - a) / p * 100 }')
    if ((elapsed >= WARMUP_SECONDS_MIN && tps * 100 <= previous * 105)) && [[ $jit_busy == - || $jit_busy -lt 5 ]]; then
      break
    fi
    previous=$tps
  done
  log "(2) gateway, batching=$1: warmed up for ${elapsed}s (last probe $tps transfers/s, JIT busy ${jit_busy}% of it)"
}

# 80% of the closed-loop maximum just measured, on the same warm JVM: a restarted, colder gateway
# can fall behind an arrival rate it would otherwise keep up with, and never catch up.
open_row() { # label uniform-transfers/s; sets OPEN_P50 and OPEN_P99
  local rate open
  rate=$(awk -v m="$2" -v f="$OPEN_LOAD_FRACTION" 'BEGIN { printf "%.0f", m * f }')
  log "(3) gateway under an open arrival rate of $rate/s (80% of $2/s), $1"
  # First the open client's traffic at half the rate, not measured: its requests and connections
  # are not wrk's, and the JIT recompiles for them. The first open run at 2,000/s right after
  # 60 s of 64-client wrk went seconds behind (p50 1.5 s, the gateway's CPU per request 40% above
  # the next run's), and the next run at the same rate had p50 11 ms, p99 25 ms.
  # (--quick skips it, to stay within its 3 minutes: its JIT is still busy anyway.)
  if ((OPEN_PREWARM_SECONDS > 0)); then
    timeout $((OPEN_PREWARM_SECONDS + 60)) "${CLIENT[@]}" open "$BASE" "$OUT/accounts.tsv" \
      "$((rate / 2))" "$OPEN_PREWARM_SECONDS" 0 >>"$OUT/open-prewarm.txt" || die "open-model warm-up"
  fi
  begin_memory_watch
  begin_batch_watch
  begin_wal_watch
  open=$(timeout $((MEASURE_SECONDS + OPEN_WARMUP_SECONDS + 60)) "${CLIENT[@]}" open "$BASE" "$OUT/accounts.tsv" \
    "$rate" "$MEASURE_SECONDS" "$OPEN_WARMUP_SECONDS" | grep '^OPEN_RESULT') || die "open-model run"
  echo "$open" >>"$OUT/open.txt"
  end_memory_watch
  end_batch_watch
  # The client's own warm-up runs at the same rate before its measured span, and writes WAL too.
  end_wal_watch "$(awk -v ok="$(field ok "$open")" -v m="$MEASURE_SECONDS" -v w="$OPEN_WARMUP_SECONDS" \
    'BEGIN { printf "%.0f", ok * (m + w) / m }')"
  OPEN_P50=$(awk -v v="$(field p50_us "$open")" 'BEGIN { printf "%.1f", v / 1000 }')
  OPEN_P99=$(awk -v v="$(field p99_us "$open")" 'BEGIN { printf "%.1f", v / 1000 }')
  add_row "gateway open model at $rate/s, $1" "open" \
    "$(awk -v v="$(field achieved_per_s "$open")" 'BEGIN { printf "%.0f", v }')" "$OPEN_P50" "$OPEN_P99" \
    $(($(field errors "$open") + $(field unfinished "$open"))) "$MEM_RSS_MIB" "$MEM_HEAP_MIB" "$BATCH_MEAN" \
    "$WAL_PER_TRANSFER"
}

# The default AML rules (V6__compliance.sql) are all enabled; the bench turns them off and on again.
aml_rules_enabled() { # true|false
  "${PSQL[@]}" -c "UPDATE aml_rules SET enabled = $1"
}

for batching in false true; do
  if [[ $batching == true ]]; then
    stop_gateway
    start_gateway_batching true
  fi
  settle_database
  warm_up "$batching"
  label=$([[ $batching == true ]] && echo "batcher on" || echo "batcher off")
  gateway_row "gateway closed loop uniform, $label" uniform
  GW[uniform-$batching]=$ROW_TPS
  if [[ $batching == true ]]; then
    # The cost of the rule check: the same row with every AML rule disabled (ledger_apply reads
    # the enabled rules on each call), between the row above and the same row again with the
    # default rules, on the same JVM. The JIT may still be gaining (a first run measured 623, then
    # 967 with the rules off, then 783 on the hot account): comparing the off row with the mean of
    # the rows on either side of it cancels a steady gain instead of crediting it to one side.
    aml_rules_enabled false
    gateway_row "gateway uniform, $label, AML rules off" uniform
    AML_OFF_TPS=$ROW_TPS
    aml_rules_enabled true
    gateway_row "gateway uniform, $label, default AML rules again" uniform
    AML_ON_TPS=$(awk -v a="${GW[uniform-true]}" -v b="$ROW_TPS" 'BEGIN { printf "%.0f", (a + b) / 2 }')
  fi
  gateway_row "gateway closed loop hot account, $label" hot
  GW[hot-$batching]=$ROW_TPS
  open_row "$label" "${GW[uniform-$batching]}"
  P50[$batching]=$OPEN_P50
  P99[$batching]=$OPEN_P99
done

# The latency ratio is read from the faster setting: the one the gateway should ship with.
BEST=true
(( ${GW[uniform-false]} > ${GW[uniform-true]} )) && BEST=false
# Subscribers join the gateway still running (batcher on), the setting meant to become the default.
SSE_LABEL="batcher on"

log "(4) gateway with $SSE_SUBSCRIBERS SSE subscribers"
jcmd "$GW_PID" GC.run >/dev/null
sleep 1
HEAP_BEFORE=$(heap_used_bytes)
rm -f "$OUT/sse.ready"
# Long enough to connect them all (at most 120 s) and measure; the hold is ended early after the row.
SSE_HOLD=$((MEASURE_SECONDS + 150))
timeout $((SSE_HOLD + 30)) "${CLIENT[@]}" sse "$BASE" "$OUT/accounts.tsv" "$SSE_SUBSCRIBERS" "$SSE_HOLD" \
  "$OUT/sse.ready" >"$OUT/sse.txt" 2>&1 &
SSE_PID=$!
for ((i = 0; i < 1200; i++)); do
  [[ -s $OUT/sse.ready ]] && break
  kill -0 "$SSE_PID" 2>/dev/null || break
  sleep 0.1
done
if grep -q 'status=200' "$OUT/sse.ready" 2>/dev/null; then
  jcmd "$GW_PID" GC.run >/dev/null
  sleep 1
  HEAP_AFTER=$(heap_used_bytes)
  CONNECTED=$(field connected "$(cat "$OUT/sse.ready")")
  ((CONNECTED > 0)) && SSE_HEAP_KIB=$(awk -v a="$HEAP_AFTER" -v b="$HEAP_BEFORE" -v n="$CONNECTED" \
    'BEGIN { printf "%.1f", (a - b) / n / 1024 }')
  gateway_row "gateway uniform + $CONNECTED SSE subscribers, $SSE_LABEL" uniform
  SSE_TPS=$ROW_TPS
  stop_pid "$SSE_PID" 5
  wait "$SSE_PID" 2>/dev/null || true
  SSE_PID=""
  log "SSE: $(grep '^SSE_RESULT' "$OUT/sse.txt" || cat "$OUT/sse.ready"); heap after GC ${HEAP_BEFORE} B before, ${HEAP_AFTER} B with them"
else
  wait "$SSE_PID" 2>/dev/null || true
  SSE_PID=""
  log "SSE: GET /accounts/{id}/events answered $(cat "$OUT/sse.ready" 2>/dev/null || tail -1 "$OUT/sse.txt"); row skipped"
  add_row "gateway uniform + SSE subscribers" "-" "n/a" "n/a" "n/a" "-" "-" "-" "-" "-"
fi

# A batch can only hold the requests that are waiting, and at 16 clients a call carries about four
# movements: most of its cost is then the call's own (statements, commit), not the movements'. The
# same rows at a higher concurrency show what batching does when there is something to batch, and
# pgbench at that concurrency says whether the database alone would gain from it too.
if ((HIGH_CLIENTS > 0)); then
  log "(6) pgbench and the gateway (batcher on) at $HIGH_CLIENTS clients"
  settle_database
  # The SSE row's closed streams leave their garbage in the old generation until G1's next marking,
  # and the young generation small until then: the 64-client open row stalled for seconds on it
  # (bench/RESULTS.md, 2026-12-03 later). A full GC here keeps the debris of (4) out of (6).
  jcmd "$GW_PID" GC.run >/dev/null
  # pgbench at $CLIENTS once more, the gateway idle as in the first pass: on one quiet machine
  # four back-to-back 30 s runs of it read 1,280, 1,196, 1,083 and 771/s (bench/RESULTS.md,
  # 2026-12-04), so a ratio should not ride on one sample of its denominator. The ratios divide
  # by the faster pass. (--quick skips it, to stay within its 3 minutes.)
  if [[ $MODE == full ]]; then
    pgbench_row "pgbench ledger_apply uniform, again" uniform
    PG_UNIFORM=$(max_of "$PG_UNIFORM" "$ROW_TPS")
    pgbench_row "pgbench ledger_apply hot account, again" hot
    PG_HOT=$(max_of "$PG_HOT" "$ROW_TPS")
  fi
  pgbench_row "pgbench ledger_apply uniform" uniform "$HIGH_CLIENTS"
  PG_UNIFORM_HIGH=$ROW_TPS
  pgbench_row "pgbench ledger_apply hot account" hot "$HIGH_CLIENTS"
  PG_HOT_HIGH=$ROW_TPS
  # A short load at the new concurrency first: more connections, bigger batches, other JIT paths.
  wrk_run "$((WARMUP_SECONDS_MIN / 4))" uniform "$HIGH_CLIENTS" >/dev/null
  gateway_row "gateway closed loop uniform, batcher on" uniform "$HIGH_CLIENTS"
  GW[uniform-high]=$ROW_TPS
  gateway_row "gateway closed loop hot account, batcher on" hot "$HIGH_CLIENTS"
  GW[hot-high]=$ROW_TPS
  open_row "batcher on, $HIGH_CLIENTS-client maximum" "${GW[uniform-high]}"
  HIGH_P50=$OPEN_P50
  HIGH_P99=$OPEN_P99
fi

# The two ratios that decide the batcher again, from pairs of rows measured back to back (see
# paired_rows): the other ratios divide rows measured up to fifteen minutes apart. (--quick skips it.)
if ((PAIRS > 0)); then
  log "(7) pgbench and the gateway (batcher on) back to back, $PAIRS pairs of ${PAIR_SECONDS}s rows each, uniform and hot"
  settle_database
  jcmd "$GW_PID" GC.run >/dev/null
  # Back at the first concurrency after the 64-client rows: a short load first, not counted.
  wrk_run "$((WARMUP_SECONDS_MIN / 4))" uniform >/dev/null
  paired_rows uniform
  PAIRED_UNIFORM=$PAIRED_RATIO
  paired_rows hot
  PAIRED_HOT=$PAIRED_RATIO
fi

stop_gateway

report | tee "$OUT/report.txt"
REPORTED=yes

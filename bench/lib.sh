# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run): starting and stopping the gateway they own, free
# loopback ports, a watchdog that bounds the whole script, the end of their EXIT traps, and the
# wrk load over the accounts their setup opened.
# Callers set ROOT, OUT, DATA, HEAP and JAR; these helpers set PORT, PG_PORT, BASE, GW_PID.

GW_PID=""
WATCHDOG_PID=""
# The garbage collector settings the Dockerfile ships (JAVA_TOOL_OPTIONS), so the bench measures
# the gateway as it is meant to run. G1 starts marking the old generation at 80% of the heap
# rather than at the adaptive threshold: with 10,000 event streams open, 70-85% of the 512 MiB
# heap is live, and the adaptive threshold ran marking cycles back to back (82 in a 5-minute run,
# over a third of the gateway's CPU). 92% stopped that too, but left no room for G1's 10% reserve.
# DeploymentFilesTest keeps the two copies the same.
GATEWAY_GC_FLAGS=(-XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=80)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

stop_pid() { # pid seconds: TERM, wait that long, then KILL
  local pid=$1 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Past the limit the script TERMs itself, so its EXIT trap still stops what it started.
start_watchdog() { # seconds
  (
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$1" & sleeper=$!
    wait "$sleeper"
    echo "$(basename "$0"): time limit of $1 s reached, stopping" >&2
    kill -TERM $$
  ) &
  WATCHDOG_PID=$!
}

stop_watchdog() {
  [[ -z $WATCHDOG_PID ]] || stop_pid "$WATCHDOG_PID" 3
  WATCHDOG_PID=""
}

free_port() {
  local port
  for port in $(shuf -i 20000-29999 -n 40); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

choose_ports() {
  PORT=${BENCH_PORT:-$(free_port)}
  PG_PORT=${BENCH_PG_PORT:-$(free_port)}
  BASE=http://127.0.0.1:$PORT
}

build_jar_if_missing() {
  [[ -f $JAR ]] && return 0
  log "building $JAR"
  (cd "$ROOT" && timeout 600 ./mvnw -q -DskipTests package) || die "build"
}

start_gateway() { # log-file, then extra --args for the jar
  local logfile=$1
  shift
  log "starting the gateway (heap $HEAP, port $PORT, PostgreSQL port $PG_PORT) $*"
  java -Xmx"$HEAP" "${GATEWAY_GC_FLAGS[@]}" -jar "$JAR" --server.port="$PORT" \
    --paygate.database.embedded.data-directory="$DATA" --paygate.database.embedded.port="$PG_PORT" \
    --management.endpoints.web.exposure.include=health,info,prometheus,metrics \
    --paygate.rate-limit.enabled=false "$@" \
    >>"$logfile" 2>&1 &
  GW_PID=$!
  local i
  for ((i = 0; i < 180; i++)); do
    kill -0 "$GW_PID" 2>/dev/null || { tail -20 "$logfile" >&2; GW_PID=""; die "the gateway exited"; }
    curl -sf -m 1 "$BASE/actuator/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "the gateway was not healthy within 90 s"
}

stop_gateway() {
  [[ -n $GW_PID ]] || return 0
  stop_pid "$GW_PID" 30
  wait "$GW_PID" 2>/dev/null || true
  GW_PID=""
  # A gateway that had to be killed leaves its PostgreSQL running on our data directory.
  if [[ -f $DATA/postmaster.pid ]]; then
    local pg
    pg=$(head -1 "$DATA/postmaster.pid")
    if [[ $pg =~ ^[0-9]+$ ]]; then stop_pid "$pg" 30; fi
  fi
}

# The database is throwaway (up to 1 GB after history-explain.sh); the logs beside it stay.
remove_data_directory() {
  if [[ ${BENCH_KEEP_DATA:-0} != 1 && -z $GW_PID && -d $DATA ]]; then
    rm -rf "$DATA"
  fi
}

# The shared end of a script's cleanup: the background processes it names (pid and seconds to wait
# after TERM, in pairs; an empty pid is skipped), the gateway, its data directory unless kept, and
# the watchdog.
stop_all() { # [pid seconds]...
  while (($# >= 2)); do
    [[ -z $1 ]] || stop_pid "$1" "$2"
    shift 2
  done
  stop_gateway
  remove_data_directory
  stop_watchdog
}

# EXIT runs the script's cleanup function; INT and TERM leave through it with the usual codes.
trap_cleanup() { # function
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 124' TERM
}

# The value of one key in a line of key=value pairs, such as wrk's WRK_RESULT line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# A closed loop of transfers (bench/transfers.lua) over the accounts the setup wrote to
# OUT/accounts.tsv, on MERCHANT for the hot account; prints its WRK_RESULT line.
wrk_run() { # seconds uniform|hot [clients, default CLIENTS]
  timeout $(($1 + 60)) wrk -t2 -c"${3:-$CLIENTS}" -d"$1"s --timeout 10s -s "$ROOT/bench/transfers.lua" "$BASE" \
    -- "$OUT/accounts.tsv" "$2" "$MERCHANT" | grep '^WRK_RESULT' || die "wrk $2"
}

#!/usr/bin/env bash
# Runs the same bench against DynamoDB Local, dynalite and a Dynalog node, one after the other, and
# prints the results side by side, workload by workload.
#
#   scripts/bench-side-by-side.sh [bench options...]
#   e.g. scripts/bench-side-by-side.sh --duration-s 10 --warmup-s 3 --workload put,get
#
# DynamoDB Local (scripts/dynamodb-local.sh, from Maven Central) and dynalite (scripts/dynalite.sh,
# from npm; skipped, saying so, without Node.js) are started here, in memory, and stopped at the
# end; their ports are clear of `dynalog dev --nodes 3` (8000-8002). The Dynalog
# node is the one listening at DYNALOG_ENDPOINT; if nothing listens there, `./dynalog dev
# --data-dir <temp dir>` is started (and stopped at the end), which must serve that endpoint.
#
# Environment:
#   DYNAMODB_LOCAL_PORT   DynamoDB Local's port (default 8011)
#   DYNALITE_PORT         dynalite's port (default 8012)
#   DYNALOG_ENDPOINT      the Dynalog node (default http://localhost:8000)
#   DYNALOG_DEV_ARGS      extra arguments for `dynalog dev` when it is started here
#                         (default: --kafka-port 0, so that its broker takes any free port)
#   BENCH_OUTPUT          CSV file to append both runs to (default target/bench/side-by-side.csv)
#   BENCH_CLIENT          sdk (default): `dynalog bench`, with the bench options given; wrk: scripts/wrk-bench.sh
#                         (wrk, 1 thread, 16 connections: listtables, put-idle, put, get, query; a C
#                         client that leaves the shared cores to the servers), which ignores the options
#   WRK_DURATION_S        with BENCH_CLIENT=wrk: measured seconds per workload (default 10)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ddb_port="${DYNAMODB_LOCAL_PORT:-8011}"
dynalite_port="${DYNALITE_PORT:-8012}"
dynalog_endpoint="${DYNALOG_ENDPOINT:-http://localhost:8000}"
csv="${BENCH_OUTPUT:-$root/target/bench/side-by-side.csv}"
# host and port of the Dynalog endpoint, for the readiness check
hostport="${dynalog_endpoint#*://}"
hostport="${hostport%%/*}"
dynalog_host="${hostport%%:*}"
dynalog_port="${hostport##*:}"
if [[ "$dynalog_port" == "$hostport" ]]; then dynalog_port=80; fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dynalog-side-by-side.XXXXXX")"
ddb_pid=""
dynalite_pid=""
dynalog_pid=""
cleanup() {
  local pid
  for pid in "$dynalog_pid" "$dynalite_pid" "$ddb_pid"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

listening() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Waits until host:port accepts connections, while the process that should serve it lives.
await_port() { # name host port pid log timeout_s
  local name="$1" host="$2" port="$3" pid="$4" log="$5" deadline=$((SECONDS + $6))
  until listening "$host" "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before it listened on $host:$port; its log:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "$name does not listen on $host:$port after $6 s; its log: $log" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
}

bench() { # label endpoint [bench options...]
  local label="$1" endpoint="$2"
  shift 2
  echo "== $label ($endpoint)" >&2
  if [[ "${BENCH_CLIENT:-sdk}" == wrk ]]; then
    "$root/scripts/wrk-bench.sh" "$endpoint" "$label" "${WRK_DURATION_S:-10}" | tee "$work/$label.out"
    return "${PIPESTATUS[0]}"
  fi
  DYNALOG_MAIN_CLASS=io.dynalog.node.bench.BenchCommand "$root/dynalog" \
    --endpoint "$endpoint" --label "$label" --output "$csv" "$@" | tee "$work/$label.out"
}

# Build once, first (the launcher does it when needed); every process below then runs that build,
# even if someone edits the sources meanwhile.
DYNALOG_MAIN_CLASS=io.dynalog.node.bench.BenchCommand "$root/dynalog" --help >/dev/null
export DYNALOG_SKIP_BUILD=1

if listening 127.0.0.1 "$ddb_port"; then
  echo "Port $ddb_port is taken: stop what listens there or set DYNAMODB_LOCAL_PORT" >&2
  exit 1
fi
"$root/scripts/dynamodb-local.sh" "$ddb_port" >"$work/dynamodb-local.log" 2>&1 &
ddb_pid=$!
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "No Node.js (node and npm) on the PATH: dynalite is left out" >&2
elif listening 127.0.0.1 "$dynalite_port"; then
  echo "Port $dynalite_port is taken: stop what listens there or set DYNALITE_PORT" >&2
  exit 1
else
  # exec in the script: this pid is node's, so the cleanup stops it
  "$root/scripts/dynalite.sh" "$dynalite_port" >"$work/dynalite.log" 2>&1 &
  dynalite_pid=$!
fi

if listening "$dynalog_host" "$dynalog_port"; then
  echo "Using the Dynalog node already listening at $dynalog_endpoint" >&2
else
  echo "Starting ./dynalog dev --port $dynalog_port --data-dir $work/dynalog-data (log: $work/dynalog.log)" >&2
  # shellcheck disable=SC2086 # DYNALOG_DEV_ARGS is a list of arguments
  "$root/dynalog" dev --port "$dynalog_port" --data-dir "$work/dynalog-data" ${DYNALOG_DEV_ARGS:---kafka-port 0} \
    >"$work/dynalog.log" 2>&1 &
  dynalog_pid=$!
  await_port "Dynalog" "$dynalog_host" "$dynalog_port" "$dynalog_pid" "$work/dynalog.log" 180
fi
# The first run downloads DynamoDB Local, hence the generous limit.
await_port "DynamoDB Local" 127.0.0.1 "$ddb_port" "$ddb_pid" "$work/dynamodb-local.log" 600
# The first run installs dynalite from npm.
if [[ -n "$dynalite_pid" ]]; then
  await_port "dynalite" 127.0.0.1 "$dynalite_port" "$dynalite_pid" "$work/dynalite.log" 300
fi

status=0
outs=("$work/dynamodb-local.out")
bench dynamodb-local "http://localhost:$ddb_port" "$@" || status=1
if [[ -n "$dynalite_pid" ]]; then
  bench dynalite "http://localhost:$dynalite_port" "$@" || status=1
  outs+=("$work/dynalite.out")
fi
outs+=("$work/dynalog.out")
bench dynalog "$dynalog_endpoint" "$@" || status=1

echo
if [[ "${BENCH_CLIENT:-sdk}" == wrk ]]; then
  echo "== side by side (wrk)"
else
  echo "== side by side (results appended to $csv)"
fi
# Result lines are "<label> <workload> ...": group them by workload, in the order they ran.
awk '{ if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } lines[$2] = lines[$2] $0 "\n" }
     END { for (i = 1; i <= n; i++) printf "%s", lines[order[i]] }' \
  "${outs[@]}"
exit "$status"

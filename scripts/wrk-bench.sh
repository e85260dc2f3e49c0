#!/usr/bin/env bash
# Measures one DynamoDB-compatible endpoint with wrk (a C client that costs the shared cores far
# less than the JVM bench), the way issue 14's targets are set: 1 thread, 16 connections, 1 KB
# items; and one connection alone for the latency of a lone call on an idle server.
#
#   scripts/wrk-bench.sh ENDPOINT LABEL [DURATION_S]
#
# The tables are created and preloaded by `dynalog bench --keep` (the same keys and sizes as the
# JVM bench: 10,000 items of about 1,000 bytes; 100 Query partition keys of 100 items), measured
# with the scripts in scripts/wrk/, and deleted at the end. Prints one line per workload:
#   <label> <workload> <ops/s> ops/s p50 <ms> ms p99 <ms> ms errors <n>
# where errors counts failed calls (an error status, or a wrong answer: a GetItem without its item,
# a Query short of its items) and socket errors (wrk's connect, read, write and timeout counts).
# Workloads: listtables (the server's ceiling), put, put-idle (one connection), get, query.
# Needs wrk on the PATH (Debian: apt-get install wrk).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
endpoint="$1"
label="$2"
duration_s="${3:-10}"
connections="${WRK_CONNECTIONS:-16}"
# Unmeasured seconds of PutItem first, and half as many of GetItem and of Query: a JVM server's
# JIT compiles for minutes. Measured on `dev --nodes 3` (three nodes and the broker in one JVM) on
# 2 cores under PutItem: the compiler threads took 32 % of the process's CPU from 2:15 to 2:45
# into the load, and under 1 % from 3:15 on, while PutItem/s rose from 935 to about 1,650.
warmup_s="${WRK_WARMUP_S:-150}"
table="wrk_$(date +%s)_$RANDOM"

if ! command -v wrk >/dev/null; then
  echo "wrk is not on the PATH (Debian: apt-get install wrk)" >&2
  exit 1
fi

bench_java() {
  DYNALOG_MAIN_CLASS=io.dynalog.node.bench.BenchCommand "$root/dynalog" --endpoint "$endpoint" --table "$table" "$@"
}

echo "== $label: creating and preloading $table and ${table}_query" >&2
# A one-second get and query run preloads both tables; --keep leaves them for wrk.
bench_java --keep --workload get,query --threads 8 --duration-s 1 --warmup-s 0 >/dev/null

# wrk's summary to one line: ops/s, p50 and p99 in ms, and the non-2xx count.
summarise() { # workload file
  awk -v label="$label" -v workload="$1" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rate = $2 }
    # Failed calls: non-200 answers and wrong ones (scripts/wrk/dynamodb.lua); socket errors:
    # "Socket errors: connect N, read N, write N, timeout N".
    /^Failed calls:/ { errors += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i += 2) errors += $(i + 1) }
    END { printf "%-16s %-11s %8.0f ops/s   p50 %7.2f ms   p99 %7.2f ms   errors %d\n", label, workload, rate, p50, p99, errors + 0 }
  ' "$2"
}

run() { # workload script threads connections duration
  local out
  out="$(mktemp)"
  TABLE="$table" wrk -t "$3" -c "$4" -d "${5}s" --latency -s "$root/scripts/wrk/$2.lua" "$endpoint" >"$out" 2>&1 || true
  summarise "$1" "$out"
  rm -f "$out"
}

# Unmeasured runs first: the server's JIT warms on the same calls.
warm() { # script seconds
  if (($2 > 0)); then
    TABLE="$table" wrk -t 1 -c "$connections" -d "${2}s" -s "$root/scripts/wrk/$1.lua" "$endpoint" >/dev/null 2>&1 || true
  fi
}
echo "== $label: warming up (put ${warmup_s} s, get and query $((warmup_s / 2)) s each)" >&2
warm put "$warmup_s"
warm get $((warmup_s / 2))
warm query $((warmup_s / 2))
run listtables listtables 1 "$connections" "$duration_s"
run put-idle put 1 1 "$duration_s"
run put put 1 "$connections" "$duration_s"
run get get 1 "$connections" "$duration_s"
run query query 1 "$connections" "$duration_s"

for t in "$table" "${table}_query"; do
  curl -s -o /dev/null -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Target: DynamoDB_20120810.DeleteTable' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=dynalogbench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    -d "{\"TableName\":\"$t\"}" "$endpoint" || true
done

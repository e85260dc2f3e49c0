#!/usr/bin/env bash
# Issue 15, item 9: how long a cluster takes to heal after a node dies, and what moving replicas
# costs the clients. Every node is a process of its own, so that one can be SIGKILLed:
#
#   1. a Kafka broker (`dynalog kafka`) and three nodes (`dynalog start`, zones az1-az3,
#      --replace-after REPLACE_AFTER);
#   2. DATA_MB of items (ITEM_BYTES each) loaded into one table (the bench's preload);
#   3. baseline: `dynalog bench --workload put,get`, BENCH_S seconds each;
#   4. a fourth node starts in az3: replicas move onto it (the rebalance), and the same bench runs
#      at once, while they move; the cluster status is polled meanwhile;
#   5. node 3 is SIGKILLed once the moves are over: the time until every group has three voters
#      again (a majority of three: durability back), and until every member's replica has applied
#      the log (three full members) is measured from the kill.
#
#   scripts/bench-rereplication.sh            (results in target/bench/rereplication-<time>/)
#
# Environment: DATA_MB (default 1024), ITEM_BYTES (4000), BENCH_S (20), THREADS (16),
# REPLACE_AFTER (10s), PORT_BASE (8100: nodes on PORT_BASE+1..4), KAFKA_PORT (19092),
# DYNALOG_JAVA_OPTS (each node's JVM options, default -Xmx2g).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_mb="${DATA_MB:-1024}"
item_bytes="${ITEM_BYTES:-4000}"
bench_s="${BENCH_S:-20}"
threads="${THREADS:-16}"
replace_after="${REPLACE_AFTER:-10s}"
port_base="${PORT_BASE:-8100}"
kafka_port="${KAFKA_PORT:-19092}"
export DYNALOG_JAVA_OPTS="${DYNALOG_JAVA_OPTS:--Xmx2g}"
export DYNALOG_SKIP_BUILD=1
items=$(( data_mb * 1024 * 1024 / item_bytes ))
out="$root/target/bench/rereplication-$(date +%Y%m%dT%H%M%S)"
work="$(mktemp -d "${TMPDIR:-/tmp}/dynalog-rereplication.XXXXXX")"
mkdir -p "$out"
declare -A pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$out/timeline.txt"; }
ms() { date +%s%3N; }
status() { curl -sf --max-time 5 "http://127.0.0.1:$((port_base + 1))/_dynalog/cluster"; }

await_line() { # file text seconds
  local deadline=$(( $(date +%s) + $3 ))
  until grep -q "$2" "$1" 2>/dev/null; do
    if (( $(date +%s) > deadline )); then echo "no '$2' in $1 after $3 s" >&2; tail -20 "$1" >&2; exit 1; fi
    sleep 0.5
  done
}

start_node() { # id zone
  "$root/dynalog" start --kafka "127.0.0.1:$kafka_port" --data-dir "$work/node$1" --node-id "$1" --zone "$2" \
    --port $((port_base + $1)) --replace-after "$replace_after" > "$out/node$1.log" 2>&1 &
  pids[$1]=$!
  await_line "$out/node$1.log" "is ready" 120
}

# The node's JVM (the launcher script execs java, so the pid is the JVM's).
kill_node() { kill -9 "${pids[$1]}"; wait "${pids[$1]}" 2>/dev/null || true; unset "pids[$1]"; }

bench() { # label
  "$root/dynalog" bench --endpoint "http://127.0.0.1:$((port_base + 1))" --label "$1" --workload put,get \
    --items 10000 --item-bytes 1000 --threads "$threads" --duration-s "$bench_s" --warmup-s 3 --output "$out/bench.csv" \
    > "$out/bench-$1.txt" 2>&1
  grep -E "^(put|get)|p99" "$out/bench-$1.txt" | head -20 || true
}

# Polls the status until the jq condition holds; prints the ms it took from $2.
await_status() { # jq-condition since-ms timeout-s
  local deadline=$(( $(date +%s) + $3 ))
  while (( $(date +%s) < deadline )); do
    if status | jq -e "$1" > /dev/null 2>&1; then echo $(( $(ms) - $2 )); return 0; fi
    sleep 0.5
  done
  echo "timeout"; return 1
}

no_moves='(.moves | length == 0) and all(.groups[]; (.voters | length == 3) and (.learners | length == 0) and .leader > 0)'
full='all(.groups[]; all(.members[]; .replicaLagSlots >= 0 and .replicaLagSlots < 50))'

"$root/dynalog" kafka --port "$kafka_port" --data-dir "$work/kafka" > "$out/kafka.log" 2>&1 &
pids[0]=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$kafka_port") 2>/dev/null; do sleep 0.5; done
log "kafka up on $kafka_port"
start_node 1 az1; start_node 2 az2; start_node 3 az3
log "three nodes up"

t0=$(ms)
"$root/dynalog" bench --endpoint "http://127.0.0.1:$((port_base + 1))" --label load --workload get --table big --keep \
  --items "$items" --item-bytes "$item_bytes" --threads "$threads" --duration-s 1 --warmup-s 0 > "$out/load.txt" 2>&1
log "loaded $items items of $item_bytes bytes ($data_mb MB) in $(( ($(ms) - t0) / 1000 )) s"
await_status "$full" "$(ms)" 300 > /dev/null
du -sh "$work"/node*/replica | tee -a "$out/timeline.txt"

log "baseline bench"
bench baseline

log "node 4 starts in az3: replicas move onto it"
start_node 4 az3
t4=$(ms)
( while status > "$out/status-during-rebalance.json.tmp" 2>/dev/null; do
    jq -c '{t: now, moves: .moves, nodes: [.nodes[] | {nodeId, replicas, leaders}]}' "$out/status-during-rebalance.json.tmp" \
      >> "$out/rebalance-timeline.jsonl" 2>/dev/null || true
    sleep 1
  done ) &
poller=$!
bench during-rebalance
log "moves over $(await_status "$no_moves" "$t4" 600) ms after node 4 started"
log "every replica caught up $(await_status "$no_moves and $full" "$t4" 900) ms after node 4 started"
kill "$poller" 2>/dev/null || true
status | jq '.nodes' > "$out/nodes-after-rebalance.json"
log "bench after the rebalance"
bench after-rebalance

log "SIGKILL node 3"
tk=$(ms)
kill_node 3
log "every group back at three voters $(await_status "$no_moves and all(.groups[]; (.voters | index(3)) == null)" "$tk" 600) ms after the kill"
log "three full members everywhere $(await_status "$no_moves and all(.groups[]; (.voters | index(3)) == null) and $full" "$tk" 900) ms after the kill"
status | jq '.nodes' > "$out/nodes-after-kill.json"
du -sh "$work"/node*/replica | tee -a "$out/timeline.txt"
log "results in $out"

#!/usr/bin/env bash
# Instructions per request, under callgrind: the deterministic figure behind the README's
# "instructions per GetItem" (wall-clock rates on a shared 2-core machine move by 20 %).
#
#   bash bench/callgrind.sh ["WORKLOAD"] [REQUESTS] [BINARY]
#   bash bench/callgrind.sh "GetItem hit" 2000 limit      # the limit, for comparison
#
# Starts the release emulator (or the bench's limit) under valgrind; the bench binary
# (`--sequential`) sets it up as `just bench` does and sends 200 warm-up requests of the
# workload; then the counters are zeroed, REQUESTS more are sent one after another on one
# keep-alive connection, and the script prints user-space instructions per request and
# the functions that cost the most. Needs a release build, valgrind and python3.
set -euo pipefail
workload="${1:-GetItem hit}"; n="${2:-2000}"; which="${3:-target/release/emulator}"
bench=target/release/bench
port=$((20000 + RANDOM % 20000))
out="$(mktemp -d)"
if [ "$which" = limit ]; then
    args=("$bench" --serve-limit "$port")
    setup=(--no-setup)
else
    args=("$which" --port "$port" --log-level error --sweep-interval 0)
    setup=()
fi
valgrind --tool=callgrind --callgrind-out-file="$out/cg" "${args[@]}" > "$out/log" 2>&1 &
vg=$!
trap 'kill $vg 2>/dev/null || true' EXIT
send() { "$bench" --target "http://127.0.0.1:$port" --workloads "$workload" "$@"; }
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.3; done
send --sequential 200 "${setup[@]}"
callgrind_control -z "$vg" > /dev/null 2>&1
send --sequential "$n" --no-setup
callgrind_control -d "$vg" > /dev/null 2>&1
kill "$vg"; wait "$vg" 2>/dev/null || true
# Self cost per function, read from the profile itself (callgrind_annotate's flat view
# charges everything to the thread's entry point for a dump taken mid-run).
python3 - "$out/cg.1" "$n" "$workload" <<'PY'
import collections, re, sys
path, n, workload = sys.argv[1], int(sys.argv[2]), sys.argv[3]
names, cost, fn, after_call = {}, collections.Counter(), None, False
for line in open(path):
    m = re.match(r"(c?)fn=\((\d+)\)(?: (.*))?", line)
    if m:
        if m.group(3):
            names[m.group(2)] = m.group(3).strip()
        if not m.group(1):
            fn = m.group(2)
        continue
    if line.startswith("calls="):
        after_call = True
        continue
    if line[:1].isdigit() or line[:1] in "+-*":
        parts = line.split()
        if len(parts) >= 2 and not after_call:
            cost[fn] += int(parts[1])
        after_call = False
total = sum(cost.values())
print(f"{workload}: {total // n} instructions per request ({n} requests; profile: {path})")
for f, c in cost.most_common(15):
    print(f"{c // n:>8} {100 * c / total:5.1f}%  {names.get(f, f)[:110]}")
PY

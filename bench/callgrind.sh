#!/usr/bin/env bash
# Instructions per request, under callgrind: the deterministic figure behind the README's
# "instructions per GetItem" (wall-clock rates on a shared 2-core machine move by 20 %).
#
#   bash bench/callgrind.sh [get|put|update|delete|batch] [REQUESTS] [BINARY]
#   bash bench/callgrind.sh get 2000 limit     # the limit, for comparison
#
# Starts the release emulator (or the bench's limit) under valgrind, loads 100 items of
# ~1 KB, sends 200 warm-up requests, zeroes the counters, sends REQUESTS more on one
# keep-alive connection, and prints user-space instructions per request and the
# functions that cost the most. Needs valgrind and python3.
set -euo pipefail
mode="${1:-get}"; n="${2:-2000}"; which="${3:-target/release/emulator}"
port=$((20000 + RANDOM % 20000))
out="$(mktemp -d)"
if [ "$which" = limit ]; then
    args=(target/release/bench --serve-limit "$port")
else
    args=("$which" --port "$port" --log-level error --sweep-interval 0)
fi
valgrind --tool=callgrind --callgrind-out-file="$out/cg" "${args[@]}" > "$out/log" 2>&1 &
vg=$!
trap 'kill $vg 2>/dev/null || true' EXIT
client() {
    python3 - "$port" "$@" <<'PY'
import base64, http.client, json, os, sys
port, mode, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"content-type": "application/x-amz-json-1.0", "x-amz-date": "20260101T000000Z",
           "authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/"
           "dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
           "Signature=" + "0" * 64}
def call(op, body):
    conn.request("POST", "/", body=body, headers=dict(headers, **{"x-amz-target": "DynamoDB_20120810." + op}))
    r = conn.getresponse(); data = r.read()
    if r.status != 200 and mode != "setup-limit":
        sys.exit(f"{op}: {r.status} {data[:200]!r}")
data = base64.b64encode(os.urandom(1024)).decode()
item = lambda k: {"pk": {"S": k}, "data": {"B": data}, "ttl": {"N": "4000000000"}}
if mode == "setup":
    call("CreateTable", json.dumps({"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}))
    for i in range(100):
        call("PutItem", json.dumps({"TableName": "bench", "Item": item(f"k{i}")}))
    sys.exit()
bodies = []
for i in range(100):
    key = {"pk": {"S": f"k{i}"}}
    op, body = {
        "get": ("GetItem", {"TableName": "bench", "Key": key}),
        "put": ("PutItem", {"TableName": "bench", "Item": item(f"k{i}")}),
        "update": ("UpdateItem", {"TableName": "bench", "Key": key,
                   "UpdateExpression": "SET #t = :t", "ConditionExpression": "attribute_exists(pk)",
                   "ExpressionAttributeNames": {"#t": "ttl"},
                   "ExpressionAttributeValues": {":t": {"N": "4000000001"}}}),
        "delete": ("DeleteItem", {"TableName": "bench", "Key": key}),
        "batch": ("BatchWriteItem", {"RequestItems": {"bench": [
                  {"PutRequest": {"Item": item(f"b{(i * 25 + j) % 1000}")}} for j in range(25)]}}),
    }[mode]
    bodies.append((op, json.dumps(body)))
for j in range(n):
    call(*bodies[j % 100])
PY
}
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.3; done
[ "$which" = limit ] || client setup 0
client "$mode" 200
callgrind_control -z "$vg" > /dev/null 2>&1
client "$mode" "$n"
callgrind_control -d "$vg" > /dev/null 2>&1
kill "$vg"; wait "$vg" 2>/dev/null || true
# Self cost per function, read from the profile itself (callgrind_annotate's flat view
# charges everything to the thread's entry point for a dump taken mid-run).
python3 - "$out/cg.1" "$n" "$mode" <<'PY'
import collections, re, sys
path, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
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
print(f"{mode}: {total // n} instructions per request ({n} requests; profile: {path})")
for f, c in cost.most_common(15):
    print(f"{c // n:>8} {100 * c / total:5.1f}%  {names.get(f, f)[:110]}")
PY

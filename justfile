# Common jobs. Install just with `cargo install just` (nothing below needs it: each
# recipe is one plain cargo command you can copy).

# Start the emulator on 127.0.0.1:8000 (DynamoDB + SSM)
emulator *ARGS:
    cargo run --release -p emulator -- {{ARGS}}

# Every test in the workspace
test:
    cargo test --workspace

# Formatting and lints as CI runs them
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# The emulator against a bare hyper server (the limit): throughput, latency, start-up,
# memory, TTL sweep (see README, Benchmarks); then the session store through the AWS SDK.
# ARGS go to the bench binary, e.g. `just bench --quick`.
bench *ARGS:
    cargo build --release -p emulator -p bench
    ./target/release/bench {{ARGS}}
    cargo bench -p session-store --bench sessions

# The same, with dynalite, Dynoxide and moto installed (when missing) into a scratch folder
# outside the repository (BENCH_PEERS_DIR, default ~/.cache/dynamo-bench-peers); writes
# bench/results/results.{json,md,svg}.
bench-peers *ARGS:
    bash bench/peers.sh --out bench/results --seconds 3 --load-timeout 90 {{ARGS}}

# Instructions per request under callgrind (needs valgrind and python3), e.g.
# `just bench-callgrind "PutItem 1 KB" 2000` or `just bench-callgrind "GetItem hit" 2000 limit`.
bench-callgrind WORKLOAD="GetItem hit" REQUESTS="2000" BINARY="target/release/emulator":
    cargo build --release -p emulator -p bench
    bash bench/callgrind.sh "{{WORKLOAD}}" {{REQUESTS}} {{BINARY}}

# Conformance suites at the full case count: `just conformance` (in-process emulator),
# `just conformance --target aws --confirm-aws`, `just conformance --target http://host:port`
conformance *ARGS:
    cargo run --release -p conformance -- {{ARGS}}

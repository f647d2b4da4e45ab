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

# Throughput, latency and start-up benchmarks (see README)
bench:
    cargo bench -p emulator --bench throughput
    cargo bench -p session-store --bench sessions

# Conformance suites at the full case count: `just conformance` (in-process emulator),
# `just conformance --target aws --confirm-aws`, `just conformance --target http://host:port`
conformance *ARGS:
    cargo run --release -p conformance -- {{ARGS}}

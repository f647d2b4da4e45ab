#!/usr/bin/env bash
# `just bench-peers`: installs whichever peer emulators are missing into a scratch folder
# outside the repository, then runs the comparison with them (the bench starts and stops
# each peer itself). Arguments go to the bench binary (see `--help`).
#
# BENCH_PEERS_DIR picks the folder (default ~/.cache/dynamo-bench-peers). A peer that fails
# to install is reported by the bench as "not installed"; the others still run.
set -uo pipefail
dir="${BENCH_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dynamo-bench-peers}"
mkdir -p "$dir"

if [ ! -x "$dir/dynalite/node_modules/.bin/dynalite" ]; then
    echo "installing dynalite into $dir/dynalite"
    mkdir -p "$dir/dynalite"
    (cd "$dir/dynalite" && npm install --no-audit --no-fund dynalite) || echo "dynalite: install failed"
fi
if [ ! -x "$dir/moto/bin/moto_server" ]; then
    echo "installing moto into $dir/moto"
    python3 -m venv "$dir/moto" && "$dir/moto/bin/pip" install --quiet 'moto[server]' \
        || echo "moto: install failed"
fi
if [ ! -x "$dir/dynoxide/bin/dynoxide" ]; then
    echo "installing Dynoxide into $dir/dynoxide (a few minutes: it compiles SQLite)"
    CARGO_TARGET_DIR="$dir/cargo-target" cargo install dynoxide-rs --locked \
        --no-default-features --features native-sqlite,http-server,cli --root "$dir/dynoxide" \
        || echo "Dynoxide: install failed"
fi

cargo build --release -p emulator -p bench || exit 1
exec ./target/release/bench --peers-dir "$dir" "$@"

#!/usr/bin/env bash
# keyward serve (in memory, and saving to a state directory) and moto's
# server side by side on loopback, driven by the same load client
# (examples/load.rs): Encrypt of 1 KiB, SigV4-signed, a 10-statement key
# policy. Bounded: at most REQUESTS requests and 30 seconds per run.
#
#   examples/load-vs-moto.sh [REQUESTS] [MOTO_REQUESTS]
#
# Needs moto's server on PATH or in $MOTO_SERVER (pip install 'moto[server]').
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-20000}
moto_requests=${2:-2000}
moto_server=${MOTO_SERVER:-moto_server}
cargo build --release --quiet --bin keyward --example load
load=target/release/examples/load
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT

serve() { # ARGS…: start keyward serve on port 4599, wait for it
    rm -f "$state/serve.out"
    target/release/keyward serve --bind 127.0.0.1:4599 --accounts tests/serve/accounts.json "$@" \
        >"$state/serve.out" 2>"$state/serve.err" &
    server=$!
    until grep -q listening "$state/serve.out" 2>/dev/null; do sleep 0.1; done
}

for concurrency in 16 64; do
    serve --ephemeral
    echo "keyward --ephemeral: $($load http://127.0.0.1:4599 "$requests" "$concurrency" 30)"
    kill -TERM "$server"; wait "$server"
    serve --state "$state/kms-$concurrency"
    echo "keyward --state:     $($load http://127.0.0.1:4599 "$requests" "$concurrency" 30)"
    kill -TERM "$server"; wait "$server"
    rm -f "$state/moto.log"
    "$moto_server" -p 5011 >"$state/moto.log" 2>&1 &
    moto=$!
    until grep -q "Running on" "$state/moto.log" 2>/dev/null; do sleep 0.2; done
    echo "moto:                $($load http://127.0.0.1:5011 "$moto_requests" "$concurrency" 30)"
    kill "$moto"; wait "$moto" || true
done

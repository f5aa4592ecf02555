#!/usr/bin/env bash
# `keyward serve --state DIR` throughput of two builds side by side, in one
# run, on loopback: Encrypt of 1 KiB, SigV4-signed, under the 10-statement key
# policy of benches/runtime-key-policy.json (examples/load.rs). The builds
# alternate, ROUNDS times per concurrency, each on a fresh state directory, so
# load from elsewhere on the machine falls on both alike.
#
#   scripts/serve-before-after.sh OLD_TARGET_DIR NEW_TARGET_DIR [REQUESTS] [ROUNDS]
#
# Each TARGET_DIR holds release/keyward and release/examples/load, e.g. from
# `CARGO_TARGET_DIR=/tmp/old cargo build --release --bin keyward --example load`
# in a worktree of the older commit. NEW_SERVE_ARGS (split on spaces) goes to
# the new build's `keyward serve` only, e.g. `--audit-durability batched`.
# Prints one JSON line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 requests=${3:-20000} rounds=${4:-3}
state=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$state"' EXIT
server=

run() { # NAME TARGET_DIR CONCURRENCY [SERVE_ARGS…]
    local dir="$state/$1-$3-$RANDOM"
    # The previous run's "listening" line must not be read as this one's.
    rm -f "$state/serve.out"
    "$2/release/keyward" serve --bind 127.0.0.1:4599 --accounts tests/serve/accounts.json \
        --state "$dir" "${@:4}" >"$state/serve.out" 2>"$state/serve.err" &
    server=$!
    until grep -q listening "$state/serve.out" 2>/dev/null; do sleep 0.1; done
    echo "{\"build\":\"$1\",\"connections\":$3,\"result\":$("$2/release/examples/load" http://127.0.0.1:4599 "$requests" "$3" 30)}"
    kill -TERM "$server"; wait "$server" || true
    server=
}

for concurrency in 16 64; do
    for _ in $(seq "$rounds"); do
        run old "$old" "$concurrency"
        # shellcheck disable=SC2086
        run new "$new" "$concurrency" ${NEW_SERVE_ARGS:-}
    done
done

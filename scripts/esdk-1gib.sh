#!/usr/bin/env bash
# 1 GiB through `keyward encrypt-file`/`decrypt-file` in the AWS Encryption
# SDK format, from and to a RAM disk (/dev/shm), beside `openssl speed -evp
# aes-256-gcm` on one core and the official `aws-encryption-cli` (target/py,
# installed by .ci/run) on the same file through `keyward serve`, and the
# machine's floor for the same file (reading it, copying it, openssl's own
# file-to-file encryption). Prints wall time, throughput and peak memory
# (GNU time's maximum RSS) per run.
#
#   scripts/esdk-1gib.sh               # the committing suite without signing, then with
#   SKIP_OFFICIAL=1 scripts/esdk-1gib.sh
#   KEYWARD=path/to/keyward KEYWARD_BASE=path/to/base/keyward ROUNDS=2 scripts/esdk-1gib.sh
#
# KEYWARD names the binary to measure (default: a release build of this
# tree); with KEYWARD_BASE, each keyward run is made with the base binary
# and then with KEYWARD, alternating, ROUNDS times (default 2), so both meet
# the same load. The load (`uptime`) is printed before each pair.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KEYWARD:-}" ]; then
    cargo build --release --quiet --bin keyward
fi
K=${KEYWARD:-$PWD/target/release/keyward}
BASE=${KEYWARD_BASE:-}
ROUNDS=${ROUNDS:-$([ -n "$BASE" ] && echo 2 || echo 1)}
work=$(mktemp -d /dev/shm/keyward-esdk.XXXXXX)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
server=
accounts=$PWD/tests/serve/accounts.json
state=$work/state
KW=("$K" --accounts "$accounts" --state "$state")
kw() { "${KW[@]}" "$@"; }
key=$(kw key create --description esdk-1gib --output text | cut -f2)
head -c $((1 << 30)) /dev/urandom > "$work/in.bin"

run() { # name, then the command; prints seconds, GB/s, CPU seconds and peak RSS
    local name=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null
    read -r seconds user system peak_kib < "$work/time"
    awk -v n="$name" -v s="$seconds" -v u="$user" -v y="$system" -v k="$peak_kib" \
        'BEGIN { printf "%-58s %6.2f s  %5.2f GB/s  CPU %4.2f+%4.2f s  peak RSS %4d MiB\n", n, s, 1073741824 / s / 1e9, u, y, k / 1024 }'
}

# One binary's encrypt-file and decrypt-file; the label says which.
both() { # label, binary, suite, threads
    local label=$1 bin=$2 suite=$3 threads=$4
    local kwb=("$bin" --accounts "$accounts" --state "$state")
    run "$label encrypt-file $suite, $threads thr" \
        "${kwb[@]}" encrypt-file --key "$key" --algorithm "$suite" --threads "$threads" "$work/in.bin" "$work/sealed"
    run "$label decrypt-file $suite, $threads thr" \
        "${kwb[@]}" decrypt-file --threads "$threads" "$work/sealed" "$work/out.bin"
    cmp "$work/in.bin" "$work/out.bin"
    rm -f "$work/out.bin" "$work/sealed"
}

for suite in AES_256_GCM_HKDF_SHA512_COMMIT_KEY AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384; do
    for threads in 2 1; do
        for _ in $(seq "$ROUNDS"); do
            echo "load: $(uptime | sed 's/.*load average/load average/')"
            if [ -n "$BASE" ]; then
                both base "$BASE" "$suite" "$threads"
            fi
            both new "$K" "$suite" "$threads"
        done
    done
done

# What the machine allows for the same file: reading it, copying it, and
# openssl doing a file-to-file job (CTR, no authentication) on one core;
# then keyward without the output's writes (to standard output, thrown away).
echo "load: $(uptime | sed 's/.*load average/load average/')"
run "floor: cat, read only" cat "$work/in.bin"
run "floor: dd bs=4M, a copy on the RAM disk" dd if="$work/in.bin" of="$work/copy" bs=4M status=none
rm -f "$work/copy"
run "openssl enc -aes-256-ctr, file to file" openssl enc -aes-256-ctr -K "$(printf '%064d' 0)" \
    -iv "$(printf '%032d' 0)" -in "$work/in.bin" -out "$work/copy"
rm -f "$work/copy"
run "new encrypt-file COMMIT_KEY, 2 thr, to /dev/null" "${KW[@]}" encrypt-file --key "$key" \
    --algorithm AES_256_GCM_HKDF_SHA512_COMMIT_KEY --threads 2 "$work/in.bin" -
echo "openssl speed -evp aes-256-gcm, one core (16 KiB blocks):"
openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3 2>/dev/null | tail -1

if [ "${SKIP_OFFICIAL:-}" != 1 ]; then
    kw serve --bind 127.0.0.1:0 > "$work/serve.out" 2> /dev/null &
    server=$!
    for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
    export AWS_ENDPOINT_URL_KMS=$(sed 's/.*listening on //' "$work/serve.out")
    export AWS_ACCESS_KEY_ID=AKIAROOT000000000001 AWS_SECRET_ACCESS_KEY=root-secret-0000000000000000000000000000
    export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
    cli=$PWD/target/py/bin/aws-encryption-cli
    run "aws-encryption-cli --encrypt (COMMIT_KEY)" "$cli" --encrypt -S -i "$work/in.bin" -o "$work/sealed-py" \
        --wrapping-keys "key=$key" --algorithm AES_256_GCM_HKDF_SHA512_COMMIT_KEY
    run "aws-encryption-cli --decrypt (COMMIT_KEY)" "$cli" --decrypt -S -i "$work/sealed-py" -o "$work/out.bin" \
        --wrapping-keys "key=$key"
    cmp "$work/in.bin" "$work/out.bin"
fi

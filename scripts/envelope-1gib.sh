#!/usr/bin/env bash
# Streams 1 GiB through `keyward encrypt-file --format keyward` and
# `decrypt-file` (release build): keyward's earlier envelope format, 64 KiB
# frames (scripts/esdk-1gib.sh measures the AWS Encryption SDK format, the
# default of `encrypt-file`). Reports, for each: wall time, throughput and
# peak memory (the kernel's maximum resident set size, from GNU time). File
# outputs include writing the file and its fsync; the `-to-null` rows write
# to /dev/null. Fails if either process peaks at 64 MiB or more, or if the
# round trip changes a byte. Then measures OpenSSL's AES-256-GCM on one core
# (16 KiB blocks) as the anchor the envelope throughput is compared with.
#
#   scripts/envelope-1gib.sh            # files in page cache, default threads
#   THREADS=1 scripts/envelope-1gib.sh  # one worker thread
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
K=target/release/keyward
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KEYWARD_STATE="$work/state"
key=$("$K" key create --description envelope-1gib --output text | cut -f1)
threads=${THREADS:+--threads $THREADS}

head -c $((1 << 30)) /dev/urandom > "$work/in.bin"
cat "$work/in.bin" > /dev/null # into the page cache

run() { # name, then the command; prints seconds and peak KiB
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > /dev/null
    read -r seconds peak_kib < "$work/$name.time"
    local gbps
    gbps=$(awk -v s="$seconds" 'BEGIN { printf "%.2f", 1073741824 / s / 1e9 }')
    echo "$name: ${seconds}s, ${gbps} GB/s, peak memory $((peak_kib / 1024)) MiB"
    if [ "$peak_kib" -ge $((64 * 1024)) ]; then
        echo "$name peaked at 64 MiB or more" >&2
        exit 1
    fi
}
# shellcheck disable=SC2086
run encrypt-file "$K" encrypt-file --format keyward --key "$key" --context run=1gib $threads "$work/in.bin" "$work/sealed.kwe"
# shellcheck disable=SC2086
run decrypt-file "$K" decrypt-file --context run=1gib $threads "$work/sealed.kwe" "$work/out.bin"
cmp "$work/in.bin" "$work/out.bin"
echo "round trip: identical"
# The same, to standard output thrown away: the pipeline without the
# output file's write-back and fsync.
# shellcheck disable=SC2086
run encrypt-to-null "$K" encrypt-file --format keyward --key "$key" $threads "$work/in.bin" -
# shellcheck disable=SC2086
run decrypt-to-null "$K" decrypt-file $threads "$work/sealed.kwe" -
# shellcheck disable=SC2086
run stream-pipe sh -c "\"$K\" encrypt-file --format keyward --key $key $threads - - < \"$work/in.bin\" | \"$K\" decrypt-file $threads - - | cmp - \"$work/in.bin\""

echo "openssl speed -evp aes-256-gcm (one core, 16 KiB blocks):"
openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3 2>/dev/null | tail -1

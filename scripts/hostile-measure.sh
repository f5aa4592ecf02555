#!/usr/bin/env bash
# The adversarial inputs of issue 21, generated, and the time and peak memory
# of `check`, `lint`, `simulate` and `test` on each (GNU time: wall seconds
# and maximum RSS). Shapes:
#
#   one-line-1mb     a 1 MB policy on one line, its problem (`Alow`) at the very end
#   empty-100k       100,000 `{}` statements
#   dup-keys-40k     one statement with 40,000 duplicate `"Sid"` keys
#   deep-100k        `[` 100,000 deep (refused before parsing)
#   deep-63          a condition value nested 62 deep, under the 64-level limit (parsed whole,
#                    then reported: condition values do not nest)
#   at-limit-4mib    a valid policy of 4 MiB - 1 bytes (the policy limit is 4 MiB)
#
# Each shape is the key policy: `check FILE`, `check --format json FILE`,
# `lint FILE`, `lint --format json FILE`, `simulate --key-policy FILE` and
# `test` on a suite whose key policy is FILE.
#
#   scripts/hostile-measure.sh                      # builds and measures the release binary
#   KEYWARD=target/debug/keyward HOSTILE_SCALE=100 scripts/hostile-measure.sh
#
# KEYWARD: the binary to measure (default: `cargo build --release`'s).
# HOSTILE_SCALE: divide every size by this (default 1, the sizes above), for
# a quick check that the script runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${HOSTILE_SCALE:-1}
if [[ -z ${KEYWARD:-} ]]; then
    cargo build --release --quiet --bin keyward
    KEYWARD=${CARGO_TARGET_DIR:-$PWD/target}/release/keyward
fi
[[ -x $KEYWARD ]] || { echo "no keyward binary at $KEYWARD" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/keyward-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Sizes and counts, scaled down by HOSTILE_SCALE.
mb=$(( (1 << 20) / scale ))
empties=$(( 100000 / scale ))
dups=$(( 40000 / scale ))
deep=$(( 100000 / scale ))
at_limit=$(( (4 << 20) / scale - 1 ))

ALLOW_ROOT='{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}'

# A 1 MB one-line policy: a long Sid, then a statement with `Alow` at the end.
python3 - "$work/one-line-1mb.json" "$mb" <<'EOF'
import sys
path, size = sys.argv[1], int(sys.argv[2])
bad = '{"Effect":"Alow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}'
head = '{"Version":"2012-10-17","Statement":[{"Sid":"'
rest = '","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},' + bad + ']}'
fill = max(1, size - len(head) - len(rest))
open(path, "w").write(head + "a" * fill + rest)
EOF

python3 - "$work" "$empties" "$dups" "$deep" "$at_limit" "$ALLOW_ROOT" <<'EOF'
import sys
work, empties, dups, deep, at_limit, allow_root = sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6]
def write(name, text):
    open(f"{work}/{name}", "w").write(text)
write("empty-100k.json", '{"Version":"2012-10-17","Statement":[' + allow_root + "," + ",".join(["{}"] * empties) + "]}")
write("dup-keys-40k.json", '{"Version":"2012-10-17","Statement":[{' + '"Sid":"x",' * dups
      + '"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}')
write("deep-100k.json", "[" * deep)
write("deep-63.json", '{"Version":"2012-10-17","Statement":[' + allow_root + ',{"Effect":"Allow","Principal":"*",'
      + '"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":'
      + "[" * 57 + '"s3.us-east-1.amazonaws.com"' + "]" * 57 + "}}}]}")
# A valid policy of exactly at_limit bytes: many statements, then spaces.
statements, i, size = [allow_root], 0, 0
head, tail = '{"Version":"2012-10-17","Statement":[', "]}"
size = len(head) + len(tail) + len(allow_root)
while True:
    s = ('{"Sid":"S%07d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r%d"},'
         '"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*","Condition":{"StringEquals":'
         '{"kms:EncryptionContext:dept":"d%d"}}}' % (i, i, i))
    if size + 1 + len(s) > at_limit:
        break
    statements.append(s)
    size += 1 + len(s)
    i += 1
text = head + ",".join(statements) + tail
write("at-limit-4mib.json", text + " " * (at_limit - len(text)))
EOF

REQUEST='{"principal": "arn:aws:iam::111122223333:root", "action": "kms:Decrypt",
  "resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}'
printf '%s\n' "$REQUEST" > "$work/request.json"

measure() { # shape, command name, then the command: one row of the table
    local shape=$1 name=$2; shift 2
    local code=0
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || code=$?
    read -r seconds peak_kib < <(tail -n 1 "$work/time")
    local panicked=""
    grep -q "panicked at" "$work/out" && panicked="  PANIC"
    printf "%-15s %-22s %4s %8.2f s %8.1f MiB %10d B out%s\n" \
        "$shape" "$name" "$code" "$seconds" "$(awk -v k="$peak_kib" 'BEGIN { print k / 1024 }')" \
        "$(stat -c %s "$work/out")" "$panicked"
}

echo "keyward: $KEYWARD ($("$KEYWARD" --version | head -n 1)); HOSTILE_SCALE=$scale; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-15s %-22s %4s %10s %12s %14s\n" shape command exit wall "max RSS" output
for shape in one-line-1mb empty-100k dup-keys-40k deep-100k deep-63 at-limit-4mib; do
    file=$work/$shape.json
    printf '{"key_policy": "%s.json", "cases": [{"name": "root decrypts", "request": %s, "expect": "Allow"}]}\n' \
        "$shape" "$(tr -d '\n' < "$work/request.json")" > "$work/$shape.suite.json"
    measure "$shape" "check" "$KEYWARD" check "$file"
    measure "$shape" "check --format json" "$KEYWARD" check --format json "$file"
    measure "$shape" "lint" "$KEYWARD" lint "$file"
    measure "$shape" "lint --format json" "$KEYWARD" lint --format json "$file"
    measure "$shape" "simulate" "$KEYWARD" simulate --request "$work/request.json" --key-policy "$file"
    measure "$shape" "test" "$KEYWARD" test "$work/$shape.suite.json"
done

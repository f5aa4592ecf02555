#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from policies/ and the tests.
# Run from anywhere; safe to run again (files are named by content hash).
set -euo pipefail
cd "$(dirname "$0")"
root=..

seed() { # seed TARGET FILE...
    local target=$1
    shift
    mkdir -p "corpus/${target}"
    for file in "$@"; do
        cp "${file}" "corpus/${target}/$(sha1sum "${file}" | cut -c1-16)"
    done
}

mapfile -t documents < <(find "${root}/policies" -name '*.json' ! -name '*.suite.json' | sort)
for target in json_parse policy_read grant_read render_diagnostics; do
    seed "${target}" "${documents[@]}"
done
# The linter's target reads a first byte that picks the policy type.
mkdir -p corpus/lint
for file in "${documents[@]}" "${root}"/policies/lint-templates/*; do
    { printf '\x03'; cat "${file}"; } > "corpus/lint/$(sha1sum "${file}" | cut -c1-16)"
done
mapfile -t suites < <(find "${root}/policies" -name '*.suite.json' -o -path '*/simulate/request-*.json' | sort)
seed suite_read "${suites[@]}"

# One REPL statement per seed, from the session scripts.
mkdir -p corpus/repl_command
grep -hv '^\s*\(#\|$\)' "${root}"/policies/sessions/*.kws | while IFS= read -r line; do
    printf '%s' "${line}" > "corpus/repl_command/$(printf '%s' "${line}" | sha1sum | cut -c1-16)"
done

# The envelope known-answer file, as bytes.
mkdir -p corpus/envelope_header corpus/ciphertext_blob corpus/sigv4_authorization
grep -v '^#' "${root}/docs/envelope-v1-kat.hex" | xxd -r -p > corpus/envelope_header/kat || true
printf 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7' \
    > corpus/sigv4_authorization/header
printf '20150830T123600Z' > corpus/sigv4_authorization/date
echo "seeded: $(find corpus -type f | wc -l) files"

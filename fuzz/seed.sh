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
# A signed request: method, URI, header lines, body and an Authorization
# text, NUL-separated (see fuzz_targets/sigv4_request.rs).
mkdir -p corpus/sigv4_request
printf 'POST\0/?a=1&b=2\0content-type:application/x-amz-json-1.1\nx-amz-target:TrentService.ListKeys\0{}\0' \
    > corpus/sigv4_request/list-keys
{ printf 'GET\0/\0x-amz-date:20150830T123600Z\0\0'; cat corpus/sigv4_authorization/header; } \
    > corpus/sigv4_request/with-authorization

# AWS Encryption SDK messages made by keyward itself, when a binary is at
# hand ($KEYWARD, else target/debug/keyward): the header reader's seeds.
keyward=${KEYWARD:-${CARGO_TARGET_DIR:-${root}/target}/debug/keyward}
mkdir -p corpus/esdk_header
if [[ -x ${keyward} ]]; then
    state=$(mktemp -d)
    key=$("${keyward}" --state "${state}" key create --output text | cut -f2)
    printf 'seed' > "${state}/plain"
    for suite in AES_256_GCM_HKDF_SHA512_COMMIT_KEY AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384; do
        "${keyward}" --state "${state}" encrypt-file --key "${key}" --algorithm "${suite}" \
            --context purpose=fuzz "${state}/plain" "corpus/esdk_header/${suite}" > /dev/null
    done
    "${keyward}" --state "${state}" encrypt-file --format keyward --key "${key}" \
        --context purpose=fuzz "${state}/plain" corpus/envelope_header/keyward-format > /dev/null
    # Ciphertext blobs, with and without an encryption context.
    mkdir -p corpus/ciphertext_blob
    "${keyward}" --state "${state}" encrypt --key-id "${key}" --plaintext "fileb://${state}/plain" \
        --output text --query CiphertextBlob | base64 -d > corpus/ciphertext_blob/plain
    "${keyward}" --state "${state}" encrypt --key-id "${key}" --plaintext "fileb://${state}/plain" \
        --encryption-context purpose=fuzz --output text --query CiphertextBlob |
        base64 -d > corpus/ciphertext_blob/with-context
    rm -rf "${state}"
else
    echo "no keyward binary at ${keyward}: corpus/esdk_header starts empty" >&2
fi
echo "seeded: $(find corpus -type f | wc -l) files"

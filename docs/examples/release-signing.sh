#!/usr/bin/env bash
# Sign a release artifact with a KMS key, then verify the signature offline
# with nothing but the public key and OpenSSL: the way a download page or a
# package manager checks a release without calling KMS.
#
#   KEYWARD=target/release/keyward bash docs/examples/release-signing.sh
#
# Everything happens in a scratch folder; the local KMS state is kept there too.
set -euo pipefail
KEYWARD=${KEYWARD:-keyward}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
kms() { "$KEYWARD" --state "$work/state" --output text "$@"; }

# The release and its signing key: ECDSA on P-256, for signing only.
printf 'keyward 1.0.0, the release tarball\n' > keyward-1.0.0.tar.gz
key=$(kms key create --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --description "release signing" | cut -f1)
kms alias create --alias-name alias/release-signing --target-key-id "$key" >/dev/null

# CI signs (the private key never leaves KMS) and publishes the public key.
kms sign --key-id alias/release-signing --message fileb://keyward-1.0.0.tar.gz \
    --signing-algorithm ECDSA_SHA_256 --out-file keyward-1.0.0.tar.gz.sig >/dev/null
kms get-public-key --key-id alias/release-signing --out-file release-signing.pem >/dev/null

# Anyone verifies offline, with OpenSSL.
openssl dgst -sha256 -verify release-signing.pem -signature keyward-1.0.0.tar.gz.sig keyward-1.0.0.tar.gz

# A tampered release does not verify.
printf 'keyward 1.0.0, with a backdoor\n' > keyward-1.0.0.tar.gz
if openssl dgst -sha256 -verify release-signing.pem -signature keyward-1.0.0.tar.gz.sig keyward-1.0.0.tar.gz >/dev/null 2>&1; then
    echo "a tampered release verified" >&2
    exit 1
fi
echo "Tampered release refused"

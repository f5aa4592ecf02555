#!/usr/bin/env bash
# An HMAC-signed webhook: the sender tags each body with GenerateMac under an
# HMAC_256 key; the receiver checks the tag with VerifyMac, and a changed body
# is refused (KMSInvalidMacException, exit status 1). Neither side ever holds
# the HMAC key.
#
#   KEYWARD=target/release/keyward bash docs/examples/webhook-hmac.sh
set -euo pipefail
KEYWARD=${KEYWARD:-keyward}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
kms() { "$KEYWARD" --state "$work/state" --output text "$@"; }

key=$(kms key create --key-spec HMAC_256 --key-usage GENERATE_VERIFY_MAC --description "webhooks" | cut -f1)

# The sender: the body and its tag (base64, for an X-Signature header).
printf '{"event":"order.paid","order":"1042"}' > body.json
tag=$(kms generate-mac --key-id "$key" --mac-algorithm HMAC_SHA_256 --message fileb://body.json)
echo "X-Signature: $tag"

# The receiver: the tag must match the body it received.
kms verify-mac --key-id "$key" --mac-algorithm HMAC_SHA_256 --message fileb://body.json --mac "$tag"

# A body changed on the way is refused.
printf '{"event":"order.paid","order":"9999"}' > body.json
if kms verify-mac --key-id "$key" --mac-algorithm HMAC_SHA_256 --message fileb://body.json --mac "$tag" 2>/dev/null; then
    echo "a changed body verified" >&2
    exit 1
fi
echo "Changed body refused"

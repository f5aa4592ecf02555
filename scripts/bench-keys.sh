#!/usr/bin/env bash
# Sign/Verify per second per core for keyward's key kinds beside `openssl
# speed` for the same primitives, in one run on this machine, plus
# GenerateMac and RSA_4096 key creation. Prints criterion's times (per
# operation) and OpenSSL's table (operations per second).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench keys -- --noplot 2>&1 | grep -E "^(keys|kms)/|time:"
openssl speed -seconds 2 rsa2048 ecdsap256 ed25519 2>/dev/null | tail -n 8

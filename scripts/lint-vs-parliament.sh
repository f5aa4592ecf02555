#!/usr/bin/env bash
# Times `keyward lint` beside parliament on the AWS managed policies (the
# folder `scripts/lint-managed.sh` writes), whole folder and one policy at a
# time, interleaving the tools run by run so machine load hits both alike.
#
#   scripts/lint-vs-parliament.sh [KEYWARD] [PARLIAMENT_VENV] [WORKDIR]
#
# KEYWARD defaults to target/release/keyward (`cargo build --release
# --locked`); PARLIAMENT_VENV to /tmp/parliament-venv, created with `pip
# install parliament` when absent; WORKDIR to /tmp/lint-managed. RUNS (5)
# whole-folder runs per tool; SAMPLE (20) single policies, spread evenly
# over the folder. Prints `uptime` before and after, and medians.
#
# parliament's CLI stops at the first policy it cannot read, so the folder
# is also timed through its library (`analyze_policy_string` per file in one
# process, a failing file counted and skipped): that is the run comparable
# with keyward's, which reads every file.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
keyward="${1:-${root}/target/release/keyward}"
venv="${2:-/tmp/parliament-venv}"
work="${3:-/tmp/lint-managed}"
runs="${RUNS:-5}"
sample="${SAMPLE:-20}"

if [[ ! -x "${venv}/bin/parliament" ]]; then
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet parliament
fi
echo "parliament $("${venv}/bin/pip" show parliament | sed -n 's/^Version: //p')"

# The folder and keyward's findings per severity and rule.
"${root}/scripts/lint-managed.sh" "${keyward}" "${work}"
managed="${work}/managed"
count=$(ls "${managed}" | wc -l)
: > "${work}/empty.toml"

cat > "${work}/parliament-folder.py" <<'PY'
import os, sys
from parliament import analyze_policy_string
folder = sys.argv[1]
files = findings = failed = 0
for name in sorted(os.listdir(folder)):
    files += 1
    try:
        with open(os.path.join(folder, name)) as f:
            findings += len(analyze_policy_string(f.read()).findings)
    except Exception:
        failed += 1
print(f"parliament library: {files} files, {findings} findings, {failed} files it could not read", file=sys.stderr)
PY

# Seconds of wall time of one command, its output discarded.
t() {
  local s e
  s=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || true
  e=$(date +%s.%N)
  python3 -c "print(f'{${e} - ${s}:.4f}')"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "load before: $(uptime)"
set +e
"${venv}/bin/parliament" --directory "${managed}" --include_policy_extension json --json > /dev/null 2> "${work}/parliament-cli.err"
echo "parliament CLI on the folder: exit $?, $(tail -1 "${work}/parliament-cli.err")"
"${venv}/bin/python" "${work}/parliament-folder.py" "${managed}"
set -e

: > "${work}/kw-folder"; : > "${work}/parl-folder"; : > "${work}/parl-cli-folder"
for _ in $(seq "${runs}"); do
  t "${keyward}" lint --config "${work}/empty.toml" --format json --kind identity-policy "${managed}" >> "${work}/kw-folder"
  t "${venv}/bin/python" "${work}/parliament-folder.py" "${managed}" >> "${work}/parl-folder"
  t "${venv}/bin/parliament" --directory "${managed}" --include_policy_extension json --json >> "${work}/parl-cli-folder"
done

: > "${work}/kw-one"; : > "${work}/parl-one"
step=$(( count / sample > 0 ? count / sample : 1 ))
ls "${managed}" | awk -v s="${step}" 'NR % s == 1' | head -n "${sample}" > "${work}/sample.txt"
while read -r name; do
  t "${keyward}" lint --config "${work}/empty.toml" --format json --kind identity-policy "${managed}/${name}" >> "${work}/kw-one"
  t "${venv}/bin/parliament" --files "${managed}/${name}" --json >> "${work}/parl-one"
done < "${work}/sample.txt"
# CPU time (user + sys) is less sensitive to other processes than wall time.
cpu() { { /usr/bin/time -f "%U %S" "$@" 2>&1 > /dev/null || true; } | tail -1 | awk '{print $1 + $2}'; }
kw_cpu=$(cpu "${keyward}" lint --config "${work}/empty.toml" --format json --kind identity-policy "${managed}")
parl_cpu=$(cpu "${venv}/bin/python" "${work}/parliament-folder.py" "${managed}")
echo "load after: $(uptime)"

kw=$(median < "${work}/kw-folder"); parl=$(median < "${work}/parl-folder")
echo "whole folder (${count} policies), median of ${runs} (all runs in ${work}/*-folder):"
echo "  keyward                      ${kw} s   ($(python3 -c "print(f'{${kw} / ${count} * 1000:.3f}')") ms per policy)"
echo "  parliament (library)         ${parl} s   ($(python3 -c "print(f'{${parl} / ${count} * 1000:.3f}')") ms per policy)"
echo "  parliament CLI (stops early) $(median < "${work}/parl-cli-folder") s"
echo "CPU time (user + sys), one run each: keyward ${kw_cpu} s, parliament (library) ${parl_cpu} s"
echo "one policy per process, median over $(wc -l < "${work}/sample.txt") policies:"
echo "  keyward     $(median < "${work}/kw-one") s"
echo "  parliament  $(median < "${work}/parl-one") s"

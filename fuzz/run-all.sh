#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 150) one at a time, at the
# lowest priority, and prints one Markdown table row per target: executions,
# the coverage and features reached, the corpus size and what it found.
# Needs cargo-fuzz and a nightly toolchain (see README.md here). Run from
# anywhere; logs go to $FUZZ_LOGS (default /tmp/keyward-fuzz-logs).
#   fuzz/run-all.sh 150 > rows.md
#   TARGETS="json_parse lint" fuzz/run-all.sh 60
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-150}
logs=${FUZZ_LOGS:-/tmp/keyward-fuzz-logs}
target_dir=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-target}/fuzz}
mkdir -p "${logs}"
targets=${TARGETS:-$(cargo +nightly fuzz list)}
for t in ${targets}; do
    mkdir -p "fuzz/corpus/${t}"
    rm -f fuzz-0.log
    nice -n 19 cargo +nightly fuzz run -O "${t}" "fuzz/corpus/${t}" --target-dir "${target_dir}" -- \
        -jobs=1 -workers=1 -max_total_time="${seconds}" -rss_limit_mb=2048 -timeout=20 \
        > "${logs}/${t}.out" 2>&1
    status=$?
    # With -jobs, libFuzzer writes the run's own output to fuzz-0.log.
    if [[ -f fuzz-0.log ]]; then
        mv fuzz-0.log "${logs}/${t}.log"
    else
        cp "${logs}/${t}.out" "${logs}/${t}.log"
    fi
    log="${logs}/${t}.log"
    runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "${log}" | tail -1 | awk '{print $2}')
    last=$(grep -E '^#[0-9]+' "${log}" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' <<< "${last}" | awk '{print $2}')
    ft=$(grep -o 'ft: [0-9]*' <<< "${last}" | awk '{print $2}')
    corp=$(grep -o 'corp: [0-9]*' <<< "${last}" | awk '{print $2}')
    found="none"
    if grep -qE 'ERROR: libFuzzer|ERROR: AddressSanitizer|panicked at|SUMMARY: ' "${log}"; then
        found="CRASH: $(grep -oE 'panicked at [^,]*|ERROR: [A-Za-z]+: [a-z-]+|SUMMARY: .*' "${log}" | head -1) (artifact under fuzz/artifacts/${t}/)"
    elif [[ ${status} -ne 0 && -z ${runs} ]]; then
        found="did not run (exit ${status}; see ${logs}/${t}.out)"
    fi
    echo "| \`${t}\` | ${seconds} s | ${runs:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | ${found} |"
done

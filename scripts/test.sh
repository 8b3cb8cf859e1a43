#!/usr/bin/env bash
# The whole test suite: unit and real-alsa-lib tests, the built binary end to end, the
# libgpiod 2.x shim check, the systemd unit check and the real-kernel rig under qemu.
# Ends with one line 'N passed, N failed' over everything it ran.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit $?

passed=0
failed=0
failures=()
log=$(mktemp)

echo "== swift test"
if swift build --build-tests >"$log" 2>&1; then
    # One test at a time: several suites block a thread on sockets or child processes, and on a
    # two-core machine parallel suites can starve the concurrency pool the daemon code needs.
    swift test --skip-build --no-parallel 2>&1 | tee "$log" | grep -vE "^(◇|↳|✔ Test [a-zA-Z][^ ]*\(.* passed after)"
    status=${PIPESTATUS[0]}
    summary=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -1)
    if [[ -z "$summary" ]]; then
        # No closing line: the test process crashed (a trap, a signal) part way.
        failed=$((failed + 1))
        failures+=("swift test ended without its summary (exit $status): the test process crashed; the last test started is above")
    else
        count=$(sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/' <<<"$summary")
        mapfile -t failing < <(grep -E "^✘ Test .* failed after" "$log" | grep -v "^✘ Test run with")
        failed=$((failed + ${#failing[@]}))
        passed=$((passed + count - ${#failing[@]}))
        failures+=("${failing[@]}")
        if [[ $status -ne 0 && ${#failing[@]} -eq 0 ]]; then
            failed=$((failed + 1))
            failures+=("swift test exited $status with no failing test named")
        fi
    fi
else
    cat "$log"
    echo "swift build failed"
    failed=$((failed + 1))
    failures+=("swift build --build-tests failed")
fi

run_check() {
    echo "== $1"
    if bash "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1"; fi
}
[[ -f .ci/check-gpiod-v2.sh ]] && run_check .ci/check-gpiod-v2.sh
[[ -f .ci/check-systemd.sh ]] && run_check .ci/check-systemd.sh
[[ -f Tests/rig/ci.sh ]] && run_check Tests/rig/ci.sh

rm -f "$log"
# What failed, last, where a truncated log still shows it.
for failure in "${failures[@]}"; do echo "FAILED: $failure"; done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

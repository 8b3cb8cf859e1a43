#!/usr/bin/env bash
# The whole test suite: unit and real-alsa-lib tests, the built binary end to end, the
# libgpiod 2.x shim check, the systemd unit check and the real-kernel rig under qemu.
# Ends with one line 'N passed, N failed' over everything it ran.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit $?

passed=0
failed=0
log=$(mktemp)

echo "== swift test"
if swift build --build-tests >"$log" 2>&1; then
    # One test at a time: several suites block a thread on sockets or child processes, and on a
    # two-core machine parallel suites can starve the concurrency pool the daemon code needs.
    swift test --skip-build --no-parallel 2>&1 | tee "$log" | grep -vE "^(◇|↳|✔ Test [a-zA-Z][^ ]*\(.* passed after)"
    summary=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -1)
    count=$(sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/' <<<"$summary")
    if grep -q "passed after" <<<"$summary"; then
        passed=$((passed + count))
    else
        issues=$(grep -cE "^✘ Test .* failed" "$log")
        failed=$((failed + issues))
        passed=$((passed + count - issues))
    fi
else
    cat "$log"
    echo "swift build failed"
    failed=$((failed + 1))
fi

run_check() {
    echo "== $1"
    if bash "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}
[[ -f .ci/check-gpiod-v2.sh ]] && run_check .ci/check-gpiod-v2.sh
[[ -f .ci/check-systemd.sh ]] && run_check .ci/check-systemd.sh
[[ -f Tests/rig/ci.sh ]] && run_check Tests/rig/ci.sh

rm -f "$log"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

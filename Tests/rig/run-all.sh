#!/bin/bash
# Runs every rig scenario that needs no auxchain binary, one VM boot each, and
# prints a summary. Exit status: 0 when all passed.
#   Tests/rig/run-all.sh [run.sh options]
set -uo pipefail

RIG_DIR=$(cd "$(dirname "$0")" && pwd)
scenarios=(smoke gpio drift alsaloop-latency)

"$RIG_DIR/setup.sh" > /dev/null || exit 125
summary=()
failed=0
for scenario in "${scenarios[@]}"; do
    started=$(date +%s)
    "$RIG_DIR/run.sh" --no-setup --quiet --timeout 480 "$@" "$scenario"
    status=$?
    [ "$status" = 0 ] || failed=$((failed + 1))
    summary+=("$scenario|$status|$(( $(date +%s) - started ))")
done
echo
{
    echo "scenario|exit|seconds"
    printf '%s\n' "${summary[@]}"
} | column -t -s '|' -o '  '
exit $(( failed > 0 ))

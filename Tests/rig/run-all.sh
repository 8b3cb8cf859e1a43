#!/bin/bash
# Runs every rig scenario, one VM boot each, and prints their results, a
# summary table and one line per scenario (PASS name / FAIL name): the rig's
# own checks, alsaloop's baseline, then auxchain (release build, scratch path
# .build-rigrun) with the long runs the CI subset (ci.sh) leaves out: the
# latency ladder with a third budget and a 10-minute soak at the smallest
# period that holds, and 60 s of clock drift at +-100 ppm next to alsaloop.
# About an hour on a 2-core machine. Exit status: 0 when all passed.
#   Tests/rig/run-all.sh [run.sh options]
set -uo pipefail

RIG_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RIG_DIR/suite.sh"
RIG_SUITE_OPTIONS=("$@")

rig_suite_setup || exit 125
for scenario in smoke gpio drift alsaloop-latency; do
    rig_suite_run 480 "$scenario"
done
if rig_suite_build_auxchain; then
    rig_suite_run 300 auxchain-passthrough
    rig_suite_run 300 auxchain-xruns
    rig_suite_run 300 auxchain-power
    rig_suite_run 4800 auxchain-latency --hold 20 --soak 600 --wide
    rig_suite_run 1800 auxchain-drift --seconds 60 --alsaloop
else
    rig_suite_failed=$((rig_suite_failed + 1))
fi
rig_suite_report

#!/bin/bash
# The rig's CI subset, run by scripts/test.sh: installs the rig's packages,
# builds the release auxchain (scratch path .build-rigrun), then runs in
# Debian's kernel under qemu:
#   auxchain-passthrough   pass/fail: a tone passes at the set gain
#   auxchain-xruns         pass/fail: 20 SIGSTOPs, every xrun recovered
#   auxchain-power         pass/fail: relay timing, button, relay off on SIGTERM
#   auxchain-latency       the latency table, auxchain next to alsaloop at
#                          periods 32..256 (fails only when nothing could be
#                          measured)
#   auxchain-drift         pass/fail: the capture clock 100 ppm fast, then
#                          slow, for 60 s each: the delay holds and status
#                          measures the drift
# and prints every scenario's results, a summary table and one line per
# scenario: PASS name / FAIL name. Exit status: 0 when all passed.
# About 12 minutes of scenarios on a 2-core machine, plus the release build
# (about 5 minutes from scratch, seconds when nothing changed).
# The full set (alsaloop's drift alongside, 10-minute soak) is Tests/rig/run-all.sh.
set -uo pipefail
RIG_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RIG_DIR/suite.sh"

rig_suite_setup || exit 1
rig_suite_build_auxchain || exit 1
rig_suite_run 300 auxchain-passthrough
rig_suite_run 300 auxchain-xruns
rig_suite_run 300 auxchain-power
rig_suite_run 900 auxchain-latency --hold 5
rig_suite_run 600 auxchain-drift --seconds 60
rig_suite_report

#!/bin/bash
# The rig is whole: the four snd-aloop devices the scenarios use, the gpio-sim
# chip and its sysfs lines, a writable results folder, and the host's tools.
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

failures=0
rig_table_header "check" "result"
check() { # NAME COMMAND...
    local name=$1; shift
    if "$@" > /dev/null 2>&1; then
        rig_table_row "$name" ok
    else
        rig_table_row "$name" FAIL
        failures=$((failures + 1))
    fi
}
for device in "$RIG_ECHO_PLAYBACK" "$RIG_BRIDGE_PLAYBACK" "$RIG_REFERENCE_PLAYBACK"; do
    check "playback $device opens" aplay -q -D "$device" -d 1 -f S16_LE -r 48000 -c 2 /dev/zero
done
for device in "$RIG_BRIDGE_CAPTURE" "$RIG_SPEAKER_CAPTURE" "$RIG_REFERENCE_CAPTURE"; do
    check "capture $device opens" arecord -q -D "$device" -d 1 -f S16_LE -r 48000 -c 2 /dev/null
done
check "$RIG_GPIO_CHIP is a gpio chip" gpioinfo "$RIG_GPIO_CHIP"
check "sim_gpio0 in $RIG_GPIO_SIM_DIR" test -e "$(rig_gpio_sim_path 0)/value"
check "$RIG_RESULTS is writable" touch "$RIG_RESULTS/written"
check "rig-playrec runs" test -x "$RIG_PLAYREC"
check "numpy imports" "$RIG_PYTHON" -c 'import numpy'
rig_table_print "rig on $RIG_KERNEL, booted in $RIG_BOOT_SECONDS s:"
[ "$failures" = 0 ] || rig_fail "$failures rig check(s) failed"

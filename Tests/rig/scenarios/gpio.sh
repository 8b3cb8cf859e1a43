#!/bin/bash
# The gpio-sim chip behaves like a real GPIO chip to libgpiod 1.6 tools:
#   - a line name resolves (gpiofind),
#   - gpioset on a line shows as the level in sysfs sim_gpioN/value,
#   - writing pull-up / pull-down to sim_gpioN/pull raises the edges gpiomon sees.
# Arguments: OUTPUT_LINE INPUT_LINE (defaults 17 and 27: the relay and the
# trigger of the sample config).
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

out=${1:-17}
in=${2:-27}
chip=$RIG_GPIO_CHIP

rig_table_header "check" "expected" "seen" "result"
failures=0
check() { # NAME EXPECTED SEEN
    local result=ok
    [ "$2" = "$3" ] || { result=FAIL; failures=$((failures + 1)); }
    rig_table_row "$1" "$2" "$3" "$result"
}

check "gpiodetect label" "$RIG_GPIO_LABEL" "$(gpiodetect | sed -n "s/^$RIG_GPIO_CHIP_NAME \[\(.*\)\].*/\1/p")"
check "gpiofind GPIO$out" "$RIG_GPIO_CHIP_NAME $out" "$(gpiofind "GPIO$out")"

for level in 1 0 1; do
    rig_background "$RIG_RESULTS/gpioset.log" gpioset --mode=signal "$chip" "$out=$level"
    # The line is requested once gpioinfo shows it used.
    for _ in $(seq 50); do
        gpioinfo "$chip" | grep -q "line *$out:.*\[used" && break
        sleep 0.1
    done
    check "gpioset $out=$level -> sim_gpio$out/value" "$level" "$(rig_gpio_output_level "$out")"
    rig_stop_background
done

rig_gpio_pull "$in" down
edge_test() { # PULL EDGE_FLAG EVENT_CODE NAME
    local events=$RIG_RESULTS/gpiomon-$4.txt
    rig_background "$events" gpiomon --num-events=1 "$2" --line-buffered --format='%e %o %s.%n' "$chip" "$in"
    local pid=${RIG_BACKGROUND[-1]}
    for _ in $(seq 50); do
        gpioinfo "$chip" | grep -q "line *$in:.*\[used" && break
        sleep 0.1
    done
    rig_gpio_pull "$in" "$1"
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    check "pull-$1 on sim_gpio$in -> gpiomon" "$3 $in" "$(cut -d' ' -f1,2 "$events")"
    rig_stop_background
}
edge_test up --rising-edge 1 rising
edge_test down --falling-edge 0 falling

rig_table_print "gpio-sim $RIG_GPIO_CHIP ($RIG_GPIO_LABEL, $RIG_GPIO_NUM_LINES lines):"
[ "$failures" = 0 ] || rig_fail "$failures GPIO check(s) failed"

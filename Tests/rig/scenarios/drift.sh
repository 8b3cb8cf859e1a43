#!/bin/bash
# Clock drift with snd-aloop's "PCM Rate Shift 100000" control, which runs a
# cable's clock at 100000/VALUE of nominal (below 100000 is fast).
#   1. The control works: with the Echo cable (hw:Loopback,0,0 -> 1,0) set to
#      CHECK_SHIFT, its capture end runs that much fast against
#      CLOCK_MONOTONIC, while a nominal cable (0,3 -> 1,3) does not.
#   2. A bridge that does not follow the clock difference (alsaloop -S 0)
#      drifts: with the Echo clock DRIFT_SHIFT fast, the latency it adds grows
#      by 48000 * ppm frames per second.
# Arguments: CHECK_SHIFT (default 95000, +5.3 %), DRIFT_SHIFT (default 99900,
# +1000 ppm). The control accepts 80000..120000.
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

check_shift=${1:-95000}
drift_shift=${2:-99900}
failures=0

rig_table_header "rate shift" "stream" "measured Hz" "ppm" "expected ppm" "result"
for value in 100000 "$check_shift"; do
    rig_aloop_rate_shift 1 0 "$value" || rig_fail "amixer cannot set PCM Rate Shift 100000 on device 1 subdevice 0"
    json=$RIG_RESULTS/rate-$value.json
    rig_latency rate --label "shift $value" --capture "$RIG_BRIDGE_CAPTURE" --capture hw:Loopback,1,3 \
        --seconds 4 --json "$json" || rig_fail "the rate measurement failed"
    while read -r device rate measured; do
        expected=0
        [ "$device" = "$RIG_BRIDGE_CAPTURE" ] && expected=$(rig_aloop_shift_ppm "$value")
        # 4 s against snd-aloop's 4 ms clock steps: a few hundred ppm is noise.
        result=ok
        "$RIG_PYTHON" -c 'import sys; m, e = float(sys.argv[1]), float(sys.argv[2])
sys.exit(abs(m - e) > max(300, 0.2 * abs(e)))' "$measured" "$expected" || { result=FAIL; failures=$((failures + 1)); }
        rig_table_row "$value" "$device" "$rate" "$measured" "$expected" "$result"
    done < <("$RIG_PYTHON" -c 'import json,sys
for s in json.load(open(sys.argv[1]))["streams"]:
    print(s["device"], round(s["measured_rate"], 1), s["ppm"])' "$json")
done
rig_aloop_rate_shift 1 0 100000
rig_table_print "PCM Rate Shift on the Echo cable (device 1, subdevice 0):"

rig_table_header "rate shift" "echo ppm" "bridge" "added frames" "drift frames/s" "expected frames/s" "bursts" "underruns" "overruns"
for value in 100000 "$drift_shift"; do
    rig_aloop_rate_shift 1 0 "$value"
    ppm=$(rig_aloop_shift_ppm "$value")
    expected=$("$RIG_PYTHON" -c 'import sys; print(round(48000 * float(sys.argv[1]) / 1e6, 1))' "$ppm")
    log=$RIG_RESULTS/alsaloop-drift-$value.log
    json=$RIG_RESULTS/drift-$value.json
    rig_background "$log" alsaloop -C "$RIG_BRIDGE_CAPTURE" -P "$RIG_BRIDGE_PLAYBACK" \
        -f S16_LE -c 2 -r 48000 --period=256 -l 4096 -S 0 -v -U
    sleep 0.5
    if rig_latency delay --label "drift $value" --lead-in-ms 500 --bursts 16 --interval-ms 500 \
            --max-delay-ms 400 --echo-clock-ppm "$ppm" --json "$json"; then
        added=$(rig_json_get "$json" added_frames)
        drift=$(rig_json_get "$json" drift_frames_per_s)
        found="$(rig_json_get "$json" bursts_found)/$(rig_json_get "$json" bursts)"
        "$RIG_PYTHON" -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 10)' "$drift" "$expected" \
            || failures=$((failures + 1))
    else
        added="not found"; drift="-"; found="-"
        failures=$((failures + 1))
    fi
    rig_stop_background
    rig_table_row "$value" "$ppm" "alsaloop -S 0" "${added%.*}" "$drift" "$expected" "$found" \
        "$(grep -c '^underrun for' "$log")" "$(grep -c '^overrun for' "$log")"
done
rig_aloop_rate_shift 1 0 100000
rig_table_print "Latency drift through alsaloop -S 0 (period 256, -l 4096), 16 bursts over 8 s:"
[ "$failures" = 0 ] || rig_fail "$failures drift check(s) failed"

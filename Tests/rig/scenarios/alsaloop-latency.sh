#!/bin/bash
# Baseline bridge: alsaloop between the Echo side and the speaker side, at
# periods of 32, 64, 128 and 256 frames (48 kHz, S16_LE, stereo). For each
# period it measures the latency alsaloop adds, and counts its xruns, at two
# latency requests: 2 periods (tight) and 2 periods + 384 frames (two 4 ms
# jiffies of snd-aloop's clock: what a bridge needs on this rig).
#
# Fails only when the rig itself is wrong: the direct path must measure 0
# frames, and alsaloop at 256 frames with the rig margin must be measurable.
# Arguments: periods to try (default: 32 64 128 256).
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

periods=("$@")
[ ${#periods[@]} -gt 0 ] || periods=(32 64 128 256)

rig_log "calibration: hw:Loopback,0,0 -> hw:Loopback,1,0 directly, no bridge"
rig_latency delay --label direct --speaker "$RIG_BRIDGE_CAPTURE" --json "$RIG_RESULTS/direct.json" \
    || rig_fail "the latency tool could not measure the direct path (see the console)"
direct=$(rig_json_get "$RIG_RESULTS/direct.json" added_frames)
[ "${direct%.*}" = 0 ] || rig_fail "the direct path measured $direct frames instead of 0: the rig's clock or the tool is off"
rig_note "direct path (no bridge): $direct frames, trigger spread $(rig_json_get "$RIG_RESULTS/direct.json" trigger_spread_us) us"
rig_note ""

rig_table_header "period" "-l frames" "added frames" "added ms" "min..max" "bursts" "underruns" "overruns" "alsaloop"
guard_ok=0
for period in "${periods[@]}"; do
    for latency in $((2 * period)) $((2 * period + 384)); do
        tag="p${period}-l${latency}"
        log="$RIG_RESULTS/alsaloop-$tag.log"
        json="$RIG_RESULTS/latency-$tag.json"
        # Slave mode (the default): alsaloop starts streaming when the Echo
        # side starts playing, so the lead-in gives it time to settle.
        rig_background "$log" alsaloop -C "$RIG_BRIDGE_CAPTURE" -P "$RIG_BRIDGE_PLAYBACK" \
            -f S16_LE -c 2 -r 48000 --period="$period" -l "$latency" -S 0 -v -U
        pid=${RIG_BACKGROUND[-1]}
        sleep 0.5
        rig_latency delay --label "alsaloop $tag" --lead-in-ms 500 --json "$json"
        measured=$?
        alive=running
        kill -0 "$pid" 2>/dev/null || alive="died"
        rig_stop_background
        grep -q 'Aborted\|double free\|pcmjob failed' "$log" && alive="crashed"
        underruns=$(grep -c '^underrun for' "$log")
        overruns=$(grep -c '^overrun for' "$log")
        if [ "$measured" = 0 ]; then
            added=$(rig_json_get "$json" added_frames)
            rig_table_row "$period" "$latency" "${added%.*}" "$(rig_json_get "$json" added_ms)" \
                "$(rig_json_get "$json" added_min_frames | cut -d. -f1)..$(rig_json_get "$json" added_max_frames | cut -d. -f1)" \
                "$(rig_json_get "$json" bursts_found)/$(rig_json_get "$json" bursts)" "$underruns" "$overruns" "$alive"
            [ "$period" = 256 ] && [ "$latency" = $((2 * period + 384)) ] && guard_ok=1
        else
            rig_table_row "$period" "$latency" "not found" "-" "-" "0/8" "$underruns" "$overruns" "$alive"
        fi
    done
done
rig_table_print "alsaloop hw:Loopback,1,0 -> hw:Loopback,0,1 (48 kHz S16_LE stereo, -S 0), added latency beyond the direct path:"

# A bridge that is already streaming when the Echo starts, as auxchain is:
# arecord | aplay, opened before the latency tool plays.
rig_table_header "bridge" "buffer frames" "added frames" "added ms" "min..max" "bursts" "xruns"
for buffer in 2048; do
    log=$RIG_RESULTS/pipe-$buffer
    json=$RIG_RESULTS/latency-pipe-$buffer.json
    fifo=/tmp/pipe-$buffer
    mkfifo "$fifo"
    rig_background "$log.aplay" aplay -q -D "$RIG_BRIDGE_PLAYBACK" -f S16_LE -r 48000 -c 2 \
        --period-size=256 --buffer-size="$buffer" -t raw "$fifo"
    rig_background "$log.arecord" arecord -q -D "$RIG_BRIDGE_CAPTURE" -f S16_LE -r 48000 -c 2 \
        --period-size=256 --buffer-size="$buffer" -t raw "$fifo"
    sleep 1
    if rig_latency delay --label "arecord|aplay $buffer" --json "$json"; then
        added=$(rig_json_get "$json" added_frames)
        rig_table_row "arecord > fifo > aplay" "$buffer" "${added%.*}" "$(rig_json_get "$json" added_ms)" \
            "$(rig_json_get "$json" added_min_frames | cut -d. -f1)..$(rig_json_get "$json" added_max_frames | cut -d. -f1)" \
            "$(rig_json_get "$json" bursts_found)/$(rig_json_get "$json" bursts)" "$(cat "$log".* | grep -c 'run!!!')"
    else
        rig_table_row "arecord > fifo > aplay" "$buffer" "not found" "-" "-" "0/8" "$(cat "$log".* | grep -c 'run!!!')"
    fi
    rig_stop_background
done
rig_table_print "An always-running bridge (period 256):"
if [[ " ${periods[*]} " == *" 256 "* ]] && [ "$guard_ok" != 1 ]; then
    rig_fail "alsaloop at 256 frames with the rig's margin could not be measured"
fi
exit 0

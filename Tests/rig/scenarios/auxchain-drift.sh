#!/bin/bash
# Clock drift through auxchain: snd-aloop's "PCM Rate Shift 100000" runs the
# Echo cable (hw:Loopback,0,0 -> 1,0, the bridge's capture side) PPM fast or
# slow for SECONDS while auxchain bridges it to the nominal speaker cable.
# Uncorrected, the bridge's buffer would fill (capture fast) or drain (capture
# slow) by 48000 * ppm / 1e6 frames a second until an xrun reset it; auxchain's
# drift correction stretches periods by a frame to hold it.
#
# Pass: for each shift, the delay through auxchain holds (the fitted slope is
# within a quarter of the uncorrected one; the rig's own measurement wanders by
# about half a frame a second either way) and auxchain's status measured the
# drift within half the shift (its sign and size: with dozens of xruns a minute
# the fit gets runs of a second; it has read 1 to 12 % off). Xruns are
# reported, not judged: on this rig they come from the emulated CPU's
# scheduling (see auxchain-latency), drift or no drift.
#
# Reported per shift: the delay through auxchain over time (a noise burst every
# second, latency.py with --echo-clock-ppm so it counts real time), its slope
# against the uncorrected one, xruns, status latency_frames sampled every 5 s
# and status clock_drift_ppm at the end. With --alsaloop, alsaloop at the same
# period and budget runs the same test twice: -S 0 (no sync: it drifts) and
# -S 1 (simple sync, adds or drops samples).
# Fails when nothing could be measured, or when the pass above fails.
#   auxchain-drift.sh [--seconds S] [--period P] [--buffer B] [--prefill F] [--alsaloop] [PPM...]
# Defaults: 60 s, period 128, buffer 7, prefill 5 (a geometry that held on this
# rig, see auxchain-latency), +100 -100 ppm.
# auxchain runs without GPIO inputs (inputs=none): this scenario is about audio.
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

seconds=60
period=128
buffer=7
prefill=5
alsaloop=0
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --period) period=$2; shift 2 ;;
        --buffer) buffer=$2; shift 2 ;;
        --prefill) prefill=$2; shift 2 ;;
        --alsaloop) alsaloop=1; shift ;;
        *) break ;;
    esac
done
shifts=("$@")
[ ${#shifts[@]} -gt 0 ] || shifts=(100 -100)
budget=$((period * prefill))
measured_any=0
: > "$RIG_RESULTS/drift.psv"

# sample_status OUT: "seconds xruns latency_frames" every 5 s until killed.
sample_status() {
    local start=$EPOCHREALTIME status
    while true; do
        status=$(rig_auxchain status --json 2>/dev/null)
        echo "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}') $(grep -o '"xruns":[0-9]*' <<<"$status" | cut -d: -f2) $(grep -o '"latency_frames":[0-9]*' <<<"$status" | cut -d: -f2)" >> "$1"
        sleep 5
    done
}

# drift_measure TAG PPM: bursts every second for SECONDS; sets start_frames,
# end_frames, slope, found.
drift_measure() {
    local json=$RIG_RESULTS/drift-$1.json
    if rig_latency delay --label "$1" --bursts "$seconds" --interval-ms 1000 --max-delay-ms 500 \
            --lead-in-ms 500 --echo-clock-ppm "$2" --json "$json"; then
        measured_any=1
        read -r start_frames end_frames slope found < <("$RIG_PYTHON" - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
delays = [d for d in r["speaker_delays_frames"] if d is not None]
ref = r["reference_frames"]
print(round(delays[0] - ref), round(delays[-1] - ref), r.get("drift_frames_per_s", "-"), f"{r['bursts_found']}/{r['bursts']}")
PY
)
    else
        start_frames="-"; end_frames="-"; slope="-"; found="0/$seconds"
    fi
}

failures=0
rig_table_header "shift" "ppm" "bridge" "budget" "delay at start" "delay at end" "slope frames/s" "uncorrected" "bursts" "xruns" "latency_frames (status)" "drift (status)" "holds"
for ppm in "${shifts[@]}"; do
    value=$("$RIG_PYTHON" -c 'import sys; print(round(100000 / (1 + float(sys.argv[1]) * 1e-6)))' "$ppm")
    actual=$(rig_aloop_shift_ppm "$value")
    signed=$(printf '%+d' "$actual")
    expected=$("$RIG_PYTHON" -c 'import sys; print(round(48000 * float(sys.argv[1]) / 1e6, 2))' "$actual")
    rig_aloop_rate_shift 1 0 "$value" || rig_fail "amixer cannot set PCM Rate Shift 100000 on device 1 subdevice 0"

    rig_log "shift $value ($actual ppm): auxchain, period $period, buffer $buffer, prefill $prefill, $seconds s"
    rig_auxchain_config /tmp/auxchain.toml "$period" on inputs=none buffer_periods="$buffer" prefill_periods="$prefill" settle_ms=0 min_off_s=0
    rig_auxchain_start "$RIG_RESULTS/auxchain-$actual.log" /tmp/auxchain.toml
    rig_auxchain_wait_running 40 on
    sleep 1
    samples=$RIG_RESULTS/status-$actual.txt
    : > "$samples"
    sample_status "$samples" &
    sampler=$!
    drift_measure "auxchain$signed" "$actual"
    kill "$sampler"; wait "$sampler" 2>/dev/null
    first_xruns=$(head -n1 "$samples" | cut -d' ' -f2)
    last_xruns=$(rig_auxchain_get xruns)
    measured_ppm=$(rig_auxchain_get clock_drift_ppm 2>/dev/null || true)
    holds=$("$RIG_PYTHON" - "$slope" "$expected" "${measured_ppm:-}" "$actual" <<'PY'
import sys
slope, expected, measured, actual = sys.argv[1:5]
try:
    held = abs(float(slope)) <= abs(float(expected)) / 4
    measured_ok = measured not in ("", "null") and abs(float(measured) - float(actual)) <= abs(float(actual)) * 0.5
    print("yes" if held and measured_ok else "no")
except ValueError:
    print("no")
PY
)
    [ "$holds" = yes ] || failures=$((failures + 1))
    status_latency=$(cut -d' ' -f3 "$samples" | sort -un | tr '\n' ' ')
    rig_auxchain_stop
    rig_table_row "$value" "$actual" "auxchain" "$budget" "$start_frames" "$end_frames" "$slope" "$expected" "$found" \
        "$((last_xruns - first_xruns))" "${status_latency% }" "${measured_ppm:--} ppm" "$holds"
    echo "$value|$signed|auxchain|$budget|$start_frames|$end_frames|$slope|$expected|$found|$((last_xruns - first_xruns))|${measured_ppm:--}" >> "$RIG_RESULTS/drift.psv"
    {
        echo "auxchain at $actual ppm: seconds, xruns, latency_frames from auxchain status"
        cat "$samples"
    } > "$RIG_RESULTS/status-$actual-table.txt"

    if [ "$alsaloop" = 1 ]; then
        for sync in 0 1; do
            log=$RIG_RESULTS/alsaloop-S$sync-$actual.log
            rig_background "$log" alsaloop -C "$RIG_BRIDGE_CAPTURE" -P "$RIG_BRIDGE_PLAYBACK" \
                -f S16_LE -c 2 -r 48000 --period="$period" -l "$budget" -S "$sync" -v -U
            sleep 0.5
            drift_measure "alsaloop-S$sync$signed" "$actual"
            rig_stop_background
            rig_table_row "$value" "$actual" "alsaloop -S $sync" "$budget" "$start_frames" "$end_frames" "$slope" \
                "$expected" "$found" "$(grep -cE '^(underrun|overrun) for' "$log")" "-" "-" "-"
        done
    fi
done
rig_aloop_rate_shift 1 0 100000
rig_table_print "Delay through the bridge with the Echo cable's clock shifted, $seconds bursts over $seconds s (frames beyond the direct path; slope: a line fitted through the bursts):"

# The delay over time: every 10th burst, per run.
columns=("run")
for ((at = 0; at < seconds; at += 10)); do columns+=("$at s"); done
rig_table_header "${columns[@]}"
for json in "$RIG_RESULTS"/drift-*.json; do
    [ -f "$json" ] || continue
    rig_table_row "$(basename "$json" .json | sed 's/^drift-//')" "$("$RIG_PYTHON" - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ref = r.get("reference_frames", 0)
print("|".join("-" if d is None else str(round(d - ref)) for d in r["speaker_delays_frames"][::10]))
PY
)"
done
rig_table_print "Delay (frames) every 10 s:"
for table in "$RIG_RESULTS"/status-*-table.txt; do
    [ -f "$table" ] && rig_note "$(head -n1 "$table"): $(tail -n +2 "$table" | awk '{printf "%s s %s xruns %s; ", $1, $2, $3}')"
done
rig_summary "$(awk -F'|' '$3 == "auxchain" {printf "%s%s ppm: delay slope %s frames/s (uncorrected %s), status %s ppm, %s xruns", (n++ ? "; " : ""), $2, $7, $8, $11, $10}' "$RIG_RESULTS/drift.psv") over $seconds s (auxchain period $period, budget $budget frames)"
[ "$measured_any" = 1 ] || rig_fail "no drift run could be measured"
[ "$failures" = 0 ] || rig_fail "the delay did not hold or the drift was mismeasured at $failures shift(s)"
rig_note "PASS: the delay holds against the drift at every shift"
exit 0

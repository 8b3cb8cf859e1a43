#!/bin/bash
# Xrun injection: while a 1 kHz tone plays through auxchain, the daemon is
# stopped (SIGSTOP) for a random 50..500 ms, STOPS times, with 400..700 ms
# between stops (bash's RANDOM with a fixed seed, so every run draws the same
# times). The speaker side is recorded throughout.
#
# Passes when: the daemon counted xruns (status xruns > 0); after every resume
# the tone came back at its level before the next stop (the first 50 ms
# window within 3 dB of it); it plays without a gap from 1 s after the last
# resume to the end; the daemon is alive with both devices open and the
# speaker on; and SIGTERM ends it with status 0.
# Arguments: STOPS (default 20), PERIOD BUFFER_PERIODS PREFILL_PERIODS
# (default 256 6 4).
# The config has no GPIO inputs (inputs=none): this scenario is about audio.
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

stops=${1:-20}
period=${2:-256}
buffer_periods=${3:-6}
prefill_periods=${4:-4}
failures=0
check() { # check NAME OK(0/1) DETAIL
    rig_table_row "$1" "$([ "$2" = 0 ] && echo ok || echo FAIL)" "$3"
    [ "$2" = 0 ] || failures=$((failures + 1))
}

RANDOM=8
pauses_ms=() gaps_ms=()
total_ms=0
for ((i = 0; i < stops; i++)); do
    pauses_ms+=($((50 + RANDOM % 451)))
    gaps_ms+=($((400 + RANDOM % 301)))
    total_ms=$((total_ms + pauses_ms[i] + gaps_ms[i]))
done

rig_auxchain_config /tmp/auxchain.toml "$period" on inputs=none buffer_periods="$buffer_periods" prefill_periods="$prefill_periods" \
    settle_ms=100 min_off_s=0
rig_auxchain_start "$RIG_RESULTS/auxchain.log" /tmp/auxchain.toml
rig_auxchain_wait_running 40 on
sleep 1
xruns_before=$(rig_auxchain_get xruns)

# The tone outlasts the stops: 2 s before, 4 s after, and room for the time
# kill and sleep themselves take under emulation.
seconds=$(( (2000 + total_ms * 5 / 4 + 4000 + 999) / 1000 ))
frames=$(rig_probe tone --out /tmp/xrun-tone.f32 --seconds "$seconds" --level-dbfs -6) || rig_fail "cannot write the tone"
read -r clock_monotonic clock_realtime < <(rig_probe now)
"$RIG_PLAYREC" -n "$frames" -P "$RIG_ECHO_PLAYBACK=/tmp/xrun-tone.f32" -C "$RIG_SPEAKER_CAPTURE=/tmp/xrun-speaker.f32" \
    > "$RIG_RESULTS/playrec.txt" 2> "$RIG_RESULTS/playrec.err" &
playrec=$!
sleep 2

rig_log "stopping auxchain (pid $RIG_AUXCHAIN_PID) $stops times"
: > "$RIG_RESULTS/stops.txt"
for ((i = 0; i < stops; i++)); do
    stopped_at=$EPOCHREALTIME
    kill -STOP "$RIG_AUXCHAIN_PID"
    sleep "$(printf '0.%03d' "${pauses_ms[i]}")"
    kill -CONT "$RIG_AUXCHAIN_PID"
    echo "$stopped_at $EPOCHREALTIME ${pauses_ms[i]}" >> "$RIG_RESULTS/stops.txt"
    sleep "$(printf '0.%03d' "${gaps_ms[i]}")"
done
wait "$playrec"
playrec_status=$?
xruns_after=$(rig_auxchain_get xruns)
alive=1; kill -0 "$RIG_AUXCHAIN_PID" 2>/dev/null && alive=0
read -r open_capture open_playback power_state < <(rig_auxchain_get devices.0.open devices.1.open power.state | tr '\n' ' ')

channels=$(sed -n "s/^stream=capture .*channels=\([0-9]*\).*/\1/p" "$RIG_RESULTS/playrec.txt")
trigger=$(sed -n "s/^stream=capture .*trigger=\([0-9.]*\).*/\1/p" "$RIG_RESULTS/playrec.txt")
[ -n "$trigger" ] || rig_fail "rig-playrec did not record (status $playrec_status): $(cat "$RIG_RESULTS/playrec.err")"
rig_probe analyse --recording "/tmp/xrun-speaker.f32:$channels" --window-ms 50 --json "$RIG_RESULTS/speaker.json" > /dev/null \
    || rig_fail "cannot analyse the speaker recording"

# Each resume, on the recording's time line: when the tone came back.
"$RIG_PYTHON" - "$RIG_RESULTS/speaker.json" "$RIG_RESULTS/stops.txt" "$trigger" "$clock_monotonic" "$clock_realtime" \
    > "$RIG_RESULTS/recovery.txt" <<'PY'
import json, statistics, sys
recording = json.load(open(sys.argv[1]))["recordings"][0]
stops = [tuple(float(v) for v in line.split()) for line in open(sys.argv[2])]
trigger, monotonic, realtime = (float(v) for v in sys.argv[3:6])
offset = realtime - monotonic
window = recording["window_ms"] / 1000
levels = recording["channels"][0]["window_dbfs"]
end = len(levels) * window
nominal = -6.0
def at_level(i): return levels[i] >= nominal - 3
late = []
recoveries = []
for k, (stopped, resumed, pause_ms) in enumerate(stops):
    start = resumed - offset - trigger
    until = stops[k + 1][0] - offset - trigger if k + 1 < len(stops) else start + 1.0
    first = next((i for i in range(int(start / window) + 1, min(len(levels), int(until / window)))
                  if at_level(i)), None)
    if first is None:
        late.append(k + 1)
    else:
        recoveries.append(first * window - start)
last = stops[-1][1] - offset - trigger
tail = range(int((last + 1.0) / window) + 1, len(levels))
tail_missing = sum(1 for i in tail if not at_level(i))
print("recovered", len(recoveries), "of", len(stops))
print("late", " ".join(str(k) for k in late) or "-")
print("recovery_ms_median", round(statistics.median(recoveries) * 1000) if recoveries else "-")
print("recovery_ms_max", round(max(recoveries) * 1000) if recoveries else "-")
print("tail_windows", len(tail))
print("tail_missing", tail_missing)
PY
recovered=$(awk '$1 == "recovered" {print $2}' "$RIG_RESULTS/recovery.txt")
late=$(awk '$1 == "late" {$1 = ""; print substr($0, 2)}' "$RIG_RESULTS/recovery.txt")
median_ms=$(awk '$1 == "recovery_ms_median" {print $2}' "$RIG_RESULTS/recovery.txt")
max_ms=$(awk '$1 == "recovery_ms_max" {print $2}' "$RIG_RESULTS/recovery.txt")
tail_windows=$(awk '$1 == "tail_windows" {print $2}' "$RIG_RESULTS/recovery.txt")
tail_missing=$(awk '$1 == "tail_missing" {print $2}' "$RIG_RESULTS/recovery.txt")
xruns=$((xruns_after - xruns_before))
pauses="${pauses_ms[*]}"

rig_table_header "check" "result" "detail"
check "xruns counted" $(( xruns > 0 ? 0 : 1 )) "$xruns during the stops (start-up: $xruns_before); stops of ${pauses// /, } ms"
check "tone back after every resume" $(( recovered == stops ? 0 : 1 )) \
    "$recovered of $stops; first window at level after a median $median_ms ms, at most $max_ms ms${late:+; not back before the next stop: $late}"
check "tone after the last resume" $(( tail_windows > 0 && tail_missing == 0 ? 0 : 1 )) \
    "$((tail_windows - tail_missing)) of $tail_windows windows of 50 ms at level, from 1 s after it to the end"
check "daemon alive" "$alive" "pid $RIG_AUXCHAIN_PID"
check "devices open" $([ "$open_capture $open_playback" = "true true" ]; echo $?) "capture $open_capture, playback $open_playback"
check "speaker still on" $([ "$power_state" = on ]; echo $?) "power state $power_state"
rig_auxchain_stop
stopped=$?
check "SIGTERM exits 0" $([ "$stopped" = 0 ]; echo $?) "exit status $stopped"
rig_table_print "auxchain xrun injection: $stops SIGSTOP/SIGCONT, period $period, buffer $buffer_periods periods, prefill $prefill_periods:"
rig_summary "$xruns xruns from $stops stops of 50..500 ms; tone back after $recovered of $stops (median $median_ms ms, max $max_ms ms)"
[ "$playrec_status" = 0 ] || rig_note "note: rig-playrec itself reported an xrun (status $playrec_status); the recording ends there"
[ "$failures" = 0 ] || rig_fail "$failures xrun check(s) failed"
rig_note "PASS: every xrun recovered and the audio continues"

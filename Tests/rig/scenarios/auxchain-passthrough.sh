#!/bin/bash
# Pass-through: a 1 kHz tone at -6 dBFS played into the Echo side comes out of
# auxchain at the volume set over the socket. At each volume (0 dB, then
# -12 dB set with `auxchain volume -12dB`) the tone's level on the speaker
# side, both channels, is compared with the same tone through the rig's direct
# path, recorded by the same trigger.
#
# Passes when, at every volume and on both channels, the measured gain is the
# set gain within GAIN_TOLERANCE_DB and the sine explains at least MIN_SHARE
# of the speaker side's energy (a tone, not silence or noise).
# Arguments: PERIOD BUFFER_PERIODS PREFILL_PERIODS (default 256 6 4: a
# geometry that runs without xruns on this rig, see auxchain-latency).
# The config has no GPIO inputs (inputs=none): this scenario is about audio.
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

period=${1:-256}
buffer_periods=${2:-6}
prefill_periods=${3:-4}
gain_tolerance_db=0.5
min_share=0.95
failures=0

rig_auxchain_config /tmp/auxchain.toml "$period" on inputs=none buffer_periods="$buffer_periods" prefill_periods="$prefill_periods" settle_ms=100 min_off_s=0
rig_auxchain_start "$RIG_RESULTS/auxchain.log" /tmp/auxchain.toml
rig_auxchain_wait_running 40 on
sleep 1
xruns_before=$(rig_auxchain_get xruns)

: > "$RIG_RESULTS/gains.psv"
rig_table_header "volume set" "status dB" "channel" "speaker dBFS" "reference dBFS" "gain dB" "error dB" "tone share" "result"
for volume in 0dB -12dB; do
    rig_auxchain volume "$volume" > "$RIG_RESULTS/volume$volume.txt" || rig_fail "auxchain volume $volume failed: $(cat "$RIG_RESULTS/volume$volume.txt")"
    status_db=$(rig_auxchain_get volume.db)
    # The gain ramps over ramp_ms (40 ms); the tone starts well after it.
    sleep 0.5
    dir=$RIG_RESULTS/tone$volume
    rig_tone_playrec "$dir" 3 --level-dbfs -6 || rig_fail "rig-playrec failed ($?): $(cat "$dir/playrec.err")"
    # From 1 s: past the bridge's latency and the tone's fade-in.
    rig_probe analyse --recording "$dir/speaker.f32:$RIG_TONE_CHANNELS" \
        --recording "$dir/reference.f32:$RIG_TONE_REFERENCE_CHANNELS" --from-s 1 --to-s 2.8 \
        --json "$dir/analysis.json" > /dev/null || rig_fail "cannot analyse the recordings in $dir"
    set_db=${volume%dB}
    while read -r channel speaker reference gain error share verdict; do
        rig_table_row "$volume" "$status_db" "$channel" "$speaker" "$reference" "$gain" "$error" "$share" "$verdict"
        echo "$volume|$status_db|$channel|$speaker|$reference|$gain|$error|$share|$verdict" >> "$RIG_RESULTS/gains.psv"
        [ "$verdict" = ok ] || failures=$((failures + 1))
    done < <("$RIG_PYTHON" - "$dir/analysis.json" "$set_db" "$gain_tolerance_db" "$min_share" <<'PY'
import json, sys
speaker, reference = json.load(open(sys.argv[1]))["recordings"]
set_db, tolerance, min_share = (float(v) for v in sys.argv[2:5])
ref = reference["channels"][0]["tone_dbfs"]
for index, channel in enumerate(speaker["channels"]):
    gain = channel["tone_dbfs"] - ref
    error = gain - set_db
    ok = abs(error) <= tolerance and channel["tone_share"] >= min_share
    print(index, channel["tone_dbfs"], ref, round(gain, 2), round(error, 2), channel["tone_share"], "ok" if ok else "FAIL")
PY
)
done
xruns_after=$(rig_auxchain_get xruns)
rig_table_print "auxchain pass-through, 1 kHz at -6 dBFS, period $period, buffer $buffer_periods periods, prefill $prefill_periods (pass: |error| <= $gain_tolerance_db dB, tone share >= $min_share):"
rig_note "xruns while measuring: $((xruns_after - xruns_before)) (start-up: $xruns_before)"
rig_summary "gain per channel: $(awk -F'|' '$1 != last {printf "%sset %s: %s", (NR > 1 ? "; " : ""), $1, $6; last = $1; next}
    {printf ", %s", $6} END {printf " dB"}' "$RIG_RESULTS/gains.psv"); $((xruns_after - xruns_before)) xruns"

rig_auxchain_stop
stopped=$?
[ "$stopped" = 0 ] || { rig_note "auxchain exited $stopped on SIGTERM (expected 0)"; failures=$((failures + 1)); }
[ "$failures" = 0 ] || rig_fail "$failures pass-through check(s) failed"
rig_note "PASS: the tone passes at the set gain on every channel"

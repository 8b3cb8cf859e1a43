#!/bin/bash
# Latency and xruns of auxchain next to alsaloop, same devices, same period,
# same latency budget, at periods of 32, 64, 128 and 256 frames (48 kHz).
#
# For each period P the bridges run at each latency budget L of the ladder:
#   default   L = 2P: auxchain's defaults (buffer_periods 3, prefill_periods 2),
#             alsaloop -l 2P;
#   margin    L = 2P + 384 rounded up to whole periods (two of snd-aloop's
#             4 ms clock steps more: what alsaloop needed here): auxchain
#             prefill_periods L/P, buffer_periods L/P + 2 (at most 16);
#   wide      (--wide) L = 2P + 768 rounded up.
# Where a budget needs more than 16 buffer periods (period 32), auxchain's
# config cannot reach it and only alsaloop runs.
# Each row: start the bridge, measure the added latency (latency.py delay: 8
# noise bursts, the direct path subtracted), then play a tone through it for
# --hold seconds, and count xruns: auxchain's from `auxchain status` (from 1 s
# after its devices opened; its start-up xruns are shown apart), alsaloop's
# from its -U reports over its whole run (it starts streaming when the Echo
# starts playing).
#
# A row holds when all 8 bursts came through and no xrun was counted. Then,
# with --soak SECONDS, each bridge runs a tone for that long at its smallest
# period that held (at that period's smallest budget); if it has an xrun, the
# next row that held is tried (two tries at most). That is "the smallest
# period that holds" in the results.
#
# Fails only when nothing could be measured: the rig's direct path must be 0
# frames and auxchain must pass the bursts at some row.
#   auxchain-latency.sh [--hold SECONDS] [--soak SECONDS] [--wide] [PERIODS...]
# auxchain runs without GPIO inputs (inputs=none): this scenario is about audio.
set -uo pipefail
. "$RIG_DIR/scenarios/lib.sh"

hold_s=10
soak_s=0
wide=0
while [ $# -gt 0 ]; do
    case "$1" in
        --hold) hold_s=$2; shift 2 ;;
        --soak) soak_s=$2; shift 2 ;;
        --wide) wide=1; shift ;;
        *) break ;;
    esac
done
periods=("$@")
[ ${#periods[@]} -gt 0 ] || periods=(32 64 128 256)
rows_file=$RIG_RESULTS/rows.psv
: > "$rows_file"

# The direct path against the reference pair: 0 frames, unless the two
# cables' 4 ms clock steps fell apart at the trigger (seen once as -192 on a
# busy host): three tries.
for try in 1 2 3; do
    rig_log "calibration $try: hw:Loopback,0,0 -> hw:Loopback,1,0 directly, no bridge"
    rig_latency delay --label direct --speaker "$RIG_BRIDGE_CAPTURE" --json "$RIG_RESULTS/direct.json" \
        || rig_fail "the latency tool could not measure the direct path (see the console)"
    direct=$(rig_json_get "$RIG_RESULTS/direct.json" added_frames)
    [ "${direct%.*}" = 0 ] && break
done
[ "${direct%.*}" = 0 ] || rig_fail "the direct path measured $direct frames instead of 0 three times: the rig's clock or the tool is off"

# budget P ROW: the latency budget in frames, in whole periods.
budget() {
    local p=$1 extra
    case "$2" in
        default) echo $((2 * p)); return ;;
        margin) extra=384 ;;
        wide) extra=768 ;;
    esac
    echo $(( (2 * p + extra + p - 1) / p * p ))
}

# measure TAG: the latency tool against whatever bridge runs; sets added,
# range, found (or "not found").
measure() {
    local json=$RIG_RESULTS/latency-$1.json
    if rig_latency delay --label "$1" --lead-in-ms 500 --json "$json" > "$RIG_RESULTS/latency-$1.txt" 2>&1; then
        added=$(rig_json_get "$json" added_frames); added=${added%.*}
        range="$(rig_json_get "$json" added_min_frames | cut -d. -f1)..$(rig_json_get "$json" added_max_frames | cut -d. -f1)"
        found="$(rig_json_get "$json" bursts_found)/$(rig_json_get "$json" bursts)"
    else
        added="not found"; range="-"; found="0/8"
    fi
    cat "$RIG_RESULTS/latency-$1.txt"
}

# tone_for SECONDS: a tone into the Echo side, waited for.
tone_for() {
    rig_echo_tone "$1"
    wait "${RIG_BACKGROUND[-1]}" 2>/dev/null
}

xruns_of_alsaloop() { grep -cE '^(underrun|overrun) for' "$1"; }

# run_auxchain P BUFFER PREFILL SECONDS TAG: one auxchain row (SECONDS of tone
# after the measurement). Sets added, range, found, startup_xruns, xruns, window_s, note.
run_auxchain() {
    local p=$1 buffer=$2 prefill=$3 seconds=$4 tag=$5 x0 x1 t0
    rig_auxchain_config /tmp/auxchain.toml "$p" on inputs=none buffer_periods="$buffer" prefill_periods="$prefill" settle_ms=0 min_off_s=0
    rig_auxchain_start "$RIG_RESULTS/auxchain-$tag.log" /tmp/auxchain.toml
    rig_auxchain_wait_running 40 on
    sleep 1
    startup_xruns=$(rig_auxchain_get xruns)
    t0=$EPOCHREALTIME
    measure "auxchain-$tag"
    tone_for "$seconds"
    x1=$(rig_auxchain_get xruns)
    window_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.0f", b - a}')
    xruns=$((x1 - startup_xruns))
    note=""
    rig_auxchain_stop || note="exit $?"
}

# run_alsaloop P LATENCY SECONDS TAG: one alsaloop row; sets the same.
run_alsaloop() {
    local p=$1 latency=$2 seconds=$3 tag=$4 t0 log=$RIG_RESULTS/alsaloop-$4.log pid
    t0=$EPOCHREALTIME
    rig_background "$log" alsaloop -C "$RIG_BRIDGE_CAPTURE" -P "$RIG_BRIDGE_PLAYBACK" \
        -f S16_LE -c 2 -r 48000 --period="$p" -l "$latency" -S 0 -v -U
    pid=${RIG_BACKGROUND[-1]}
    sleep 0.5
    measure "alsaloop-$tag"
    tone_for "$seconds"
    window_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.0f", b - a}')
    note=""
    kill -0 "$pid" 2>/dev/null || note="died"
    rig_stop_background
    grep -q 'Aborted\|double free\|pcmjob failed' "$log" && note="crashed"
    startup_xruns="-"
    xruns=$(xruns_of_alsaloop "$log")
}

rows=(default margin)
[ "$wide" = 1 ] && rows+=(wide)
auxchain_measured=0
for p in "${periods[@]}"; do
    for row in "${rows[@]}"; do
        latency=$(budget "$p" "$row")
        prefill=$((latency / p))
        buffer=$([ "$row" = default ] && echo 3 || echo $((prefill + 2)))
        tag=p$p-l$latency
        if [ "$buffer" -le 16 ]; then
            rig_log "period $p, $row: auxchain buffer $buffer prefill $prefill"
            run_auxchain "$p" "$buffer" "$prefill" "$hold_s" "$tag"
            holds=$([ "$found" = 8/8 ] && [ "$xruns" = 0 ] && echo yes || echo no)
            [ "$found" = 8/8 ] && auxchain_measured=1
            echo "auxchain|$p|$row|$latency|buffer $buffer, prefill $prefill|$added|$range|$found|$xruns|$window_s|$startup_xruns|$holds|$note" >> "$rows_file"
        else
            # [audio] buffer_periods is at most 16: this budget is out of auxchain's reach at this period.
            echo "auxchain|$p|$row|$latency|prefill $prefill > 14|-|-|-|-|-|-|no|buffer_periods <= 16" >> "$rows_file"
        fi
        rig_log "period $p, $row: alsaloop -l $latency"
        run_alsaloop "$p" "$latency" "$hold_s" "$tag"
        holds=$([ "$found" = 8/8 ] && [ "$xruns" = 0 ] && [ -z "$note" ] && echo yes || echo no)
        echo "alsaloop|$p|$row|$latency|-l $latency|$added|$range|$found|$xruns|$window_s|$startup_xruns|$holds|$note" >> "$rows_file"
    done
done

rig_table_header "period" "budget" "bridge" "setting" "added frames" "added ms" "min..max" "bursts" "xruns" "over s" "start-up xruns" "holds"
while IFS='|' read -r -u 3 bridge p row latency setting added range found xruns window startup holds note; do
    ms=$([[ "$added" =~ ^-?[0-9]+$ ]] && awk -v f="$added" 'BEGIN {printf "%.2f", f / 48}' || echo -)
    rig_table_row "$p" "$row $latency" "$bridge" "$setting" "$added" "$ms" "$range" "$found" "$xruns" "$window" "$startup" "$holds${note:+ ($note)}"
done 3< "$rows_file"
rig_table_print "auxchain and alsaloop, hw:Loopback,1,0 -> hw:Loopback,0,1, 48 kHz; added latency beyond the direct path ($direct frames); xruns over the measurement and $hold_s s of tone:"

if [ "$soak_s" -gt 0 ]; then
    rig_table_header "bridge" "period" "setting" "seconds" "xruns" "start-up xruns" "added frames after" "bursts after" "result"
    for bridge in auxchain alsaloop; do
        tries=0
        while IFS='|' read -r -u 3 _ p row latency setting _ _ _ _ _ _ holds _; do
            [ "$tries" -lt 2 ] || break
            tries=$((tries + 1))
            prefill=$((latency / p))
            buffer=$([ "$row" = default ] && echo 3 || echo $((prefill + 2)))
            rig_log "soak: $bridge at period $p, $setting, $soak_s s"
            if [ "$bridge" = auxchain ]; then
                rig_auxchain_config /tmp/auxchain.toml "$p" on inputs=none buffer_periods="$buffer" prefill_periods="$prefill" settle_ms=0 min_off_s=0
                rig_auxchain_start "$RIG_RESULTS/auxchain-soak-$p.log" /tmp/auxchain.toml
                rig_auxchain_wait_running 40 on
                sleep 1
                startup_xruns=$(rig_auxchain_get xruns)
                tone_for "$soak_s"
                xruns=$(( $(rig_auxchain_get xruns) - startup_xruns ))
                measure "auxchain-soak-p$p"
                rig_auxchain_stop
            else
                log=$RIG_RESULTS/alsaloop-soak-$p.log
                rig_background "$log" alsaloop -C "$RIG_BRIDGE_CAPTURE" -P "$RIG_BRIDGE_PLAYBACK" \
                    -f S16_LE -c 2 -r 48000 --period="$p" -l "$latency" -S 0 -v -U
                rig_echo_tone "$((soak_s + 2))"
                # alsaloop starts with the Echo: its first 2 s are its start-up.
                sleep 2
                startup_xruns=$(xruns_of_alsaloop "$log")
                wait "${RIG_BACKGROUND[-1]}" 2>/dev/null
                xruns=$(( $(xruns_of_alsaloop "$log") - startup_xruns ))
                measure "alsaloop-soak-p$p"
                rig_stop_background
            fi
            result=$([ "$xruns" = 0 ] && [ "$found" = 8/8 ] && echo holds || echo "does not hold")
            rig_table_row "$bridge" "$p" "$setting" "$soak_s" "$xruns" "$startup_xruns" "$added" "$found" "$result"
            echo "$bridge|$p|$setting|$soak_s|$xruns|$result|$added" >> "$RIG_RESULTS/soak.psv"
            [ "$result" = holds ] && break
        done 3< <(awk -F'|' -v b="$bridge" '$1 == b && $12 == "yes"' "$rows_file" | sort -t'|' -k2,2n -k4,4n)
        [ "$tries" -gt 0 ] || rig_table_row "$bridge" "-" "-" "-" "-" "-" "-" "-" "no row held"
    done
    rig_table_print "Soak: the smallest period that held, $soak_s s of tone:"
fi
# The headline: for each bridge the smallest period that held and its latency,
# from the soak when there was one, else from the ladder.
headline=""
for bridge in auxchain alsaloop; do
    if [ -s "$RIG_RESULTS/soak.psv" ]; then
        best=$(awk -F'|' -v b="$bridge" '$1 == b && $6 == "holds" {print $2 "|" $3 ", " $7 " frames"; exit}' "$RIG_RESULTS/soak.psv")
        how="${soak_s} s soak"
    else
        best=$(awk -F'|' -v b="$bridge" '$1 == b && $12 == "yes"' "$rows_file" | sort -t'|' -k2,2n -k4,4n | head -n1 \
            | awk -F'|' '{print $2 "|" $5 ", " $6 " frames"}')
        how="${hold_s} s hold"
    fi
    if [ -n "$best" ]; then held="period ${best%%|*} (${best#*|})"; else held="no period held"; fi
    headline+="${headline:+; }$bridge: $held [$how]"
done
rig_summary "$headline"
[ "$auxchain_measured" = 1 ] || rig_fail "auxchain passed the bursts at no row"
exit 0

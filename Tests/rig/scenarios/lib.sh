# Helpers for rig scenarios (bash). A scenario sources this file:
#   . "$RIG_DIR/scenarios/lib.sh"
# and runs inside the VM, as root, in the host's root (read-only) with a
# writable /tmp, /run and $RIG_RESULTS. See Tests/rig/README.md.

RIG_PYTHON=/usr/bin/python3
RIG_TABLE=$RIG_RESULTS/table.psv
declare -a RIG_BACKGROUND=()

rig_log() { echo "[$(rig_uptime)] $*"; }

rig_fail() {
    echo "FAIL: $*" | tee -a "$RIG_RESULTS/results.txt" >&2
    exit 1
}

rig_uptime() { cut -d' ' -f1 /proc/uptime; }

# rig_latency delay|rate [OPTIONS]: the latency tool (latency.py), see --help.
rig_latency() { "$RIG_PYTHON" "$RIG_LATENCY" "$@"; }

# rig_json_get FILE KEY: one top-level value of a JSON file ("" when absent).
rig_json_get() {
    "$RIG_PYTHON" -c 'import json,sys
v = json.load(open(sys.argv[1])).get(sys.argv[2])
print("" if v is None else v)' "$1" "$2"
}

# rig_table_header COL... / rig_table_row VAL...: a results table, printed
# aligned into results.txt by rig_table_print.
rig_table_header() { local IFS='|'; echo "$*" > "$RIG_TABLE"; }
rig_table_row() { local IFS='|'; echo "$*" >> "$RIG_TABLE"; }
rig_table_print() {
    local title=$1
    {
        echo "$title"
        column -t -s '|' -o '  ' "$RIG_TABLE"
        echo
    } | tee -a "$RIG_RESULTS/results.txt"
    rm -f "$RIG_TABLE"
}

rig_note() { echo "$*" | tee -a "$RIG_RESULTS/results.txt"; }

# rig_summary TEXT: the scenario's headline, one line (summary.txt), which
# Tests/rig/ci.sh and run-all.sh show next to its result.
rig_summary() { echo "$*" > "$RIG_RESULTS/summary.txt"; }

# rig_background LOG COMMAND...: starts a command in the background (its
# output in LOG); rig_stop_background ends every one of them.
rig_background() {
    local log=$1; shift
    "$@" > "$log" 2>&1 &
    RIG_BACKGROUND+=("$!")
}
rig_stop_background() {
    local pid
    for pid in "${RIG_BACKGROUND[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${RIG_BACKGROUND[@]}"; do
        # A process that ignores TERM gets KILL after 2 s.
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    RIG_BACKGROUND=()
}
trap rig_stop_background EXIT

# gpio-sim: the simulated side of line OFFSET.
#   rig_gpio_sim_path OFFSET       /sys/.../sim_gpioOFFSET
#   rig_gpio_output_level OFFSET   the level a consumer drives (0 or 1)
#   rig_gpio_pull OFFSET up|down   drives an input, raising an edge
rig_gpio_sim_path() { echo "$RIG_GPIO_SIM_DIR/sim_gpio$1"; }
rig_gpio_output_level() { cat "$(rig_gpio_sim_path "$1")/value"; }
rig_gpio_pull() { echo "pull-$2" > "$(rig_gpio_sim_path "$1")/pull"; }

# rig_aloop_rate_shift DEVICE SUBDEVICE VALUE: snd-aloop's "PCM Rate Shift
# 100000". The control on (device 1, subdevice N) paces the cable
# hw:Loopback,0,N -> hw:Loopback,1,N at both of its ends, at 100000/VALUE of
# the nominal rate: below 100000 the cable's clock is fast.
rig_aloop_rate_shift() {
    amixer -q -c Loopback cset "iface=PCM,name=PCM Rate Shift 100000,device=$1,subdevice=$2" "$3"
}

# rig_aloop_shift_ppm VALUE: how far a cable with that rate shift runs from
# nominal, in ppm (99900 -> +1001).
rig_aloop_shift_ppm() { echo $(( (100000 * 1000000 + $1 / 2) / $1 - 1000000 )); }

RIG_AUXCHAIN_SOCKET=/run/auxchain-rig/control.sock
RIG_AUXCHAIN_STATE=/tmp/auxchain-rig/state.json

# rig_auxchain_config FILE [PERIOD_FRAMES] [POWER_MODE] [KEY=VALUE...]: an
# auxchain config (Examples/auxchain.toml has every key) wired to the rig: the
# bridge devices, the gpio-sim chip by label (relay on line 17, trigger on 27,
# a power button on 22, all active-low), the control socket and state under
# /run and /tmp (writable in the VM). POWER_MODE defaults to "on" so audio
# flows without waiting for the signal detector; with "auto", give the latency
# tool a lead-in longer than attack + settle (e.g. --lead-in-ms 2500).
# KEY=VALUE replaces the value of a key the file holds once, e.g.
# buffer_periods=6 settle_ms=500 off_delay_s=3; "inputs=none" leaves out the
# trigger and the button (for scenarios about audio alone).
rig_auxchain_config() {
    local file=$1 period=${2:-256} mode=${3:-on}
    shift $(( $# < 3 ? $# : 3 ))
    mkdir -p /run/auxchain-rig /tmp/auxchain-rig
    cat > "$file" <<TOML
[audio]
capture = "$RIG_BRIDGE_CAPTURE"
playback = "$RIG_BRIDGE_PLAYBACK"
rate = 48000
capture_format = "S16_LE"
playback_format = "S32_LE"
capture_channels = 2
playback_channels = 2
period_frames = $period
buffer_periods = 3
prefill_periods = 2
realtime_priority = 70

[volume]
range_db = 60.0
max_db = 0.0
safe_start_percent = 100
step_db = 2.0
ramp_ms = 40

[power]
mode = "$mode"
on_threshold_dbfs = -50.0
off_threshold_dbfs = -60.0
attack_ms = 10
settle_ms = 1500
off_delay_s = 600
min_on_s = 60
min_off_s = 5

[gpio]
board = "other"
chip = "$RIG_GPIO_LABEL"

[power.relay]
line = 17
active_low = true

[inputs.trigger]
line = 27
active_low = true
bias = "pull-up"

[[inputs.buttons]]
action = "power-toggle"
line = 22
active_low = true
bias = "pull-up"
debounce_ms = 30

[attenuator]
kind = "none"

[control]
socket = "$RIG_AUXCHAIN_SOCKET"
group = ""

[state]
path = "$RIG_AUXCHAIN_STATE"
TOML
    local assignment key
    for assignment in "$@"; do
        if [ "$assignment" = inputs=none ]; then
            awk '/^\[/ {skip = ($0 ~ /^\[\[?inputs\./)} !skip' "$file" > "$file.new" && mv "$file.new" "$file"
            continue
        fi
        key=${assignment%%=*}
        [ "$(grep -c "^$key = " "$file")" = 1 ] || rig_fail "rig_auxchain_config: '$key' is not a key the rig's config holds once"
        sed -i "s|^$key = .*|$key = ${assignment#*=}|" "$file"
    done
}

# rig_auxchain ARGS...: the CLI, talking to the daemon on the rig's socket
# (e.g. rig_auxchain volume -12dB, rig_auxchain power auto).
rig_auxchain() { "$AUXCHAIN_BIN" "$@" --socket "$RIG_AUXCHAIN_SOCKET"; }

# rig_auxchain_start LOG CONFIG: starts `auxchain run` in the background from
# a fresh state file (so the config's power mode and volume apply);
# RIG_AUXCHAIN_PID is its process.
rig_auxchain_start() {
    [ -x "${AUXCHAIN_BIN:-}" ] || rig_fail "set AUXCHAIN_BIN to the built auxchain binary (Tests/rig/ci.sh builds one)"
    rm -f "$RIG_AUXCHAIN_STATE"
    rig_background "$1" "$AUXCHAIN_BIN" run --config "$2"
    RIG_AUXCHAIN_PID=${RIG_BACKGROUND[-1]}
}

# rig_auxchain_get KEY...: fields of `auxchain status --json`, one per line;
# a key is a dotted path (xruns, power.state, relay.on, devices.0.open).
# Fails (status 1) when the daemon does not answer.
rig_auxchain_get() {
    local status
    status=$(rig_auxchain status --json 2>/dev/null) || return 1
    "$RIG_PYTHON" -c 'import json,sys
s = json.loads(sys.argv[1])
for key in sys.argv[2:]:
    v = s
    for part in key.split("."):
        v = v[int(part)] if isinstance(v, list) else v.get(part)
    print(json.dumps(v) if isinstance(v, (bool, dict, list)) or v is None else v)' "$status" "$@"
}

# rig_auxchain_wait_running [SECONDS] [POWER_STATE]: waits until the daemon
# answers with both devices open (and, if given, the speaker's power state,
# e.g. on); fails the scenario after SECONDS (default 30).
rig_auxchain_wait_running() {
    local limit=${1:-30} want=${2:-} deadline status
    deadline=$(( $(date +%s) + limit ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        kill -0 "$RIG_AUXCHAIN_PID" 2>/dev/null || rig_fail "auxchain exited while starting (see its log)"
        status=$(rig_auxchain status --json 2>/dev/null)
        if [ "$(grep -o '"open":true' <<<"$status" | wc -l)" = 2 ] \
            && { [ -z "$want" ] || grep -q "\"state\":\"$want\"" <<<"$status"; }; then
            return 0
        fi
        sleep 0.2
    done
    rig_fail "auxchain did not have both devices open${want:+ and power $want} within $limit s: $status"
}

# rig_auxchain_stop: SIGTERM, as systemd stops it; waits up to 15 s and
# returns the daemon's exit status (124 when it had to be killed).
rig_auxchain_stop() {
    local pid=$RIG_AUXCHAIN_PID status=124 kept=() other
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 75); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    else
        wait "$pid"
        status=$?
    fi
    for other in "${RIG_BACKGROUND[@]}"; do
        [ "$other" = "$pid" ] || kept+=("$other")
    done
    RIG_BACKGROUND=("${kept[@]}")
    return "$status"
}

# rig_probe ARGS...: the tone and GPIO probe (probe.py), see its --help.
rig_probe() { "$RIG_PYTHON" "$RIG_DIR/probe.py" "$@"; }

# rig_tone_playrec DIR SECONDS [TONE OPTIONS...]: writes a tone (probe.py
# tone --seconds SECONDS OPTIONS) and, started by one trigger, plays it into
# the Echo side and the reference pair while recording the speaker side and
# the reference capture: DIR/speaker.f32 and DIR/reference.f32 (float32,
# interleaved; RIG_TONE_CHANNELS and RIG_TONE_REFERENCE_CHANNELS say how many
# channels), DIR/playrec.txt (rig-playrec's report; RIG_TONE_TRIGGER is the
# trigger's CLOCK_MONOTONIC time). Returns rig-playrec's status (3: the tool
# itself had an xrun).
rig_tone_playrec() {
    local dir=$1 seconds=$2 frames status
    shift 2
    mkdir -p "$dir"
    frames=$(rig_probe tone --out "$dir/tone.f32" --seconds "$seconds" "$@") || return 1
    "$RIG_PLAYREC" -n "$frames" -P "$RIG_ECHO_PLAYBACK=$dir/tone.f32" -P "$RIG_REFERENCE_PLAYBACK=$dir/tone.f32" \
        -C "$RIG_SPEAKER_CAPTURE=$dir/speaker.f32" -C "$RIG_REFERENCE_CAPTURE=$dir/reference.f32" \
        > "$dir/playrec.txt" 2> "$dir/playrec.err"
    status=$?
    RIG_TONE_CHANNELS=$(sed -n "s/^stream=capture device=$RIG_SPEAKER_CAPTURE .*channels=\([0-9]*\).*/\1/p" "$dir/playrec.txt")
    RIG_TONE_REFERENCE_CHANNELS=$(sed -n "s/^stream=capture device=$RIG_REFERENCE_CAPTURE .*channels=\([0-9]*\).*/\1/p" "$dir/playrec.txt")
    RIG_TONE_TRIGGER=$(sed -n "s/^stream=capture device=$RIG_SPEAKER_CAPTURE .*trigger=\([0-9.]*\).*/\1/p" "$dir/playrec.txt")
    return "$status"
}

# rig_echo_tone SECONDS [LEVEL_DBFS]: plays a 1 kHz tone into the Echo side
# in the background (sox | aplay, S16_LE stereo 48 kHz, what the bridges'
# capture fixes), for soaks longer than rig-playrec keeps in memory. Its
# underruns land in $RIG_RESULTS/echo-tone.log.
rig_echo_tone() {
    # aplay reads sox through a pipe it holds alone: stopping aplay ends sox.
    rig_background "$RIG_RESULTS/echo-tone.log" aplay -D "$RIG_ECHO_PLAYBACK" -f S16_LE -r 48000 -c 2 -t raw \
        --buffer-size=16384 --period-size=1024 \
        <(sox -q -n -r 48000 -c 2 -b 16 -e signed -t raw - synth "$1" sine 1000 vol "${2:--6}"dB)
}

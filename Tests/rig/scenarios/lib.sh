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

# rig_auxchain_config FILE [PERIOD_FRAMES] [POWER_MODE]: an auxchain config
# (notes/config-schema.md) wired to the rig: the bridge devices, the gpio-sim
# chip by label (relay on line 17, trigger on 27, a power button on 22, all
# active-low), the control socket and state under /run and /tmp (writable in
# the VM). POWER_MODE defaults to "on" so audio flows without waiting for the
# signal detector; with "auto", give the latency tool a lead-in longer than
# attack + settle (e.g. --lead-in-ms 2500).
rig_auxchain_config() {
    local file=$1 period=${2:-256} mode=${3:-on}
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
socket = "/run/auxchain-rig/control.sock"
group = "root"

[state]
path = "/tmp/auxchain-rig/state.json"
TOML
}

#!/bin/bash
# Runs one scenario script inside Debian's kernel under qemu, with the host root
# shared read-only, snd-aloop loaded and a gpio-sim chip live, and exits with the
# scenario's exit status. See Tests/rig/README.md.
#
#   Tests/rig/run.sh [options] SCENARIO [ARGS...]
#
# SCENARIO: a path, or a name under Tests/rig/scenarios/ (".sh" optional).
# Options:
#   --timeout SECONDS    kill qemu after this long (default $RIG_TIMEOUT or 300)
#   --results DIR        results folder (default $RIG_CACHE/results/NAME; emptied first)
#   --gpio-lines N       lines of the gpio-sim chip (default 32)
#   --gpio-label LABEL   label of the gpio-sim chip (default auxchain-sim)
#   --gpio-name OFF=NAME name line OFF (repeatable; every line defaults to GPIO<OFF>)
#   --env NAME=VALUE     set a variable for the scenario (repeatable)
#   --memory MB          guest memory (default 1024)
#   --quiet              keep the console in console.log only
#   --no-setup           skip Tests/rig/setup.sh (the apt-get check)
# Variables named AUXCHAIN_* in the caller's environment reach the scenario too.
# Environment: RIG_CACHE (build products and results; default <repo>/.rig-cache),
# RIG_TIMEOUT, RIG_NICE (qemu's niceness; default -10 as root), RIG_LOCK (the
# lock file that lets one rig VM run at a time; default /tmp/auxchain-rig.lock).
# Exit status: the scenario's; 124 when the VM timed out; 125 when the rig failed.
set -euo pipefail

RIG_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$RIG_DIR/../.." && pwd)

die() { echo "rig: $*" >&2; exit 125; }

timeout_s=${RIG_TIMEOUT:-300}
results=""
gpio_lines=32
gpio_label=auxchain-sim
declare -A gpio_names=()
extra_env=()
memory_mb=1024
quiet=0
setup=1

while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout_s=$2; shift 2 ;;
        --results) results=$2; shift 2 ;;
        --gpio-lines) gpio_lines=$2; shift 2 ;;
        --gpio-label) gpio_label=$2; shift 2 ;;
        --gpio-name)
            [[ "$2" =~ ^[0-9]+=[^[:space:]=]+$ ]] || die "--gpio-name takes OFFSET=NAME without spaces, got '$2'"
            gpio_names[${2%%=*}]=${2#*=}; shift 2 ;;
        --env)
            [[ "$2" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env takes NAME=VALUE, got '$2'"
            extra_env+=("$2"); shift 2 ;;
        --memory) memory_mb=$2; shift 2 ;;
        --quiet) quiet=1; shift ;;
        --no-setup) setup=0; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || die "usage: run.sh [options] SCENARIO [ARGS...] (see --help)"
scenario=$1; shift
if [[ "$scenario" != */* ]]; then
    for candidate in "$RIG_DIR/scenarios/$scenario" "$RIG_DIR/scenarios/$scenario.sh"; do
        [ -f "$candidate" ] && { scenario=$candidate; break; }
    done
fi
[ -f "$scenario" ] || die "no scenario '$scenario' (a path, or a name in $RIG_DIR/scenarios)"
scenario=$(realpath "$scenario")
name=$(basename "$scenario" .sh)
[[ "$gpio_lines" =~ ^[0-9]+$ ]] && [ "$gpio_lines" -ge 1 ] || die "--gpio-lines takes a positive number"
for offset in "${!gpio_names[@]}"; do
    [ "$offset" -lt "$gpio_lines" ] || die "--gpio-name $offset=... is past the chip's $gpio_lines lines"
done

started_ns=$(date +%s%N)
if [ "$setup" = 1 ]; then
    "$RIG_DIR/setup.sh" > /dev/null || die "Tests/rig/setup.sh failed"
fi
eval "$("$RIG_DIR/build.sh")"

results=${results:-$RIG_CACHE/results/$name}
mkdir -p "$results"
results=$(realpath "$results")
find "$results" -mindepth 1 -delete

shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

names=""
for ((offset = 0; offset < gpio_lines; offset++)); do
    names+="$offset=${gpio_names[$offset]:-GPIO$offset} "
done

# The VM has its own /tmp and /run: host folders there that the job needs are
# kept visible by init.sh (a repository cloned under /tmp, its cache, the
# binary under test). Paths with spaces are not kept.
host_tmp_paths=""
for path in "$REPO" "$RIG_CACHE" "${AUXCHAIN_BIN:+$(dirname "$AUXCHAIN_BIN")}"; do
    case "$path" in
        /tmp/*|/run/*)
            [[ "$path" != *[[:space:]]* ]] || continue
            path=$(realpath "$path")
            case " $host_tmp_paths " in
                *" $path "*) ;;
                *) host_tmp_paths+="${host_tmp_paths:+ }$path" ;;
            esac ;;
    esac
done

# Read by init.sh (busybox sh) and by the job (bash).
{
    echo "RIG_RESULTS=$(shq "$results")"
    echo "RIG_REPO=$(shq "$REPO")"
    echo "RIG_DIR=$(shq "$RIG_DIR")"
    echo "RIG_CACHE=$(shq "$RIG_CACHE")"
    echo "RIG_PLAYREC=$(shq "$RIG_PLAYREC")"
    echo "RIG_LATENCY=$(shq "$RIG_DIR/latency.py")"
    echo "RIG_SCENARIO=$(shq "$scenario")"
    echo "RIG_ALOOP_SUBSTREAMS=4"
    echo "RIG_ECHO_PLAYBACK='hw:Loopback,0,0'"
    echo "RIG_BRIDGE_CAPTURE='hw:Loopback,1,0'"
    echo "RIG_BRIDGE_PLAYBACK='hw:Loopback,0,1'"
    echo "RIG_SPEAKER_CAPTURE='hw:Loopback,1,1'"
    echo "RIG_REFERENCE_PLAYBACK='hw:Loopback,0,2'"
    echo "RIG_REFERENCE_CAPTURE='hw:Loopback,1,2'"
    echo "RIG_GPIO_NUM_LINES=$gpio_lines"
    echo "RIG_GPIO_LABEL=$(shq "$gpio_label")"
    echo "RIG_GPIO_NAMES=$(shq "${names% }")"
    echo "RIG_HOST_TMP_PATHS=$(shq "$host_tmp_paths")"
    while IFS='=' read -r var _; do
        echo "$var=$(shq "${!var}")"
    done < <(env | grep -E '^AUXCHAIN_[A-Za-z0-9_]*=' || true)
    for assignment in "${extra_env[@]}"; do
        echo "${assignment%%=*}=$(shq "${assignment#*=}")"
    done
} > "$results/rig.conf"

# The VM has its own /tmp and /run: a scenario kept there runs from a copy.
case "$scenario" in
    /tmp/*|/run/*) cp -p "$scenario" "$results/scenario-$name"; scenario=$results/scenario-$name ;;
esac

{
    echo 'set -a'
    echo ". $(printf %q "$results/rig.conf")"
    echo ". $(printf %q "$results/rig-env.sh")"
    echo 'set +a'
    echo 'mkdir -p "$HOME"'
    echo 'cd "$RIG_REPO"'
    if [ -x "$scenario" ]; then
        printf '%q ' "$scenario" "$@"
    else
        printf '%q ' /bin/bash "$scenario" "$@"
    fi
    echo
    echo 'echo $? > "$RIG_RESULTS/exit-status"'
} > "$results/job.sh"

# One rig VM at a time on this host, whichever checkout starts it: two guests
# on two cores would measure each other. The lock goes with run.sh and qemu.
lock=${RIG_LOCK:-/tmp/auxchain-rig.lock}
exec {lock_fd}>>"$lock"
if ! flock -n "$lock_fd"; then
    echo "rig: waiting for another rig VM to finish ($lock)" >&2
    flock "$lock_fd"
fi
echo "rig: $name on $RIG_KERNEL (timeout ${timeout_s} s, results in $results)" >&2
# The guest's timing is only as steady as the host lets qemu run: as root, qemu
# runs ahead of the usual builds (RIG_NICE, default -10 for root, 0 otherwise).
nice=${RIG_NICE:-$([ "$(id -u)" = 0 ] && echo -10 || echo 0)}
# qboot instead of SeaBIOS and no network card (no iPXE ROM): a quicker start
# and a console without firmware screen-clearing.
qemu=(nice -n "$nice" qemu-system-x86_64 -bios qboot.rom -net none -cpu max -m "$memory_mb" -smp 2 -nographic -no-reboot
    -kernel "$RIG_VMLINUZ" -initrd "$RIG_INITRD"
    -append "console=ttyS0 quiet panic=-1"
    -virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap"
    -device virtio-rng-pci)
set +e
if [ "$quiet" = 1 ]; then
    timeout -k 10 "$timeout_s" "${qemu[@]}" < /dev/null > "$results/console.log" 2>&1
    qemu_status=$?
else
    timeout -k 10 "$timeout_s" "${qemu[@]}" < /dev/null 2>&1 | tee "$results/console.log"
    qemu_status=${PIPESTATUS[0]}
fi
set -e
elapsed_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))
printf 'rig: %s took %d.%01d s\n' "$name" $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100)) >&2

if [ -f "$results/results.txt" ]; then
    echo "rig: $results/results.txt" >&2
    cat "$results/results.txt"
fi
if [ -s "$results/rig-error" ]; then
    echo "rig: the VM failed: $(cat "$results/rig-error")" >&2
    exit 125
fi
if [ ! -s "$results/exit-status" ]; then
    if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
        echo "rig: $name timed out after $timeout_s s (raise --timeout, or see $results/console.log)" >&2
        exit 124
    fi
    echo "rig: $name left no exit status (qemu exited $qemu_status; see $results/console.log)" >&2
    exit 125
fi
status=$(cat "$results/exit-status")
echo "rig: $name exited $status" >&2
exit "$status"

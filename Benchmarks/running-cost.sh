#!/usr/bin/env bash
# What the daemon costs per second of running in real time, as on a Pi: the release auxchain,
# paced by the wall clock on ALSA file PCMs (48 kHz stereo S32, period 1024, the speaker on),
# counted by callgrind over two runs of different lengths; the difference divided by the
# difference in seconds leaves out start-up and shut-down. Whole process, and its audio thread
# (the one that reads the capture device) alone.
#   Benchmarks/running-cost.sh [SHORT_S LONG_S]   (default 5 25)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh valgrind
swift build -c release --product auxchain 2>&1 | tail -1
short=${1:-5}
long=${2:-25}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the Swift toolchain's DWARF 5; counting instructions needs no debug info.
strip --strip-debug -o "$work/auxchain" .build/release/auxchain
sox -n -r 48000 -c 2 -b 32 -e signed-integer "$work/in.raw" synth "$((long + 5))" sine 440 vol 0.5
cat >"$work/asound.conf" <<CONF
pcm.bench_in { type file slave.pcm "null" file "/dev/null" infile "$work/in.raw" format "raw" }
pcm.bench_out { type file slave.pcm "null" file "/dev/null" format "raw" }
CONF
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$work/asound.conf
cat >"$work/auxchain.toml" <<CONF
[audio]
capture = "bench_in"
playback = "bench_out"
capture_format = "S32_LE"
playback_format = "S32_LE"
period_frames = 1024
realtime_priority = 0
[power]
mode = "on"
settle_ms = 0
min_off_s = 0
[control]
socket = "$work/control.sock"
group = ""
[state]
path = "$work/state.json"
CONF

run() { # seconds -> "total audio"
    rm -f "$work"/cg.out "$work"/cg.out-* "$work/state.json"
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.out" \
        "$work/auxchain" run --config "$work/auxchain.toml" --duration "$1s" --paced >/dev/null 2>"$work/cg.err" \
        || { cat "$work/cg.err"; exit 1; }
    local total=0 audio=0 file instructions
    for file in "$work"/cg.out-*; do
        instructions=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
        total=$((total + ${instructions:-0}))
        if grep -q "snd_pcm_readi" "$file"; then audio=$((audio + ${instructions:-0})); fi
    done
    echo "$total $audio"
}
read -r short_total short_audio < <(run "$short")
read -r long_total long_audio < <(run "$long")
seconds=$((long - short))
echo "auxchain running in real time (48 kHz stereo S32, period 1024, speaker on), callgrind, per second:"
awk -v t=$((long_total - short_total)) -v a=$((long_audio - short_audio)) -v s="$seconds" \
    'BEGIN {printf "  whole process  %6.2f M instructions/s\n  audio thread   %6.2f M instructions/s\n  the rest       %6.2f M instructions/s\n", t / s / 1e6, a / s / 1e6, (t - a) / s / 1e6}'

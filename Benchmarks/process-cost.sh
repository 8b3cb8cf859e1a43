#!/usr/bin/env bash
# The whole-process cost of passing 60 s of 48 kHz stereo S32 through ALSA file PCMs at -6 dB,
# counted in instructions by callgrind (repeatable on a shared machine, unlike wall time),
# side by side with 'sox vol -6dB' (file to file) and an 'arecord | aplay' copy of the same
# file through the same file PCMs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh valgrind
swift build -c release --product auxchain 2>&1 | tail -1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the Swift toolchain's DWARF 5; counting instructions needs no symbols.
strip -o "$work/auxchain" .build/release/auxchain
binary=$work/auxchain
seconds=${SECONDS_OF_AUDIO:-60}
sox -n -r 48000 -c 2 -b 32 -e signed-integer "$work/in.raw" synth "$seconds" sine 440 sine 660 vol 0.5
cat >"$work/asound.conf" <<CONF
pcm.bench_in { type file slave.pcm "null" file "/dev/null" infile "$work/in.raw" format "raw" }
pcm.bench_out { type file slave.pcm "null" file "$work/out.raw" format "raw" }
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
[volume]
max_db = -6.0
safe_start_percent = 100
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
# A saved full volume, so the cap (-6 dB) is the level applied.
printf '{"volume_percent": 100, "muted": false, "power_mode": "on", "version": 1}\n' >"$work/state.json"

count() { # label, command...
    local label=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --trace-children=no "$@" >/dev/null 2>"$work/cg.err" || { cat "$work/cg.err"; return 1; }
    local total
    total=$(grep -E "^summary:|^totals:" "$work/cg.out" | head -1 | awk '{print $2}')
    printf '%-34s %12.1f M instructions\n' "$label" "$(echo "$total / 1000000" | bc -l)"
}
frames=$((48000 * seconds))
echo "Instructions for $seconds s of 48 kHz stereo S32 at -6 dB (callgrind):"
count "auxchain run (file PCMs)" "$binary" run --config "$work/auxchain.toml" --duration "${seconds}s"
count "sox vol -6dB (file to file)" sox -t raw -r 48000 -c 2 -b 32 -e signed-integer "$work/in.raw" -t raw "$work/sox.raw" vol -6dB
count "arecord (file PCM, copy)" arecord -q -D bench_in -f S32_LE -r 48000 -c 2 -s "$frames" -t raw "$work/copy.raw"
count "aplay (file PCM, copy)" aplay -q -D bench_out -f S32_LE -r 48000 -c 2 -t raw "$work/copy.raw"
echo "(arecord | aplay is the sum of the last two.)"

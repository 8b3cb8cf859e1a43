#!/usr/bin/env bash
# The whole-process cost of passing 60 s of 48 kHz stereo S32 through ALSA file PCMs at -6 dB,
# counted in instructions by callgrind (repeatable on a shared machine, unlike wall time),
# side by side with 'sox vol -6dB' (file to file) and an 'arecord | aplay' copy of the same
# file through the same file PCMs. auxchain's audio thread is also counted on its own: its
# control plane polls on a wall-clock timer, and under callgrind's slowdown that share grows
# with how slow the machine is. Its output is checked against sox's before any figure counts.
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

millions() { echo "$1 / 1000000" | bc -l; }

count() { # label, command...
    local label=$1
    shift
    rm -f "$work"/cg.out "$work"/cg.out-*
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.out" --trace-children=no "$@" >/dev/null 2>"$work/cg.err" || { cat "$work/cg.err"; return 1; }
    local total=0 audio=0 file instructions
    # One file per thread, cg.out-01 and on.
    for file in "$work"/cg.out-*; do
        instructions=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
        total=$((total + ${instructions:-0}))
        # The audio thread is the one that reads the capture device.
        if grep -q "snd_pcm_readi" "$file"; then audio=$((audio + ${instructions:-0})); fi
    done
    printf '%-34s %12.1f M instructions' "$label" "$(millions "$total")"
    if [[ "$label" == auxchain* ]]; then
        printf '   (audio thread %.1f M; the rest is mostly start-up, see Benchmarks/running-cost.sh)' "$(millions "$audio")"
    fi
    echo
}
frames=$((48000 * seconds))
echo "Instructions for $seconds s of 48 kHz stereo S32 at -6 dB (callgrind):"
count "auxchain run (file PCMs)" "$binary" run --config "$work/auxchain.toml" --duration "${seconds}s"
mv "$work/out.raw" "$work/auxchain.raw"   # aplay's copy below writes the same file
count "sox vol -6dB (file to file)" sox -t raw -r 48000 -c 2 -b 32 -e signed-integer "$work/in.raw" -t raw "$work/sox.raw" vol -6dB
count "arecord (file PCM, copy)" arecord -q -D bench_in -f S32_LE -r 48000 -c 2 -s "$frames" -t raw "$work/copy.raw"
count "aplay (file PCM, copy)" aplay -q -D bench_out -f S32_LE -r 48000 -c 2 -t raw "$work/copy.raw"
echo "(arecord | aplay is the sum of the last two.)"

# The figures count only if auxchain did the same job as sox: once its output has settled (the
# prefill, the ramp-in and any audio held while the speaker warmed up come first, their length
# set by timing), every sample within 256 LSB of sox's -6 dB (float32 inside: 2^-24 of full
# scale) over the rest of the run.
python3 - "$work/auxchain.raw" "$work/sox.raw" <<'CHECK'
import array, sys
ours, theirs = array.array("i"), array.array("i")
ours.frombytes(open(sys.argv[1], "rb").read())
theirs.frombytes(open(sys.argv[2], "rb").read())
tolerance = 256
anchor = 48000 * 2  # one second into sox's output, as interleaved samples
probe = theirs[anchor:anchor + 64]
def matches(at):
    return all(abs(ours[at + k] - probe[k]) <= tolerance for k in range(len(probe)))
lag = next((at - anchor for at in range(anchor, len(ours) - len(probe), 2) if abs(ours[at] - probe[0]) <= tolerance and matches(at)), None)
if lag is None:
    sys.exit("auxchain against sox: sox's output one second in is nowhere in auxchain's: the outputs differ")
compared = min(len(ours) - lag, len(theirs)) - anchor
worst = max(abs(ours[lag + i] - theirs[i]) for i in range(anchor, anchor + compared))
print(f"auxchain against sox: {compared // 2} frames compared after a delay of {lag // 2} frames, largest difference {worst} LSB (S32)")
sys.exit(0 if compared >= 48000 * 2 and worst <= tolerance else 1)
CHECK

#!/usr/bin/env bash
# The whole-process cost of passing 60 s of 48 kHz stereo S32 through ALSA file PCMs at -6 dB,
# counted in instructions by callgrind (repeatable on a shared machine, unlike wall time),
# side by side with 'sox vol -6dB' (file to file) and an 'arecord | aplay' copy of the same
# file through the same file PCMs. auxchain's audio thread is also counted on its own; the rest
# of its count is mostly start-up. Its output is checked against sox's before any figure counts.
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/callgrind-lib.sh
seconds=${SECONDS_OF_AUDIO:-60}
bench_prepare "$seconds"
bench_config "[volume]
max_db = -6.0
safe_start_percent = 100"
# A saved full volume, so the cap (-6 dB) is the level applied.
printf '{"volume_percent": 100, "muted": false, "power_mode": "on", "version": 1}\n' >"$work/state.json"

millions() { echo "$1 / 1000000" | bc -l; }

count() { # label, command...
    local label=$1 total audio
    shift
    read -r total audio < <(bench_count "$@")
    printf '%-34s %12.1f M instructions' "$label" "$(millions "$total")"
    if [[ "$label" == auxchain* ]]; then
        printf '   (audio thread %.1f M; the rest is mostly start-up, see Benchmarks/running-cost.sh)' "$(millions "$audio")"
    fi
    echo
}
frames=$((48000 * seconds))
echo "Instructions for $seconds s of 48 kHz stereo S32 at -6 dB (callgrind):"
count "auxchain run (file PCMs)" "$work/auxchain" run --config "$work/auxchain.toml" --duration "${seconds}s"
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

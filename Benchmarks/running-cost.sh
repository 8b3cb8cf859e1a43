#!/usr/bin/env bash
# What the daemon costs per second of running in real time, as on a Pi: the release auxchain,
# paced by the wall clock on ALSA file PCMs (48 kHz stereo S32, period 1024, the speaker on),
# counted by callgrind over two runs of different lengths; the difference divided by the
# difference in seconds leaves out start-up and shut-down. Whole process, and its audio thread
# (the one that reads the capture device) alone.
#   Benchmarks/running-cost.sh [SHORT_S LONG_S]   (default 5 25)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/callgrind-lib.sh
short=${1:-5}
long=${2:-25}
bench_prepare "$((long + 5))"
bench_config ""
run() { rm -f "$work/state.json"; bench_count "$work/auxchain" run --config "$work/auxchain.toml" --duration "$1s" --paced; }
read -r short_total short_audio < <(run "$short")
read -r long_total long_audio < <(run "$long")
seconds=$((long - short))
echo "auxchain running in real time (48 kHz stereo S32, period 1024, speaker on), callgrind, per second:"
awk -v t=$((long_total - short_total)) -v a=$((long_audio - short_audio)) -v s="$seconds" \
    'BEGIN {printf "  whole process  %6.2f M instructions/s\n  audio thread   %6.2f M instructions/s\n  the rest       %6.2f M instructions/s\n", t / s / 1e6, a / s / 1e6, (t - a) / s / 1e6}'

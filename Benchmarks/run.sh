#!/bin/sh
# Runs the processing-chain benchmarks in a release build and prints, per case, the time per
# period (ns, "Time (wall clock)"), the time per stereo frame (ps) and the mallocs per period.
# Extra arguments go to the benchmark plugin, e.g. ./run.sh --filter 'S16 to S16'.
set -eu
cd "$(dirname "$0")"
exec swift package --disable-sandbox benchmark --no-progress --grouping benchmark "$@"

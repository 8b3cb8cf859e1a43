#!/usr/bin/env bash
# The main job: builds AuxChain and runs it. With a sound card and /etc/auxchain/auxchain.toml
# it runs that config; otherwise (no sound card, or no config) it runs the simulation, which
# plays a generated Echo programme through real alsa-lib file devices and writes the
# speaker's side to auxchain-simulation.wav.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product auxchain 2>&1 | tail -1
binary=.build/release/auxchain

config=${AUXCHAIN_CONFIG:-/etc/auxchain/auxchain.toml}
if [[ -f "$config" ]] && grep -q '^ *[0-9]' /proc/asound/cards 2>/dev/null; then
    exec "$binary" run --config "$config" "$@"
fi
echo "(no sound card or no $config: running the simulation)"
exec "$binary" run --simulate "$@"

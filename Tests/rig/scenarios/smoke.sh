#!/bin/bash
# The rig works: the sound card, the gpio-sim chip and the results share are there.
set -euo pipefail
env | grep -E '^(RIG_|AUXCHAIN_|HOME|PATH)' | sort
aplay -l
gpiodetect
gpioinfo "$RIG_GPIO_CHIP" | head -5
ls "$RIG_GPIO_SIM_DIR"
echo "smoke ok" > "$RIG_RESULTS/results.txt"

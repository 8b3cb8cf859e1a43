#!/usr/bin/env bash
# Installs the Debian packages AuxChain builds and tests against. Idempotent: packages
# already present are not fetched again. Needs root (apt-get).
set -euo pipefail

packages=(pkg-config libasound2-dev libgpiod-dev gpiod alsa-utils sox "$@")
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install the Swift 6 toolchain (swift.org) and add its usr/bin to PATH" >&2; exit 69; }

#!/usr/bin/env bash
# Builds AuxChain in release mode and installs it: the binary, the systemd unit, the udev rules,
# the example config (only if /etc/auxchain/auxchain.toml is absent), the service's user and
# groups; then reloads udev and systemd.
#
# Usage: packaging/install.sh [--binary PATH]
#   --binary PATH  install this auxchain binary instead of building one
# Environment:
#   DESTDIR        stage into this folder instead of the system; accounts and reloads are then
#                  skipped (a package's postinst does them)
#   SCRATCH_PATH   SwiftPM build folder (default: .build-release in the repository)
#
# The binary links the Swift runtime statically (--static-swift-stdlib), so the target needs
# only libc, libstdc++, libasound2 and libgpiod, no Swift toolchain.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
destdir="${DESTDIR:-}"
arguments="$*"
binary=""

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: installing on this system needs root: sudo $0 $arguments" >&2
    exit 1
fi

if [ -z "$binary" ]; then
    scratch="${SCRATCH_PATH:-$root/.build-release}"
    echo "==> building release (static Swift runtime) in $scratch"
    (cd "$root" && swift build -c release --product auxchain --static-swift-stdlib --scratch-path "$scratch")
    binary="$scratch/release/auxchain"
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

example="$root/Examples/auxchain.toml"
[ -f "$example" ] || { echo "install.sh: $example is missing" >&2; exit 1; }

echo "==> installing into ${destdir:-/}"
install -d -m 0755 "$destdir/usr/bin" "$destdir/usr/lib/systemd/system" "$destdir/usr/lib/udev/rules.d" \
    "$destdir/usr/share/doc/auxchain" "$destdir/etc/auxchain"
install -m 0755 "$binary" "$destdir/usr/bin/auxchain"
install -m 0644 "$root/systemd/auxchain.service" "$destdir/usr/lib/systemd/system/auxchain.service"
install -m 0644 "$root/udev/60-auxchain-gpio.rules" "$destdir/usr/lib/udev/rules.d/60-auxchain-gpio.rules"
install -m 0644 "$root/udev/70-auxchain-usb-audio.rules.example" \
    "$destdir/usr/share/doc/auxchain/70-auxchain-usb-audio.rules.example"
install -m 0644 "$example" "$destdir/usr/share/doc/auxchain/auxchain.toml.example"
if [ -e "$destdir/etc/auxchain/auxchain.toml" ]; then
    echo "    kept the existing /etc/auxchain/auxchain.toml (the new example is /usr/share/doc/auxchain/auxchain.toml.example)"
else
    install -m 0644 "$example" "$destdir/etc/auxchain/auxchain.toml"
fi

if [ -n "$destdir" ]; then
    echo "==> staged; accounts and reloads are left to the package's postinst"
    exit 0
fi

echo "==> accounts"
# shellcheck source=packaging/accounts.sh
. "$root/packaging/accounts.sh"
auxchain_ensure_accounts

if command -v udevadm >/dev/null && [ -S /run/udev/control ]; then
    echo "==> reloading udev rules"
    udevadm control --reload-rules
    udevadm trigger --subsystem-match=gpio --action=change
fi
if [ -d /run/systemd/system ]; then
    echo "==> reloading systemd"
    systemctl daemon-reload
fi

cat <<NEXT
Installed. Next:
  1. edit /etc/auxchain/auxchain.toml (auxchain advise helps pick devices and lines)
  2. let your user run the CLI:      usermod -aG auxchain ${SUDO_USER:-USER}   (then log in again)
  3. start it now and at boot:       systemctl enable --now auxchain
  4. watch it:                       journalctl -u auxchain -f
NEXT

#!/usr/bin/env bash
# Checks systemd/auxchain.service with `systemd-analyze verify` (systemd 252 on Debian 12),
# and that the udev rules in udev/ parse.
#
# verify insists that ExecStart's program exists, and /usr/bin/auxchain is not installed in CI.
# So it checks a copy of the unit whose ExecStart (and ExecStopPost) point at a stand-in program in a temporary
# folder; nothing outside that folder is created, and it is removed at exit. Any message from
# verify (an unknown directive is only a warning there) fails the check.
#
# Installs what it needs with apt-get when it is missing (systemd for systemd-analyze, procps for
# ExecReload's /usr/bin/kill, udev for udevadm and /etc/udev/rules.d), without recommends.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
unit="$root/systemd/auxchain.service"
expected_exec='ExecStart=/usr/bin/auxchain run --config /etc/auxchain/auxchain.toml'

fail() { echo "FAIL: $*" >&2; exit 1; }

# `type -P` looks for a program file only: bash's own kill builtin must not count as procps.
missing=()
type -P systemd-analyze >/dev/null || missing+=(systemd)
type -P kill >/dev/null || missing+=(procps)
{ type -P udevadm >/dev/null && [ -d /etc/udev/rules.d ]; } || missing+=(udev)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || fail "missing packages: ${missing[*]}; install them (apt-get install --no-install-recommends ${missing[*]}) or run this as root"
    type -P apt-get >/dev/null || fail "missing packages: ${missing[*]}, and no apt-get to install them with"
    echo "==> installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for program in systemd-analyze kill udevadm; do
    type -P "$program" >/dev/null || fail "$program is still missing after installing ${missing[*]}"
done
echo "==> $(systemd-analyze --version | head -n 1)"

grep -qxF "$expected_exec" "$unit" || fail "$unit: expected the line '$expected_exec'"
# What `auxchain run` exits with when only a person can fix it must not be restarted.
for code in 64 77 78; do
    grep -qE "^RestartPreventExitStatus=(.* )?$code( |$)" "$unit" || fail "$unit: RestartPreventExitStatus= must list $code"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nexit 0\n' > "$work/auxchain"
chmod 0755 "$work/auxchain"
sed -e "s#^ExecStart=/usr/bin/auxchain #ExecStart=$work/auxchain #" \
    -e "s#^ExecStopPost=-/usr/bin/auxchain #ExecStopPost=-$work/auxchain #" "$unit" > "$work/auxchain.service"
grep -q "^ExecStart=$work/auxchain run " "$work/auxchain.service" || fail "could not point ExecStart at the stand-in"
# A crashed daemon leaves its GPIO lines where they were: the unit must put them safe after it.
grep -q "^ExecStopPost=-$work/auxchain safe-state --config " "$work/auxchain.service" \
    || fail "$unit: expected ExecStopPost=-/usr/bin/auxchain safe-state --config ... (the relay off after a crash)"

echo "==> systemd-analyze verify"
status=0
output=$(systemd-analyze verify --man=no "$work/auxchain.service" 2>&1) || status=$?
if [ -n "$output" ]; then
    echo "$output" >&2
fi
[ "$status" -eq 0 ] || fail "systemd-analyze verify exited with $status"
[ -z "$output" ] || fail "systemd-analyze verify printed warnings"

echo "OK: systemd/auxchain.service verifies"

# udev 252 has no `udevadm verify`; `udevadm test` parses every rules file and names bad lines.
# It reads only the system's rules folders, so it runs in a private mount namespace where
# those folders are replaced by a temporary one holding our rules: the system's are untouched.
# That needs CAP_SYS_ADMIN, which unprivileged containers lack: then this part is skipped.
echo "==> udev rules parse"
mkdir "$work/rules"
cp "$root/udev/60-auxchain-gpio.rules" "$work/rules/"
cp "$root/udev/70-auxchain-usb-audio.rules.example" "$work/rules/70-auxchain-usb-audio.rules"
if ! unshare -m true 2>/dev/null; then
    echo "SKIP: cannot make a mount namespace here (needs CAP_SYS_ADMIN)"
    exit 0
fi
# Any device will do: udevadm test reads every rules file before it looks at the device.
device=/sys/class/mem/null
[ -e "$device" ] || fail "$device is missing: is /sys mounted?"
for folder in /etc/udev/rules.d /usr/lib/udev/rules.d; do
    [ -d "$folder" ] || fail "$folder is missing: the udev package should have made it"
done
parsed=$(unshare -m sh -c '
    mount --bind "$1" /etc/udev/rules.d &&
    mount -t tmpfs tmpfs /usr/lib/udev/rules.d &&
    udevadm test --action=add "$2" 2>&1' sh "$work/rules" "$device") || fail "udevadm test in a private mount namespace failed: $parsed"
for file in 60-auxchain-gpio.rules 70-auxchain-usb-audio.rules; do
    echo "$parsed" | grep -q "Reading rules file: /etc/udev/rules.d/$file" || fail "udev did not read $file"
done
# The gpio group is created by the installer; on a build machine it may not exist yet.
problems=$(echo "$parsed" | grep -E '^/etc/udev/rules.d/[^ ]+:[0-9]+ ' | grep -v "Unknown group 'gpio'" || true)
[ -z "$problems" ] || fail "udev rules: $problems"
echo "OK: udev rules parse"

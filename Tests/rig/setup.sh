#!/bin/sh
# Installs the Debian packages the real-kernel rig needs. Idempotent: when every
# package is already there it only checks and exits (well under a second).
#
# linux-image-amd64 can pull a newer kernel ABI than linux-headers-amd64 points
# at, so the headers are chosen by the version of the installed image.
set -eu

BASE_PACKAGES="qemu-system-x86 linux-image-amd64 busybox-static linux-source-6.1
alsa-utils gpiod python3 python3-numpy gcc make libc6-dev libasound2-dev xz-utils
kmod cpio"

missing() {
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
        case "$status" in
            ii*) ;;
            *) echo "$pkg" ;;
        esac
    done
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    # Try with the current package lists first; refresh them only when that fails.
    if ! apt-get install -y -q --no-install-recommends "$@"; then
        apt-get update -q
        apt-get install -y -q --no-install-recommends "$@"
    fi
}

# The kernel ABI name (e.g. 6.1.0-41-amd64) the installed linux-image-amd64 points at.
installed_kernel() {
    dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null \
        | tr ',|' '\n\n' | sed -n 's/^ *linux-image-\([0-9][^ ]*-amd64\).*/\1/p' | head -n1
}

need=$(missing $BASE_PACKAGES)
if [ -n "$need" ]; then
    echo "rig setup: installing $(echo $need)" >&2
    apt_install $need
fi

kver=$(installed_kernel)
if [ -z "$kver" ] || [ ! -e "/boot/vmlinuz-$kver" ]; then
    echo "rig setup: cannot find the kernel linux-image-amd64 installs (got '$kver'); reinstall linux-image-amd64" >&2
    exit 1
fi

need=$(missing "linux-headers-$kver")
if [ -n "$need" ]; then
    echo "rig setup: installing linux-headers-$kver to match /boot/vmlinuz-$kver" >&2
    apt_install "linux-headers-$kver"
fi

if [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
    echo "rig setup: /lib/modules/$kver/build is missing after installing linux-headers-$kver" >&2
    exit 1
fi
echo "$kver"

#!/bin/bash
# Builds (or reuses) the rig's products for the installed Debian kernel:
#   - the gpio-sim module (gpio-sim.c + irq_sim.c from linux-source-6.1),
#   - the initramfs (busybox, the needed modules, init.sh),
#   - rig-playrec, the latency tool's linked play/record helper.
# Products live in $RIG_CACHE (default <repo>/.rig-cache), under the kernel
# version; each carries a key of its inputs (package versions, source files) and
# is rebuilt when the key changes. Prints shell assignments for run.sh on stdout:
#   RIG_KERNEL=... RIG_VMLINUZ=... RIG_INITRD=... RIG_PLAYREC=...
# Options: --force rebuilds everything.
set -euo pipefail

RIG_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$RIG_DIR/../.." && pwd)
CACHE=${RIG_CACHE:-$REPO/.rig-cache}
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { echo "rig build: $*" >&2; }
die() { echo "rig build: $*" >&2; exit 1; }

installed_kernel() {
    dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null \
        | tr ',|' '\n\n' | sed -n 's/^ *linux-image-\([0-9][^ ]*-amd64\).*/\1/p' | head -n1
}

package_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo missing; }

KVER=${RIG_KERNEL:-$(installed_kernel)}
[ -n "$KVER" ] || die "no linux-image-amd64 installed; run Tests/rig/setup.sh"
VMLINUZ=/boot/vmlinuz-$KVER
[ -r "$VMLINUZ" ] || die "$VMLINUZ is missing; run Tests/rig/setup.sh"
[ -e "/lib/modules/$KVER/build/Makefile" ] || die "linux-headers-$KVER is missing; run Tests/rig/setup.sh"
[ -r /usr/src/linux-source-6.1.tar.xz ] || die "/usr/src/linux-source-6.1.tar.xz is missing; run Tests/rig/setup.sh"

KCACHE=$CACHE/$KVER
mkdir -p "$KCACHE" "$CACHE/bin"
# Two runs starting at once build one after the other.
exec 9> "$CACHE/.build.lock"
flock 9

# A product is fresh when its stored key equals the key of its current inputs.
fresh() { # PRODUCT KEYFILE KEY
    [ "$FORCE" = 0 ] && [ -e "$1" ] && [ -e "$2" ] && [ "$(cat "$2")" = "$3" ]
}

file_hash() { sha256sum "$@" | cut -d' ' -f1 | tr '\n' ' '; }

# --- gpio-sim -----------------------------------------------------------------
GPIO_SIM_KO=$KCACHE/auxchain-gpio-sim.ko
gpio_key="kernel=$KVER headers=$(package_version "linux-headers-$KVER") source=$(package_version linux-source-6.1) script=$(file_hash "$0")"
if ! fresh "$GPIO_SIM_KO" "$GPIO_SIM_KO.key" "$gpio_key"; then
    log "building gpio-sim for $KVER from linux-source-6.1 (about 20 s)"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$work" --strip-components=1 --wildcards \
        '*/drivers/gpio/gpio-sim.c' '*/drivers/gpio/gpiolib.h' '*/kernel/irq/irq_sim.c'
    mkdir "$work/module"
    cp "$work/drivers/gpio/gpio-sim.c" "$work/drivers/gpio/gpiolib.h" "$work/kernel/irq/irq_sim.c" "$work/module/"
    # Debian builds neither the irq simulator nor gpio-sim; irq_to_desc is not
    # exported to modules, generic_handle_irq does the same for a simple irq.
    grep -q 'handle_simple_irq(irq_to_desc(irqnum));' "$work/module/irq_sim.c" \
        || die "irq_sim.c in linux-source-6.1 no longer has the call the rig patches"
    sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$work/module/irq_sim.c"
    printf 'obj-m += auxchain-gpio-sim.o\nauxchain-gpio-sim-y := gpio-sim.o irq_sim.o\n' > "$work/module/Kbuild"
    if ! make -C "/lib/modules/$KVER/build" M="$work/module" modules > "$work/make.log" 2>&1; then
        cat "$work/make.log" >&2
        die "building the gpio-sim module against /lib/modules/$KVER/build failed"
    fi
    cp "$work/module/auxchain-gpio-sim.ko" "$GPIO_SIM_KO"
    echo "$gpio_key" > "$GPIO_SIM_KO.key"
    rm -rf "$work"
    trap - EXIT
fi

# --- initramfs ----------------------------------------------------------------
INITRD=$KCACHE/initramfs.cpio.gz
MODULES="virtio_pci 9pnet_virtio 9p virtio-rng configfs snd-aloop"
initrd_key="kernel=$KVER image=$(package_version "linux-image-$KVER") busybox=$(package_version busybox-static) modules=$MODULES files=$(file_hash "$0" "$RIG_DIR/init.sh" "$GPIO_SIM_KO")"
if ! fresh "$INITRD" "$INITRD.key" "$initrd_key"; then
    log "building the initramfs for $KVER"
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage"/{bin,sbin,dev,proc,sys,mnt,results,tmp} "$stage/lib/modules/$KVER/extra"
    cp /bin/busybox "$stage/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
    done
    for module in $MODULES; do
        deps=$(modprobe -S "$KVER" --show-depends "$module" | awk '$1 == "insmod" { print $2 }')
        [ -n "$deps" ] || die "modprobe -S $KVER --show-depends $module lists nothing: is $module built in or missing?"
        for path in $deps; do
            dest=$stage${path%.xz}
            dest=${dest%.zst}
            [ -e "$dest" ] && continue
            mkdir -p "$(dirname "$dest")"
            # busybox modprobe loads plain .ko files only.
            case "$path" in
                *.xz) xz -dc "$path" > "$dest" ;;
                *.zst) zstd -qdc "$path" > "$dest" ;;
                *) cp "$path" "$dest" ;;
            esac
        done
    done
    cp "$GPIO_SIM_KO" "$stage/lib/modules/$KVER/extra/"
    cp "/lib/modules/$KVER/modules.builtin" "/lib/modules/$KVER/modules.builtin.modinfo" "$stage/lib/modules/$KVER/"
    (cd "$stage/lib/modules/$KVER" && find kernel extra -name '*.ko' | sort > modules.order)
    depmod -b "$stage" "$KVER" || die "depmod of the initramfs modules failed"
    install -m 755 "$RIG_DIR/init.sh" "$stage/init"
    (cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp"
    mv "$INITRD.tmp" "$INITRD"
    echo "$initrd_key" > "$INITRD.key"
    rm -rf "$stage"
    trap - EXIT
fi

# --- rig-playrec ----------------------------------------------------------------
PLAYREC=$CACHE/bin/rig-playrec
playrec_key="gcc=$(gcc -dumpfullversion) libasound=$(package_version libasound2-dev) files=$(file_hash "$RIG_DIR/rig-playrec.c")"
if ! fresh "$PLAYREC" "$PLAYREC.key" "$playrec_key"; then
    log "compiling rig-playrec"
    gcc -O2 -Wall -Wextra -Werror -o "$PLAYREC.tmp" "$RIG_DIR/rig-playrec.c" -lasound -lm \
        || die "compiling $RIG_DIR/rig-playrec.c failed (needs libasound2-dev)"
    mv "$PLAYREC.tmp" "$PLAYREC"
    echo "$playrec_key" > "$PLAYREC.key"
fi

printf 'RIG_KERNEL=%q\nRIG_VMLINUZ=%q\nRIG_INITRD=%q\nRIG_PLAYREC=%q\nRIG_CACHE=%q\n' \
    "$KVER" "$VMLINUZ" "$INITRD" "$PLAYREC" "$CACHE"

#!/bin/sh
# /init of the rig's initramfs (busybox sh). Mounts the host's root read-only at
# /mnt and the run's results folder writable, loads snd-aloop and the gpio-sim
# module, creates the simulated chip, runs the job run.sh wrote inside
# `chroot /mnt`, and powers off. Whatever goes wrong, the VM powers off, so qemu
# ends; run.sh reads the exit status from the results folder.
export PATH=/bin:/sbin

log() { echo "rig-init: $*"; }

fail() {
    echo "rig-init: $*" >&2
    if [ -f /results/rig.conf ]; then
        echo "$*" >> /results/rig-error
    fi
    sync
    poweroff -f
}

mount -t proc proc /proc || fail "cannot mount /proc"
mount -t sysfs sys /sys || fail "cannot mount /sys"
mount -t devtmpfs dev /dev || fail "cannot mount /dev"
ip link set lo up 2>/dev/null

for module in virtio_pci 9pnet_virtio 9p virtio-rng; do
    modprobe "$module" || fail "modprobe $module failed"
done

# msize: the default 8 KiB makes reading host binaries (Swift runtime, numpy) slow.
P9="trans=virtio,version=9p2000.L,msize=512000"
mount -t 9p -o "$P9,ro,cache=loose" host /mnt || fail "cannot mount the host root (9p tag 'host')"
mkdir -p /results
mount -t 9p -o "$P9" results /results || fail "cannot mount the results share (9p tag 'results')"
[ -r /results/rig.conf ] || fail "run.sh did not write rig.conf into the results folder"
. /results/rig.conf

# Host folders under /tmp or /run the job needs (RIG_HOST_TMP_PATHS: a
# repository cloned there, its cache, the binary under test) are set aside
# before the VM's own tmpfs covers /tmp and /run, then put back, read-only.
kept=0
for path in $RIG_HOST_TMP_PATHS; do
    mkdir -p "/kept/$kept"
    mount -o bind "/mnt$path" "/kept/$kept" || fail "cannot keep the host's $path"
    kept=$((kept + 1))
done

# The chroot's writable places and kernel filesystems.
mount -t tmpfs -o mode=1777 tmp /mnt/tmp || fail "cannot mount tmpfs on /mnt/tmp"
mount -t tmpfs -o mode=755 run /mnt/run || fail "cannot mount tmpfs on /mnt/run"
kept=0
for path in $RIG_HOST_TMP_PATHS; do
    mkdir -p "/mnt$path"
    mount -o bind "/kept/$kept" "/mnt$path" || fail "cannot put the host's $path back"
    kept=$((kept + 1))
done
mount -t proc proc /mnt/proc
mount -t sysfs sys /mnt/sys
mount -t devtmpfs dev /mnt/dev
mkdir -p /mnt/dev/pts /mnt/dev/shm
# devtmpfs has no /dev/fd: bash process substitution and /dev/stdin need it.
ln -s /proc/self/fd /mnt/dev/fd
ln -s /proc/self/fd/0 /mnt/dev/stdin
ln -s /proc/self/fd/1 /mnt/dev/stdout
ln -s /proc/self/fd/2 /mnt/dev/stderr
mount -t devpts devpts /mnt/dev/pts
mount -t tmpfs -o mode=1777 shm /mnt/dev/shm
# The results folder appears inside the chroot at the same path as on the host.
mkdir -p "/mnt$RIG_RESULTS" || fail "cannot create $RIG_RESULTS inside the VM"
mount -o bind /results "/mnt$RIG_RESULTS" || fail "cannot bind the results share to $RIG_RESULTS"

# snd-aloop: card "Loopback"; substream pairs 0 (Echo -> bridge), 1 (bridge ->
# speaker), 2 (the latency tool's direct reference) and spares.
modprobe snd-aloop "pcm_substreams=$RIG_ALOOP_SUBSTREAMS" || fail "modprobe snd-aloop failed"
[ -e /dev/snd/controlC0 ] || fail "snd-aloop loaded but /dev/snd/controlC0 is missing"

modprobe configfs || fail "modprobe configfs failed"
modprobe auxchain-gpio-sim || fail "insmod of the rig's gpio-sim module failed"
mount -t configfs none /sys/kernel/config || fail "cannot mount configfs"
sim=/sys/kernel/config/gpio-sim/rig
mkdir -p "$sim/bank0" || fail "cannot create a gpio-sim device in configfs"
echo "$RIG_GPIO_NUM_LINES" > "$sim/bank0/num_lines"
echo "$RIG_GPIO_LABEL" > "$sim/bank0/label"
# RIG_GPIO_NAMES: "offset=name" words.
for pair in $RIG_GPIO_NAMES; do
    offset=${pair%%=*}
    name=${pair#*=}
    mkdir -p "$sim/bank0/line$offset" || fail "cannot create gpio-sim line $offset"
    echo "$name" > "$sim/bank0/line$offset/name" || fail "cannot name gpio-sim line $offset '$name'"
done
echo 1 > "$sim/live" || fail "gpio-sim chip did not go live (see dmesg)"
gpio_chip=$(cat "$sim/bank0/chip_name")
gpio_dev=$(cat "$sim/dev_name")
mount -t configfs none /mnt/sys/kernel/config

cat > /results/rig-env.sh <<EOF
RIG_KERNEL='$(uname -r)'
RIG_GPIO_CHIP='/dev/$gpio_chip'
RIG_GPIO_CHIP_NAME='$gpio_chip'
RIG_GPIO_SIM_DIR='/sys/devices/platform/$gpio_dev/$gpio_chip'
RIG_GPIO_CONFIGFS='$sim'
RIG_BOOT_SECONDS='$(cut -d' ' -f1 /proc/uptime)'
EOF
log "ready after $(cut -d' ' -f1 /proc/uptime) s: $gpio_chip ($RIG_GPIO_LABEL, $RIG_GPIO_NUM_LINES lines), card Loopback"

chroot /mnt /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/swift/usr/bin \
    HOME=/tmp/home LANG=C.UTF-8 TERM=dumb \
    /bin/bash "$RIG_RESULTS/job.sh"
status=$?
[ -s /results/exit-status ] || echo "$status" > /results/exit-status
log "scenario finished with status $(cat /results/exit-status) at $(cut -d' ' -f1 /proc/uptime) s"
sync
umount "/mnt$RIG_RESULTS" /results 2>/dev/null
poweroff -f

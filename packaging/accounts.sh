# Creates the groups and the system user the auxchain service runs as, if missing.
# Sourced by packaging/install.sh and copied into the .deb's postinst; POSIX sh.
#
#   gpio      owns /dev/gpiochip* (udev/60-auxchain-gpio.rules; Raspberry Pi OS has it already)
#   auxchain  may use the control socket; the daemon's primary group
#   auxchain  system user: no login, no home of its own (its state is /var/lib/auxchain),
#             member of audio (/dev/snd/*) and gpio
auxchain_ensure_accounts() {
    for group in audio gpio auxchain; do
        if ! getent group "$group" >/dev/null; then
            groupadd --system "$group"
            echo "auxchain: created group $group"
        fi
    done
    if ! getent passwd auxchain >/dev/null; then
        useradd --system --gid auxchain --groups audio,gpio \
            --home-dir /var/lib/auxchain --no-create-home --shell /usr/sbin/nologin \
            --comment "AuxChain audio bridge" auxchain
        echo "auxchain: created system user auxchain"
    else
        usermod --append --groups audio,gpio auxchain
    fi
}

/// The documented example config, printed by `auxchain config example`.
///
/// A copy of `Examples/auxchain.toml`, compiled in so the binary needs no resource files;
/// a test keeps the two identical.
public enum ExampleConfig {
    public static let text = #"""
# AuxChain configuration. Every key is shown with its default value.
# Check a file with: auxchain config check /etc/auxchain/auxchain.toml
# Durations carry their unit in the key name (_ms, _s); levels in dB or dBFS.

[audio]
# ALSA PCM the Echo's line-out is captured from. Prefer a stable name:
# "hw:CARD=<id>,DEV=0" (see 'auxchain devices'; udev/ can pin the id of a USB dongle).
capture = "default"
# ALSA PCM that feeds the powered speaker (a DAC HAT or USB DAC).
playback = "default"
# Sample rate in Hz, the same on both sides (the Echo's line-out is analog: any rate works).
rate = 48000
# Sample formats: S16_LE, S24_LE, S24_3LE, S32_LE, FLOAT_LE. 16-bit output is dithered when
# attenuated; a 24- or 32-bit output keeps the full resolution.
capture_format = "S16_LE"
playback_format = "S16_LE"
# A mono input feeds every output channel; a stereo input into a mono output is mixed.
capture_channels = 2
playback_channels = 2
# Frames per period (16 to 8192). Smaller is lower latency and more CPU; 128 at 48 kHz is 2.7 ms.
period_frames = 256
# Periods in each device's buffer (2 to 16).
buffer_periods = 3
# Periods of silence queued before playback starts (at least 1, fewer than buffer_periods).
# Added latency is prefill_periods periods (plus the devices' own): 2 x 256 at 48 kHz is 10.7 ms.
prefill_periods = 2
# SCHED_FIFO priority of the audio thread (1 to 95); 0 keeps normal scheduling. 95 is the
# ceiling because the systemd unit sets LimitRTPRIO=95, leaving 96 to 99 to the kernel's own
# real-time threads; raise both together if you must.
realtime_priority = 70

[volume]
# The volume curve: 100 % is 0 dB, 1 % is -range_db, 0 % is silence; dB-linear in between.
range_db = 60.0
# Hard cap in dB (-60 to 0): no command, button or restored state goes louder.
max_db = 0.0
# At start a saved volume above this percentage is not restored; this level is used instead.
safe_start_percent = 40
# Step of 'auxchain volume up|down' and of the volume buttons, in dB.
step_db = 2.0
# Every gain change ramps over this time, so changes never click.
ramp_ms = 40

[power]
# auto: the relay follows the Echo's signal; on / off: forced. This is the mode at first
# start; afterwards the mode last set with 'auxchain power' is restored.
mode = "auto"
# The speaker is switched on when the input rises above on_threshold_dbfs for attack_ms,
# and counts as quiet below off_threshold_dbfs (must not be above the on threshold).
on_threshold_dbfs = -50.0
off_threshold_dbfs = -60.0
attack_ms = 10
# Relay on -> audio ramps up after this time (the speaker's power-on thump settles first).
# Audio arriving meanwhile is held and played from its first sample, so no word is lost.
settle_ms = 1500
# Quiet for this long -> audio ramps down -> relay off.
off_delay_s = 600
# The relay stays on at least min_on_s and off at least min_off_s, so pauses and track
# skips never make it chatter.
min_on_s = 60
min_off_s = 5

# The relay that switches the speaker's power. Leave this table out when there is none.
# [power.relay]
# line = 17            # BCM number or line name
# active_low = true    # most cheap opto-isolated relay modules switch on a low input

[gpio]
# The board: "pi4" or "pi5" checks lines against its 40-pin header and finds its GPIO chip
# by label (pinctrl-bcm2711 / pinctrl-rp1); "other" needs 'chip'.
board = "other"
# Chip by path (/dev/gpiochip0), name (gpiochip0) or label; overrides the board's chip.
# chip = "pinctrl-rp1"

# A 12 V trigger input (through an opto-isolator); high switches the speaker on.
# [inputs.trigger]
# line = 27
# active_low = true
# bias = "pull-up"     # pull-up, pull-down, disabled, as-is
# debounce_ms = 50

# Buttons, any number. action: power-toggle, mute-toggle, volume-up, volume-down.
# [[inputs.buttons]]
# action = "power-toggle"
# line = 22
# active_low = true
# bias = "pull-up"
# debounce_ms = 30

[attenuator]
# A hardware attenuator between DAC and speaker, tracked with the digital volume:
# none, relay-ladder, pga2311, x9c. See Hardware/README.md.
kind = "none"
# relay-ladder: lines = [5, 6, 13, 19, 26, 21]  # least significant step first
#               step_db = 1.0                   # attenuation of the first relay
#               settle_ms = 5                   # relay contact settle time
#               active_low = false              # true for boards that pull in on a low input
# pga2311:      cs = 8, sclk = 11, sdi = 10, zero_crossing = true
# x9c:          cs = 5, inc = 6, ud = 13

[control]
# Unix socket the CLI talks to; created with mode 0660. An absolute path of at most 107 bytes.
socket = "/run/auxchain/control.sock"
# Members of this group (and root) may use the socket; "" allows the daemon's own user only.
# The group must exist (packaging/install.sh creates auxchain). Up to 32 clients at once; one
# that sends nothing for 60 s is closed (a subscriber to live levels and events stays).
group = "auxchain"

[state]
# Volume, mute and power mode, saved on every change (atomically).
path = "/var/lib/auxchain/state.json"

"""#
}

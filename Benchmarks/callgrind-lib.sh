# What process-cost.sh and running-cost.sh share: the release auxchain under callgrind against
# ALSA file PCMs. Sourced, from the repository root.
#
#   bench_prepare SECONDS_OF_INPUT   release build, $work (removed at exit), $work/auxchain,
#                                    $work/in.raw (48 kHz stereo S32 tones), ALSA_CONFIG_PATH
#                                    with bench_in (reads in.raw) and bench_out (writes out.raw)
#   bench_config EXTRA               $work/auxchain.toml on those PCMs, the speaker on; EXTRA
#                                    (TOML) is appended
#   bench_count COMMAND...           runs it under callgrind; prints "TOTAL AUDIO": instructions
#                                    of every thread, and of the thread that reads the capture
#                                    device (0 for a program without one)

bench_prepare() {
    bash scripts/install-deps.sh valgrind
    swift build -c release --product auxchain 2>&1 | tail -1
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # valgrind 3.19 cannot read the Swift toolchain's DWARF 5; counting instructions needs no debug info.
    strip --strip-debug -o "$work/auxchain" .build/release/auxchain
    sox -n -r 48000 -c 2 -b 32 -e signed-integer "$work/in.raw" synth "$1" sine 440 sine 660 vol 0.5
    cat >"$work/asound.conf" <<CONF
pcm.bench_in { type file slave.pcm "null" file "/dev/null" infile "$work/in.raw" format "raw" }
pcm.bench_out { type file slave.pcm "null" file "$work/out.raw" format "raw" }
CONF
    export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$work/asound.conf
}

bench_config() {
    cat >"$work/auxchain.toml" <<CONF
[audio]
capture = "bench_in"
playback = "bench_out"
capture_format = "S32_LE"
playback_format = "S32_LE"
period_frames = 1024
realtime_priority = 0
[power]
mode = "on"
settle_ms = 0
min_off_s = 0
[control]
socket = "$work/control.sock"
group = ""
[state]
path = "$work/state.json"
$1
CONF
}

bench_count() {
    rm -f "$work"/cg.out "$work"/cg.out-*
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.out" --trace-children=no "$@" \
        >/dev/null 2>"$work/cg.err" || { cat "$work/cg.err" >&2; return 1; }
    local total=0 audio=0 file instructions
    # One file per thread, cg.out-01 and on.
    for file in "$work"/cg.out-*; do
        instructions=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
        total=$((total + ${instructions:-0}))
        if grep -q "snd_pcm_readi" "$file"; then audio=$((audio + ${instructions:-0})); fi
    done
    echo "$total $audio"
}

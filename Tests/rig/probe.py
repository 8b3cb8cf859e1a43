#!/usr/bin/python3
"""Tone and GPIO probes for the auxchain scenarios (see Tests/rig/README.md).

  probe.py tone --out FILE --seconds S [--freq HZ] [--level-dbfs DB] [--silence-before-s S] [--tone-s S]
      writes a float32 mono signal for rig-playrec: silence, then a sine, then silence; prints
      its length in frames.
  probe.py analyse --recording FILE:CHANNELS... [--freq HZ] [--from-s A] [--to-s B] [--json OUT]
      fits the sine at --freq to each channel of rig-playrec recordings (float32, interleaved)
      and reports its level, the share of the recording's energy it explains, and its level in
      consecutive windows (gaps, onset); the JSON holds {"recordings": [one per --recording]}.
  probe.py watch --path FILE --seconds S [--interval-ms MS] [--out LOG]
      polls a one-value file (a gpio-sim line's value) and logs "monotonic_s value" at the start
      and at every change.
  probe.py now
      prints CLOCK_MONOTONIC (the clock of rig-playrec's trigger timestamps) and CLOCK_REALTIME
      (bash's $EPOCHREALTIME), read together, in seconds.

Levels are amplitudes in dB relative to full scale (a full-scale sine is 0 dBFS).
"""
import argparse
import json
import math
import sys
import time


def write_tone(args):
    import numpy as np
    rate = args.rate
    total = int(round(args.seconds * rate))
    signal = np.zeros(total, dtype=np.float32)
    start = int(round(args.silence_before_s * rate))
    length = total - start if args.tone_s is None else int(round(args.tone_s * rate))
    end = min(total, start + length)
    n = np.arange(end - start)
    tone = 10 ** (args.level_dbfs / 20) * np.sin(2 * np.pi * args.freq * n / rate)
    # 5 ms fades: the tone's own edges carry no click into the level windows.
    fade = np.minimum(1.0, np.minimum(n, n[::-1]) / (0.005 * rate))
    signal[start:end] = tone * fade
    signal.tofile(args.out)
    print(total)
    return 0


def sine_fit(x, freq, rate, offset):
    """(amplitude, explained energy share) of the best-fitting sine at freq (plus DC)."""
    import numpy as np
    if len(x) < 16:
        return 0.0, 0.0
    t = (offset + np.arange(len(x))) / rate
    basis = np.column_stack((np.cos(2 * np.pi * freq * t), np.sin(2 * np.pi * freq * t), np.ones(len(x))))
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    amplitude = float(math.hypot(coef[0], coef[1]))
    ac = x - coef[2]
    energy = float(np.dot(ac, ac)) / len(x)
    share = (amplitude ** 2 / 2) / energy if energy > 0 else 0.0
    return amplitude, min(share, 1.0)


def dbfs(amplitude):
    return round(20 * math.log10(amplitude), 2) if amplitude > 0 else -200.0


def analyse_one(args, path, channels):
    import numpy as np
    data = np.fromfile(path, dtype=np.float32)
    frames = len(data) // channels
    data = data[:frames * channels].reshape(frames, channels).astype(np.float64)
    rate = args.rate
    first = max(0, int(args.from_s * rate))
    last = frames if args.to_s is None else min(frames, int(args.to_s * rate))
    window = max(1, int(args.window_ms * rate / 1000))
    result = {"recording": path, "frames": frames, "from_s": first / rate, "to_s": last / rate,
              "freq": args.freq, "window_ms": args.window_ms, "channels": []}
    for channel in range(channels):
        x = data[first:last, channel]
        amplitude, share = sine_fit(x, args.freq, rate, first)
        levels = []
        for start in range(first, last - window + 1, window):
            a, s = sine_fit(data[start:start + window, channel], args.freq, rate, start)
            levels.append(dbfs(a) if s >= args.min_share else -200.0)
        result["channels"].append({
            "tone_dbfs": dbfs(amplitude),
            "tone_share": round(share, 5),
            "rms_dbfs": dbfs(float(np.sqrt(np.mean(x ** 2))) * math.sqrt(2)) if len(x) else -200.0,
            "window_dbfs": levels,
        })
    # The tone's level in the whole span, and the windows that fall well below it: dropouts.
    reference = result["channels"][0]["tone_dbfs"]
    levels = result["channels"][0]["window_dbfs"]
    result["tone_dbfs"] = reference
    result["tone_share"] = result["channels"][0]["tone_share"]
    result["windows"] = len(levels)
    result["windows_missing"] = sum(1 for level in levels if level < reference - args.gap_db)
    onset = next((i for i, level in enumerate(levels) if level > args.onset_dbfs), None)
    result["onset_s"] = None if onset is None else round(first / rate + onset * window / rate, 4)
    print(f"{path}: tone {result['tone_dbfs']:.2f} dBFS, share {result['tone_share']:.4f}, "
          f"{result['windows_missing']}/{result['windows']} windows more than {args.gap_db:g} dB low"
          + ("" if result["onset_s"] is None else f", onset at {result['onset_s']:.3f} s"))
    return result


def analyse(args):
    recordings = []
    for spec in args.recording:
        path, _, channels = spec.rpartition(":")
        if not path or not channels.isdigit():
            raise SystemExit(f"probe: --recording takes FILE:CHANNELS, got '{spec}'")
        recordings.append(analyse_one(args, path, int(channels)))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"recordings": recordings}, out, indent=1)
    return 0


def watch(args):
    out = open(args.out, "w") if args.out else sys.stdout
    deadline = time.monotonic() + args.seconds
    last = None
    with open(args.path) as source:
        while True:
            now = time.monotonic()
            source.seek(0)
            value = source.read().strip()
            if value != last:
                out.write(f"{now:.4f} {value}\n")
                out.flush()
                last = value
            if now >= deadline:
                break
            time.sleep(args.interval_ms / 1000)
    out.write(f"{time.monotonic():.4f} end\n")
    out.close()
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    tone = commands.add_parser("tone", help="write a tone for rig-playrec")
    tone.add_argument("--out", required=True)
    tone.add_argument("--seconds", type=float, required=True, help="length of the whole signal")
    tone.add_argument("--freq", type=float, default=1000)
    tone.add_argument("--level-dbfs", type=float, default=-6)
    tone.add_argument("--silence-before-s", type=float, default=0)
    tone.add_argument("--tone-s", type=float, help="length of the tone (default: to the end)")
    tone.add_argument("--rate", type=int, default=48000)

    analysis = commands.add_parser("analyse", help="the tone's level in a recording")
    analysis.add_argument("--recording", action="append", required=True,
                          help="FILE:CHANNELS, a rig-playrec recording and its channel count (repeatable)")
    analysis.add_argument("--freq", type=float, default=1000)
    analysis.add_argument("--from-s", type=float, default=0)
    analysis.add_argument("--to-s", type=float)
    analysis.add_argument("--window-ms", type=float, default=100)
    analysis.add_argument("--min-share", type=float, default=0.5,
                          help="a window whose sine explains less of its energy than this counts as no tone")
    analysis.add_argument("--gap-db", type=float, default=20, help="a window this far below the span's level is missing")
    analysis.add_argument("--onset-dbfs", type=float, default=-60, help="the first window above this is the onset")
    analysis.add_argument("--rate", type=int, default=48000)
    analysis.add_argument("--json")

    watcher = commands.add_parser("watch", help="log a value file's changes with CLOCK_MONOTONIC times")
    watcher.add_argument("--path", required=True)
    watcher.add_argument("--seconds", type=float, required=True)
    watcher.add_argument("--interval-ms", type=float, default=1)
    watcher.add_argument("--out")

    commands.add_parser("now", help="print CLOCK_MONOTONIC and CLOCK_REALTIME in seconds")

    args = parser.parse_args()
    if args.command == "tone":
        return write_tone(args)
    if args.command == "analyse":
        return analyse(args)
    if args.command == "watch":
        return watch(args)
    print(f"{time.monotonic():.6f} {time.time():.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

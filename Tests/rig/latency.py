#!/usr/bin/python3
"""Latency and clock-rate measurements on the rig's snd-aloop card.

  latency.py delay [options]   what a bridge adds between the Echo and the speaker
  latency.py rate [options]    how fast capture streams run against CLOCK_MONOTONIC

delay: plays a train of noise bursts (each one different, from a fixed seed)
into the Echo side (RIG_ECHO_PLAYBACK) and records the speaker side
(RIG_SPEAKER_CAPTURE). In the same run, with every stream started by one
linked trigger (rig-playrec), it plays the same signal through a spare
substream pair that has no bridge (RIG_REFERENCE_PLAYBACK ->
RIG_REFERENCE_CAPTURE). Each burst is found in both recordings by normalised
cross-correlation; the bridge's added latency is the speaker-side delay minus
the reference delay, so the rig's own path (snd-aloop pacing, the tool's start)
is not counted.

Prints one summary line and writes the figures as JSON (--json).
Exit status: 0 measured; 1 usage; 2 the signal was not found (no bridge, silence,
or a distorted copy); 3 the tool itself had an xrun (the figures are not valid).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def env(name, fallback):
    return os.environ.get(name, fallback)


def playrec(args, frames, play, capture, period=1024, formats=None):
    """Runs rig-playrec; play/capture: lists of (device, path). Returns its stream reports."""
    command = [args.playrec, "-n", str(frames), "-r", str(args.rate), "-p", str(period)]
    if formats:
        command += ["-f", formats]
    for device, path in play:
        command += ["-P", f"{device}={path}"]
    for device, path in capture:
        command += ["-C", f"{device}={path}"]
    done = subprocess.run(command, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    if done.returncode not in (0, 3):
        raise SystemExit(f"latency: rig-playrec failed ({done.returncode}): {' '.join(command)}")
    streams, linked = [], False
    for line in done.stdout.splitlines():
        fields = dict(item.split("=", 1) for item in line.split())
        if "stream" in fields:
            streams.append(fields)
        elif "linked" in fields:
            linked = fields["linked"] == "1"
    return streams, linked, done.returncode == 3


def burst_train(args):
    """The played signal and the (start, length) of each burst in it."""
    rate = args.rate
    rng = np.random.default_rng(args.seed)
    level = 10 ** (args.level_dbfs / 20)
    lead = int(args.lead_in_ms * rate / 1000)
    gap = int(args.max_delay_ms * rate / 1000)
    interval = int(args.interval_ms * rate / 1000)
    length = int(args.burst_ms * rate / 1000)
    if length >= interval:
        raise SystemExit("latency: --burst-ms must be shorter than --interval-ms")
    first = lead + (gap if lead else 0)
    total = first + args.bursts * interval + gap + length
    signal = np.zeros(total, dtype=np.float32)
    if lead:
        signal[:lead] = rng.uniform(-level, level, lead)
    # A short fade keeps each burst's edges from clicking through a resampler.
    fade = np.minimum(1.0, np.minimum(np.arange(length), np.arange(length)[::-1]) / 48.0)
    bursts = []
    for k in range(args.bursts):
        start = first + k * interval
        signal[start:start + length] = rng.uniform(-level, level, length) * fade
        bursts.append((start, length))
    return signal, bursts


def find_delay(recording, burst, start, max_delay):
    """(delay in frames, normalised correlation) of one burst in a mono recording."""
    length = len(burst)
    window = recording[start:start + max_delay + length]
    if len(window) < length:
        return None, 0.0
    n = 1 << int(np.ceil(np.log2(len(window) + length)))
    spectrum = np.fft.rfft(window, n) * np.conj(np.fft.rfft(burst, n))
    correlation = np.fft.irfft(spectrum, n)[:len(window) - length + 1]
    energy = np.concatenate(([0.0], np.cumsum(window.astype(np.float64) ** 2)))
    window_energy = energy[length:] - energy[:-length]
    norm = np.sqrt(np.maximum(window_energy, 1e-20) * np.dot(burst, burst))
    score = np.abs(correlation) / norm
    best = int(np.argmax(score))
    return best, float(score[best])


def delays(recording, signal, bursts, max_delay, threshold):
    found = []
    for start, length in bursts:
        delay, score = find_delay(recording, signal[start:start + length], start, max_delay)
        found.append({"start": start, "delay": delay if score >= threshold else None, "score": round(score, 4)})
    return found


def load(path, channels, channel):
    data = np.fromfile(path, dtype=np.float32)
    return data.reshape(-1, channels)[:, channel].astype(np.float64)


def trigger_spread_us(streams):
    times = [float(s["trigger"]) for s in streams]
    return (max(times) - min(times)) * 1e6


def measure_delay(args):
    signal, bursts = burst_train(args)
    max_delay = int(args.max_delay_ms * args.rate / 1000)
    frames = len(signal)
    with tempfile.TemporaryDirectory(prefix="rig-latency-") as tmp:
        played = os.path.join(tmp, "signal.f32")
        signal.tofile(played)
        play = [(args.echo, played)]
        capture = [(args.speaker, os.path.join(tmp, "speaker.f32"))]
        if args.reference:
            play.append((args.reference_playback, played))
            capture.append((args.reference_capture, os.path.join(tmp, "reference.f32")))
        streams, linked, tool_xrun = playrec(args, frames, play, capture, formats=args.formats)
        for stream in streams:
            if int(stream["rate"]) != args.rate:
                raise SystemExit(f"latency: {stream['device']} runs at {stream['rate']} Hz "
                                 f"(fixed by the other end of its cable); pass --rate {stream['rate']}")
        captured = [s for s in streams if s["stream"] == "capture"]
        speaker = load(capture[0][1], int(captured[0]["channels"]), args.channel)
        reference = load(capture[1][1], int(captured[1]["channels"]), 0) if args.reference else None
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            signal.tofile(os.path.join(args.keep, "signal.f32"))
            speaker.astype(np.float32).tofile(os.path.join(args.keep, "speaker.f32"))

    speaker_found = delays(speaker, signal, bursts, max_delay, args.threshold)
    # With the Echo side's clock shifted, burst k left the Echo at frame
    # start_k / (1 + ppm) of the nominal time line, not at start_k.
    echo_stretch = 1 - 1 / (1 + args.echo_clock_ppm * 1e-6)
    for b in speaker_found:
        if b["delay"] is not None:
            b["delay"] = b["delay"] + b["start"] * echo_stretch
    speaker_delays = [b["delay"] for b in speaker_found if b["delay"] is not None]
    reference_delays = []
    if reference is not None:
        reference_delays = [b["delay"] for b in delays(reference, signal, bursts, max_delay, args.threshold)
                            if b["delay"] is not None]
    result = {
        "label": args.label,
        "echo": args.echo,
        "speaker": args.speaker,
        "rate": args.rate,
        "streams": streams,
        "linked": linked,
        "trigger_spread_us": round(trigger_spread_us(streams), 1),
        "tool_xrun": tool_xrun,
        "bursts": len(bursts),
        "bursts_found": len(speaker_delays),
        "burst_scores": [b["score"] for b in speaker_found],
        "echo_clock_ppm": args.echo_clock_ppm,
        "speaker_delays_frames": [None if b["delay"] is None else round(b["delay"], 1) for b in speaker_found],
        "reference_delays_frames": reference_delays,
    }
    status = 0
    if tool_xrun:
        status = 3
    elif not speaker_delays or (args.reference and not reference_delays):
        status = 2
    else:
        reference_frames = float(np.median(reference_delays)) if reference_delays else 0.0
        added = float(np.median(speaker_delays)) - reference_frames
        result.update({
            "reference_frames": reference_frames,
            "added_frames": added,
            "added_ms": round(added * 1000 / args.rate, 3),
            "added_min_frames": min(speaker_delays) - reference_frames,
            "added_max_frames": max(speaker_delays) - reference_frames,
            "jitter_frames": max(speaker_delays) - min(speaker_delays),
        })
        found = [b for b in speaker_found if b["delay"] is not None]
        if len(found) >= 3:
            seconds = np.array([b["start"] for b in found]) / args.rate
            # How fast the latency changes: a bridge that does not follow a
            # clock difference fills or drains its buffer at a steady rate.
            result["drift_frames_per_s"] = round(float(np.polyfit(seconds, [b["delay"] for b in found], 1)[0]), 2)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=1)
    if status == 0:
        print(f"{args.label}: added {result['added_frames']:.0f} frames = {result['added_ms']:.2f} ms "
              f"(min {result['added_min_frames']:.0f}, max {result['added_max_frames']:.0f}; "
              f"{result['bursts_found']}/{len(bursts)} bursts; reference {result['reference_frames']:.0f} frames; "
              f"drift {result.get('drift_frames_per_s', float('nan')):+.1f} frames/s; "
              f"trigger spread {result['trigger_spread_us']:.0f} us)")
    elif status == 2:
        print(f"{args.label}: the test signal did not arrive at {args.speaker} "
              f"(best scores {result['burst_scores']}; is the bridge running?)")
    else:
        print(f"{args.label}: rig-playrec had an xrun; the figures are not valid")
    return status


def measure_rate(args):
    frames = int(args.seconds * args.rate)
    with tempfile.TemporaryDirectory(prefix="rig-rate-") as tmp:
        silence = os.path.join(tmp, "silence.f32")
        np.zeros(1, dtype=np.float32).tofile(silence)
        play = [(device, silence) for device in args.playback]
        capture = [(device, os.path.join(tmp, f"c{i}.f32")) for i, device in enumerate(args.capture)]
        streams, linked, tool_xrun = playrec(args, frames, play, capture, formats=args.formats)
    result = {"label": args.label, "seconds": args.seconds, "nominal_rate": args.rate, "linked": linked,
              "tool_xrun": tool_xrun,
              "streams": [{"stream": s["stream"], "device": s["device"],
                           "measured_rate": float(s["measured_rate"]),
                           "ppm": round((float(s["measured_rate"]) / int(s["rate"]) - 1) * 1e6)}
                          for s in streams]}
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=1)
    for s in result["streams"]:
        print(f"{args.label}: {s['stream']} {s['device']} runs at {s['measured_rate']:.1f} Hz ({s['ppm']:+d} ppm)")
    return 3 if tool_xrun else 0


def main():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--playrec", default=env("RIG_PLAYREC", "rig-playrec"), help="the rig-playrec binary")
    common.add_argument("--rate", type=int, default=48000)
    common.add_argument("--formats", help="formats rig-playrec tries, in order (comma-separated)")
    common.add_argument("--json", help="write the figures to this file")
    common.add_argument("--label", default="latency")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    delay = commands.add_parser("delay", parents=[common], help="the latency a bridge adds")
    delay.add_argument("--echo", default=env("RIG_ECHO_PLAYBACK", "hw:Loopback,0,0"))
    delay.add_argument("--speaker", default=env("RIG_SPEAKER_CAPTURE", "hw:Loopback,1,1"))
    delay.add_argument("--reference-playback", default=env("RIG_REFERENCE_PLAYBACK", "hw:Loopback,0,2"))
    delay.add_argument("--reference-capture", default=env("RIG_REFERENCE_CAPTURE", "hw:Loopback,1,2"))
    delay.add_argument("--no-reference", dest="reference", action="store_false",
                       help="report the raw delay (no direct path subtracted)")
    delay.add_argument("--channel", type=int, default=0, help="speaker channel analysed")
    delay.add_argument("--bursts", type=int, default=8)
    delay.add_argument("--interval-ms", type=float, default=250)
    delay.add_argument("--burst-ms", type=float, default=40)
    delay.add_argument("--lead-in-ms", type=float, default=0,
                       help="noise before the bursts, for a bridge that waits for signal")
    delay.add_argument("--level-dbfs", type=float, default=-6)
    delay.add_argument("--max-delay-ms", type=float, default=500)
    delay.add_argument("--threshold", type=float, default=0.5, help="lowest correlation that counts as found")
    delay.add_argument("--echo-clock-ppm", type=float, default=0,
                       help="how far the Echo side's clock runs from nominal (an snd-aloop PCM Rate Shift)")
    delay.add_argument("--seed", type=int, default=1)
    delay.add_argument("--keep", help="keep the played signal and the speaker recording in this folder")

    rate = commands.add_parser("rate", parents=[common], help="capture/playback rates against CLOCK_MONOTONIC")
    rate.add_argument("--capture", action="append", default=[], help="capture device (repeatable)")
    rate.add_argument("--playback", action="append", default=[], help="playback device, plays silence (repeatable)")
    rate.add_argument("--seconds", type=float, default=4)

    args = parser.parse_args()
    if args.command == "delay":
        return measure_delay(args)
    if not args.capture and not args.playback:
        parser.error("rate needs --capture or --playback")
    return measure_rate(args)


if __name__ == "__main__":
    sys.exit(main())

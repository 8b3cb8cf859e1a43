import Foundation
import ServiceLifecycle

/// What the `--simulate` timeline narrates besides the engine's own events.
public struct TimelineSettings: Sendable {
    public var programme: EchoProgramme

    public init(programme: EchoProgramme) {
        self.programme = programme
    }
}

/// Prints what happens, in audio time, as the simulated run plays: the programme's segments
/// as they start, the signal detector's decisions, levels, and xruns.
final class TimelinePrinter: Service, Sendable {
    let settings: TimelineSettings
    let controls: EngineControls
    let rate: Int

    init(settings: TimelineSettings, controls: EngineControls, rate: Int) {
        self.settings = settings
        self.controls = controls
        self.rate = rate
    }

    func run() async throws {
        var nextSegment = 0
        var signal = false
        var xruns: UInt64 = 0
        var lastLevelPrint = -1.0
        let segments = settings.programme.segments
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let now = Double(controls.frames) / Double(rate)
            while nextSegment < segments.count, seconds(segments[nextSegment].start) <= now {
                let segment = segments[nextSegment]
                say(seconds(segment.start), "echo   ▶ \(segment.kind.rawValue) for \(format(seconds(segment.length))) s")
                nextSegment += 1
            }
            if controls.signalPresent != signal {
                signal.toggle()
                say(now, signal ? "signal ● on" : "signal ○ off")
            }
            if controls.xruns != xruns {
                xruns = controls.xruns
                say(now, "xrun   ! recovered (\(xruns) so far)")
            }
            if signal, now - lastLevelPrint >= 1 {
                lastLevelPrint = now
                let level = controls.level(channel: 0)
                say(now, "level    peak \(format(Double(level.peakDBFS))) dBFS, rms \(format(Double(level.rmsDBFS))) dBFS, gain \(format(Double(20 * log10(max(controls.appliedGain, 1e-9))))) dB")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Prints a controller decision at the audio time it happened.
    func report(_ event: ControllerEvent) {
        let now = Double(controls.frames) / Double(rate)
        switch event {
        case .power(let status):
            say(now, "power  ◆ \(status.state.rawValue) (mode \(status.mode.rawValue))")
        case .relay(let on):
            say(now, on ? "relay  ■ ON  — speaker powering up" : "relay  □ OFF — speaker unpowered")
        case .audioHeld:
            say(now, "preroll  holding audio while the speaker warms up")
        case .audioReleased(let backlog):
            say(now, "preroll  released: playing from the first held sample, \(format(Double(backlog) * 1000 / Double(rate))) ms behind")
        case .heldAudioDiscarded:
            say(now, "preroll  held audio discarded (switched off while warming)")
        case .volume(let report):
            say(now, "volume   \(format(report.percent)) %\(report.muted ? " (muted)" : "")")
        case .signal, .xruns:
            break  // printed from the engine's own counters, with levels
        case .backlogWorkedOff(let dropped):
            say(now, "preroll  caught up: latency back to normal (\(format(Double(dropped) * 1000 / Double(rate))) ms of quiet dropped)")
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) * 1e-18
    }

    private func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded <= -120 ? "-inf" : "\(rounded)"
    }

    private func say(_ time: Double, _ text: String) {
        let stamp = String(format: "%7.2f s", time)
        // Unbuffered, so a person watching a pipe or a log sees each line as it happens.
        FileHandle.standardOutput.write(Data("[\(stamp)] \(text)\n".utf8))
    }
}

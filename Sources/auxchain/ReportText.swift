import AuxChainCore
import Foundation

/// How the daemon's reports read on a terminal, and as JSON for scripts.
enum ReportText {
    /// `40% (-24.0 dB), cap 0.0 dB`, then `, muted` when muted.
    static func volume(_ volume: VolumeReport) -> String {
        let gain = volume.gainDB.map { decibels($0) } ?? "silent"
        return "\(percent(volume.percent)) (\(gain)), cap \(decibels(volume.capDB))" + (volume.muted ? ", muted" : "")
    }

    /// `mode auto, speaker off`, and what holds it on.
    static func power(_ power: PowerReport) -> String {
        "mode \(power.mode.rawValue), speaker \(state(power.state))"
            + (power.triggerHoldingOn ? ", held on by the 12 V trigger" : "")
    }

    static func state(_ state: PowerState) -> String {
        switch state {
        case .off: "off"
        case .warming: "warming up"
        case .on: "on"
        case .idle: "on, idle (off delay counting)"
        case .cooling: "cooling down"
        }
    }

    static func relay(_ relay: RelayReport?) -> String {
        guard let relay else { return "none configured" }
        return "line \(relay.line), \(relay.isOn ? "on" : "off")"
    }

    /// `L`/`R` for stereo, `M` for mono, numbers beyond.
    static func channelNames(count: Int) -> [String] {
        switch count {
        case 1: ["M"]
        case 2: ["L", "R"]
        default: (0..<count).map { String($0 + 1) }
        }
    }

    /// One line per channel: `L  peak -30.0 dBFS  RMS -36.0 dBFS`.
    static func levels(_ levels: LevelsReport) -> [String] {
        guard !levels.channels.isEmpty else { return ["no channels"] }
        let names = channelNames(count: levels.channels.count)
        return zip(names, levels.channels).map { name, channel in
            "\(name)  peak \(dbfs(channel.peakDBFS)) dBFS  RMS \(dbfs(channel.rmsDBFS)) dBFS"
        }
    }

    /// The readable `auxchain status`.
    static func status(_ status: DaemonStatus) -> [String] {
        var rows: [(String, String)] = [
            ("volume", volume(status.volume)),
            ("muted", status.volume.muted ? "yes" : "no"),
            ("power", power(status.power)),
            ("relay", relay(status.relay)),
            ("signal", status.levels.signal ? "present" : "none"),
        ]
        for (index, line) in levels(status.levels).enumerated() {
            rows.append((index == 0 ? "levels" : "", line))
        }
        rows.append(("xruns", "\(status.xruns)"))
        rows.append(("latency", latency(frames: status.latencyFrames, rate: status.sampleRate)))
        if let drift = clockDrift(status) { rows.append(("clock drift", drift)) }
        for device in status.devices {
            rows.append((device.role.rawValue, "\(device.name), \(device.isOpen ? "open" : "lost: waiting for it to return")"))
        }
        if status.devices.isEmpty { rows.append(("devices", "none open")) }
        rows.append(("uptime", uptime(seconds: status.uptimeSeconds)))
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { key, value in key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value }
    }

    /// `+48.2 ppm, 1203 frames corrected`; nil while the daemon corrects nothing.
    static func clockDrift(_ status: DaemonStatus) -> String? {
        guard let corrections = status.driftCorrections else { return nil }
        let ppm = status.clockDriftPPM.map { String(format: "%+.1f ppm", $0) } ?? "not measured yet"
        return "\(ppm), \(corrections) frames corrected"
    }

    static func latency(frames: Int, rate: Int) -> String {
        guard rate > 0 else { return "\(frames) frames" }
        return "\(frames) frames, \(String(format: "%.1f", Double(frames) * 1000 / Double(rate))) ms at \(rate) Hz"
    }

    /// `12 s`, `4 min 05 s`, `2 h 03 min`, `3 d 04 h`.
    static func uptime(seconds: Double) -> String {
        let total = Int(max(seconds, 0).rounded(.down))
        let (days, hours, minutes, secs) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days) d \(twoDigits(hours)) h" }
        if hours > 0 { return "\(hours) h \(twoDigits(minutes)) min" }
        if minutes > 0 { return "\(minutes) min \(twoDigits(secs)) s" }
        return "\(secs) s"
    }

    /// `40%`, `37.5%`.
    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }

    /// `-24.0 dB`.
    static func decibels(_ value: Double) -> String {
        String(format: "%.1f dB", value)
    }

    /// `-30.0`, or `-inf` for the protocol's floor (digital silence).
    static func dbfs(_ value: Double) -> String {
        value <= ChannelLevel.floorDBFS ? "-inf" : String(format: "%.1f", value)
    }

    /// One line of JSON, encoded as the control protocol encodes it on the wire, with the keys
    /// sorted so that the same state always prints the same line.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            preconditionFailure("a control protocol value did not encode as JSON: \(error)")
        }
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

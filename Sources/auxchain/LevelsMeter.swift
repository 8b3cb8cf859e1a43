import AuxChainCore
import Foundation

/// The peak each channel's meter holds: a new highest peak stays for ``holdTime``, then falls
/// at ``decayDBPerSecond`` until it meets the live peak. Time is the meter's own, from its start,
/// so the hold is a pure value.
struct PeakHold: Sendable, Equatable {
    static let holdTime: Duration = .milliseconds(1500)
    static let decayDBPerSecond = 20.0

    private struct HeldPeak: Sendable, Equatable {
        var dbfs: Double
        var since: Duration
    }

    private var held: [HeldPeak] = []

    init() {}

    /// Takes in the live peaks of `levels`, heard at `now`.
    mutating func update(with levels: LevelsReport, at now: Duration) {
        if held.count != levels.channels.count {
            held = levels.channels.map { HeldPeak(dbfs: $0.peakDBFS, since: now) }
            return
        }
        for (index, channel) in levels.channels.enumerated() where channel.peakDBFS >= heldDBFS(held[index], at: now) {
            held[index] = HeldPeak(dbfs: channel.peakDBFS, since: now)
        }
    }

    /// The held peak of `channel` at `now` before the live peak is taken into account; nil for
    /// a channel it has not seen.
    func dbfs(channel: Int, at now: Duration) -> Double? {
        guard held.indices.contains(channel) else { return nil }
        return heldDBFS(held[channel], at: now)
    }

    private func heldDBFS(_ peak: HeldPeak, at now: Duration) -> Double {
        let falling = seconds(now - peak.since - Self.holdTime)
        guard falling > 0 else { return peak.dbfs }
        return max(peak.dbfs - falling * Self.decayDBPerSecond, ChannelLevel.floorDBFS)
    }

    private func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// What the meter shows above the bars: the daemon's volume and power, kept current by events.
struct MeterContext: Sendable, Equatable {
    var volume: VolumeReport
    var power: PowerReport
    var relay: RelayReport?
    var devices: [DeviceReport]

    init(_ status: DaemonStatus) {
        volume = status.volume
        power = status.power
        relay = status.relay
        devices = status.devices
    }

    /// Takes in an event; levels are the meter's, not the context's.
    mutating func apply(_ event: ControlEvent) {
        switch event {
        case .volume(let volume): self.volume = volume
        case .power(let power): self.power = power
        case .relay(let relay): self.relay = relay
        case .device(let device):
            if let index = devices.firstIndex(where: { $0.role == device.role }) {
                devices[index] = device
            } else {
                devices.append(device)
            }
        case .levels, .signal, .xrun, .clipped, .dropped: break
        }
    }
}

/// Draws the levels as text: a state line, one bar per channel on a dBFS scale, and the scale.
///
/// A bar is `█` up to the RMS level, `▒` on to the peak, and `│` where the held peak is; a
/// level at or above 0 dBFS fills the bar and adds `CLIP`.
struct LevelsMeter: Sendable {
    /// The bar's left end; quieter levels show an empty bar.
    static let floorDBFS = -60.0
    /// dB between scale marks.
    static let scaleStepDB = 15.0

    /// Cells in a bar.
    var barCells: Int

    init(barCells: Int = 40) {
        precondition(barCells >= 8, "a meter bar needs room for its scale")
        self.barCells = barCells
    }

    /// The meter's lines for `levels`, with the hold as it stands at `now`.
    func lines(_ levels: LevelsReport, hold: PeakHold, at now: Duration, context: MeterContext?) -> [String] {
        var lines = [stateLine(levels, context: context)]
        let names = ReportText.channelNames(count: levels.channels.count)
        let nameWidth = names.map(\.count).max() ?? 0
        for (index, channel) in levels.channels.enumerated() {
            let heldDBFS = max(hold.dbfs(channel: index, at: now) ?? channel.peakDBFS, channel.peakDBFS)
            let name = names[index].padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let numbers = "peak \(number(channel.peakDBFS))  rms \(number(channel.rmsDBFS))  hold \(number(heldDBFS)) dBFS"
            let clip = channel.peakDBFS >= 0 ? "  CLIP" : ""
            lines.append("\(name) [\(bar(channel, heldDBFS: heldDBFS))] \(numbers)\(clip)")
        }
        if levels.channels.isEmpty { lines.append("no capture channels reported") }
        lines.append(String(repeating: " ", count: nameWidth + 2) + scale())
        if let context {
            for device in context.devices where !device.isOpen {
                lines.append("\(device.role.rawValue) \(device.name) lost: waiting for it to return")
            }
        }
        return lines
    }

    /// Cells filled for a level: none at the floor or below, all at 0 dBFS or above.
    func cells(_ dbfs: Double) -> Int {
        let fraction = (dbfs - Self.floorDBFS) / -Self.floorDBFS
        return min(max(Int((fraction * Double(barCells)).rounded(.down)), 0), barCells)
    }

    private func bar(_ channel: ChannelLevel, heldDBFS: Double) -> String {
        let rms = cells(channel.rmsDBFS)
        let peak = max(cells(channel.peakDBFS), rms)
        let held = cells(heldDBFS)
        return String((0..<barCells).map { cell -> Character in
            if cell < rms { return "█" }
            if cell < peak { return "▒" }
            if held > peak, cell == held - 1 { return "│" }
            return " "
        })
    }

    /// `-60 ... 0` under the bars, each mark starting at its cell; the last ends at the bar's end.
    private func scale() -> String {
        var text = [Character](repeating: " ", count: barCells + 1)
        var markDBFS = Self.floorDBFS
        while markDBFS <= 0 {
            let label = Array(String(Int(markDBFS)))
            let start = min(cells(markDBFS), barCells + 1 - label.count)
            if text[start..<(start + label.count)].allSatisfy({ $0 == " " }) {
                text.replaceSubrange(start..<(start + label.count), with: label)
            }
            markDBFS += Self.scaleStepDB
        }
        return String(text) + " dBFS"
    }

    private func stateLine(_ levels: LevelsReport, context: MeterContext?) -> String {
        let signal = "signal " + (levels.signal ? "present" : "none")
        guard let context else { return signal }
        return [
            "speaker \(ReportText.state(context.power.state)) (mode \(context.power.mode.rawValue))",
            "relay " + (context.relay.map { $0.isOn ? "on" : "off" } ?? "none"),
            "volume \(ReportText.percent(context.volume.percent))" + (context.volume.muted ? " muted" : ""),
            signal,
        ].joined(separator: "  ·  ")
    }

    /// Fixed width, so the columns stay put as the numbers change.
    private func number(_ dbfs: Double) -> String {
        let text = ReportText.dbfs(dbfs)
        return String(repeating: " ", count: max(0, 6 - text.count)) + text
    }
}

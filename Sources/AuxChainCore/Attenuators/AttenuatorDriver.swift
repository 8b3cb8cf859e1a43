/// A hardware volume stage driven over GPIO lines, as pure values: the driver
/// says which lines to write in which order and how long to wait; the daemon
/// plays the writes on real lines.
///
/// Steps are numbered from 0 (the most attenuation) upwards;
/// `steps.levelsDB[step]` is the stage's gain there, rising with the step
/// (`-.infinity` where the part mutes).
///
/// Timing: `steps.switchingLatency` is the time from a move's first write until
/// its new gain is in effect, for the longest move between known steps (the
/// writes' holds plus the part's own settling); no such move takes longer.
public protocol AttenuatorDriver: Sendable {
    /// The gains the volume track can choose from, and how long a change takes.
    var steps: AttenuatorSteps { get }
    /// Every line the driver writes, in a fixed order.
    var lines: [AttenuatorLine] { get }
    /// The step the hardware is at; nil until the driver has put it somewhere known.
    var currentStep: Int? { get }

    /// The level to request `line` with, before any write: the part's idle, safe state.
    func initialLevel(of line: AttenuatorLine) -> Bool

    /// The writes that take the hardware from the current step to `step`; none if it is there.
    /// From an unknown step, the move goes through maximum attenuation first.
    mutating func moves(toStep step: Int) -> [LineWrite]

    /// The writes that put the hardware at step 0 from any state, known or not:
    /// at start and at stop.
    mutating func maximumAttenuation() -> [LineWrite]
}

extension AttenuatorDriver {
    /// The step whose gain is `levelDB`, one of `steps.levelsDB` (as the volume track picks them).
    public func step(atLevelDB levelDB: Double) -> Int? {
        steps.levelsDB.firstIndex(of: levelDB)
    }

    /// The gain the hardware is at; nil while its step is unknown.
    public var currentLevelDB: Double? {
        currentStep.map { steps.levelsDB[$0] }
    }
}

/// A line an attenuator drives, by its role; the daemon maps roles to the
/// config's GPIO lines.
public enum AttenuatorLine: Sendable, Hashable, CustomStringConvertible {
    /// A relay ladder's relay: bit 0 switches the smallest pad (config `attenuator.lines[0]`).
    case relay(Int)
    /// Chip select, active low (PGA2311 `/CS`, X9C `/CS`; config `attenuator.cs`).
    case chipSelect
    /// PGA2311 serial clock (config `attenuator.sclk`).
    case serialClock
    /// PGA2311 serial data in (config `attenuator.sdi`).
    case serialData
    /// X9C increment, acting on its falling edge (config `attenuator.inc`).
    case increment
    /// X9C direction: high moves the wiper up (config `attenuator.ud`).
    case upDown

    public var description: String {
        switch self {
        case .relay(let bit): "relay \(bit)"
        case .chipSelect: "cs"
        case .serialClock: "sclk"
        case .serialData: "sdi"
        case .increment: "inc"
        case .upDown: "ud"
        }
    }
}

/// One write to one line, then a wait before the next write.
public struct LineWrite: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var line: AttenuatorLine
    /// The line's logical level: for a relay, true puts its pad in; for a chip pin, true is high.
    public var level: Bool
    public var holdAfter: Duration

    public init(_ line: AttenuatorLine, _ level: Bool, holdAfter: Duration = .zero) {
        self.line = line
        self.level = level
        self.holdAfter = holdAfter
    }

    public var description: String {
        "\(line)=\(level ? 1 : 0)" + (holdAfter == .zero ? "" : " +\(holdAfter)")
    }
}

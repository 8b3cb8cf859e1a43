/// What a hardware attenuator can do, as the volume track needs it: the gains it can be set
/// to and how long a change takes to be heard. An attenuator driver supplies these.
public struct AttenuatorSteps: Sendable, Equatable {
    /// Achievable gains in dB, e.g. 0, −1, … −63 for a six-relay ladder (any order; a muting
    /// step, −∞, may be among them).
    public var levelsDB: [Double]
    /// From the command to the moment the new gain is in effect.
    public var switchingLatency: Duration

    public init(levelsDB: [Double], switchingLatency: Duration) {
        precondition(levelsDB.contains { $0.isFinite }, "AttenuatorSteps: at least one finite level")
        precondition(!levelsDB.contains { $0.isNaN || $0 == .infinity }, "AttenuatorSteps: levels must be finite or −∞")
        precondition(switchingLatency >= .zero, "AttenuatorSteps: the switching latency must not be negative")
        self.levelsDB = levelsDB
        self.switchingLatency = switchingLatency
    }

    /// The quietest finite level at or above `gainDB`, so the digital residual only attenuates;
    /// the loudest level when none is that loud.
    public func level(atOrAbove gainDB: Double) -> Double {
        let finite = levelsDB.filter(\.isFinite)
        return finite.filter { $0 >= gainDB }.min() ?? finite.max()!
    }

    /// The quietest finite level: where the hardware rests when nothing louder is needed.
    public var quietestLevelDB: Double { levelsDB.filter(\.isFinite).min()! }
}

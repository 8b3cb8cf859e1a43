/// Relays switching binary-weighted pads in or out: relay `i` adds
/// `stepDB · 2^i` of attenuation, so N relays give 2^N steps from
/// `−(2^N − 1) · stepDB` to 0 dB.
///
/// Relays take milliseconds to move and do not move together, so a move runs in
/// two phases: first every pad the target adds goes in, then (after `settle`)
/// every pad it drops comes out. Each intermediate setting then has at least
/// the attenuation of the start (while pads go in) or of the target (while
/// pads come out): a move never passes through a setting louder than both ends.
public struct RelayLadderAttenuator: AttenuatorDriver {
    public let relayCount: Int
    public let stepDB: Double
    /// The relays' operate and release time.
    public let settle: Duration
    public private(set) var currentStep: Int?

    public init(relayCount: Int, stepDB: Double, settle: Duration) {
        precondition((1...16).contains(relayCount), "RelayLadderAttenuator: 1 to 16 relays")
        precondition(stepDB > 0, "RelayLadderAttenuator: stepDB must be positive")
        precondition(settle >= .zero, "RelayLadderAttenuator: settle must not be negative")
        self.relayCount = relayCount
        self.stepDB = stepDB
        self.settle = settle
    }

    private var topStep: Int { (1 << relayCount) - 1 }

    /// The longest move waits `settle` between its phases and `settle` after them.
    /// A move with one phase is in effect one `settle` sooner.
    public var steps: AttenuatorSteps {
        AttenuatorSteps(levelsDB: (0...topStep).map { -Double(topStep - $0) * stepDB }, switchingLatency: settle * 2)
    }

    public var lines: [AttenuatorLine] { (0..<relayCount).map(AttenuatorLine.relay) }

    /// Every pad in: the most attenuation, whatever the relays did before.
    public func initialLevel(of line: AttenuatorLine) -> Bool { true }

    /// The pads in at `step`, as a bit mask: bit i set puts relay i's pad in.
    public func padsIn(atStep step: Int) -> Int { topStep - step }

    public mutating func moves(toStep step: Int) -> [LineWrite] {
        precondition((0...topStep).contains(step), "RelayLadderAttenuator: step \(step) outside 0...\(topStep)")
        guard let currentStep else { return fromUnknownStep(toStep: step) }
        let from = padsIn(atStep: currentStep)
        let to = padsIn(atStep: step)
        // Largest pads in first, smallest out first: the level stays as low as it can, as long as it can.
        let goingIn = (0..<relayCount).reversed().filter { to & ~from & (1 << $0) != 0 }
        let comingOut = (0..<relayCount).filter { from & ~to & (1 << $0) != 0 }
        var writes = goingIn.map { LineWrite(.relay($0), true) }
        if !writes.isEmpty && !comingOut.isEmpty { writes[writes.count - 1].holdAfter = settle }
        writes += comingOut.map { LineWrite(.relay($0), false) }
        self.currentStep = step
        return writes
    }

    private mutating func fromUnknownStep(toStep step: Int) -> [LineWrite] {
        var writes = maximumAttenuation()
        let rest = moves(toStep: step)
        // The pads must all be in before the first comes out.
        if !rest.isEmpty { writes[writes.count - 1].holdAfter = settle }
        return writes + rest
    }

    public mutating func maximumAttenuation() -> [LineWrite] {
        currentStep = 0
        return (0..<relayCount).reversed().map { LineWrite(.relay($0), true) }
    }
}

extension AttenuatorSettings {
    /// The driver for the configured attenuator, at an unknown step; nil for `kind = "none"`.
    public func makeDriver() -> (any AttenuatorDriver)? {
        switch self {
        case .none: nil
        case .relayLadder(let lines, let stepDB, let settle, _):
            RelayLadderAttenuator(relayCount: lines.count, stepDB: stepDB, settle: settle)
        case .pga2311(_, _, _, let zeroCrossing): PGA2311Attenuator(zeroCrossing: zeroCrossing)
        case .x9c: X9CAttenuator()
        }
    }

    /// The configured GPIO line that plays a driver's line; nil if this attenuator has no such line.
    public func lineReference(for line: AttenuatorLine) -> LineReference? {
        switch (self, line) {
        case (.relayLadder(let lines, _, _, _), .relay(let bit)): lines.indices.contains(bit) ? lines[bit] : nil
        case (.pga2311(let chipSelect, _, _, _), .chipSelect): chipSelect
        case (.pga2311(_, let clock, _, _), .serialClock): clock
        case (.pga2311(_, _, let data, _), .serialData): data
        case (.x9c(let chipSelect, _, _), .chipSelect): chipSelect
        case (.x9c(_, let increment, _), .increment): increment
        case (.x9c(_, _, let upDown), .upDown): upDown
        default: nil
        }
    }

    /// Whether the line is asserted low: only relay boards that pull in on a low input.
    public func isActiveLow(_ line: AttenuatorLine) -> Bool {
        if case .relayLadder(_, _, _, let activeLow) = self, case .relay = line { return activeLow }
        return false
    }
}

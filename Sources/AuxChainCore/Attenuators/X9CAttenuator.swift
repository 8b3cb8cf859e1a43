import AuxChainDSP

/// An X9C102/103/104/503 digital potentiometer used as a volume pot (VH to the
/// signal, VL to ground, the wiper to the output) on three GPIO lines.
///
/// Step k is tap k of 100: the pot is linear, so its gain is 20·log10(k/99) dB
/// (tap 0 mutes); the volume track picks taps through this table, never
/// proportionally. A move selects the chip, sets U/D, and pulses INC once per
/// tap (the wiper moves on INC's falling edge).
///
/// The chip stores the wiper in its EEPROM (100,000 writes) when `/CS` rises
/// while INC is high, so INC rests low and `/CS` only ever rises with INC low:
/// no move ever stores. The chip therefore wakes at whatever tap was stored,
/// which is unknown here: maximum attenuation pulses down across the whole
/// range, and the wiper stops at tap 0.
public struct X9CAttenuator: AttenuatorDriver {
    public static let tapCount = 100
    public private(set) var currentStep: Int?

    /// U/D to INC falling setup (2.9 µs in the datasheet).
    public static let directionSetup = Duration.microseconds(3)
    /// INC high and low periods, `/CS` to INC setup, INC to `/CS` rise (1 µs at most in the datasheet).
    public static let pulseTime = Duration.microseconds(1)
    /// INC to wiper change, the datasheet's maximum.
    public static let wiperSettle = Duration.microseconds(500)

    public init() {}

    /// The longest move crosses all 99 taps, then the wiper settles.
    public var steps: AttenuatorSteps {
        let levelsDB = (0..<Self.tapCount).map { Decibels.gainDB(fromLinear: Double($0) / Double(Self.tapCount - 1)) }
        let longestMove = pulses(Self.tapCount - 1, up: true).reduce(Duration.zero) { $0 + $1.holdAfter }
        return AttenuatorSteps(levelsDB: levelsDB, switchingLatency: longestMove + Self.wiperSettle)
    }

    public var lines: [AttenuatorLine] { [.chipSelect, .increment, .upDown] }

    /// Deselected, INC resting low, U/D low.
    public func initialLevel(of line: AttenuatorLine) -> Bool { line == .chipSelect }

    public mutating func moves(toStep step: Int) -> [LineWrite] {
        precondition((0..<Self.tapCount).contains(step), "X9CAttenuator: step \(step) outside 0..<\(Self.tapCount)")
        guard let currentStep else {
            let toBottom = maximumAttenuation()
            return toBottom + moves(toStep: step)
        }
        guard step != currentStep else { return [] }
        self.currentStep = step
        return pulses(abs(step - currentStep), up: step > currentStep)
    }

    public mutating func maximumAttenuation() -> [LineWrite] {
        currentStep = 0
        return pulses(Self.tapCount - 1, up: false)
    }

    private func pulses(_ count: Int, up: Bool) -> [LineWrite] {
        var writes = [
            LineWrite(.upDown, up, holdAfter: Self.directionSetup),
            LineWrite(.chipSelect, false, holdAfter: Self.pulseTime),
        ]
        for _ in 0..<count {
            writes += [
                LineWrite(.increment, true, holdAfter: Self.pulseTime),
                LineWrite(.increment, false, holdAfter: Self.pulseTime),
            ]
        }
        // INC is low here: raising /CS now returns to standby without storing.
        writes.append(LineWrite(.chipSelect, true))
        return writes
    }
}

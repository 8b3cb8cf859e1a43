/// A PGA2311-class volume chip (PGA2310, CS3310 share the code map) on three
/// GPIO lines, bit-banged: `/CS` low, 16 bits MSB first (right channel's byte,
/// then left's) each clocked in on SCLK's rising edge, `/CS` high latches.
///
/// Step N is the chip's code N: gain = 31.5 − 0.5·(255 − N) dB, N = 0 mutes.
/// Both channels get the same code. The code is absolute, so a move is one
/// word whatever the chip held before, and the chip changes gain at once
/// (at the next zero crossing with ZCEN wired high): there is no intermediate
/// setting.
public struct PGA2311Attenuator: AttenuatorDriver {
    /// The chip's ZCEN pin is wired high: gain changes wait for a zero crossing.
    public let zeroCrossing: Bool
    public private(set) var currentStep: Int?

    /// Every serial interface time the datasheet asks for is under 100 ns; a
    /// microsecond covers them with margin and costs 50 µs a word.
    public static let bitTime = Duration.microseconds(1)
    /// Without a zero crossing the chip waits this long, then switches anyway.
    public static let zeroCrossingTimeout = Duration.milliseconds(16)

    public init(zeroCrossing: Bool) {
        self.zeroCrossing = zeroCrossing
    }

    /// Every move is one word; with zero crossing on, the chip may then wait its whole timeout.
    public var steps: AttenuatorSteps {
        let levelsDB = (0...255).map { (code: Int) -> Double in
            code == 0 ? -Double.infinity : 31.5 - 0.5 * Double(255 - code)
        }
        let wordTime = word(right: 0, left: 0).reduce(Duration.zero) { $0 + $1.holdAfter }
        return AttenuatorSteps(levelsDB: levelsDB, switchingLatency: wordTime + (zeroCrossing ? Self.zeroCrossingTimeout : .zero))
    }

    public var lines: [AttenuatorLine] { [.chipSelect, .serialClock, .serialData] }

    /// Deselected, clock low, data low.
    public func initialLevel(of line: AttenuatorLine) -> Bool { line == .chipSelect }

    public mutating func moves(toStep step: Int) -> [LineWrite] {
        precondition((0...255).contains(step), "PGA2311Attenuator: step \(step) outside 0...255")
        guard step != currentStep else { return [] }
        currentStep = step
        return word(right: UInt8(step), left: UInt8(step))
    }

    public mutating func maximumAttenuation() -> [LineWrite] {
        currentStep = 0
        return word(right: 0, left: 0)
    }

    private func word(right: UInt8, left: UInt8) -> [LineWrite] {
        let bits = (UInt16(right) << 8) | UInt16(left)
        var writes = [LineWrite(.chipSelect, false, holdAfter: Self.bitTime)]
        for index in (0..<16).reversed() {
            writes += [
                LineWrite(.serialData, bits & (1 << index) != 0, holdAfter: Self.bitTime),
                LineWrite(.serialClock, true, holdAfter: Self.bitTime),
                LineWrite(.serialClock, false, holdAfter: Self.bitTime),
            ]
        }
        writes.append(LineWrite(.chipSelect, true))
        return writes
    }
}

import AuxChainCore

/// The lines as a chip sees them: levels start at the driver's initial levels,
/// each write changes one, and time moves on by its hold.
struct LineBench {
    private(set) var levels: [AttenuatorLine: Bool]
    private(set) var time = Duration.zero

    init(_ driver: some AttenuatorDriver) {
        levels = Dictionary(uniqueKeysWithValues: driver.lines.map { ($0, driver.initialLevel(of: $0)) })
    }

    subscript(line: AttenuatorLine) -> Bool { levels[line]! }

    /// Applies one write; returns the line's level before it.
    mutating func apply(_ write: LineWrite) -> Bool {
        let before = levels[write.line]!
        levels[write.line] = write.level
        return before
    }

    mutating func wait(_ write: LineWrite) {
        time += write.holdAfter
    }
}

/// A relay ladder as wired: each relay's pad adds its weight while in.
struct RelayLadderModel {
    let stepDB: Double
    let settle: Duration
    private(set) var bench: LineBench
    /// The attenuation after every write, in dB (positive = quieter).
    private(set) var attenuationsDB: [Double] = []
    private(set) var timingFaults: [String] = []
    private var lastPadInAt: Duration?

    init(_ driver: RelayLadderAttenuator) {
        stepDB = driver.stepDB
        settle = driver.settle
        bench = LineBench(driver)
    }

    var attenuationDB: Double {
        bench.levels.reduce(0) { total, entry in
            guard case .relay(let bit) = entry.key, entry.value else { return total }
            return total + stepDB * Double(1 << bit)
        }
    }

    mutating func play(_ writes: [LineWrite]) {
        attenuationsDB = []
        for write in writes {
            let before = bench.apply(write)
            if write.level && !before { lastPadInAt = bench.time }
            // A pad coming out before a slower relay has put its pad in would pass a louder setting.
            if !write.level && before, let lastPadInAt, bench.time - lastPadInAt < settle {
                timingFaults.append("\(write.line) out \(bench.time - lastPadInAt) after a pad went in")
            }
            attenuationsDB.append(attenuationDB)
            bench.wait(write)
        }
    }
}

/// A PGA2311 as its datasheet describes the serial port: SDI shifts in on
/// SCLK's rising edge while /CS is low; /CS rising latches the last 16 bits
/// (right byte first).
struct PGA2311Model {
    private(set) var bench: LineBench
    private(set) var rightCode: UInt8?
    private(set) var leftCode: UInt8?
    private(set) var faults: [String] = []
    private var shift: UInt16 = 0
    private var clocks = 0
    private var selectedAt = Duration.zero
    private var dataChangedAt = Duration.zero

    init(_ driver: PGA2311Attenuator) {
        bench = LineBench(driver)
    }

    mutating func play(_ writes: [LineWrite]) {
        for write in writes {
            let before = bench.apply(write)
            let selected = !bench[.chipSelect]
            switch (write.line, before, write.level) {
            case (.chipSelect, true, false):
                selectedAt = bench.time
                clocks = 0
            case (.chipSelect, false, true):
                if clocks == 16 {
                    rightCode = UInt8(shift >> 8)
                    leftCode = UInt8(shift & 0xFF)
                } else {
                    faults.append("/CS rose after \(clocks) clocks")
                }
            case (.serialData, _, _):
                dataChangedAt = bench.time
            case (.serialClock, false, true) where selected:
                if bench.time - selectedAt < .nanoseconds(80) { faults.append("SCLK rose too soon after /CS fell") }
                if bench.time - dataChangedAt < .nanoseconds(20) { faults.append("SDI changed too close to SCLK rising") }
                shift = (shift << 1) | (bench[.serialData] ? 1 : 0)
                clocks += 1
            default:
                break
            }
            bench.wait(write)
        }
    }
}

/// An X9C as its datasheet's truth table says: with /CS low, INC falling moves
/// the wiper one tap the way U/D says, stopping at the ends; /CS rising with
/// INC high stores the wiper in EEPROM.
struct X9CModel {
    private(set) var bench: LineBench
    private(set) var tap: Int
    private(set) var stores = 0
    private(set) var faults: [String] = []
    private var directionChangedAt = Duration.zero
    private var incrementChangedAt = Duration.zero

    /// - Parameter storedTap: the tap the chip recalled from EEPROM at power-up.
    init(_ driver: X9CAttenuator, storedTap: Int) {
        bench = LineBench(driver)
        tap = storedTap
    }

    mutating func play(_ writes: [LineWrite]) {
        for write in writes {
            let before = bench.apply(write)
            let selected = !bench[.chipSelect]
            switch (write.line, before, write.level) {
            case (.upDown, _, _) where before != write.level:
                directionChangedAt = bench.time
            case (.increment, false, true):
                if selected && bench.time - incrementChangedAt < .microseconds(1) { faults.append("INC low period too short") }
                incrementChangedAt = bench.time
            case (.increment, true, false):
                if selected {
                    if bench.time - incrementChangedAt < .microseconds(1) { faults.append("INC high period too short") }
                    if bench.time - directionChangedAt < .nanoseconds(2900) { faults.append("U/D set too close to INC falling") }
                    tap = min(max(tap + (bench[.upDown] ? 1 : -1), 0), X9CAttenuator.tapCount - 1)
                }
                incrementChangedAt = bench.time
            case (.chipSelect, false, true):
                if bench[.increment] { stores += 1 }
                if bench.time - incrementChangedAt < .microseconds(1) { faults.append("/CS rose too soon after INC changed") }
            default:
                break
            }
            bench.wait(write)
        }
    }
}

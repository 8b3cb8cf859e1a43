import AuxChainCore
import AuxChainDaemon
import GPIO
import Testing

/// The PGA2311 as the wire drives it: while /CS is low, SDI is latched on each rising SCLK edge;
/// /CS rising ends the word (right channel's byte first, MSB first).
struct PGA2311Model {
    struct Word {
        var bitCount: Int
        var right: UInt8
        var left: UInt8
    }

    /// The levels the stage requests the lines at.
    private var levels: [AttenuatorLine: Bool] = [.chipSelect: true, .serialClock: false, .serialData: false]
    private var bits: [Bool]?

    /// The words that `changes`, following those already applied, complete.
    mutating func words(_ changes: [RoleChange]) -> [Word] {
        var words: [Word] = []
        for change in changes {
            let before = levels[change.role]!
            levels[change.role] = change.level
            switch (change.role, before, change.level) {
            case (.chipSelect, true, false):
                bits = []
            case (.chipSelect, false, true):
                let value = bits!.reduce(0) { $0 << 1 | ($1 ? 1 : 0) }
                words.append(Word(bitCount: bits!.count, right: UInt8(truncatingIfNeeded: value >> 8), left: UInt8(truncatingIfNeeded: value)))
                bits = nil
            case (.serialClock, false, true) where levels[.chipSelect] == false:
                bits!.append(levels[.serialData]!)
            default:
                break
            }
        }
        return words
    }
}

/// The X9C as the wire drives it: with /CS low, each falling INC edge moves the wiper one tap the
/// way U/D says (stopping at the ends); /CS rising while INC is high stores the wiper.
struct X9CModel {
    var wiper: Int
    var stores = 0
    var levels: [AttenuatorLine: Bool] = [.chipSelect: true, .increment: false, .upDown: false]

    mutating func apply(_ changes: [RoleChange]) {
        for change in changes {
            let before = levels[change.role]!
            levels[change.role] = change.level
            switch (change.role, before, change.level) {
            case (.increment, true, false) where levels[.chipSelect] == false:
                wiper = min(max(wiper + (levels[.upDown]! ? 1 : -1), 0), X9CAttenuator.tapCount - 1)
            case (.chipSelect, false, true) where levels[.increment] == true:
                stores += 1
            default:
                break
            }
        }
    }
}

@Suite("AttenuatorStage: what each part sees on its pins")
struct AttenuatorStagePartTests {
    @Test("PGA2311: every word decodes to the step's code on both channels", arguments: [AttenuatorRig.pga2311, AttenuatorRig.pga2311ZeroCrossing])
    func pga2311Words(settings: AttenuatorSettings) async throws {
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        var model = PGA2311Model()
        let start = model.words(chip.outputChanges.roleChanges(in: settings))
        #expect(start.map(\.bitCount) == [16] && start.map(\.right) == [0] && start.map(\.left) == [0])

        var recorder = MoveRecorder(chip: chip)
        for levelDB in [0.0, -31.5, -0.5, 31.5, -.infinity, -95.5] {
            try await stage.moveTo(levelDB: levelDB)
            let words = model.words(recorder.take().roleChanges(in: settings))
            let expected = levelDB == -.infinity ? 0 : 255 - Int((31.5 - levelDB) / 0.5)
            try #require(words.count == 1, "one word for \(levelDB) dB")
            #expect(words[0].bitCount == 16)
            #expect(Int(words[0].right) == expected && Int(words[0].left) == expected, "\(levelDB) dB: \(words[0])")
        }
    }

    @Test("X9C: the wiper reaches each step from whatever tap it woke at, and nothing is ever stored", arguments: [0, 57, 99])
    func x9cWiper(storedTap: Int) async throws {
        let settings = AttenuatorRig.x9c
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        var model = X9CModel(wiper: storedTap)
        var recorder = MoveRecorder(chip: chip)
        model.apply(chip.outputChanges.roleChanges(in: settings))
        #expect(model.wiper == 0)

        for step in [40, 99, 98, 10, 0, 63] {
            try await stage.moveTo(step: step)
            model.apply(recorder.take().roleChanges(in: settings))
            #expect(model.wiper == step)
        }
        await stage.shutDown()
        model.apply(recorder.take().roleChanges(in: settings))
        #expect(model.wiper == 0)
        #expect(model.stores == 0)
    }

    /// Before the daemon requests them, the pins sit wherever the Pi's reset pulls left them
    /// (BCM 0-8 pull up, the rest down), so /CS may idle low with INC high.
    @Test("X9C: requesting the lines stores nothing, whatever levels the pins idled at", arguments: 0..<8)
    func x9cRequestStoresNothing(idle: Int) async throws {
        let settings = AttenuatorRig.x9c
        let chip = AttenuatorRig.chip()
        _ = try await AttenuatorRig.stage(settings, on: chip)
        var model = X9CModel(wiper: 50)
        model.levels = [.chipSelect: idle & 1 != 0, .increment: idle & 2 != 0, .upDown: idle & 4 != 0]
        model.apply(chip.outputChanges.roleChanges(in: settings))
        #expect(model.stores == 0)
        #expect(model.wiper == 0)
    }

    @Test("X9C: /CS never rises while INC is high")
    func x9cChipSelectRisesWithIncrementLow() async throws {
        let settings = AttenuatorRig.x9c
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        for step in [99, 0, 50, 51, 49] { try await stage.moveTo(step: step) }
        await stage.shutDown()

        var incrementHigh = false
        var chipSelectRises = 0
        for change in chip.outputChanges.roleChanges(in: settings) {
            switch (change.role, change.level) {
            case (.increment, let level): incrementHigh = level
            case (.chipSelect, true):
                chipSelectRises += 1
                #expect(!incrementHigh)
            default: break
            }
        }
        // The requests, the start, five moves and the stop.
        #expect(chipSelectRises == 8)
    }

    /// A relay ladder's attenuation with `padsIn` (bit i: relay i's pad is in).
    static func relayLevelDB(padsIn: Int) -> Double { -Double(padsIn) }

    /// Moves that need both phases, one phase, and back to back: in only, then out only at once.
    static let relaySteps = [40, 10, 11, 63, 0, 60, 28, 31, 32, 0]

    @Test("relay ladder: no state on the wire is louder than both ends of its move")
    func relayLadderNeverLouderOnTheWire() async throws {
        let settings = AttenuatorRig.relayLadder
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        let driver = settings.makeDriver()!
        var padsIn = (1 << AttenuatorRig.relayOffsets.count) - 1
        var recorder = MoveRecorder(chip: chip)
        var step = 0

        for target in Self.relaySteps {
            try await stage.moveTo(step: target)
            let bound = max(driver.steps.levelsDB[step], driver.steps.levelsDB[target])
            for change in recorder.take().roleChanges(in: settings) {
                guard case .relay(let bit) = change.role else { continue }
                padsIn = change.level ? padsIn | 1 << bit : padsIn & ~(1 << bit)
                #expect(Self.relayLevelDB(padsIn: padsIn) <= bound, "\(change) moving from step \(step) to \(target)")
            }
            #expect(Self.relayLevelDB(padsIn: padsIn) == driver.steps.levelsDB[target])
            step = target
        }
    }

    @Test("relay ladder on an active-low board: a pad goes in when its line goes low, so stop leaves every line low")
    func activeLowRelayLadder() async throws {
        let settings = AttenuatorSettings.relayLadder(
            lines: AttenuatorRig.relayOffsets.map(LineReference.offset), stepDB: 1, settle: AttenuatorRig.relaySettle, activeLow: true)
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        let offsets = AttenuatorRig.relayOffsets.map { LineOffset(rawValue: UInt32($0)) }
        #expect(offsets.allSatisfy { chip.level(of: $0) == .low }, "requested with every pad in: every line low")
        try await stage.moveTo(levelDB: 0)
        #expect(offsets.allSatisfy { chip.level(of: $0) == .high }, "0 dB: every pad out, every line high")
        try await stage.moveTo(levelDB: -5)
        #expect(offsets.map { chip.level(of: $0) } == [.low, .high, .low, .high, .high, .high], "-5 dB: the 1 and 4 dB pads in")
        await stage.shutDown()
        #expect(offsets.allSatisfy { chip.level(of: $0) == .low }, "maximum attenuation at stop")
    }

    /// Relays do not move at once: a pad may take up to `settle` to be in after its relay is told,
    /// and may be out as soon as it is told. So the pads surely in are those told in at least
    /// `settle` before, and the ladder can only get louder when a relay is told out: at each such
    /// moment, the ladder with only the pads surely in must be no louder than both ends of the move.
    @Test("relay ladder: even with relays as slow as their settle time, never louder than both ends of a move")
    func relayLadderNeverLouderWithSlowRelays() async throws {
        let settings = AttenuatorRig.relayLadder
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        let driver = settings.makeDriver()!
        let settle = AttenuatorRig.relaySettle
        // When each relay was last told in; nil while it is told out.
        var toldInAt = [Duration?](repeating: nil, count: AttenuatorRig.relayOffsets.count)
        func follow(_ change: OutputChange) -> (bit: Int, surelyIn: Int) {
            guard case .relay(let bit) = AttenuatorRig.role(of: change.offset, in: settings) else {
                preconditionFailure("a relay ladder has only relays")
            }
            toldInAt[bit] = change.level == .high ? change.time : nil
            let surelyIn = toldInAt.indices.filter { toldInAt[$0].map { $0 + settle <= change.time } ?? false }
            return (bit, surelyIn.reduce(0) { $0 | 1 << $1 })
        }
        for change in chip.outputChanges { _ = follow(change) }
        #expect(toldInAt.allSatisfy { $0 != nil })
        var recorder = MoveRecorder(chip: chip)
        var step = 0
        var outs = 0

        for target in Self.relaySteps {
            try await stage.moveTo(step: target)
            let bound = max(driver.steps.levelsDB[step], driver.steps.levelsDB[target])
            for change in recorder.take() {
                let (bit, surelyIn) = follow(change)
                guard change.level == .low else { continue }
                outs += 1
                #expect(Self.relayLevelDB(padsIn: surelyIn) <= bound, "relay \(bit) told out moving from step \(step) to \(target)")
            }
            step = target
        }
        #expect(outs > 0)
    }
}

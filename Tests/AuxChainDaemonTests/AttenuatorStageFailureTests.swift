import AuxChainCore
import AuxChainDaemon
import GPIO
import Synchronization
import Testing

/// A simulated chip whose device can go away under its output lines: once unplugged, every write
/// fails with ENODEV, as the kernel's character device does after the chip is removed.
final class UnpluggableChip: GPIOChip {
    let simulated: SimulatedChip
    private let unplugged = Atomic(false)
    /// Writes that succeed before the chip goes away on its own; nil for never.
    private let writesLeft: Mutex<Int?>

    init(_ simulated: SimulatedChip, failAfterWrites: Int? = nil) {
        self.simulated = simulated
        writesLeft = Mutex(failAfterWrites)
    }

    var info: ChipInfo { simulated.info }

    func plugBackIn() { unplugged.store(false, ordering: .relaxed) }

    func lineInfo(_ offset: LineOffset) throws(GPIOError) -> LineInfo { try simulated.lineInfo(offset) }

    func offset(of line: LineSelector) throws(GPIOError) -> LineOffset { try simulated.offset(of: line) }

    func requestOutput(_ line: LineSelector, _ config: OutputLineConfig) throws(GPIOError) -> any OutputLine {
        Line(chip: self, line: try simulated.requestOutput(line, config))
    }

    func requestInput(_ line: LineSelector, _ config: InputLineConfig) throws(GPIOError) -> any InputLine {
        try simulated.requestInput(line, config)
    }

    fileprivate func writeAllowed() -> Bool {
        let goesAway = writesLeft.withLock { left -> Bool in
            guard let remaining = left else { return false }
            left = remaining > 0 ? remaining - 1 : nil
            return remaining == 0
        }
        if goesAway { unplugged.store(true, ordering: .relaxed) }
        return !unplugged.load(ordering: .relaxed)
    }

    private final class Line: OutputLine {
        let chip: UnpluggableChip
        let line: any OutputLine

        init(chip: UnpluggableChip, line: any OutputLine) {
            self.chip = chip
            self.line = line
        }

        var offset: LineOffset { line.offset }
        var value: LineValue { line.value }

        func set(_ value: LineValue) throws(GPIOError) {
            guard chip.writeAllowed() else {
                throw GPIOError(.system(.noSuchDevice), operation: .setValue, chip: chip.info.description, line: .offset(offset))
            }
            try line.set(value)
        }

        func release() { line.release() }
    }
}

@Suite("AttenuatorStage: failures")
struct AttenuatorStageFailureTests {
    @Test("a failed write names the config key and the line, and is logged with gpio.line")
    func failedWrite() async throws {
        let settings = AttenuatorRig.x9c
        let log = CapturedLog()
        // The start takes 201 writes (99 pulses down); the move to 40 then fails at its fourth
        // write, INC's fall, leaving INC high with /CS low.
        let chip = UnpluggableChip(AttenuatorRig.chip(), failAfterWrites: 201 + 3)
        let stage = try await AttenuatorRig.stage(settings, on: chip, logger: log.logger)

        await #expect {
            try await stage.moveTo(step: 40)
        } throws: { error in
            guard case .write(let key, let line, let gpioError) = error as? AttenuatorStageError else { return false }
            return key == "attenuator.inc" && line == .offset(6) && gpioError.reason == .system(.noSuchDevice)
                && "\(error)".contains("(attenuator.inc = 6)")
        }
        let logged = try #require(log.entries.first { $0.level == .error })
        #expect(logged.metadata["gpio.line"] == "6")
        #expect(logged.message.contains("attenuator.inc"))
        #expect(await stage.currentLevelDB == nil)
    }

    @Test("after a failed write the next move is the driver's move from an unknown step", arguments: AttenuatorRig.allKinds)
    func recoversThroughMaximumAttenuation(settings: AttenuatorSettings) async throws {
        let simulated = AttenuatorRig.chip()
        var reference = settings.makeDriver()!
        let startWrites = reference.maximumAttenuation().count
        // The move's second write fails.
        let chip = UnpluggableChip(simulated, failAfterWrites: startWrites + 1)
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        let target = reference.steps.levelsDB.count * 2 / 3
        await #expect(throws: AttenuatorStageError.self) { try await stage.moveTo(step: target) }

        chip.plugBackIn()
        var wire = WireModel(levels: Dictionary(uniqueKeysWithValues: reference.lines.map { role in
            (role, simulated.level(of: LineOffset(UInt32(AttenuatorRig.offset(of: role, in: settings)))) == .high)
        }))
        var recorder = MoveRecorder(chip: simulated)
        try await stage.moveTo(step: target)

        var fresh = settings.makeDriver()!
        let expected = wire.changes(fresh.moves(toStep: target)).map(\.change)
        #expect(recorder.take().roleChanges(in: settings) == expected)
        #expect(await stage.currentLevelDB == reference.steps.levelsDB[target])
    }

    @Test("X9C: a move cut off with INC high stores nothing, and the next one lands on its tap")
    func x9cRecovers() async throws {
        let settings = AttenuatorRig.x9c
        let simulated = AttenuatorRig.chip()
        let chip = UnpluggableChip(simulated, failAfterWrites: 201 + 3)
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        _ = try? await stage.moveTo(step: 40)
        chip.plugBackIn()
        try await stage.moveTo(step: 40)
        await stage.shutDown()

        var model = X9CModel(wiper: 75)
        var wiperAt40 = false
        for change in simulated.outputChanges.roleChanges(in: settings) {
            model.apply([change])
            if change.role == .chipSelect, change.level, model.wiper == 40 { wiperAt40 = true }
        }
        #expect(wiperAt40)
        #expect(model.wiper == 0)
        #expect(model.stores == 0)
    }
}

import AuxChainCore
import AuxChainDaemon
import GPIO
import Testing

@Suite("AttenuatorStage: lines, sequences and holds")
struct AttenuatorStageTests {
    /// Levels to visit for each kind, from its own table: up, down, one step, and back to the top.
    static func levels(_ settings: AttenuatorSettings) -> [Double] {
        let levelsDB = settings.makeDriver()!.steps.levelsDB
        let count = levelsDB.count
        return [count * 2 / 3, count / 4, count / 4 + 1, count - 1, 0, count / 2].map { levelsDB[$0] }
    }

    @Test("requests every line at the part's safe level, then plays maximum attenuation", arguments: AttenuatorRig.allKinds)
    func startsSafe(settings: AttenuatorSettings) async throws {
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        var reference = settings.makeDriver()!
        let lineCount = reference.lines.count

        let recorded = chip.outputChanges.roleChanges(in: settings)
        let requests = Array(recorded.prefix(lineCount))
        // Chip select is requested last, once the lines it qualifies sit at their idle levels.
        let requestOrder = reference.lines.filter { $0 != .chipSelect } + reference.lines.filter { $0 == .chipSelect }
        #expect(requests == requestOrder.map { RoleChange(role: $0, level: reference.initialLevel(of: $0)) })
        var wire = WireModel(reference)
        #expect(Array(recorded.dropFirst(lineCount)) == wire.changes(reference.maximumAttenuation()).map(\.change))
        #expect(await stage.currentLevelDB == reference.steps.levelsDB[0])

        for role in reference.lines {
            let info = try chip.lineInfo(LineOffset(UInt32(AttenuatorRig.offset(of: role, in: settings))))
            #expect(info.isUsed && info.direction == .output && info.consumer == "auxchain attenuator \(role)")
        }
    }

    @Test("plays exactly the driver's line changes for a series of volume changes", arguments: AttenuatorRig.allKinds)
    func playsTheDriversSequence(settings: AttenuatorSettings) async throws {
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        var reference = settings.makeDriver()!
        var wire = WireModel(reference)
        _ = wire.changes(reference.maximumAttenuation())
        var recorder = MoveRecorder(chip: chip)

        for levelDB in Self.levels(settings) {
            try await stage.moveTo(levelDB: levelDB)
            let expected = wire.changes(reference.moves(toStep: reference.step(atLevelDB: levelDB)!))
            #expect(recorder.take().roleChanges(in: settings) == expected.map(\.change), "moving to \(levelDB) dB")
            #expect(await stage.currentLevelDB == levelDB)
        }
        // The same level again writes nothing.
        let last = Self.levels(settings).last!
        try await stage.moveTo(levelDB: last)
        #expect(recorder.take().isEmpty)
    }

    @Test("keeps every write's hold before the next write", arguments: AttenuatorRig.allKinds)
    func keepsHolds(settings: AttenuatorSettings) async throws {
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        var reference = settings.makeDriver()!
        var wire = WireModel(reference)
        _ = wire.changes(reference.maximumAttenuation())
        var recorder = MoveRecorder(chip: chip)

        for levelDB in Self.levels(settings) {
            let elapsed = try await stage.moveTo(levelDB: levelDB)
            let writes = reference.moves(toStep: reference.step(atLevelDB: levelDB)!)
            let expected = wire.changes(writes)
            let recorded = recorder.take()
            try #require(recorded.count == expected.count)
            for index in recorded.indices.dropFirst() {
                let gap = recorded[index].time - recorded[index - 1].time
                let hold = expected[index].earliest - expected[index - 1].earliest
                #expect(gap >= hold, "change \(index) (\(expected[index].change)) of the move to \(levelDB) dB")
            }
            let holds = writes.reduce(Duration.zero) { $0 + $1.holdAfter }
            #expect(elapsed >= holds)
        }
    }

    @Test("moves from several tasks at once are played one whole move at a time")
    func serializesMoves() async throws {
        let settings = AttenuatorRig.pga2311
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        var model = PGA2311Model()
        _ = model.words(chip.outputChanges.roleChanges(in: settings))
        var recorder = MoveRecorder(chip: chip)
        let steps = Array(stride(from: 5, through: 250, by: 7))

        await withTaskGroup(of: Void.self) { group in
            for step in steps {
                group.addTask { _ = try? await stage.moveTo(step: step) }
            }
        }

        let words = model.words(recorder.take().roleChanges(in: settings))
        // Each move is one whole word (every word 16 bits, both channels alike); in some order.
        #expect(words.count == steps.count)
        #expect(words.allSatisfy { $0.bitCount == 16 && $0.right == $0.left })
        #expect(Set(words.map { Int($0.left) }) == Set(steps))
        #expect(await stage.currentLevelDB == settings.makeDriver()!.steps.levelsDB[Int(words.last!.left)])
    }

    @Test("lines given by name are found on the chip")
    func linesByName() async throws {
        let settings = AttenuatorSettings.x9c(chipSelect: .name("GPIO5"), increment: .name("GPIO6"), upDown: .name("GPIO13"))
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        try await stage.moveTo(step: 30)
        #expect(Set(chip.outputChanges.map(\.offset)) == [5, 6, 13])
    }

    @Test("kind none has no stage")
    func noneHasNoStage() async throws {
        let stage = try await AttenuatorStage(settings: .none, chip: AttenuatorRig.chip(), logger: silentLogger)
        #expect(stage == nil)
    }

    @Test("a line another holder has names the config key and the fix")
    func busyLine() async throws {
        let chip = AttenuatorRig.chip()
        let holder = try chip.requestInput(.offset(11), InputLineConfig(consumer: "someone else"))
        defer { holder.release() }
        do {
            _ = try await AttenuatorStage(settings: AttenuatorRig.pga2311, chip: chip, logger: silentLogger)
            Issue.record("the stage was made on a busy line")
        } catch {
            let text = "\(error)"
            #expect(text.contains("attenuator.sclk = 11"))
            #expect(text.contains("in use by 'someone else'"))
            #expect(text.contains("choose another line"))
        }
        // The lines requested before the busy one are given back.
        #expect(try !chip.lineInfo(8).isUsed)
    }

    @Test("shutting down leaves maximum attenuation and releases the lines", arguments: AttenuatorRig.allKinds)
    func shutsDown(settings: AttenuatorSettings) async throws {
        let chip = AttenuatorRig.chip()
        let stage = try await AttenuatorRig.stage(settings, on: chip)
        var reference = settings.makeDriver()!
        var wire = WireModel(reference)
        _ = wire.changes(reference.maximumAttenuation())
        let loud = reference.steps.levelsDB.count - 1
        try await stage.moveTo(step: loud)
        _ = wire.changes(reference.moves(toStep: loud))
        var recorder = MoveRecorder(chip: chip)

        await stage.shutDown()

        #expect(recorder.take().roleChanges(in: settings) == wire.changes(reference.maximumAttenuation()).map(\.change))
        for role in reference.lines {
            #expect(try !chip.lineInfo(LineOffset(UInt32(AttenuatorRig.offset(of: role, in: settings)))).isUsed)
        }
        await #expect(throws: AttenuatorStageError.self) { try await stage.moveTo(step: 1) }
    }
}

extension AttenuatorRig {
    static func offset(of role: AttenuatorLine, in settings: AttenuatorSettings) -> Int {
        guard case .offset(let offset) = settings.lineReference(for: role) else {
            preconditionFailure("the rig gives lines by offset")
        }
        return offset
    }
}

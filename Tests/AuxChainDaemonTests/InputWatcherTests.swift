import AuxChainCore
import AuxChainDaemon
import GPIO
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The sample config's inputs on a simulated chip with a hand-moved clock: an opto-isolated
/// trigger and two buttons, all active-low with pull-ups, so an idle line reads high.
struct InputRig {
    static let triggerLine: LineOffset = 27
    static let powerButtonLine: LineOffset = 22
    static let volumeUpLine: LineOffset = 23
    static let buttonDebounce = Duration.milliseconds(30)

    let clock = SimulatedClock()
    let chip: SimulatedChip
    let delivered = DeliveredInputs()
    let log = CapturedLog()

    init() {
        chip = SimulatedChip(label: "pinctrl-bcm2711", lineNames: (0..<28).map { "GPIO\($0)" }, clock: clock)
    }

    static var settings: InputSettings {
        var settings = InputSettings()
        settings.trigger = InputLineSettings(line: .offset(27), activeLow: true, bias: .pullUp, debounce: .milliseconds(10))
        settings.buttons = [
            ButtonSettings(action: .powerToggle, input: InputLineSettings(line: .offset(22), activeLow: true, bias: .pullUp, debounce: buttonDebounce)),
            ButtonSettings(action: .volumeUp, input: InputLineSettings(line: .name("GPIO23"), activeLow: true, bias: .pullUp, debounce: buttonDebounce)),
        ]
        return settings
    }

    func watcher(_ settings: InputSettings = Self.settings) throws -> InputWatcher {
        let delivered = delivered
        return try InputWatcher(settings: settings, chip: chip, logger: log.logger) { delivered.append($0) }
    }

    /// A press as a real button makes it: contact bounce going down, held, bounce coming up.
    func press(_ line: LineOffset) {
        for bounce in [Duration.milliseconds(1), .microseconds(300), .milliseconds(2), .microseconds(500)] {
            chip.drive(line: line, to: .low)
            clock.advance(by: bounce)
            chip.drive(line: line, to: .high)
            clock.advance(by: bounce / 2)
        }
        chip.drive(line: line, to: .low)
        clock.advance(by: .milliseconds(120))
        for bounce in [Duration.microseconds(700), .milliseconds(1)] {
            chip.drive(line: line, to: .high)
            clock.advance(by: bounce)
            chip.drive(line: line, to: .low)
            clock.advance(by: bounce)
        }
        chip.drive(line: line, to: .high)
        clock.advance(by: .milliseconds(100))
    }

    /// Runs `watcher` in a service group, does `body`, then shuts the group down gracefully.
    func running(_ watcher: InputWatcher, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: [watcher], logger: silentLogger)
        let run = Task { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await run.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await run.value
    }
}

/// What the watcher's handler was given.
final class DeliveredInputs: Sendable {
    private let storage = Mutex<[InputEvent]>([])

    var events: [InputEvent] { storage.withLock { $0 } }

    func append(_ event: InputEvent) { storage.withLock { $0.append(event) } }

    /// Waits until `count` events have come; then waits a little longer, so that one too many
    /// would show.
    func waitFor(_ count: Int) async throws -> [InputEvent] {
        let deadline = ContinuousClock.now + .seconds(5)
        while events.count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        try await Task.sleep(for: .milliseconds(100))
        return events
    }
}

@Suite("InputWatcher")
struct InputWatcherTests {
    @Test("a bouncing button gives exactly one action per press")
    func oneActionPerPress() async throws {
        let rig = InputRig()
        let watcher = try rig.watcher()
        try await rig.running(watcher) {
            for _ in 0..<3 { rig.press(InputRig.powerButtonLine) }
            rig.press(InputRig.volumeUpLine)
            let events = try await rig.delivered.waitFor(5)
            // Lines are read side by side: their events keep each line's order, not the order across lines.
            #expect(events.first == .triggerLow)
            #expect(events.filter { $0 == .buttonPressed(.powerToggle) }.count == 3)
            #expect(events.filter { $0 == .buttonPressed(.volumeUp) }.count == 1)
            #expect(events.count == 5)
        }
    }

    @Test("a bounce shorter than the debounce period is no press")
    func glitchIsNoPress() async throws {
        let rig = InputRig()
        try await rig.running(try rig.watcher()) {
            rig.chip.drive(line: InputRig.powerButtonLine, to: .low)
            rig.clock.advance(by: InputRig.buttonDebounce / 2)
            rig.chip.drive(line: InputRig.powerButtonLine, to: .high)
            rig.clock.advance(by: .milliseconds(200))
            rig.press(InputRig.volumeUpLine)
            let events = try await rig.delivered.waitFor(2)
            #expect(events == [.triggerLow, .buttonPressed(.volumeUp)])
        }
    }

    @Test("the trigger's level at start comes first, then each change: active is high")
    func triggerLevels() async throws {
        let rig = InputRig()
        // The opto-isolator already pulls the line low: 12 V is present at start.
        rig.chip.drive(line: InputRig.triggerLine, to: .low)
        try await rig.running(try rig.watcher()) {
            rig.chip.drive(line: InputRig.triggerLine, to: .high)
            rig.clock.advance(by: .milliseconds(50))
            rig.chip.drive(line: InputRig.triggerLine, to: .low)
            rig.clock.advance(by: .milliseconds(50))
            let events = try await rig.delivered.waitFor(3)
            #expect(events == [.triggerHigh, .triggerLow, .triggerHigh])
        }
        #expect(rig.delivered.events.map(\.powerEvent) == [.triggerHigh, .triggerLow, .triggerHigh])
    }

    @Test("graceful shutdown releases every line")
    func releasesLines() async throws {
        let rig = InputRig()
        let lines = [InputRig.triggerLine, InputRig.powerButtonLine, InputRig.volumeUpLine]
        let watcher = try rig.watcher()
        for line in lines {
            let info = try rig.chip.lineInfo(line)
            #expect(info.isUsed && info.direction == .input && info.isActiveLow && info.bias == .pullUp)
        }
        #expect(try rig.chip.lineInfo(InputRig.powerButtonLine).consumer == "auxchain button power-toggle")
        try await rig.running(watcher) {
            _ = try await rig.delivered.waitFor(1)
        }
        for line in lines {
            #expect(try !rig.chip.lineInfo(line).isUsed)
        }
    }

    @Test("each press is logged at info with its gpio.line")
    func logsPresses() async throws {
        let rig = InputRig()
        try await rig.running(try rig.watcher()) {
            rig.press(InputRig.volumeUpLine)
            _ = try await rig.delivered.waitFor(2)
        }
        let presses = rig.log.entries.filter { $0.message.contains("button pressed") }
        #expect(presses.count == 1)
        #expect(presses.first?.level == .info)
        #expect(presses.first?.metadata["gpio.line"] == "23")
        #expect(presses.first?.message.contains("volume-up") == true)
    }

    @Test("a line another holder has names the config key and the fix")
    func busyLine() throws {
        let rig = InputRig()
        let holder = try rig.chip.requestOutput(.offset(22), OutputLineConfig(consumer: "someone else", initialValue: .inactive))
        defer { holder.release() }
        #expect {
            _ = try rig.watcher()
        } throws: { error in
            let text = "\(error)"
            return text.contains("inputs.buttons[0].line = 22") && text.contains("in use by 'someone else'")
                && text.contains("choose another line")
        }
        // The trigger, requested before the busy line, is given back.
        #expect(try !rig.chip.lineInfo(InputRig.triggerLine).isUsed)
    }

    @Test("buttons map to the power sequencer's toggle or to nothing")
    func powerEvents() {
        #expect(InputEvent.buttonPressed(.powerToggle).powerEvent == .toggle)
        #expect(ButtonAction.allCases.filter { InputEvent.buttonPressed($0).powerEvent != nil } == [.powerToggle])
    }
}

import AuxChainCore
import AuxChainDSP
import Foundation
import GPIO
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import AuxChainDaemon

/// The controller with real GPIO code on the simulated chip: the attenuator stage and the
/// relay as the daemon wires them, with no audio thread (its atomics stand in).
/// A config whose speaker power follows at once: no warm-up, no minimum on or off time, the
/// relay on line 17 (active-low), the volume starting where it was left.
func promptPowerConfig(mode: PowerMode) -> AuxChainConfig {
    var config = AuxChainConfig()
    config.gpio.board = .pi4
    config.power.mode = mode
    config.power.settle = .zero
    config.power.minimumOn = .zero
    config.power.minimumOff = .zero
    config.power.relay = OutputLineSettings(line: .offset(17), activeLow: true)
    config.volume.safeStartPercent = 100
    return config
}

@Suite struct ControllerHardwareTests {
    private let logger = Logger(label: "controller-test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func config() -> AuxChainConfig {
        var config = promptPowerConfig(mode: .on)
        config.volume.ramp = .milliseconds(5)
        config.attenuator = .relayLadder(lines: [5, 6, 12, 13, 16, 26].map { .offset($0) }, stepDB: 1, settle: .milliseconds(2))
        config.inputs.buttons = [ButtonSettings(action: .powerToggle, input: InputLineSettings(line: .offset(22), activeLow: true, bias: .pullUp, debounce: .zero))]
        config.audio.periodFrames = 64
        config.audio.prefillPeriods = 1
        return config
    }

    private func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("condition not met in 5 s")
    }

    @Test func aVolumeChangeSplitsIntoALadderStepAndADigitalResidualWithTheRightTotal() async throws {
        let chip = SimulatedChip(lineCount: 28)
        let config = config()
        let controls = EngineControls()
        let relay = try GPIOSetup.requestRelay(config.power.relay!, on: chip)
        let stage = try #require(try await AttenuatorStage(settings: config.attenuator, chip: chip, logger: logger))
        #expect(await stage.currentLevelDB == -63, "the ladder starts at maximum attenuation")
        let controller = Controller(config: config, saved: nil, store: nil, controls: controls, relay: relay, attenuator: stage, logger: logger)
        await controller.start()

        for targetDB in [-20.5, -7.25, -40.0] {
            _ = await controller.handle(.volume(.gainDB(targetDB)), client: ClientInfo(id: 1, credentials: PeerCredentials(processID: 1, userID: 0, groupID: 0)))
            try await waitUntil {
                await controller.poll()
                guard let hardwareDB = await stage.currentLevelDB else { return false }
                let totalDB = hardwareDB + Double(Decibels.gainDB(fromLinear: controls.digitalGain))
                // Quieter moves reach the new total on the old step first, then swap: wait for the swap.
                return abs(totalDB - targetDB) < 0.01 && hardwareDB == targetDB.rounded(.up)
            }
            // The ladder takes the whole-dB step at or above the target; the digital stage only attenuates.
            let hardwareDB = try #require(await stage.currentLevelDB)
            #expect(hardwareDB == (targetDB).rounded(.up))
            #expect(controls.digitalGain <= 1)
        }
        await controller.shutDown()
        #expect(await stage.currentLevelDB == -63, "stop leaves the ladder at maximum attenuation")
        #expect(chip.level(of: 17) == .high, "relay off (active-low) after stop")
    }

    @Test func aPowerButtonPressTogglesTheRelay() async throws {
        let chip = SimulatedChip(lineCount: 28)
        var config = config()
        config.attenuator = .none
        let controls = EngineControls()
        let relay = try GPIOSetup.requestRelay(config.power.relay!, on: chip)
        let controller = Controller(config: config, saved: nil, store: nil, controls: controls, relay: relay, logger: logger)
        await controller.start()
        try await waitUntil {
            await controller.poll()
            return await controller.isRelayOn
        }
        chip.drive(line: 22, to: .high)
        let watcher = try InputWatcher(settings: config.inputs, chip: chip, logger: logger) { event in
            if case .buttonPressed(let action) = event { await controller.handle(action) }
        }
        let group = ServiceGroup(services: [watcher], logger: logger)
        let running = Task { try await group.run() }

        chip.drive(line: 22, to: .low)  // pressed: active-low
        try await waitUntil {
            await controller.poll()
            // Manual off: ramp down (reported by the audio thread's atomics), then the relay drops.
            return await !controller.isRelayOn
        }
        #expect(await controller.powerStatus.mode == .off)
        #expect(chip.level(of: 17) == .high)
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

@Suite struct ControllerStartOrderTests {
    @Test func anInputEventBeforeTheControllerServiceStartsIsHandled() async throws {
        let controls = EngineControls()
        var config = AuxChainConfig()
        config.power.mode = .auto
        let controller = Controller(
            config: config, saved: nil, store: nil, controls: controls, relay: nil,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        // The input watcher reports the trigger's level at once; services start in any order.
        await controller.handle(PowerEvent.triggerLow)
        await controller.start()
        #expect(await controller.powerStatus.mode == .auto)
    }
}

/// The audio thread as the controller sees it, on a thread of its own: every millisecond a
/// "period" that takes the gain command (a jump at once, a ramp target at once too: faster than
/// the real chain, so the harder case) and reports it, stamped on the GPIO clock. What it sets is
/// heard `latency` later.
final class StandInAudioThread: @unchecked Sendable {
    let controls: EngineControls
    let latency = Duration.milliseconds(2)
    private let clock = MonotonicGPIOClock()
    private let gains = Mutex<[(time: Duration, gain: Float)]>([])
    private let stopped = Atomic<Bool>(false)
    private var thread: Thread?

    init(controls: EngineControls) {
        self.controls = controls
        controls.setRunning(true, latencyFrames: 96)  // 2 ms at 48 kHz
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let gain = controls.currentGainCommand.gain
                gains.withLock { $0.append((clock.now, gain)) }
                controls.publish(appliedGain: gain, signal: false, clipped: 0, backlog: 0)
                controls.countPeriod(frames: 48)
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        self.thread = thread
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// The digital gain heard at `time`, in dB.
    func heardDigitalDB(at time: Duration) -> Double {
        let set = gains.withLock { $0.last { $0.time <= time - latency }?.gain } ?? 0
        return Double(Decibels.gainDB(fromLinear: set))
    }
}

@Suite struct ControllerHardwareSwapTests {
    private let logger = Logger(label: "controller-test", factory: { _ in SwiftLogNoOpLogHandler() })
    static let ladderLines: [UInt32] = [5, 6, 12, 13, 16, 26]
    static let settle = Duration.milliseconds(3)

    /// The ladder's gain at `time`, pessimistically: a pad taken out is gone the moment its line
    /// is written, a pad put in counts only once its relay has had `settle` to close.
    static func ladderDB(at time: Duration, changes: [OutputChange]) -> Double {
        var attenuation = 0.0
        for (bit, offset) in ladderLines.enumerated() {
            let writes = changes.filter { $0.offset.rawValue == offset }
            let padIn = writes.last { change in
                change.value == .active ? change.time + settle <= time : change.time <= time
            }?.value == .active
            if padIn { attenuation += Double(1 << bit) }
        }
        return -attenuation
    }

    @Test func acrossLadderStepsTheTotalIsNeverLouderThanTheLouderEnd() async throws {
        let chip = SimulatedChip(lineCount: 28)
        var config = promptPowerConfig(mode: .on)
        config.volume.ramp = .milliseconds(5)
        config.attenuator = .relayLadder(lines: Self.ladderLines.map { .offset(Int($0)) }, stepDB: 1, settle: Self.settle)
        config.audio.periodFrames = 48
        config.audio.prefillPeriods = 2
        let controls = EngineControls()
        let audio = StandInAudioThread(controls: controls)
        defer { audio.stop() }
        let stage = try #require(try await AttenuatorStage(settings: config.attenuator, chip: chip, logger: logger))
        let controller = Controller(config: config, saved: nil, store: nil, controls: controls, relay: nil, attenuator: stage, logger: logger)
        await controller.start()
        let client = ClientInfo(id: 1, credentials: PeerCredentials(processID: 1, userID: 0, groupID: 0))
        let clock = MonotonicGPIOClock()

        // The speaker on and at the start level (0 dB: the ladder open, the digital stage at unity).
        let poweredUp = ContinuousClock.now + .seconds(5)
        while await controller.powerStatus.state != .on || audio.heardDigitalDB(at: clock.now) != 0, ContinuousClock.now < poweredUp {
            try await Task.sleep(for: .milliseconds(5))
            await controller.poll()
        }
        try #require(await controller.powerStatus.state == .on)

        // Louder and quieter moves, across one step and many, with residuals on both sides.
        var previousDB = 0.0
        for targetDB in [-20.5, -7.25, -40.0, -39.2, -40.9, -3.0, -3.5] {
            let startedAt = clock.now
            _ = await controller.handle(.volume(.gainDB(targetDB)), client: client)
            let deadline = ContinuousClock.now + .seconds(5)
            var settled = false
            while !settled, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
                await controller.poll()
                let now = clock.now
                settled = abs(Self.ladderDB(at: now, changes: chip.outputChanges) + audio.heardDigitalDB(at: now) - targetDB) < 0.01
            }
            try #require(settled, "\(targetDB) dB was never reached")
            try await Task.sleep(for: .milliseconds(20))
            let endedAt = clock.now

            let louderEnd = max(previousDB, targetDB)
            let changes = chip.outputChanges
            var time = startedAt
            var loudest = -Double.infinity
            while time <= endedAt {
                loudest = max(loudest, Self.ladderDB(at: time, changes: changes) + audio.heardDigitalDB(at: time))
                time += .microseconds(100)
            }
            #expect(loudest <= louderEnd + 0.01, "\(previousDB) → \(targetDB) dB reached \(loudest) dB")
            previousDB = targetDB
        }
        await controller.shutDown()
    }
}

@Suite struct ControllerDeviceLossTests {
    private let logger = Logger(label: "controller-test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func aDeviceThatGoesAwayMidSongCountsAsSilenceAndTheSpeakerGoesOffAfterTheOffDelay() async throws {
        let chip = SimulatedChip(lineCount: 28)
        var config = promptPowerConfig(mode: .auto)
        config.power.offDelay = .milliseconds(200)
        let controls = EngineControls()
        let relay = try GPIOSetup.requestRelay(config.power.relay!, on: chip)
        let controller = Controller(config: config, saved: nil, store: nil, controls: controls, relay: relay, logger: logger)
        await controller.start()

        // Music playing: the engine runs and reports a signal.
        controls.setRunning(true, latencyFrames: 512)
        controls.publish(appliedGain: 0, signal: true, clipped: 0, backlog: 0)
        try await poll(controller, until: { await controller.isRelayOn })
        controls.publish(appliedGain: 1, signal: true, clipped: 0, backlog: 0)

        // The USB dongle is pulled: the engine closes both streams; its last report said "signal".
        controls.setRunning(false, latencyFrames: 0)
        let lost = ContinuousClock.now
        try await poll(controller, until: { await !controller.isRelayOn })
        #expect(ContinuousClock.now - lost >= .milliseconds(200), "off after the off delay, not at once")
        #expect(chip.level(of: 17) == .high, "relay released (active-low)")
        #expect(controls.gate == .discarding, "audio delayed for a speaker now off is dropped")
    }

    @Test func anXrunIsLoggedWithTheDeviceThatRanLateAndMoreWithin10SecondsAreNotListed() async throws {
        let log = CapturedLog()
        let config = promptPowerConfig(mode: .on)
        let controls = EngineControls()
        let controller = Controller(config: config, saved: nil, store: nil, controls: controls, relay: nil, logger: log.logger)
        await controller.start()
        controls.setRunning(true, latencyFrames: 512)
        controls.countXrun(onCapture: false)
        await controller.poll()
        // Within 10 s of that line, more xruns are only counted...
        controls.countXrun(onCapture: true)
        controls.countXrun(onCapture: false)
        await controller.poll()
        let xrunLines = log.entries.filter { $0.message.hasPrefix("xrun") }
        #expect(xrunLines.count == 1)
        let line = try #require(xrunLines.first)
        #expect(line.level == .warning)
        #expect(line.message.contains("1 playback underrun on '\(config.audio.playback)'"))
        #expect(!line.message.contains("capture"))
        #expect(line.message.contains("prefill_periods"))
        #expect(controls.xruns == 3 && controls.captureXruns == 1 && controls.playbackXruns == 2)
        await controller.shutDown()
    }

    private func poll(_ controller: Controller, until condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            await controller.poll()
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("condition not met in 5 s")
    }
}

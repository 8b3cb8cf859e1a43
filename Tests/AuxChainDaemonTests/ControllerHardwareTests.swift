import AuxChainCore
import AuxChainDSP
import Foundation
import GPIO
import Logging
import ServiceLifecycle
import Testing

@testable import AuxChainDaemon

/// The controller with real GPIO code on the simulated chip: the attenuator stage and the
/// relay as the daemon wires them, with no audio thread (its atomics stand in).
@Suite struct ControllerHardwareTests {
    private let logger = Logger(label: "controller-test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func config() -> AuxChainConfig {
        var config = AuxChainConfig()
        config.gpio.board = .pi4
        config.power.mode = .on
        config.power.settle = .zero
        config.power.minimumOff = .zero
        config.power.relay = OutputLineSettings(line: .offset(17), activeLow: true)
        config.volume.safeStartPercent = 100
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

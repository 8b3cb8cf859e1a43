import AuxChainCore
import GPIO
import Logging
import Testing

@testable import AuxChainDaemon

/// What `auxchain safe-state` (the unit's ExecStopPost) does after a daemon died without its stop.
@Suite struct SafeStateTests {
    private let logger = Logger(label: "safe-state-test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func config() -> AuxChainConfig {
        var config = AuxChainConfig()
        config.power.relay = OutputLineSettings(line: .offset(17), activeLow: true)
        config.attenuator = .relayLadder(lines: [5, 6, 12].map { .offset($0) }, stepDB: 1, settle: .zero)
        return config
    }

    @Test func aRelayLeftOnByADeadDaemonIsSwitchedOffAndTheLadderPutAtMaximumAttenuation() async throws {
        let chip = SimulatedChip(lineCount: 28)
        // A daemon that died with the speaker on and the ladder open: the lines keep those levels.
        let relay = try GPIOSetup.requestRelay(config().power.relay!, on: chip)
        try relay.set(.active)
        relay.release()
        for offset: LineOffset in [5, 6, 12] {
            let line = try chip.requestOutput(.offset(offset), OutputLineConfig(consumer: "dead daemon", initialValue: .inactive))
            line.release()
        }
        #expect(chip.level(of: 17) == .low, "relay still on (active-low)")

        let done = try await SafeState.apply(config: config(), chip: chip, logger: logger)
        #expect(chip.level(of: 17) == .high, "relay off")
        #expect([5, 6, 12].allSatisfy { chip.level(of: LineOffset(rawValue: $0)) == .high }, "every pad in")
        #expect(done == ["speaker relay (power.relay.line = 17) off", "relay-ladder attenuator at maximum attenuation"])
        // And the lines are free again for the next start.
        _ = try GPIOSetup.requestRelay(config().power.relay!, on: chip)
    }

    @Test func aRunningDaemonHoldingTheRelayIsReportedAsUnavailable() async throws {
        let chip = SimulatedChip(lineCount: 28)
        let held = try GPIOSetup.requestRelay(config().power.relay!, on: chip)
        defer { held.release() }
        await #expect(throws: DaemonError.self) { try await SafeState.apply(config: config(), chip: chip, logger: logger) }
        do {
            _ = try await SafeState.apply(config: config(), chip: chip, logger: logger)
        } catch {
            guard case .unavailable(let message) = error else {
                Issue.record("expected unavailable, got \(error)")
                return
            }
            #expect(message.contains("power.relay.line = 17"))
        }
    }
}

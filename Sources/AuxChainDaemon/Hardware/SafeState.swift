import AuxChainCore
import GPIO
import Logging

/// Puts the hardware where the daemon leaves it at a clean stop: the speaker relay off and the
/// attenuator at maximum attenuation. For after a crash, a SIGKILL or a watchdog abort, when the
/// daemon could not (the unit runs it as ExecStopPost). What a released line does is the GPIO
/// driver's choice: some keep the last level driven, so a relay left on stays on until this
/// runs; others let the line fall back to its default, which the wiring must make "off"
/// (Hardware/wiring/relay.md), and then this changes nothing.
public enum SafeState {
    /// What was done, one line each. `chip` replaces the config's (the simulated one in tests).
    public static func apply(config: AuxChainConfig, chip: (any GPIOChip)? = nil, logger: Logger) async throws(DaemonError) -> [String] {
        let opened: (any GPIOChip)? = if let chip { chip } else { try GPIOSetup.openChip(config) }
        guard let chip = opened else {
            return ["no GPIO line is configured: nothing to do"]
        }
        var done: [String] = []
        if let settings = config.power.relay {
            // Requested at its safe value: a driver that keeps released lines' levels keeps this one.
            let relay = try GPIOSetup.requestRelay(settings, on: chip)
            relay.release()
            done.append("speaker relay (power.relay.line = \(settings.line)) off")
        }
        if let stage = try await AttenuatorStage(settings: config.attenuator, chip: chip, logger: logger) {
            await stage.shutDown()
            done.append("\(config.attenuator.kindName) attenuator at maximum attenuation")
        }
        return done.isEmpty ? ["no relay or attenuator is configured: nothing to do"] : done
    }
}

import AuxChainCore
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the config. A broken file keeps the running config and says why; a good
/// one applies the volume settings at once and names the sections that need a restart.
final class ReloadService: Service, Sendable {
    let path: String
    let running: AuxChainConfig
    let controller: Controller
    let notify: (@Sendable ([NotifyState]) -> Void)?
    let logger: Logger

    init(path: String, running: AuxChainConfig, controller: Controller, notify: (@Sendable ([NotifyState]) -> Void)?, logger: Logger) {
        self.path = path
        self.running = running
        self.controller = controller
        self.notify = notify
        self.logger = logger
    }

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            var current = self.running
            for await _ in hangups {
                self.notify?([.reloading])
                do {
                    let fresh = try ConfigReader.load(path: self.path)
                    await self.controller.updateVolumeSettings(fresh.volume)
                    let restart = Self.sectionsNeedingRestart(from: current, to: fresh)
                    self.logger.notice(
                        "reloaded \(self.path)\(restart.isEmpty ? "" : "; restart the service to apply [\(restart.joined(separator: "], ["))]")")
                    current = fresh
                } catch {
                    self.logger.error("reload: keeping the running config: \(error)")
                }
                self.notify?([.ready])
            }
        }
    }

    static func sectionsNeedingRestart(from old: AuxChainConfig, to new: AuxChainConfig) -> [String] {
        var sections: [String] = []
        if old.audio != new.audio { sections.append("audio") }
        if old.power != new.power { sections.append("power") }
        if old.gpio != new.gpio || old.inputs != new.inputs { sections.append("gpio/inputs") }
        if old.attenuator != new.attenuator { sections.append("attenuator") }
        if old.control != new.control { sections.append("control") }
        if old.state != new.state { sections.append("state") }
        return sections
    }
}

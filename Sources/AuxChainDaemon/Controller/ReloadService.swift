import AuxChainCore
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the config. A broken file keeps the running config and says why, in the log
/// and in systemd's status line; a good one applies the volume settings at once and names the
/// sections that need a restart. A run without a config file (`--simulate`) says there is
/// nothing to reload. SIGHUP never ends the daemon.
final class ReloadService: Service, Sendable {
    /// The config file; nil when the run has none.
    let path: String?
    let running: AuxChainConfig
    let controller: Controller
    let notify: (@Sendable ([NotifyState]) -> Void)?
    let logger: Logger

    init(path: String?, running: AuxChainConfig, controller: Controller, notify: (@Sendable ([NotifyState]) -> Void)?, logger: Logger) {
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
                guard let path = self.path else {
                    self.logger.warning("SIGHUP: this run has no config file to reload (a --simulate run); restart it to apply a changed config")
                    continue
                }
                self.notify?([.reloading])
                do {
                    let fresh = try ConfigReader.loadForRun(path: path)
                    await self.controller.updateVolumeSettings(fresh.volume)
                    let outcome = Self.applying(fresh, to: current)
                    current = outcome.running
                    let restart = outcome.needingRestart.isEmpty
                        ? "" : "; restart the service to apply [\(outcome.needingRestart.joined(separator: "], ["))]"
                    self.logger.notice("reloaded \(path)\(restart)")
                    self.notify?([.status("reloaded \(path)\(restart)"), .ready])
                } catch {
                    self.logger.error("reload: keeping the running config: \(error)")
                    self.notify?([.status("reload failed, kept the running config: \(error)"), .ready])
                }
            }
        }
    }

    /// What a reload of `fresh` leaves running: only the volume settings are taken in, so every
    /// other section that differs keeps being named until the service is restarted.
    static func applying(_ fresh: AuxChainConfig, to running: AuxChainConfig) -> (running: AuxChainConfig, needingRestart: [String]) {
        var applied = running
        applied.volume = fresh.volume
        return (applied, sectionsNeedingRestart(from: applied, to: fresh))
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

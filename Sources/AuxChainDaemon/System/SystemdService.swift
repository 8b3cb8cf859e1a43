import Foundation
import Logging
import ServiceLifecycle

/// Tells systemd the daemon is ready, keeps its status line current, and pings the watchdog
/// only while the audio thread is alive (processing, or waiting for a device), so a hung audio
/// thread gets the daemon restarted. The control plane is deliberately left out: restarting for
/// a stuck control socket would cut audio that still plays.
final class SystemdService: Service, Sendable {
    let notifier: SystemdNotifier
    let controls: EngineControls
    let watchdogInterval: Duration?
    let logger: Logger

    init?(controls: EngineControls, logger: Logger) {
        let environment = ProcessInfo.processInfo.environment
        guard let notifier = SystemdNotifier(environment: environment) else { return nil }
        self.notifier = notifier
        self.controls = controls
        watchdogInterval = SystemdNotifier.watchdogTimeout(environment: environment).map(Self.checkInterval)
        self.logger = logger
    }

    /// A ping goes out only when a check finds that the audio moved since the one before, so
    /// two checks can pass between progress and its ping. At a quarter of the timeout that is
    /// half of it at worst, which leaves room for a check that runs late on a busy machine.
    static func checkInterval(watchdogTimeout: Duration) -> Duration {
        watchdogTimeout / 4
    }

    func run() async throws {
        send([.ready, .status("starting audio")])
        await cancelWhenGracefulShutdown {
            var lastBeat = self.controls.heartbeats
            var lastStatus = ""
            while !Task.isCancelled {
                try? await Task.sleep(for: self.watchdogInterval ?? .seconds(2))
                let beat = self.controls.heartbeats
                if self.watchdogInterval != nil, beat != lastBeat {
                    self.send([.watchdog])
                }
                lastBeat = beat
                let status = self.controls.isRunning
                    ? "playing; \(self.controls.xruns) xruns"
                    : "waiting for the audio devices"
                if status != lastStatus {
                    lastStatus = status
                    self.send([.status(status)])
                }
            }
        }
        send([.stopping])
    }

    func send(_ states: [NotifyState]) {
        do {
            try notifier.send(states)
        } catch {
            logger.warning("systemd notify: \(error)")
        }
    }
}

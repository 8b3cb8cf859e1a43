import ServiceLifecycle

/// Runs the controller: switches the relay to its safe state, follows the audio thread whenever
/// it reports something (and when a deadline comes due), and on graceful shutdown ramps down and
/// switches the relay off before the audio stops.
final class ControllerService: Service, Sendable {
    let controller: Controller
    let controls: EngineControls
    let server: ControlServer?

    init(controller: Controller, controls: EngineControls, server: ControlServer?) {
        self.controller = controller
        self.controls = controls
        self.server = server
    }

    func run() async throws {
        await controller.start()
        await cancelWhenGracefulShutdown {
            var lastLevels = ContinuousClock.now
            while !Task.isCancelled {
                await self.controller.poll()
                var delay = await self.controller.pollDelay()
                // Live levels only while someone subscribed to them, at the fastest rate asked for.
                if let server = self.server {
                    let hz = server.statistics.requestedLevelsHz
                    if hz > 0 {
                        let interval = Duration.milliseconds(Int64(1000 / hz))
                        if lastLevels.duration(to: .now) >= interval {
                            lastLevels = .now
                            server.publishLevels(await self.controller.levels)
                        }
                        delay = min(delay, interval - lastLevels.duration(to: .now))
                    }
                }
                await self.controls.wakeup.wait(timeout: max(delay, .zero))
            }
        }
        // Fail-safe order: ramp down, relay off, and only then let the audio stop. In a task of
        // its own, which the service group's cancellation (a failed service) does not reach.
        let controller = controller
        await Task { await controller.shutDown() }.value
        controls.requestStop()
    }
}

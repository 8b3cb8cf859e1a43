import ServiceLifecycle

/// Runs the controller: switches the relay to its safe state, follows the audio thread every
/// poll interval, and on graceful shutdown ramps down and switches the relay off before the
/// audio stops.
final class ControllerService: Service, Sendable {
    let controller: Controller
    let controls: EngineControls

    init(controller: Controller, controls: EngineControls) {
        self.controller = controller
        self.controls = controls
    }

    func run() async throws {
        await controller.start()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.controller.poll()
                try? await Task.sleep(for: Controller.pollInterval)
            }
        }
        // Fail-safe order: ramp down, relay off, and only then let the audio stop.
        await controller.shutDown()
        controls.requestStop()
    }
}

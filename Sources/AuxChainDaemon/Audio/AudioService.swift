import Foundation
import ServiceLifecycle

/// Runs the audio engine as a service: starts its thread, and on graceful shutdown asks it to
/// ramp down and stop. Returns when the engine ends (stop, frame limit, refused configuration,
/// permission denied).
final class AudioService<Processor: PeriodProcessor & ~Copyable>: Service, Sendable {
    let engine: AudioEngine<Processor>

    init(engine: AudioEngine<Processor>) {
        self.engine = engine
    }

    func run() async throws {
        engine.start()
        let outcome = await withGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                // The join blocks, so it waits on a thread of its own rather than the cooperative pool.
                Thread.detachNewThread { continuation.resume(returning: self.engine.wait()) }
            }
        } onGracefulShutdown: {
            self.engine.controls.requestStop()
        }
        switch outcome {
        case .configurationRefused(let message): throw DaemonError.configuration(message)
        case .permissionDenied(let message): throw DaemonError.permissionDenied(message)
        case .stopped, .reachedFrameLimit: break
        }
    }
}

/// Why the daemon ended unsuccessfully; the CLI turns these into sysexits codes.
public enum DaemonError: Error, CustomStringConvertible {
    /// A config problem (EX_CONFIG, 78).
    case configuration(String)
    /// This user may not open a device, a GPIO chip or the control socket (EX_NOPERM, 77).
    case permissionDenied(String)
    /// Another process holds what the daemon needs: another daemon serves the control socket, or
    /// a GPIO line is in use (EX_UNAVAILABLE, 69).
    case unavailable(String)
    /// A service failed in a way that is not the config's fault (EX_SOFTWARE, 70).
    case failure(String)

    public var description: String {
        switch self {
        case .configuration(let message), .permissionDenied(let message), .unavailable(let message), .failure(let message):
            message
        }
    }
}

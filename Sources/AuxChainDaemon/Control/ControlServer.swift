import AuxChainCore
import Dispatch
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Synchronization

/// The daemon's control socket: JSON lines over a Unix stream socket (see ``ControlRequest``).
///
/// The socket is ready when the initialiser returns: directory created, a stale socket
/// replaced (never a live one), mode 0660 and `[control] group` set, listening. One thread
/// serves every client with non-blocking I/O; commands go to the ``ControlHandler``;
/// subscribers get what the daemon passes to ``broadcast(_:)`` and ``publishLevels(_:)``.
///
/// Limits: a request line holds at most ``ControlServerLimits/maximumLineBytes`` (a longer one
/// gets a `line_too_long` reply and is discarded up to its newline; the connection stays
/// open); each client has at most ``ControlServerLimits/outputBufferBytes`` queued — past
/// that its events are dropped and counted, and a `dropped` event tells it how many once it
/// catches up. Replies are never dropped: a client that sends requests without reading
/// replies is simply not read from until it does. At most ``ControlServerLimits/maximumClients``
/// are connected at once (more get `too_many_clients`); so that clients left open cannot keep
/// the others out, one that sends nothing for ``ControlServerLimits/idleTimeout`` gets an
/// `idle_timeout` reply and is closed (a subscriber stays; the wait for a command's answer
/// does not count).
public final class ControlServer: Service, Sendable {
    public let socketPath: String
    private let mailbox: ControlMailbox
    private let loopFinished = DispatchSemaphore(value: 0)
    private let isClosed = Mutex(false)

    /// Sets up the socket and starts serving.
    /// - Parameters:
    ///   - socketPath: `[control] socket`, an absolute path.
    ///   - group: `[control] group`; nil leaves the socket to root and the daemon's user (mode 0600).
    public init(
        socketPath: String, group: String?, handler: some ControlHandler,
        limits: ControlServerLimits = ControlServerLimits(), logger: Logger
    ) throws(ControlServerError) {
        var controlGroup: ControlGroup?
        if let group {
            guard let found = ControlGroup.lookup(group) else {
                throw ControlServerError(.groupNotFound(group), socketPath: socketPath)
            }
            controlGroup = found
        }
        let mailbox: ControlMailbox
        do throws(SystemError) {
            mailbox = try ControlMailbox(pendingLimit: limits.pendingBroadcasts)
        } catch {
            throw ControlServerError(.system(error), socketPath: socketPath)
        }
        let listener: ListeningSocket
        do throws(ControlServerError) {
            listener = try ListeningSocket(path: socketPath, group: controlGroup)
        } catch {
            mailbox.close()
            throw error
        }
        self.socketPath = socketPath
        self.mailbox = mailbox
        let access = ControlAccessPolicy(daemonUserID: geteuid(), group: controlGroup)
        let finished = loopFinished
        let handler: any ControlHandler = handler
        let thread = Thread {
            ControlLoop(
                listener: listener, mailbox: mailbox, handler: handler, access: access, limits: limits, logger: logger
            ).run()
            finished.signal()
        }
        thread.name = "auxchain-control"
        thread.start()
        logger.info("control socket listening", metadata: [
            "control.socket": "\(socketPath)", "control.group": "\(group ?? "none")",
        ])
    }

    /// `[control]` from the config.
    public convenience init(
        settings: ControlSettings, handler: some ControlHandler,
        limits: ControlServerLimits = ControlServerLimits(), logger: Logger
    ) throws(ControlServerError) {
        try self.init(socketPath: settings.socketPath, group: settings.group, handler: handler, limits: limits, logger: logger)
    }

    deinit {
        close()
    }

    /// Sends the event to every subscriber. Cheap and non-blocking (it encodes and queues);
    /// call it from the control plane, not the audio thread.
    public func broadcast(_ event: ControlEvent) {
        mailbox.post(event: ControlCodec.encodeEvent(event))
    }

    /// Offers levels to subscribers that asked for them, each at most at its `levels_hz`.
    /// Publish at ``statistics``' `requestedLevelsHz` or faster; nobody asked when it is 0.
    public func publishLevels(_ levels: LevelsReport) {
        mailbox.post(levels: ControlCodec.encodeEvent(.levels(levels)))
    }

    public var statistics: ControlServerStatistics {
        mailbox.statistics.withLock { $0 }
    }

    /// Stops serving: closes every connection and removes the socket file. Waits for the
    /// server's thread; idempotent.
    public func close() {
        let wasClosed = isClosed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        mailbox.stop()
        loopFinished.wait()
        mailbox.close()
    }

    /// For a ServiceGroup: serves until graceful shutdown or cancellation, then closes.
    public func run() async throws {
        defer { close() }
        try? await gracefulShutdown()
    }
}

public struct ControlServerLimits: Sendable, Equatable {
    /// Longest request line, newline excluded.
    public var maximumLineBytes = ControlCodec.maximumLineBytes
    /// Connections beyond this get a `too_many_clients` reply and are closed.
    public var maximumClients = 32
    /// A client that sends nothing for this long is closed; subscribers are exempt.
    public var idleTimeout = Duration.seconds(60)
    /// Bytes queued for one client before its events are dropped.
    public var outputBufferBytes = 64 * 1024
    /// Broadcasts waiting for the server's thread before new ones are dropped.
    public var pendingBroadcasts = 1024

    public init() {}
}

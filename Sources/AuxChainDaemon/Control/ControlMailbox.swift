import Glibc
import Synchronization

/// What other threads hand the control loop: replies from handler tasks, events and levels
/// from the daemon, a stop request. Posting wakes the loop through a socket pair; nothing
/// here blocks for longer than a lock around an array append.
final class ControlMailbox: Sendable {
    struct Delivery {
        var replies: [(client: UInt64, line: [UInt8])] = []
        var events: [[UInt8]] = []
        /// Only the newest levels matter.
        var levels: [UInt8]?
        /// Broadcasts refused because the loop had not yet taken `pendingLimit` of them.
        var lostBroadcasts: UInt64 = 0
        var isStopping = false
    }

    private struct State {
        var delivery = Delivery()
        var isClosed = false
    }

    private let state = Mutex(State())
    private let wakeWriter: Int32
    /// The loop's end of the wake pair.
    let wakeReader: Int32
    private let pendingLimit: Int
    let statistics = Mutex(ControlServerStatistics())

    init(pendingLimit: Int) throws(SystemError) {
        var pair: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else { throw .last("socketpair", "control loop wake-up") }
        wakeReader = pair[0]
        wakeWriter = pair[1]
        self.pendingLimit = pendingLimit
    }

    func post(reply line: [UInt8], to client: UInt64) {
        update { $0.replies.append((client, line)) }
    }

    func post(event line: [UInt8]) {
        update { delivery in
            if delivery.events.count < pendingLimit {
                delivery.events.append(line)
            } else {
                delivery.lostBroadcasts += 1
            }
        }
    }

    func post(levels line: [UInt8]) {
        update { $0.levels = line }
    }

    func stop() {
        update { $0.isStopping = true }
    }

    /// Everything posted since the last take.
    func take() -> Delivery {
        state.withLock { state in
            let delivery = state.delivery
            state.delivery = Delivery()
            return delivery
        }
    }

    /// After the loop has ended: no more wake-ups, so a late handler reply cannot write to a
    /// reused descriptor number.
    func close() {
        state.withLock { state in
            guard !state.isClosed else { return }
            state.isClosed = true
            Glibc.close(wakeWriter)
            Glibc.close(wakeReader)
        }
    }

    private func update(_ change: (inout Delivery) -> Void) {
        state.withLock { state in
            guard !state.isClosed else { return }
            change(&state.delivery)
            var byte: UInt8 = 1
            // A full pair means a wake-up is already pending.
            _ = send(wakeWriter, &byte, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
    }
}

/// Counters for logs, status and tests.
public struct ControlServerStatistics: Sendable, Equatable {
    public var connectedClients = 0
    public var subscribers = 0
    /// The highest `levels_hz` any subscriber asked for; 0 when nobody wants levels.
    public var requestedLevelsHz = 0.0
    /// Events not delivered because a subscriber read too slowly.
    public var droppedEvents: UInt64 = 0
    /// The most bytes ever queued for one client.
    public var largestBacklogBytes = 0
    /// Connections closed at once: not permitted, or too many clients.
    public var refusedConnections: UInt64 = 0
    /// Connections closed for sending nothing for the idle timeout.
    public var idleDisconnections: UInt64 = 0

    public init() {}
}

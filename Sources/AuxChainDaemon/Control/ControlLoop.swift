import AuxChainCore
import Glibc
import Logging

/// The control server's I/O: one thread, one `poll`, non-blocking sockets. Every client has a
/// bounded input (one line) and a bounded output queue, so a slow or stuck client costs at
/// most its own buffers and never blocks the loop, other clients or the daemon; and a client
/// that sends nothing for ``ControlServerLimits/idleTimeout`` is closed, so connections left
/// open cannot hold every slot.
///
/// Touched only by its own thread; other threads reach it through ``ControlMailbox``.
final class ControlLoop {
    private let listener: ListeningSocket
    private let mailbox: ControlMailbox
    private let handler: any ControlHandler
    private let access: ControlAccessPolicy
    private let limits: ControlServerLimits
    private let logger: Logger
    private let clock = ContinuousClock()

    private var clients: [UInt64: ClientConnection] = [:]
    private var nextClientID: UInt64 = 1
    /// Set while accept() fails for lack of descriptors, so the loop does not spin on it.
    private var acceptPausedUntil: ContinuousClock.Instant?
    /// Reused by every read, so reading allocates only when a line is kept.
    private var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)

    init(
        listener: ListeningSocket, mailbox: ControlMailbox, handler: any ControlHandler,
        access: ControlAccessPolicy, limits: ControlServerLimits, logger: Logger
    ) {
        self.listener = listener
        self.mailbox = mailbox
        self.handler = handler
        self.access = access
        self.limits = limits
        self.logger = logger
    }

    /// Serves until ``ControlMailbox/stop()``, then closes every connection and the socket.
    func run() {
        var descriptors: [pollfd] = []
        var order: [ClientConnection] = []
        while true {
            descriptors.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: mailbox.wakeReader, events: Int16(POLLIN), revents: 0))
            var timeout = pollTimeout(until: nextIdleDeadline())
            if let until = acceptPausedUntil, clock.now < until {
                descriptors.append(pollfd(fd: -1, events: 0, revents: 0))
                timeout = timeout < 0 ? 100 : min(timeout, 100)
            } else {
                acceptPausedUntil = nil
                descriptors.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0))
            }
            for client in clients.values {
                var events: Int16 = 0
                if wantsInput(client) { events |= Int16(POLLIN) }
                if !client.output.isEmpty { events |= Int16(POLLOUT) }
                descriptors.append(pollfd(fd: client.fd, events: events, revents: 0))
                order.append(client)
            }
            if poll(&descriptors, nfds_t(descriptors.count), timeout) < 0 {
                if errno != EINTR {
                    logger.error("control loop poll failed", metadata: ["control.errno": "\(errno)"])
                    usleep(10_000)
                }
                continue
            }
            if descriptors[0].revents != 0 {
                drainWakeups()
                if !deliverMail() { break }
            }
            if descriptors[1].revents & Int16(POLLIN) != 0 { acceptClients() }
            for (index, client) in order.enumerated() where !client.isClosed {
                let events = descriptors[index + 2].revents
                if events & Int16(POLLIN) != 0 {
                    readInput(client)
                } else if events & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                    close(client, reason: "peer closed")
                    continue
                }
                if events & Int16(POLLOUT) != 0 { flush(client) }
            }
            for client in Array(clients.values) where !client.isClosed { serve(client) }
            closeIdleClients()
            updateStatistics()
        }
        for client in Array(clients.values) { close(client, reason: "server stopping") }
        listener.close()
    }

    // MARK: clients

    private func wantsInput(_ client: ClientConnection) -> Bool {
        !client.isInputClosed && !client.isAwaitingReply && client.output.count < highWaterBytes
            && client.framer.pendingCount <= limits.maximumLineBytes
    }

    /// Past this much queued output a client's next request waits: its replies must fit.
    private var highWaterBytes: Int { limits.outputBufferBytes / 2 }

    private func acceptClients() {
        while true {
            let fd = accept(listener.fd, nil, nil)
            guard fd >= 0 else {
                switch errno {
                case EINTR, ECONNABORTED:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    return
                case EMFILE, ENFILE:
                    logger.warning("control socket: out of file descriptors; not accepting for 100 ms")
                    acceptPausedUntil = clock.now + .milliseconds(100)
                    return
                default:
                    logger.error("control socket accept failed", metadata: ["control.errno": "\(errno)"])
                    return
                }
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            admit(fd)
        }
    }

    /// Only a refusal looks the account up, to name the user in the fix; that lookup goes
    /// through NSS on this thread, which is slow with a directory service that hangs.
    private func admit(_ fd: Int32) {
        guard let credentials = peerCredentials(of: fd) else {
            Glibc.close(fd)
            return
        }
        if case .denied(let message) = access.decide(credentials, userName: { SystemUsers.name(of: credentials.userID) }) {
            logger.notice("control client refused", metadata: [
                "control.uid": "\(credentials.userID)", "control.pid": "\(credentials.processID)",
            ])
            refuse(fd, ControlFailure(code: .permissionDenied, message: message))
            return
        }
        guard clients.count < limits.maximumClients else {
            logger.warning("control client refused: too many clients", metadata: ["control.limit": "\(limits.maximumClients)"])
            refuse(fd, ControlFailure(
                code: .tooManyClients,
                message: "too many control clients (\(limits.maximumClients)); close another auxchain client and retry"
            ))
            return
        }
        let info = ClientInfo(id: nextClientID, credentials: credentials)
        nextClientID += 1
        clients[info.id] = ClientConnection(fd: fd, info: info, maximumLineBytes: limits.maximumLineBytes, connectedAt: clock.now)
        logger.debug("control client connected", metadata: [
            "control.client": "\(info.id)", "control.uid": "\(credentials.userID)",
        ])
    }

    /// One error line, then close. A fresh socket's buffer takes the line without blocking.
    private func refuse(_ fd: Int32, _ failure: ControlFailure) {
        mailbox.statistics.withLock { $0.refusedConnections += 1 }
        var queue = OutputQueue()
        queue.append(ControlCodec.encodeReply(.failure(failure)))
        _ = queue.flush(to: fd)
        Glibc.close(fd)
    }

    private func readInput(_ client: ClientConnection) {
        let count = readBuffer.withUnsafeMutableBytes { buffer in
            retryingOnInterrupt { recv(client.fd, buffer.baseAddress, buffer.count, 0) }
        }
        if count > 0 {
            client.lastHeard = clock.now
            readBuffer.withUnsafeBytes { client.framer.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        } else if count == 0 {
            client.isInputClosed = true
        } else if errno != EAGAIN && errno != EWOULDBLOCK {
            close(client, reason: "read failed")
        }
    }

    /// Answers buffered lines while the client may take replies, then writes what it can.
    private func serve(_ client: ClientConnection) {
        while !client.isAwaitingReply && client.output.count < highWaterBytes {
            guard let line = client.framer.nextLine() ?? (client.isInputClosed ? client.framer.finish() : nil) else {
                break
            }
            answer(line, from: client)
        }
        flush(client)
        if client.isInputClosed && !client.isAwaitingReply && client.framer.pendingCount == 0 && client.output.isEmpty {
            close(client, reason: "peer finished")
        }
    }

    private func answer(_ line: LineFramer.Line, from client: ClientConnection) {
        guard case .complete(let bytes) = line else {
            reply(.failure(ControlCodec.lineTooLong(limit: limits.maximumLineBytes)), to: client)
            return
        }
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
            return
        }
        let request: ControlRequest
        do {
            request = try ControlCodec.decodeRequest(bytes)
        } catch {
            reply(.failure(error), to: client)
            return
        }
        switch request {
        case .subscribe(let levelsHz):
            client.isSubscribed = true
            client.levelsInterval = levelsHz > 0 ? .seconds(1 / levelsHz) : nil
            client.lastLevels = nil
            reply(.subscribed(levelsHz: levelsHz), to: client)
        case .command(let command):
            client.isAwaitingReply = true
            let (handler, mailbox, info) = (handler, mailbox, client.info)
            Task {
                let reply = await handler.handle(command, client: info)
                mailbox.post(reply: ControlCodec.encodeReply(reply), to: info.id)
            }
        }
    }

    private func reply(_ reply: ControlReply, to client: ClientConnection) {
        enqueue(ControlCodec.encodeReply(reply), to: client)
    }

    private func enqueue(_ line: [UInt8], to client: ClientConnection) {
        client.output.append(line)
        if client.output.count > client.largestBacklog { client.largestBacklog = client.output.count }
    }

    /// Queues an event unless the client is too far behind; then it is counted and the client
    /// learns how many it missed once it catches up.
    private func offer(event line: [UInt8], to client: ClientConnection) {
        guard client.output.count + line.count <= limits.outputBufferBytes else {
            client.droppedEvents += 1
            mailbox.statistics.withLock { $0.droppedEvents += 1 }
            return
        }
        enqueue(line, to: client)
    }

    private func flush(_ client: ClientConnection) {
        if let failure = client.output.flush(to: client.fd) {
            close(client, reason: "write failed (errno \(failure))")
            return
        }
        if client.droppedEvents > 0 && client.output.count <= limits.outputBufferBytes / 4 {
            enqueue(ControlCodec.encodeEvent(.dropped(count: client.droppedEvents)), to: client)
            client.droppedEvents = 0
            if let failure = client.output.flush(to: client.fd) {
                close(client, reason: "write failed (errno \(failure))")
            }
        }
    }

    // MARK: idle clients

    /// When the next client falls idle: subscribers, and clients waiting for the daemon's
    /// answer, are not counted.
    private func nextIdleDeadline() -> ContinuousClock.Instant? {
        clients.values.lazy.filter(\.canFallIdle).map { $0.lastHeard + self.limits.idleTimeout }.min()
    }

    /// Milliseconds from now to `deadline` for poll, rounded up so the loop wakes after it, not
    /// just before; -1 (no timeout) without one.
    private func pollTimeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        let (seconds, attoseconds) = (deadline - clock.now).components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(milliseconds, 0))
    }

    /// Tells each client silent for the idle timeout why, then closes it.
    private func closeIdleClients() {
        let now = clock.now
        for client in Array(clients.values) where client.canFallIdle && now - client.lastHeard >= limits.idleTimeout {
            mailbox.statistics.withLock { $0.idleDisconnections += 1 }
            reply(.failure(ControlCodec.idle(after: limits.idleTimeout)), to: client)
            flush(client)
            close(client, reason: "idle")
        }
    }

    private func close(_ client: ClientConnection, reason: String) {
        guard !client.isClosed else { return }
        client.isClosed = true
        Glibc.close(client.fd)
        clients[client.info.id] = nil
        logger.debug("control client disconnected", metadata: ["control.client": "\(client.info.id)", "control.reason": "\(reason)"])
    }

    // MARK: mail

    private func drainWakeups() {
        while readBuffer.withUnsafeMutableBytes({ recv(mailbox.wakeReader, $0.baseAddress, $0.count, 0) }) > 0 {}
    }

    /// Applies what other threads posted; false when the loop should stop.
    private func deliverMail() -> Bool {
        let mail = mailbox.take()
        for (id, line) in mail.replies {
            guard let client = clients[id] else { continue }
            client.isAwaitingReply = false
            // The wait for the daemon's answer is not the client's silence.
            client.lastHeard = clock.now
            enqueue(line, to: client)
        }
        let subscribers = clients.values.filter(\.isSubscribed)
        if mail.lostBroadcasts > 0 {
            for client in subscribers { client.droppedEvents += mail.lostBroadcasts }
            mailbox.statistics.withLock { $0.droppedEvents += mail.lostBroadcasts * UInt64(subscribers.count) }
        }
        for event in mail.events {
            for client in subscribers { offer(event: event, to: client) }
        }
        if let levels = mail.levels {
            let now = clock.now
            for client in subscribers {
                guard let interval = client.levelsInterval else { continue }
                // A little slack, so levels published at exactly the asked rate all pass.
                if let last = client.lastLevels, now - last < interval * 0.9 { continue }
                client.lastLevels = now
                offer(event: levels, to: client)
            }
        }
        return !mail.isStopping
    }

    private func updateStatistics() {
        var subscribers = 0
        var levelsHz = 0.0
        var largest = 0
        for client in clients.values {
            largest = max(largest, client.largestBacklog)
            guard client.isSubscribed else { continue }
            subscribers += 1
            if let interval = client.levelsInterval {
                levelsHz = max(levelsHz, 1 / seconds(interval))
            }
        }
        mailbox.statistics.withLock { statistics in
            statistics.connectedClients = clients.count
            statistics.subscribers = subscribers
            statistics.requestedLevelsHz = levelsHz
            statistics.largestBacklogBytes = max(statistics.largestBacklogBytes, largest)
        }
    }
}

/// One connected client, owned by the loop.
final class ClientConnection {
    let fd: Int32
    let info: ClientInfo
    var framer: LineFramer
    var output = OutputQueue()
    /// A command is with the handler; the next line waits so replies keep their order.
    var isAwaitingReply = false
    /// The peer shut down its sending side; answer what it sent, then close.
    var isInputClosed = false
    var isClosed = false
    var isSubscribed = false
    /// Time between level events; nil for none.
    var levelsInterval: Duration?
    var lastLevels: ContinuousClock.Instant?
    var droppedEvents: UInt64 = 0
    var largestBacklog = 0
    /// When the client last sent bytes (or, after a command, got its answer).
    var lastHeard: ContinuousClock.Instant

    init(fd: Int32, info: ClientInfo, maximumLineBytes: Int, connectedAt: ContinuousClock.Instant) {
        self.fd = fd
        self.info = info
        self.framer = LineFramer(maximumLineBytes: maximumLineBytes)
        self.lastHeard = connectedAt
    }

    /// A subscriber may listen in silence for as long as it likes; a client waiting for the
    /// daemon's answer is not the one keeping quiet.
    var canFallIdle: Bool { !isSubscribed && !isAwaitingReply }
}

private func seconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) * 1e-18
}

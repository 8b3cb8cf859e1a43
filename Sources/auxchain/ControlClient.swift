import ArgumentParser
import AuxChainCore
import Foundation
import Glibc

/// One connection to the daemon's control socket, speaking JSON lines (see ``ControlRequest``).
///
/// Blocking calls with deadlines: a daemon that does not accept or answer within the
/// endpoint's timeout is reported, never waited on forever. Failures are ``CLIFailure``s that
/// name the socket and the fix.
final class ControlConnection {
    let endpoint: ControlEndpoint
    private let fd: Int32
    private let clock = ContinuousClock()
    /// Bytes received after the last complete line.
    private var pending: [UInt8] = []
    /// A daemon line longer than this is not ours; stop rather than buffer without end.
    private static let maximumLineBytes = 1 << 20

    init(_ endpoint: ControlEndpoint) throws(CLIFailure) {
        self.endpoint = endpoint
        let path = endpoint.socketPath
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw CLIFailure(
                message: "control socket path \(path) is longer than \(capacity - 1) bytes; use a shorter --socket or [control] socket",
                code: CLIFailure.usageExit)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }

        fd = try Self.connected(to: address, pathBytes: bytes.count, endpoint: endpoint)
    }

    deinit {
        Glibc.close(fd)
    }

    /// Sends a command and returns the daemon's reply, skipping events that arrive first. A
    /// failed reply becomes a ``CLIFailure`` carrying the daemon's message.
    func ask(_ command: ControlCommand) throws(CLIFailure) -> ControlReply {
        try send(.command(command))
        let reply = try awaitReply(to: command.name)
        if case .failure(let failure) = reply { throw refusal(failure, command: command.name) }
        return reply
    }

    /// Asks for live events and levels at `levelsHz`; returns the rate the daemon granted.
    func subscribe(levelsHz: Double) throws(CLIFailure) -> Double {
        try send(.subscribe(levelsHz: levelsHz))
        let reply = try awaitReply(to: "subscribe")
        switch reply {
        case .subscribed(let granted): return granted
        case .failure(let failure): throw refusal(failure, command: "subscribe")
        default: throw unexpected(reply, to: "subscribe")
        }
    }

    /// What ``next(until:orReadable:)`` found.
    enum Arrival {
        case message(ControlMessage)
        /// The deadline passed first.
        case timedOut
        /// The watched descriptor became readable first.
        case interrupted
    }

    /// The next line from the daemon, waiting until `deadline` at most (nil: no limit) and
    /// returning early when `watched` (e.g. a signal pipe) becomes readable.
    func next(until deadline: ContinuousClock.Instant?, orReadable watched: Int32? = nil) throws(CLIFailure) -> Arrival {
        while true {
            if let line = takeLine() {
                do {
                    return .message(try ControlCodec.decodeMessage(line))
                } catch {
                    throw CLIFailure(
                        message: "the daemon on \(endpoint.socketPath) sent a line this auxchain does not understand "
                            + "(\(error)): '\(String(decoding: line.prefix(200), as: UTF8.self))'; "
                            + "are the CLI and the daemon from the same release?",
                        code: CLIFailure.softwareExit)
                }
            }
            guard pending.count <= Self.maximumLineBytes else {
                throw CLIFailure(
                    message: "the daemon on \(endpoint.socketPath) sent a line longer than \(Self.maximumLineBytes) bytes; "
                        + "is that socket an auxchain daemon's?",
                    code: CLIFailure.softwareExit)
            }
            switch try waitReadable(until: deadline, orReadable: watched) {
            case .timedOut: return .timedOut
            case .interrupted: return .interrupted
            case .readable: try receive()
            }
        }
    }

    // MARK: connecting, sending and receiving

    /// A connected non-blocking socket; closed again on failure.
    private static func connected(to address: sockaddr_un, pathBytes: Int, endpoint: ControlEndpoint) throws(CLIFailure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else {
            throw CLIFailure(message: "cannot create a socket to reach \(endpoint.socketPath): \(reason(errno))", code: CLIFailure.softwareExit)
        }
        var address = address
        let clock = ContinuousClock()
        let deadline = clock.now + endpoint.timeout
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes + 1)
        while true {
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            if result == 0 { return fd }
            let failure = errno
            switch failure {
            case EINTR:
                continue
            case EAGAIN where clock.now < deadline:
                // The daemon's listen queue is full: it is alive but behind; retry until the deadline.
                usleep(20_000)
            case EAGAIN:
                Glibc.close(fd)
                throw notAnswering("accept the connection", endpoint: endpoint)
            case EINPROGRESS:
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                var ready: Int32
                repeat {
                    ready = poll(&descriptor, 1, milliseconds(until: deadline, from: clock.now))
                } while ready < 0 && errno == EINTR
                var pendingError: Int32 = 0
                var size = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &pendingError, &size)
                if ready > 0, pendingError == 0 { return fd }
                Glibc.close(fd)
                throw ready > 0 ? connectFailure(pendingError, endpoint: endpoint) : notAnswering("accept the connection", endpoint: endpoint)
            default:
                Glibc.close(fd)
                throw connectFailure(failure, endpoint: endpoint)
            }
        }
    }

    private func send(_ request: ControlRequest) throws(CLIFailure) {
        let line = ControlCodec.encodeRequest(request)
        let deadline = clock.now + endpoint.timeout
        var offset = 0
        while offset < line.count {
            let sent = line[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                try waitWritable(until: deadline)
            case EPIPE, ECONNRESET:
                throw refusalAlreadySent() ?? closedEarly()
            default:
                throw CLIFailure(message: "cannot send to the daemon on \(endpoint.socketPath): \(Self.reason(errno))", code: CLIFailure.unavailableExit)
            }
        }
    }

    private func awaitReply(to command: String) throws(CLIFailure) -> ControlReply {
        let deadline = clock.now + endpoint.timeout
        while true {
            switch try next(until: deadline) {
            case .message(.reply(let reply)): return reply
            case .message(.event): continue
            case .timedOut, .interrupted: throw notAnswering("answer '\(command)'")
            }
        }
    }

    /// The next complete line without its newline, if one is buffered.
    private func takeLine() -> [UInt8]? {
        guard let newline = pending.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = Array(pending[..<newline])
        pending.removeSubrange(...newline)
        return line
    }

    /// Appends what the socket holds to `pending`; false when it held nothing yet.
    @discardableResult
    private func receive() throws(CLIFailure) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            pending += chunk[..<count]
            return true
        }
        if count == 0 { throw closedEarly() }
        switch errno {
        case EINTR, EAGAIN: return false
        case ECONNRESET: throw closedEarly()
        default:
            throw CLIFailure(message: "cannot read from the daemon on \(endpoint.socketPath): \(Self.reason(errno))", code: CLIFailure.unavailableExit)
        }
    }

    private enum Readiness {
        case readable, timedOut, interrupted
    }

    private func waitReadable(until deadline: ContinuousClock.Instant?, orReadable watched: Int32?) throws(CLIFailure) -> Readiness {
        var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if let watched { descriptors.append(pollfd(fd: watched, events: Int16(POLLIN), revents: 0)) }
        while true {
            let timeout = deadline.map { Self.milliseconds(until: $0, from: clock.now) } ?? -1
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw CLIFailure(message: "cannot wait for the daemon on \(endpoint.socketPath): \(Self.reason(errno))", code: CLIFailure.softwareExit)
            }
            if descriptors.count > 1, descriptors[1].revents != 0 { return .interrupted }
            // Readable or hung up: recv tells which.
            if descriptors[0].revents != 0 { return .readable }
            if let deadline, clock.now >= deadline { return .timedOut }
        }
    }

    private func waitWritable(until deadline: ContinuousClock.Instant) throws(CLIFailure) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, Self.milliseconds(until: deadline, from: clock.now))
            if ready > 0 { return }
            if ready < 0, errno == EINTR { continue }
            if ready < 0 {
                throw CLIFailure(message: "cannot wait for the daemon on \(endpoint.socketPath): \(Self.reason(errno))", code: CLIFailure.softwareExit)
            }
            throw notAnswering("take the request")
        }
    }

    // MARK: failures a person reads

    private static func startHint() -> String {
        "start it with 'systemctl start auxchain' (or 'auxchain run --config FILE'), or point --socket, "
            + "--config or $\(ControlSocketOptions.environmentVariable) at the socket of the daemon that is running"
    }

    private static func connectFailure(_ failure: Int32, endpoint: ControlEndpoint) -> CLIFailure {
        let path = endpoint.socketPath
        switch failure {
        case ENOENT, ENOTDIR:
            return CLIFailure(message: "the auxchain daemon is not running: no control socket at \(path); \(startHint())", code: CLIFailure.unavailableExit)
        case ECONNREFUSED:
            return CLIFailure(
                message: "the auxchain daemon is not running: nothing listens on \(path) (a leftover socket file); \(startHint())",
                code: CLIFailure.unavailableExit)
        case EACCES, EPERM:
            let user = currentUserName() ?? "$USER"
            let group = endpoint.group.map { "group '\($0)'" }
                ?? "the daemon's control group ([control] group in its config, 'auxchain' unless set otherwise)"
            return CLIFailure(
                message: "permission denied on the control socket \(path): add your user to \(group) with "
                    + "'sudo usermod -aG \(endpoint.group ?? "auxchain") \(user)' and log in again, or run this as root",
                code: CLIFailure.permissionExit)
        default:
            return CLIFailure(message: "cannot connect to the daemon on \(path): \(reason(failure)); \(startHint())", code: CLIFailure.unavailableExit)
        }
    }

    private static func notAnswering(_ what: String, endpoint: ControlEndpoint) -> CLIFailure {
        CLIFailure(
            message: "the daemon on \(endpoint.socketPath) did not \(what) within \(text(endpoint.timeout)); "
                + "it may be stuck: see 'systemctl status auxchain' and 'journalctl -u auxchain', or wait longer with --timeout",
            code: CLIFailure.unavailableExit)
    }

    private func notAnswering(_ what: String) -> CLIFailure {
        Self.notAnswering(what, endpoint: endpoint)
    }

    /// A server that refuses a client sends one failed reply and closes at once, possibly before
    /// the request went out; that reply says more than the broken pipe.
    private func refusalAlreadySent() -> CLIFailure? {
        while !pending.contains(UInt8(ascii: "\n")), (try? receive()) == true {}
        guard let line = takeLine(), case .reply(.failure(let failure))? = try? ControlCodec.decodeMessage(line) else { return nil }
        return refusal(failure, command: "connect")
    }

    private func closedEarly() -> CLIFailure {
        CLIFailure(
            message: "the daemon on \(endpoint.socketPath) closed the connection; it may have stopped: "
                + "see 'systemctl status auxchain' and 'journalctl -u auxchain'",
            code: CLIFailure.unavailableExit)
    }

    /// A failed reply, with the exit code its kind deserves.
    func refusal(_ failure: ControlFailure, command: String) -> CLIFailure {
        switch failure.code {
        case .permissionDenied:
            CLIFailure(message: "\(failure.message) (control socket \(endpoint.socketPath))", code: CLIFailure.permissionExit)
        case .unavailable, .tooManyClients:
            CLIFailure(message: "the daemon cannot do '\(command)': \(failure.message)", code: CLIFailure.unavailableExit)
        case .invalidValue:
            CLIFailure(message: "the daemon refused '\(command)': \(failure.message)", code: CLIFailure.usageExit)
        case .internalError:
            CLIFailure(message: "the daemon failed doing '\(command)': \(failure.message); see 'journalctl -u auxchain'", code: CLIFailure.softwareExit)
        default:
            CLIFailure(
                message: "the daemon did not accept '\(command)' as this auxchain sent it: \(failure.message) [\(failure.code)]; "
                    + "are the CLI and the daemon from the same release?",
                code: CLIFailure.softwareExit)
        }
    }

    /// A successful reply of the wrong kind for the command.
    func unexpected(_ reply: ControlReply, to command: String) -> CLIFailure {
        CLIFailure(
            message: "the daemon answered '\(command)' with \(String(decoding: ControlCodec.encodeReply(reply).dropLast(), as: UTF8.self)); "
                + "are the CLI and the daemon from the same release?",
            code: CLIFailure.softwareExit)
    }

    // MARK: helpers

    private static func reason(_ number: Int32) -> String {
        "\(String(cString: strerror(number))) (errno \(number))"
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant, from now: ContinuousClock.Instant) -> Int32 {
        let left = now.duration(to: deadline)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }

    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    private static func currentUserName() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}

/// Runs `body` with a connection to the daemon, turning a ``CLIFailure`` into its report and
/// exit code.
func withDaemon<Result>(_ options: ControlSocketOptions, _ body: (ControlConnection) throws(CLIFailure) -> Result) throws -> Result {
    let endpoint = try options.endpoint()
    do {
        let connection = try ControlConnection(endpoint)
        return try body(connection)
    } catch {
        throw error.exit
    }
}

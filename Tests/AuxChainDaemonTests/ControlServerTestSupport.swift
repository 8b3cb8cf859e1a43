import AuxChainCore
import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization
import Testing

@testable import AuxChainDaemon

/// The server's logs would bury the test output.
let quietLogger = Logger(label: "control-test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Runs blocking socket code on a Dispatch thread, so it never holds a thread of the
/// cooperative pool the handler's tasks need.
func onThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Swift.Result { try body() })
        }
    }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
}

/// A plain blocking Unix-socket client with a read timeout, speaking lines.
final class LineClient: @unchecked Sendable {
    let fd: Int32
    private var buffered: [UInt8] = []

    init(path: String, timeout: Int = 10) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = try UnixAddress(path, call: "connect")
        let connected = address.withSockaddr { connect(fd, $0, $1) }
        guard connected == 0 else {
            let failure = errno
            close(fd)
            throw ClientError(description: "connect \(path): errno \(failure)")
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    func request(_ request: ControlRequest) throws -> ControlMessage {
        try send(ControlCodec.encodeRequest(request))
        return try readMessage()
    }

    /// The next line, without its newline; nil at end of stream.
    func readLine() throws -> [UInt8]? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffered[..<newline])
                buffered.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count == 0 { return nil }
            guard count > 0 else { throw ClientError(description: "recv: errno \(errno)") }
            buffered += chunk[..<count]
        }
    }

    func readMessage() throws -> ControlMessage {
        guard let line = try readLine() else { throw ClientError(description: "connection closed") }
        return try ControlCodec.decodeMessage(line)
    }

    func readReply() throws -> ControlReply {
        while true {
            if case .reply(let reply) = try readMessage() { return reply }
        }
    }

    func shutdownSending() {
        shutdown(fd, Int32(SHUT_WR))
    }
}

/// A handler that answers like the daemon would, from fixed values, and records what it saw.
final class RecordingHandler: ControlHandler {
    static let status = DaemonStatus(
        volume: VolumeReport(percent: 40, gainDB: -24, capDB: 0, muted: false),
        power: PowerReport(mode: .auto, state: .off, triggerHoldingOn: false),
        relay: RelayReport(line: "17", isOn: false),
        levels: LevelsReport(channels: [ChannelLevel(peakDBFS: -30, rmsDBFS: -36)], signal: false),
        xruns: 0, latencyFrames: 768, sampleRate: 48000,
        devices: [DeviceReport(role: .capture, name: "hw:CARD=Device,DEV=0", isOpen: true)],
        uptimeSeconds: 12
    )

    private let seen = Mutex<[(ControlCommand, ClientInfo)]>([])
    /// How long the first `levels` command takes: to check ordering behind a slow reply.
    let slowLevels: Duration?

    init(slowLevels: Duration? = nil) {
        self.slowLevels = slowLevels
    }

    var commands: [ControlCommand] { seen.withLock { $0.map(\.0) } }
    var clients: [ClientInfo] { seen.withLock { $0.map(\.1) } }

    func handle(_ command: ControlCommand, client: ClientInfo) async -> ControlReply {
        seen.withLock { $0.append((command, client)) }
        switch command {
        case .status:
            return .status(Self.status)
        case .volume(.percent(let percent)):
            return .volume(VolumeReport(percent: percent, gainDB: -60 + 0.6 * percent, capDB: 0, muted: false))
        case .volume:
            return .failure(ControlFailure(code: .unavailable, message: "only percent in this test"))
        case .mute, .unmute:
            return .volume(VolumeReport(percent: 40, gainDB: -24, capDB: 0, muted: command == .mute))
        case .power(let mode):
            return .power(PowerReport(mode: mode, state: mode == .on ? .warming : .off, triggerHoldingOn: false))
        case .levels:
            if let slowLevels { try? await Task.sleep(for: slowLevels) }
            return .levels(Self.status.levels)
        }
    }
}

/// A temporary directory and a server in it, closed and removed at the end.
final class ServerFixture: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let handler: RecordingHandler
    let server: ControlServer

    init(
        group: String? = "root", handler: RecordingHandler = RecordingHandler(),
        limits: ControlServerLimits = ControlServerLimits(), socketName: String = "run/auxchain/control.sock"
    ) throws {
        var template = Array("/tmp/auxchain-control-XXXXXX".utf8CString)
        directory = String(cString: mkdtemp(&template)!)
        socketPath = directory + "/" + socketName
        self.handler = handler
        server = try ControlServer(
            socketPath: socketPath, group: group, handler: handler, limits: limits,
            logger: quietLogger
        )
    }

    func connect() throws -> LineClient {
        try LineClient(path: socketPath)
    }

    deinit {
        server.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

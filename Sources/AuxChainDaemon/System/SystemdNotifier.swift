import Glibc

/// Tells systemd how the daemon is doing (the `sd_notify` protocol), without libsystemd:
/// each message is one datagram of `KEY=value` lines to the socket in `$NOTIFY_SOCKET`.
///
/// With `Type=notify` systemd waits for ``NotifyState/ready`` before it calls the unit
/// started; with `WatchdogSec=` it restarts the daemon when ``NotifyState/watchdog`` stops
/// arriving within ``watchdogTimeout(environment:processID:)``.
public struct SystemdNotifier: Sendable, Equatable {
    /// The socket as `$NOTIFY_SOCKET` names it: a path, or `@name` in the abstract namespace.
    public let socketAddress: String

    /// A notifier for `$NOTIFY_SOCKET`; nil when the variable is unset or empty (not started
    /// by systemd, or not `Type=notify`).
    public init?(environment: [String: String]) {
        guard let address = environment["NOTIFY_SOCKET"], !address.isEmpty else { return nil }
        self.socketAddress = address
    }

    public init(socketAddress: String) {
        self.socketAddress = socketAddress
    }

    /// Sends the states as one datagram.
    public func send(_ states: [NotifyState]) throws(SystemError) {
        let message = states.map(\.assignment).joined(separator: "\n")
        var address = try UnixAddress(socketAddress, call: "sd_notify")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .last("socket", socketAddress) }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let sent = address.withSockaddr { sockaddr, length in
            bytes.withUnsafeBytes { buffer in
                retryingOnInterrupt { sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), sockaddr, length) }
            }
        }
        guard sent >= 0 else { throw .last("sendto", socketAddress) }
    }

    public func send(_ state: NotifyState) throws(SystemError) {
        try send([state])
    }

    /// How long systemd waits for a watchdog ping before it restarts the daemon: `$WATCHDOG_USEC`,
    /// when `$WATCHDOG_PID` is unset or names this process. Check well within it (see `SystemdService`).
    public static func watchdogTimeout(environment: [String: String], processID: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else {
            return nil
        }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != processID { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }
}

/// One `KEY=value` line of a notification.
public enum NotifyState: Sendable, Equatable, Hashable {
    /// Start-up is finished: the control socket listens and the audio runs (`READY=1`).
    case ready
    /// Reloading the config; send ``ready`` when done (`RELOADING=1`).
    case reloading
    /// Shutting down (`STOPPING=1`).
    case stopping
    /// Still alive (`WATCHDOG=1`).
    case watchdog
    /// A one-line status `systemctl status` shows (`STATUS=...`); newlines become spaces.
    case status(String)
    /// The daemon failed with this errno (`ERRNO=...`).
    case errno(Int32)

    public var assignment: String {
        switch self {
        case .ready: "READY=1"
        case .reloading: "RELOADING=1"
        case .stopping: "STOPPING=1"
        case .watchdog: "WATCHDOG=1"
        case .status(let text): "STATUS=" + text.map { $0.isNewline ? " " : String($0) }.joined()
        case .errno(let number): "ERRNO=\(number)"
        }
    }
}

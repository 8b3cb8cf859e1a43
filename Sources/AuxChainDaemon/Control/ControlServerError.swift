import Glibc

/// Why the control socket could not be set up, written for the person who has to fix it.
public struct ControlServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The socket's mode and group need a file: a relative path or an abstract name won't do.
        case notAbsolute
        /// A Unix socket path holds at most this many bytes.
        case pathTooLong(limit: Int)
        /// A daemon answered on the socket: another instance is running.
        case alreadyRunning
        /// Something that is not a socket is in the way.
        case notASocket
        /// `[control] group` names a group the system does not have.
        case groupNotFound(String)
        /// The socket could not be given to the control group.
        case cannotSetGroup(String, SystemError)
        case system(SystemError)
    }

    public var reason: Reason
    /// `[control] socket`.
    public var socketPath: String

    public init(_ reason: Reason, socketPath: String) {
        self.reason = reason
        self.socketPath = socketPath
    }

    public var description: String {
        switch reason {
        case .notAbsolute:
            "control socket path '\(socketPath)' is not an absolute path; set [control] socket to one, e.g. /run/auxchain/control.sock"
        case .pathTooLong(let limit):
            "control socket path \(socketPath) is longer than \(limit) bytes; set a shorter [control] socket"
        case .alreadyRunning:
            "another auxchain daemon is listening on \(socketPath); stop it (systemctl stop auxchain) "
                + "or give this one another [control] socket"
        case .notASocket:
            "\(socketPath) exists and is not a socket; remove it or set another [control] socket"
        case .groupNotFound(let group):
            "control socket group '\(group)' does not exist; create it with 'groupadd --system \(group)' "
                + "or set [control] group to an existing group"
        case .cannotSetGroup(let group, let failure):
            "cannot give the control socket \(socketPath) to group '\(group)': \(failure.reason); "
                + "the daemon's user must be a member of '\(group)' (usermod -aG \(group) auxchain) or run as root"
        case .system(let failure):
            "control socket \(socketPath): \(failure); check [control] socket and the permissions of its directory"
        }
    }
}

extension DaemonError {
    /// How `auxchain run` ends when the control socket cannot be set up: another daemon on it is
    /// EX_UNAVAILABLE, a folder or group this user may not use is EX_NOPERM, the rest the config's.
    init(_ error: ControlServerError) {
        switch error.reason {
        case .alreadyRunning:
            self = .unavailable(error.description)
        case .cannotSetGroup:
            self = .permissionDenied(error.description)
        case .system(let failure) where failure.errno == EACCES || failure.errno == EPERM:
            self = .permissionDenied(error.description)
        default:
            self = .configuration(error.description)
        }
    }
}

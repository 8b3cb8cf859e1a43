import ArgumentParser
import AuxChainDaemon
import Foundation
import Logging

/// A failure the CLI reports on stderr with a sysexits code.
struct CLIFailure: Error {
    /// EX_CONFIG: the config (or a device's refusal of it) needs fixing.
    static let configExit: Int32 = 78
    /// EX_SOFTWARE: something failed that is not the user's input.
    static let softwareExit: Int32 = 70
    /// EX_UNAVAILABLE: a needed service (the daemon) is not there, or another daemon holds the
    /// control socket.
    static let unavailableExit: Int32 = 69
    /// EX_NOPERM: a device, GPIO chip or socket this user may not open.
    static let permissionExit: Int32 = 77
    /// EX_USAGE: bad arguments.
    static let usageExit: Int32 = 64

    let message: String
    let code: Int32

    static func config(_ message: String) -> ExitCode {
        report(message)
        return ExitCode(configExit)
    }

    init(message: String, code: Int32) {
        self.message = message
        self.code = code
    }

    /// Reports a daemon failure and turns it into the exit code to throw.
    @discardableResult
    init(_ error: DaemonError) {
        switch error {
        case .configuration(let message): self.init(message: message, code: Self.configExit)
        case .permissionDenied(let message): self.init(message: message, code: Self.permissionExit)
        case .unavailable(let message): self.init(message: message, code: Self.unavailableExit)
        case .failure(let message): self.init(message: message, code: Self.softwareExit)
        }
    }

    var exit: ExitCode {
        Self.report(message)
        return ExitCode(code)
    }

    static func report(_ message: String) {
        FileHandle.standardError.write(Data("auxchain: \(message)\n".utf8))
    }
}

/// Logs go to stderr, where journald picks them up under the service.
func makeLogger(level: Logger.Level = .info) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "auxchain")
}

import ArgumentParser
import AuxChainCore
import Foundation

/// Where the daemon's control socket is, shared by every command that talks to the daemon.
struct ControlSocketOptions: ParsableArguments {
    /// The variable that names the socket when neither --socket nor --config does.
    static let environmentVariable = "AUXCHAIN_SOCKET"

    @Option(
        help: ArgumentHelp(
            "The daemon's control socket (default: $\(environmentVariable), else \(ControlSettings().socketPath)).",
            valueName: "path"))
    var socket: String?

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("Take the socket from this config file's [control] socket.", valueName: "file"))
    var configPath: String?

    @Option(
        help: ArgumentHelp(
            "How long to wait for the daemon to accept the connection and to answer each request, e.g. 2s, 500ms (default: 5s).",
            valueName: "duration"))
    var timeout: DurationArgument?

    /// Long enough for a daemon busy reopening a device; short enough that a stuck one is noticed.
    static let defaultTimeout: Duration = .seconds(5)

    func validate() throws {
        if socket != nil, configPath != nil {
            throw ValidationError("give --socket PATH or --config FILE, not both: each names the control socket")
        }
        if socket?.isEmpty == true {
            throw ValidationError("--socket needs a path, e.g. \(ControlSettings().socketPath)")
        }
    }

    private var replyTimeout: Duration { timeout?.value ?? Self.defaultTimeout }

    /// The socket to connect to and the control group that guards it: --socket, then the
    /// config's `[control]`, then $AUXCHAIN_SOCKET, then the default.
    func endpoint() throws -> ControlEndpoint {
        if let socket {
            return ControlEndpoint(socketPath: socket, group: nil, timeout: replyTimeout)
        }
        if let configPath {
            let config: AuxChainConfig
            do {
                config = try ConfigReader.load(path: configPath)
            } catch {
                throw CLIFailure.config(error.description)
            }
            return ControlEndpoint(socketPath: config.control.socketPath, group: config.control.group, timeout: replyTimeout)
        }
        if let fromEnvironment = ProcessInfo.processInfo.environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            return ControlEndpoint(socketPath: fromEnvironment, group: nil, timeout: replyTimeout)
        }
        let defaults = ControlSettings()
        return ControlEndpoint(socketPath: defaults.socketPath, group: defaults.group, timeout: replyTimeout)
    }
}

/// A resolved control socket.
struct ControlEndpoint: Sendable {
    var socketPath: String
    /// `[control] group` when known, for the permission hint; nil when the socket was given directly.
    var group: String?
    /// The longest wait for connecting and for each reply.
    var timeout: Duration
}

import AuxChainTestSupport
import Foundation
import Glibc
import Testing

/// The client commands' failures as a person meets them: the built binary with no daemon, a
/// stale socket, a daemon that never answers, and values it must not send. The commands against
/// a real control server are in AuxChainDaemonTests/ClientAgainstServerTests.swift.
@Suite struct ClientCommandTests {
    static let commands: [[String]] = [
        ["status"], ["status", "--json"], ["volume"], ["volume", "40%"], ["mute"], ["unmute"],
        ["power", "auto"], ["levels"], ["levels", "--once", "--json"],
    ]

    private func run(_ arguments: [String], socket: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltBinary.Running(arguments, environment: socket.map { ["AUXCHAIN_SOCKET": $0] } ?? [:]).finish(timeout: 30)
    }

    @Test("with no daemon every client command exits 69 and says how to start one", arguments: commands)
    func noDaemon(_ arguments: [String]) throws {
        let socket = FilePCMConfig.temporaryFolder().appendingPathComponent("control.sock").path
        let result = try run(arguments, socket: socket)
        #expect(result.status == 69)
        #expect(result.stderr.contains("the auxchain daemon is not running: no control socket at \(socket)"))
        #expect(result.stderr.contains("systemctl start auxchain"))
        #expect(result.stderr.contains("auxchain run --config"))
        #expect(result.stdout.isEmpty)
    }

    @Test("a socket file nobody listens on is reported as a daemon that is not running")
    func staleSocket() throws {
        let socket = FilePCMConfig.temporaryFolder().appendingPathComponent("control.sock").path
        let listener = try UnixListener(path: socket, listening: false)
        let result = try run(["status"], socket: socket)
        #expect(result.status == 69)
        #expect(result.stderr.contains("nothing listens on \(socket)"))
        withExtendedLifetime(listener) {}
    }

    @Test("a daemon that accepts but never answers is given up after --timeout")
    func neverAnswers() throws {
        let socket = FilePCMConfig.temporaryFolder().appendingPathComponent("control.sock").path
        // Listening but never accepting: the kernel completes the connection, nothing replies.
        let listener = try UnixListener(path: socket, listening: true)
        let started = Date()
        let result = try run(["volume", "up", "--timeout", "300ms"], socket: socket)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.status == 69)
        #expect(result.stderr.contains("the daemon on \(socket) did not answer 'volume' within 300 ms"))
        withExtendedLifetime(listener) {}
    }

    @Test("--socket wins over $AUXCHAIN_SOCKET, and --config reads [control] socket")
    func socketSources() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let fromOption = folder.appendingPathComponent("option.sock").path
        let optionResult = try run(["status", "--socket", fromOption], socket: folder.appendingPathComponent("env.sock").path)
        #expect(optionResult.status == 69)
        #expect(optionResult.stderr.contains("no control socket at \(fromOption)"))

        let config = folder.appendingPathComponent("auxchain.toml")
        let fromConfig = folder.appendingPathComponent("config.sock").path
        try "[control]\nsocket = \"\(fromConfig)\"\n".write(to: config, atomically: true, encoding: .utf8)
        let configResult = try run(["mute", "--config", config.path])
        #expect(configResult.status == 69)
        #expect(configResult.stderr.contains("no control socket at \(fromConfig)"))
    }

    @Test("a broken --config exits 78 naming the file")
    func brokenConfig() throws {
        let result = try run(["status", "--config", "/nonexistent/auxchain.toml"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/auxchain.toml"))
    }

    static let badVolumes: [(value: String, why: String)] = [
        ("3dB", "a gain above 0 dB is not possible (0 dB is full volume); for 3 dB louder write +3dB"),
        ("-5", "a percent is never negative; for a gain write -5dB, for quieter write --by -5dB"),
        ("+5%", "percent changes are not relative"),
        ("150", "a percent is within 0 to 100"),
        ("150%", "a percent is within 0 to 100"),
        ("loud", "not a percent, a gain in dB, up or down"),
        ("1e3", "not a percent, a gain in dB, up or down"),
        ("-infdB", "the part before dB is not a number"),
        ("--jsn", "it is neither a gain in dB nor an option of 'auxchain volume'"),
    ]

    @Test("a malformed volume exits 64 naming the value and the forms allowed", arguments: badVolumes)
    func badVolume(_ example: (value: String, why: String)) throws {
        let result = try run(["volume", example.value], socket: "/nonexistent/control.sock")
        #expect(result.status == 64)
        #expect(result.stderr.contains("'\(example.value)' is not a volume: \(example.why)"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("40% or 40 (percent, 0 to 100), -12dB (a gain, at most 0 dB), +3dB (louder), up, down, or --by -3dB (quieter)"))
    }

    static let usageErrors: [(arguments: [String], message: String)] = [
        (["volume", "40%", "50%"], "give one volume value, not 2"),
        (["volume", "40%", "--by", "-3dB"], "give a volume value or --by, not both"),
        (["volume", "--by", "lots"], "--by 'lots' is not a change in dB"),
        (["power", "loud"], "loud"),
        (["levels", "--rate", "0"], "--rate 0.0 is outside 1 to 50"),
        (["levels", "--once", "--rate", "5"], "--rate applies to the live meter"),
        (["status", "--socket", "/a.sock", "--config", "/b.toml"], "give --socket PATH or --config FILE, not both"),
        (["mute", "--timeout", "soon"], "soon"),
    ]

    @Test("usage errors exit 64 before any connection", arguments: usageErrors)
    func usageError(_ example: (arguments: [String], message: String)) throws {
        let result = try run(example.arguments, socket: "/nonexistent/control.sock")
        #expect(result.status == 64)
        #expect(result.stderr.contains(example.message), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("not running"))
    }

    @Test("volume --help documents every value form")
    func volumeHelp() throws {
        let result = try run(["volume", "--help"])
        #expect(result.status == 0)
        for form in ["40% or 40", "-12dB, 0dB", "+3dB", "up, down", "--by -3dB"] {
            #expect(result.stdout.contains(form), "\(form) in: \(result.stdout)")
        }
    }
}

/// A Unix stream socket bound to a path, listening or not, that never accepts.
private final class UnixListener {
    let fd: Int32

    init(path: String, listening: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, !listening || listen(fd, 4) == 0 else {
            let failure = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
        }
    }

    deinit { close(fd) }
}

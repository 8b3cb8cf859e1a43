import Foundation

/// The `auxchain` executable built beside the test bundle, run as a person would run it.
public enum BuiltBinary {
    public static var url: URL {
        // swift test runs the bundle from the build folder that also holds the products.
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return folder.appendingPathComponent("auxchain")
    }

    /// A started `auxchain` with its output captured.
    public final class Running: @unchecked Sendable {
        public let process = Process()
        private let stdoutPipe = Pipe()
        private let stderrPipe = Pipe()

        /// With `viaShell`, `arguments` after a leading "--" are a whole command line (e.g. to run
        /// the binary under setpriv) instead of the binary's own arguments.
        public init(_ arguments: [String], environment extra: [String: String] = [:], viaShell: Bool = false) throws {
            if viaShell {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = Array(arguments.drop { $0 == "--" })
            } else {
                process.executableURL = BuiltBinary.url
                process.arguments = arguments
            }
            var environment = ProcessInfo.processInfo.environment
            environment["ALSA_CONFIG_PATH"] = FilePCMConfig.configPath
            environment.merge(extra) { $1 }
            process.environment = environment
            process.standardOutput = stdoutPipe
            process.standardError = stderrPipe
            try process.run()
        }

        public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// Waits for the exit (killing the process after `timeout`) and returns status and output.
        public func finish(timeout: TimeInterval = 30) -> (status: Int32, stdout: String, stderr: String) {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let out = String(decoding: stdoutPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let err = String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (process.terminationStatus, out, err)
        }
    }

    /// Runs to completion.
    public static func run(_ arguments: [String], timeout: TimeInterval = 60, viaShell: Bool = false) throws -> (status: Int32, stdout: String, stderr: String) {
        try Running(arguments, viaShell: viaShell).finish(timeout: timeout)
    }
}

import AuxChainCore
import AuxChainTestSupport
import Foundation
import Testing

@testable import AuxChainDaemon

/// The built daemon on file PCMs, driven over its control socket as the CLI drives it.
@Suite struct DaemonEndToEndTests {
    /// A daemon in a folder of its own: config, socket, state, input tone and output file.
    final class Daemon: @unchecked Sendable {
        let folder: URL
        let config: URL
        let output: URL
        var socket: String { folder.appendingPathComponent("control.sock").path }
        var state: URL { folder.appendingPathComponent("state.json") }
        private(set) var running: BuiltBinary.Running?

        init(folder: URL = FilePCMConfig.temporaryFolder(), extra: String = "") throws {
            self.folder = folder
            config = folder.appendingPathComponent("auxchain.toml")
            output = folder.appendingPathComponent("speaker-\(UUID().uuidString).raw")
            let input = folder.appendingPathComponent("echo.raw")
            if !FileManager.default.fileExists(atPath: input.path) {
                // 60 s of a steady 1 kHz tone at -6 dBFS: longer than any test runs.
                let samples = (0..<(48000 * 60)).flatMap { frame -> [Int16] in
                    let value = Int16(16384 * sin(2 * Double.pi * 1000 * Double(frame) / 48000))
                    return [value, value]
                }
                try samples.withUnsafeBytes { Data($0) }.write(to: input)
            }
            try testDaemonConfig(
                capture: FilePCMConfig.capture(input), playback: FilePCMConfig.playback(output), folder: folder.path,
                volume: "safe_start_percent = 100", extra: extra
            ).write(to: config, atomically: true, encoding: .utf8)
        }

        func start(environment: [String: String] = [:]) throws {
            running = try BuiltBinary.Running(["run", "--config", config.path, "--paced"], environment: environment)
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, !FileManager.default.fileExists(atPath: socket) {
                Thread.sleep(forTimeInterval: 0.02)
            }
            try #require(FileManager.default.fileExists(atPath: socket), "the daemon's socket did not appear")
        }

        func client() throws -> LineClient { try LineClient(path: socket) }

        func reply(_ command: ControlCommand) throws -> ControlReply {
            guard case .reply(let reply) = try client().request(.command(command)) else {
                throw ClientError(description: "expected a reply to \(command)")
            }
            return reply
        }

        func status() throws -> DaemonStatus {
            guard case .status(let status) = try reply(.status) else { throw ClientError(description: "no status") }
            return status
        }

        var outputFrames: Int { ((try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0) / 4 }

        func waitForOutput(frames: Int) {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, outputFrames < frames { Thread.sleep(forTimeInterval: 0.02) }
        }

        func stop() -> (status: Int32, stdout: String, stderr: String) {
            running?.signal(SIGTERM)
            return running?.finish() ?? (-1, "", "")
        }

        /// RMS of the left channel over frames [start, start + count), in dBFS.
        func outputLevelDBFS(from start: Int, count: Int) throws -> Double {
            let samples = try Data(contentsOf: output).withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
            let window = stride(from: start * 2, to: min((start + count) * 2, samples.count), by: 2).map { Double(samples[$0]) / 32768 }
            let meanSquare = window.map { $0 * $0 }.reduce(0, +) / Double(max(window.count, 1))
            return 10 * log10(max(meanSquare, 1e-20))
        }
    }

    @Test func aVolumeCommandChangesTheLevelThatReachesTheSpeaker() throws {
        let daemon = try Daemon()
        try daemon.start()
        daemon.waitForOutput(frames: 24000)
        let before = daemon.outputFrames
        // As a person would: the CLI, over the socket.
        let command = try BuiltBinary.run(["volume", "-20dB", "--socket", daemon.socket])
        #expect(command.status == 0, "\(command.stderr)")
        daemon.waitForOutput(frames: before + 24000)
        let status = try BuiltBinary.run(["status", "--json", "--socket", daemon.socket])
        #expect(status.status == 0)
        let decoded = try JSONDecoder().decode(DaemonStatus.self, from: Data(status.stdout.utf8))
        #expect(decoded.volume.gainDB == -20)
        let result = daemon.stop()
        #expect(result.status == 0, "\(result.stderr)")

        // The tone is -6 dBFS peak, -9 dBFS RMS; after the command it is 20 dB lower.
        let loud = try daemon.outputLevelDBFS(from: before - 9600, count: 4800)
        let quiet = try daemon.outputLevelDBFS(from: before + 9600, count: 4800)
        #expect(abs(loud - -9.03) < 0.2, "before: \(loud) dBFS")
        #expect(abs(quiet - -29.03) < 0.2, "after: \(quiet) dBFS")
    }

    @Test(.enabled(if: Unprivileged.isAvailable, "needs root and /usr/bin/setpriv"))
    func aClientOutsideTheControlGroupIsRefusedAndAMemberIsServed() throws {
        // The socket belongs to group audio (present on every Debian system), mode 0660, in a
        // folder nobody can enter.
        let daemon = try Daemon(folder: Unprivileged.reachableFolder())
        try String(contentsOf: daemon.config, encoding: .utf8)
            .replacingOccurrences(of: "group = \"\"", with: "group = \"audio\"")
            .write(to: daemon.config, atomically: true, encoding: .utf8)
        try daemon.start()
        let audioGroup = try #require(ControlGroup.lookup("audio")).id

        // The socket's mode keeps the outsider out before the daemon sees it...
        let blocked = try Unprivileged.run(["status", "--socket", daemon.socket])
        #expect(blocked.status == 77, "\(blocked.stdout) \(blocked.stderr)")
        #expect(blocked.stderr.contains("permission denied on the control socket \(daemon.socket)"))

        // ...and with the mode opened by hand, the daemon's own check of the peer's credentials does.
        #expect(chmod(daemon.socket, 0o666) == 0)
        let refused = try Unprivileged.run(["status", "--socket", daemon.socket])
        #expect(refused.status == 77, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("permission denied: uid 65534 is not in group audio; add the user with 'usermod -aG audio nobody'"))

        let member = try Unprivileged.run(["status", "--socket", daemon.socket], supplementaryGroups: [audioGroup])
        #expect(member.status == 0, "\(member.stderr)")
        #expect(member.stdout.contains("volume"))
        let memberByPrimaryGroup = try Unprivileged.run(["status", "--socket", daemon.socket], groupID: audioGroup)
        #expect(memberByPrimaryGroup.status == 0, "\(memberByPrimaryGroup.stderr)")
        #expect(daemon.stop().status == 0)
    }

    @Test func aRestartRestoresTheSavedStateUpToTheSafeStartLevel() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let first = try Daemon(folder: folder, extra: "")
        try first.start()
        _ = try first.reply(.volume(.percent(30)))
        _ = try first.reply(.mute)
        _ = try first.reply(.power(.auto))
        #expect(first.stop().status == 0)

        let second = try Daemon(folder: folder)
        try second.start()
        let status = try second.status()
        #expect(status.volume.percent == 30)
        #expect(status.volume.muted)
        #expect(status.power.mode == .auto)
        _ = try second.reply(.volume(.percent(90)))
        #expect(second.stop().status == 0)

        // 90 % is above the safe start level: a third start comes up at the safe level instead.
        let third = try Daemon(folder: folder, extra: "")
        try """
            \(try String(contentsOf: third.config, encoding: .utf8).replacingOccurrences(of: "safe_start_percent = 100", with: "safe_start_percent = 50"))
            """.write(to: third.config, atomically: true, encoding: .utf8)
        try third.start()
        #expect(try third.status().volume.percent == 50)
        #expect(third.stop().status == 0)
    }

    @Test func aSIGHUPWithABrokenConfigKeepsTheRunningOne() throws {
        let daemon = try Daemon()
        try daemon.start()
        _ = try daemon.reply(.volume(.percent(70)))
        try "[audio]\nrate = \"fast\"\n".write(to: daemon.config, atomically: true, encoding: .utf8)
        daemon.running?.signal(SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        let status = try daemon.status()
        #expect(status.volume.percent == 70)
        #expect(status.devices.allSatisfy { $0.isOpen })
        let before = daemon.outputFrames
        daemon.waitForOutput(frames: before + 4800)
        #expect(daemon.outputFrames > before, "audio keeps flowing")
        let result = daemon.stop()
        #expect(result.status == 0)
        #expect(result.stderr.contains("reload: keeping the running config"))
        #expect(result.stderr.contains("audio.rate"))
    }

    /// The daemon's notifications as systemd would get them; waits (up to 5 s each) for the
    /// first datagram that has `line` among its lines and returns that datagram.
    private func waitForNotification(_ listener: SystemdNotifyTests.Listener, with line: (Substring) -> Bool) throws -> String {
        while true {
            let datagram = try listener.receive()
            if datagram.split(separator: "\n").contains(where: line) { return datagram }
        }
    }

    @Test func aSIGHUPAppliesTheVolumeSettingsAndKeepsNamingTheSectionsThatNeedARestart() throws {
        let daemon = try Daemon()
        let listener = try SystemdNotifyTests.Listener(address: daemon.folder.appendingPathComponent("notify").path)
        try daemon.start(environment: ["NOTIFY_SOCKET": listener.address])
        _ = try waitForNotification(listener) { $0 == "READY=1" }
        try String(contentsOf: daemon.config, encoding: .utf8)
            .replacingOccurrences(of: "safe_start_percent = 100", with: "safe_start_percent = 100\nmax_db = -10")
            .replacingOccurrences(of: "settle_ms = 0", with: "settle_ms = 200")
            .write(to: daemon.config, atomically: true, encoding: .utf8)

        for _ in 0..<2 {
            daemon.running?.signal(SIGHUP)
            let reloaded = try waitForNotification(listener) { $0.hasPrefix("STATUS=reloaded") }
            // [power] was not applied, so the second reload still says it needs a restart.
            #expect(reloaded.contains("restart the service to apply [power]"), "\(reloaded)")
            #expect(reloaded.contains("READY=1"))
        }
        #expect(try daemon.status().volume.capDB == -10)
        let result = daemon.stop()
        #expect(result.status == 0)
        #expect(result.stderr.components(separatedBy: "restart the service to apply [power]").count == 3, "\(result.stderr)")
    }

    @Test func aFailedReloadTellsSystemdItKeptTheRunningConfigAndWhy() throws {
        let daemon = try Daemon()
        let listener = try SystemdNotifyTests.Listener(address: daemon.folder.appendingPathComponent("notify").path)
        try daemon.start(environment: ["NOTIFY_SOCKET": listener.address])
        _ = try waitForNotification(listener) { $0 == "READY=1" }
        try "[audio]\nrate = \"fast\"\n".write(to: daemon.config, atomically: true, encoding: .utf8)
        daemon.running?.signal(SIGHUP)
        #expect(try waitForNotification(listener) { $0 == "RELOADING=1" } == "RELOADING=1")
        let failed = try waitForNotification(listener) { $0.hasPrefix("STATUS=reload failed") }
        #expect(failed.contains("STATUS=reload failed, kept the running config: \(daemon.config.path):2: audio.rate:"), "\(failed)")
        #expect(failed.contains("READY=1"))
        #expect(daemon.stop().status == 0)
    }

    @Test func tenThousandMalformedOrOversizedMessagesLeaveItRunning() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client()
        let junk = ["{", "not json", "{\"cmd\":\"explode\"}", "[1,2,3]", "{\"cmd\":\"volume\",\"set\":{\"percent\":\"loud\"}}",
                    String(repeating: "x", count: 5000), "{\"cmd\":\"power\",\"mode\":\"maybe\"}", "\u{0}\u{1}\u{2}"]
        let before = daemon.outputFrames
        for index in 0..<10_000 {
            try client.send(junk[index % junk.count] + "\n")
            guard case .reply(let reply) = try client.readMessage() else {
                Issue.record("message \(index) got no reply")
                return
            }
            #expect(!reply.isOK)
        }
        // The same connection still works, and so does a new one; the audio never stopped.
        guard case .reply(.status) = try client.request(.command(.status)) else {
            Issue.record("the connection is no longer usable")
            return
        }
        let devicesOpen = try daemon.status().devices.allSatisfy { $0.isOpen }
        #expect(devicesOpen)
        #expect(daemon.outputFrames > before)
        #expect(daemon.stop().status == 0)
    }
}

import AuxChainTestSupport
import Foundation
import Testing

/// `auxchain run` as a person runs it: the built binary, a config file, real alsa-lib file PCMs.
@Suite struct RunCommandTests {
    private func config(capture: String, playback: String) -> String {
        testDaemonConfig(capture: capture, playback: playback, folder: FilePCMConfig.temporaryFolder().path)
    }

    @Test func sigtermStopsARunCleanlyAfterPlayingTheInput() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let input = folder.appendingPathComponent("echo.raw")
        let output = folder.appendingPathComponent("speaker.raw")
        // 3 s of a steady 440 Hz tone at half scale, stereo.
        let samples = (0..<(48000 * 3)).flatMap { frame -> [Int16] in
            let value = Int16(16384 * sin(2 * Double.pi * 440 * Double(frame) / 48000))
            return [value, value]
        }
        try samples.withUnsafeBytes { Data($0) }.write(to: input)
        let file = folder.appendingPathComponent("auxchain.toml")
        try config(capture: FilePCMConfig.capture(input), playback: FilePCMConfig.playback(output))
            .write(to: file, atomically: true, encoding: .utf8)

        let running = try BuiltBinary.Running(["run", "--config", file.path, "--paced"])
        // Let about a second of audio through, then stop it as systemd would.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, ((try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0) < 48000 * 4 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        running.signal(SIGTERM)
        let result = running.finish()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("audio running"))

        let played = try Data(contentsOf: output).withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        #expect(played.count >= 48000 * 2, "about a second was played")
        let prefill = 2 * 256 * 2
        #expect(played.prefix(prefill).allSatisfy { $0 == 0 })
        // The engine's gain is its safe start level below unity, so the tone arrives attenuated but present.
        let middle = played[(prefill + 48000)..<(prefill + 48000 + 9600)]
        let peak = middle.map { abs(Int($0)) }.max() ?? 0
        #expect(peak > 100 && peak <= 16384, "peak \(peak)")
        // Stopped by a ramp, not a cut, and the ramp's end was played out before the devices
        // closed: the prefill and the period after it, still queued when the gain reached zero,
        // are silence.
        let flushed = (2 + 1) * 256 * 2
        #expect(played.suffix(flushed).allSatisfy { $0 == 0 }, "tail: \(played.suffix(flushed).filter { $0 != 0 }.count) samples not silent")
        #expect(result.stderr.contains("audio stopped; both devices closed"))
    }

    @Test func sigtermSwitchesTheSpeakerOffBeforeTheAudioDevicesClose() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let file = folder.appendingPathComponent("on.toml")
        // The speaker forced on, with a short warm-up, so it is surely on when the stop comes.
        try "[power]\nmode = \"on\"\nsettle_ms = 100\nmin_off_s = 0\noff_delay_s = 5\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let running = try BuiltBinary.Running([
            "run", "--simulate", "--config", file.path, "--log-level", "info",
            "--output", folder.appendingPathComponent("speaker.wav").path,
        ])
        let socket = "/tmp/auxchain-simulate-\(running.process.processIdentifier)/control.sock"
        var speakerOn = false
        let deadline = Date().addingTimeInterval(30)
        while !speakerOn, running.process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            let status = try BuiltBinary.run(["status", "--json", "--socket", socket])
            speakerOn = status.status == 0 && status.stdout.contains("\"state\":\"on\"")
        }
        try #require(speakerOn, "the simulated speaker never came on")
        running.signal(SIGTERM)
        let result = running.finish()
        #expect(result.status == 0, "stderr: \(result.stderr)")

        // The relay drops (after the ramp-down) while the audio still runs; only then do the
        // devices close, so closing them cannot thump through a powered speaker.
        let relayOff = try #require(result.stderr.range(of: "speaker power: off"), "stderr: \(result.stderr)")
        let audioStopped = try #require(result.stderr.range(of: "audio stopped; both devices closed"), "stderr: \(result.stderr)")
        #expect(relayOff.lowerBound < audioStopped.lowerBound)
        let cooling = try #require(result.stderr.range(of: "speaker power: cooling"))
        #expect(cooling.lowerBound < relayOff.lowerBound, "ramped down first")
        #expect(result.stdout.contains("relay  □ OFF — speaker unpowered"))
    }

    @Test func aMissingConfigExitsWithEXConfigAndSaysHowToMakeOne() throws {
        let result = try BuiltBinary.run(["run", "--config", "/nonexistent/auxchain.toml"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/auxchain.toml"))
        #expect(result.stderr.contains("auxchain config example"))
    }

    @Test func aConfigErrorNamesTheKeyAndLineAndExitsWithEXConfig() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let file = folder.appendingPathComponent("bad.toml")
        try "[audio]\nrate = 48000\nchanels = 2\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run(["run", "--config", file.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("bad.toml:3: audio.chanels: unknown key"))
    }

    @Test func aFormatTheDeviceRefusesExitsWithEXConfig() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let file = folder.appendingPathComponent("float.toml")
        try config(capture: "aux_integer_only", playback: "null")
            .replacingOccurrences(of: "capture_format = \"S16_LE\"", with: "capture_format = \"FLOAT_LE\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run(["run", "--config", file.path, "--duration", "1s"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("FLOAT_LE"))
        #expect(result.stderr.contains("set capture_format"))
    }

    @Test func runWithoutConfigOrSimulateIsAUsageError() throws {
        let result = try BuiltBinary.run(["run"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--simulate"))
    }
}

@Suite struct ConfigCommandTests {
    @Test func theExampleIsAValidConfigOnceItsControlGroupExists() throws {
        let example = try BuiltBinary.run(["config", "example"])
        #expect(example.status == 0)
        let file = FilePCMConfig.temporaryFolder().appendingPathComponent("example.toml")
        try example.stdout.write(to: file, atomically: true, encoding: .utf8)
        let check = try BuiltBinary.run(["config", "check", file.path])
        // The installer creates group auxchain; a build machine may not have it, and then the
        // check fails as `run` would.
        if getgrnam("auxchain") == nil {
            #expect(check.status == 78)
            #expect(check.stderr.contains("control.group: group 'auxchain' does not exist on this system"), "\(check.stderr)")
            try example.stdout.replacingOccurrences(of: "group = \"auxchain\"", with: "group = \"root\"")
                .write(to: file, atomically: true, encoding: .utf8)
            let fixed = try BuiltBinary.run(["config", "check", file.path])
            #expect(fixed.status == 0, "\(fixed.stderr)")
        } else {
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains("valid"))
        }
    }

    @Test(.enabled(if: Unprivileged.isAvailable, "needs root and /usr/bin/setpriv"))
    func aConfigTheUserMayNotReadSaysSoAndHowToFixIt() throws {
        let file = Unprivileged.reachableFolder().appendingPathComponent("auxchain.toml")
        try "[audio]\n".write(to: file, atomically: true, encoding: .utf8)
        chmod(file.path, 0o600)
        let check = try Unprivileged.run(["config", "check", file.path])
        #expect(check.status == 78)
        #expect(check.stderr.contains("\(file.path): config file cannot be read: permission denied"), "\(check.stderr)")
        #expect(check.stderr.contains("chmod 0644 \(file.path)"))
    }

    @Test func checkReportsTheLineAndExitsWithEXConfig() throws {
        let file = FilePCMConfig.temporaryFolder().appendingPathComponent("bad.toml")
        try "[power]\nmode = \"sometimes\"\n".write(to: file, atomically: true, encoding: .utf8)
        let check = try BuiltBinary.run(["config", "check", file.path])
        #expect(check.status == 78)
        #expect(check.stderr.contains("bad.toml:2: power.mode:"))
        #expect(check.stderr.contains("\"auto\", \"on\", \"off\""))
    }
}

/// What `auxchain run` exits with when waiting or restarting cannot help (sysexits), so systemd
/// stops retrying (`RestartPreventExitStatus=`) and the message says what to fix.
@Suite struct RunExitCodeTests {
    /// A file only root may open, in a folder everyone may enter.
    private func rootOnlyFile(named name: String, contents: Data = Data(count: 4096)) throws -> URL {
        let file = Unprivileged.reachableFolder().appendingPathComponent(name)
        try contents.write(to: file)
        chmod(file.path, 0o600)
        return file
    }

    /// A daemon config for a run as nobody: socket and state in a folder nobody owns.
    private func configForNobody(capture: String, playback: String, extra: String = "") throws -> URL {
        let folder = Unprivileged.reachableFolder(ownedByNobody: true)
        let file = folder.appendingPathComponent("auxchain.toml")
        try testDaemonConfig(capture: capture, playback: playback, folder: folder.path, extra: extra)
            .write(to: file, atomically: true, encoding: .utf8)
        chmod(file.path, 0o644)
        return file
    }

    @Test(.enabled(if: Unprivileged.isAvailable, "needs root and /usr/bin/setpriv"))
    func aSoundDeviceTheUserMayNotOpenEndsTheRunWithEXNoPermAndNamesTheDeviceAndTheGroup() throws {
        let input = try rootOnlyFile(named: "echo.raw")
        let capture = FilePCMConfig.capture(input)
        let config = try configForNobody(capture: capture, playback: "null")
        let started = Date()
        let result = try Unprivileged.run(["run", "--config", config.path, "--paced"], timeout: 30)
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("auxchain: ALSA device '\(capture)': opening for capture failed"))
        #expect(result.stderr.contains("usermod -aG audio"))
        #expect(result.stderr.contains("SupplementaryGroups=audio"))
        // Not at the first refusal: a card just plugged in may not be given to group audio yet.
        #expect(Date().timeIntervalSince(started) >= 4.5)
    }

    @Test(.enabled(if: Unprivileged.isAvailable, "needs root and /usr/bin/setpriv"))
    func aGPIOChipTheUserMayNotOpenEndsTheRunWithEXNoPerm() throws {
        let chip = try rootOnlyFile(named: "gpiochip0")
        let config = try configForNobody(capture: "null", playback: "null", extra: """
            [gpio]
            chip = "\(chip.path)"
            [power.relay]
            line = 17
            """)
        let result = try Unprivileged.run(["run", "--config", config.path, "--paced"], timeout: 30)
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("permission denied opening \(chip.path)"))
        #expect(result.stderr.contains("group 'gpio'"))
    }

    @Test func aSecondDaemonOnTheSameControlSocketExitsWithEXUnavailable() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let file = folder.appendingPathComponent("auxchain.toml")
        try testDaemonConfig(capture: "null", playback: "null", folder: folder.path)
            .write(to: file, atomically: true, encoding: .utf8)
        let first = try BuiltBinary.Running(["run", "--config", file.path, "--paced"])
        let socket = folder.appendingPathComponent("control.sock").path
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !FileManager.default.fileExists(atPath: socket) { Thread.sleep(forTimeInterval: 0.02) }
        try #require(FileManager.default.fileExists(atPath: socket), "the first daemon's socket did not appear")

        let second = try BuiltBinary.run(["run", "--config", file.path, "--paced"])
        #expect(second.status == 69, "\(second.stderr)")
        #expect(second.stderr.contains("another auxchain daemon is listening on \(socket)"))

        first.signal(SIGTERM)
        #expect(first.finish().status == 0)
    }
}

@Suite struct SimulateCommandTests {
    @Test func aSIGHUPLeavesTheSimulationRunningAndItsTemporaryFolderGoesWhenItStops() throws {
        // Its own temporary folder, so what the simulation leaves behind is easy to see.
        let temporary = FilePCMConfig.temporaryFolder()
        let output = temporary.appendingPathComponent("speaker.wav")
        let running = try BuiltBinary.Running(
            ["run", "--simulate", "--duration", "60s", "--output", output.path], environment: ["TMPDIR": temporary.path])
        let folder = temporary.appendingPathComponent("auxchain-simulate-\(running.process.processIdentifier)")
        let socket = folder.appendingPathComponent("control.sock").path
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !FileManager.default.fileExists(atPath: socket) { Thread.sleep(forTimeInterval: 0.05) }
        try #require(FileManager.default.fileExists(atPath: socket), "the simulation's socket did not appear")

        running.signal(SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(running.process.isRunning, "SIGHUP ended the simulation")
        running.signal(SIGTERM)
        let result = running.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("SIGHUP: this run has no config file to reload"))
        #expect(!FileManager.default.fileExists(atPath: folder.path), "left behind: \(folder.path)")
        #expect(FileManager.default.fileExists(atPath: output.path))
    }
}

import AuxChainCore
import AuxChainTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

@testable import AuxChainDaemon

/// The built `auxchain` client commands against a real control server in this process, whose
/// handler keeps a volume and power state the way the daemon does and records every command.
@Suite(.serialized) struct ClientAgainstServerTests {
    static let status = DaemonStatus(
        volume: VolumeReport(percent: 40, gainDB: -36, capDB: 0, muted: false),
        power: PowerReport(mode: .auto, state: .off, triggerHoldingOn: false),
        relay: RelayReport(line: "17", isOn: false),
        levels: LevelsReport(
            channels: [ChannelLevel(peakDBFS: -30, rmsDBFS: -36), ChannelLevel(peakDBFS: -200, rmsDBFS: -200)],
            signal: false),
        xruns: 3, latencyFrames: 768, sampleRate: 48000,
        devices: [
            DeviceReport(role: .capture, name: "hw:CARD=Echo,DEV=0", isOpen: true),
            DeviceReport(role: .playback, name: "hw:CARD=DAC,DEV=0", isOpen: false),
        ],
        uptimeSeconds: 3725.4, clockDriftPPM: 48.2, driftCorrections: 1_203
    )

    // MARK: each command on the wire and on the screen

    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var command: ControlCommand
        var output: String
        var testDescription: String { "auxchain " + arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["volume", "40%"], command: .volume(.percent(40)), output: "40% (-36.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "55"], command: .volume(.percent(55)), output: "55% (-27.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "37.5%"], command: .volume(.percent(37.5)), output: "37.5% (-37.5 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "-12dB"], command: .volume(.gainDB(-12)), output: "80% (-12.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "--", "-12dB"], command: .volume(.gainDB(-12)), output: "80% (-12.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "0dB"], command: .volume(.gainDB(0)), output: "100% (0.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "+3dB"], command: .volume(.relativeDB(3)), output: "45% (-33.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "--by", "-3dB"], command: .volume(.relativeDB(-3)), output: "35% (-39.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "--by=6"], command: .volume(.relativeDB(6)), output: "50% (-30.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "up"], command: .volume(.step(.up)), output: "43.3% (-34.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "DOWN"], command: .volume(.step(.down)), output: "36.7% (-38.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume"], command: .status, output: "40% (-36.0 dB), cap 0.0 dB"),
        Case(arguments: ["volume", "--json", "0"], command: .volume(.percent(0)),
             output: #"{"cap_db":0,"muted":false,"percent":0}"#),
        Case(arguments: ["mute"], command: .mute, output: "40% (-36.0 dB), cap 0.0 dB, muted"),
        Case(arguments: ["unmute"], command: .unmute, output: "40% (-36.0 dB), cap 0.0 dB"),
        Case(arguments: ["mute", "--json"], command: .mute, output: #"{"cap_db":0,"db":-36,"muted":true,"percent":40}"#),
        Case(arguments: ["power", "on"], command: .power(.on), output: "mode on, speaker warming up"),
        Case(arguments: ["power", "off"], command: .power(.off), output: "mode off, speaker cooling down"),
        Case(arguments: ["power", "auto"], command: .power(.auto), output: "mode auto, speaker off"),
        Case(arguments: ["power"], command: .status, output: "mode auto, speaker off\nrelay line 17, off"),
        Case(arguments: ["power", "--json", "on"], command: .power(.on),
             output: #"{"mode":"on","state":"warming","trigger_holding_on":false}"#),
        Case(arguments: ["levels", "--once", "--json"], command: .status,
             output: #"{"channels":[{"peak_dbfs":-30,"rms_dbfs":-36},{"peak_dbfs":-200,"rms_dbfs":-200}],"#
                + #""power":{"mode":"auto","state":"off","trigger_holding_on":false},"relay":{"line":"17","on":false},"#
                + #""signal":false,"volume":{"cap_db":0,"db":-36,"muted":false,"percent":40}}"#),
    ]

    @Test("each command sends its request and prints the daemon's answer", arguments: cases)
    func commandOnTheWire(_ example: Case) async throws {
        let fixture = try ClientFixture()
        let result = try await fixture.run(example.arguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(fixture.daemon.commands == [example.command])
        #expect(result.stdout == example.output + "\n")
        #expect(result.stderr.isEmpty)
    }

    @Test("status prints a readable summary of everything the daemon reports")
    func statusText() async throws {
        let fixture = try ClientFixture()
        let result = try await fixture.run(["status"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == """
            volume       40% (-36.0 dB), cap 0.0 dB
            muted        no
            power        mode auto, speaker off
            relay        line 17, off
            signal       none
            levels       L  peak -30.0 dBFS  RMS -36.0 dBFS
                         R  peak -inf dBFS  RMS -inf dBFS
            xruns        3
            latency      768 frames, 16.0 ms at 48000 Hz
            clock drift  +48.2 ppm, 1203 frames corrected
            capture      hw:CARD=Echo,DEV=0, open
            playback     hw:CARD=DAC,DEV=0, lost: waiting for it to return
            uptime       1 h 02 min

            """)
        #expect(fixture.daemon.commands == [.status])
    }

    @Test("status --json prints the status object exactly as the protocol encodes it")
    func statusJSONRoundTrip() async throws {
        let fixture = try ClientFixture()
        let result = try await fixture.run(["status", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let printed = try #require(result.stdout.split(separator: "\n").first)
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(try JSONDecoder().decode(DaemonStatus.self, from: Data(printed.utf8)) == Self.status)

        let wire = ControlCodec.encodeReply(.status(Self.status))
        let wireObject = try #require(try JSONSerialization.jsonObject(with: Data(wire)) as? NSDictionary)
        let printedObject = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? NSDictionary
        #expect(printedObject == wireObject["status"] as? NSDictionary)
    }

    @Test("levels --once prints one meter snapshot with the speaker's state")
    func levelsOnceText() async throws {
        let fixture = try ClientFixture()
        let result = try await fixture.run(["levels", "--once"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // -36 dBFS RMS fills 16 of 40 cells, the -30 dBFS peak 20; silence fills none.
        let bar = String(repeating: "█", count: 16) + String(repeating: "▒", count: 4) + String(repeating: " ", count: 20)
        #expect(result.stdout == """
            speaker off (mode auto)  ·  relay off  ·  volume 40%  ·  signal none
            L [\(bar)] peak  -30.0  rms  -36.0  hold  -30.0 dBFS
            R [\(String(repeating: " ", count: 40))] peak   -inf  rms   -inf  hold   -inf dBFS
               -60       -45       -30       -15       0 dBFS
            playback hw:CARD=DAC,DEV=0 lost: waiting for it to return

            """)
        #expect(fixture.daemon.commands == [.status])
    }

    // MARK: failures

    @Test("a daemon that cannot do it exits 69 with the daemon's reason")
    func unavailableReply() async throws {
        let fixture = try ClientFixture(failures: [
            "power": ControlFailure(code: .unavailable, message: "no relay configured; add [power.relay] line = N"),
        ])
        let result = try await fixture.run(["power", "on"])
        #expect(result.status == 69)
        #expect(result.stderr == "auxchain: the daemon cannot do 'power': no relay configured; add [power.relay] line = N\n")
        #expect(result.stdout.isEmpty)
    }

    @Test("a value the daemon refuses exits 64 with its reason")
    func invalidValueReply() async throws {
        let fixture = try ClientFixture(failures: [
            "volume": ControlFailure(code: .invalidValue, message: "-90 dB is below the curve's -60 dB"),
        ])
        let result = try await fixture.run(["volume", "-90dB"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("the daemon refused 'volume': -90 dB is below the curve's -60 dB"))
        #expect(fixture.daemon.commands == [.volume(.gainDB(-90))])
    }

    @Test("a daemon that does not answer in time is reported after --timeout, not waited on")
    func slowDaemonTimesOut() async throws {
        let fixture = try ClientFixture(delays: ["status": .seconds(5)])
        let started = ContinuousClock.now
        let result = try await fixture.run(["status", "--timeout", "400ms"])
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(result.status == 69)
        #expect(result.stderr.contains("did not answer 'status' within 400 ms"))
        #expect(result.stderr.contains("journalctl -u auxchain"))
    }

    @Test(
        "a user outside the control group is told to join it, by the socket's mode or by the server",
        .enabled(if: Unprivileged.isAvailable, "needs root and /usr/bin/setpriv")
    )
    func permissionDenied() async throws {
        let fixture = try ClientFixture(socketName: "control.sock")
        #expect(chmod(fixture.directory, 0o755) == 0)

        let blocked = try await fixture.runAsNobody(["status"])
        #expect(blocked.status == 77)
        #expect(blocked.stderr.contains("permission denied on the control socket \(fixture.socketPath)"))
        #expect(blocked.stderr.contains("usermod -aG auxchain nobody"))

        // Loosened by hand, the socket lets nobody connect, and the server's own refusal is shown.
        #expect(chmod(fixture.socketPath, 0o666) == 0)
        let refused = try await fixture.runAsNobody(["status"])
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("permission denied: uid 65534 is not in group root; add the user with 'usermod -aG root nobody'"))
        #expect(fixture.daemon.commands.isEmpty)
    }

    // MARK: the live meter

    @Test("piped, levels prints a snapshot per update; the hold stays 1.5 s, then falls to the live peak")
    func liveLevelsPeakHold() async throws {
        let fixture = try ClientFixture()
        let running = try fixture.start(["levels", "--rate", "20"])
        try await fixture.waitForSubscriber()

        let loud = LevelsReport(channels: [ChannelLevel(peakDBFS: -6, rmsDBFS: -12)], signal: true)
        let quiet = LevelsReport(channels: [ChannelLevel(peakDBFS: -42, rmsDBFS: -48)], signal: true)
        fixture.server.publishLevels(loud)
        try await Task.sleep(for: .milliseconds(100))
        fixture.server.broadcast(.volume(VolumeReport(percent: 55, gainDB: -27, capDB: 0, muted: true)))
        // Quiet for 4.5 s: held 1.5 s, then 36 dB at 20 dB/s takes 1.8 s more.
        for _ in 0..<45 {
            fixture.server.publishLevels(quiet)
            try await Task.sleep(for: .milliseconds(100))
        }
        running.signal(SIGINT)
        let result = await onThreadFinishing(running)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}["), "no terminal escapes into a pipe")

        let frames = result.stdout.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(frames.count >= 30, "one frame per update: \(frames.count)")
        let holds = try frames.map { frame in
            let line = try #require(frame.split(separator: "\n").first { $0.hasPrefix("M ") })
            let hold = try #require(line.split(separator: " ").drop { $0 != "hold" }.dropFirst().first)
            return try #require(Double(hold))
        }
        #expect(holds.first == -6)
        // Held for the first second of quiet at least.
        #expect(holds.prefix(10).allSatisfy { $0 == -6 }, "\(holds)")
        // Then falling, never rising, ending at the live peak through values in between.
        #expect(zip(holds, holds.dropFirst()).allSatisfy { $0 >= $1 }, "\(holds)")
        #expect(holds.last == -42, "\(holds)")
        #expect(holds.contains { $0 < -10 && $0 > -40 }, "\(holds)")
        // The state line follows the volume event.
        #expect(frames.first?.hasPrefix("speaker off (mode auto)  ·  relay off  ·  volume 40%  ·  signal present") == true)
        #expect(frames.last?.hasPrefix("speaker off (mode auto)  ·  relay off  ·  volume 55% muted  ·  signal present") == true)
        #expect(fixture.daemon.commands == [.status])
    }

    @Test("levels --json streams one levels object per update")
    func liveLevelsJSON() async throws {
        let fixture = try ClientFixture()
        let running = try fixture.start(["levels", "--json", "--rate", "50"])
        try await fixture.waitForSubscriber()
        #expect(fixture.server.statistics.requestedLevelsHz == 50)
        let sent: [LevelsReport] = [(-10.0, true), (-20.0, true), (-30.0, false)].map { peakDBFS, signal in
            LevelsReport(channels: [ChannelLevel(peakDBFS: peakDBFS, rmsDBFS: peakDBFS - 6)], signal: signal)
        }
        for levels in sent {
            fixture.server.publishLevels(levels)
            try await Task.sleep(for: .milliseconds(100))
        }
        running.signal(SIGTERM)
        let result = await onThreadFinishing(running)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        let received = try lines.map { try JSONDecoder().decode(LevelsReport.self, from: Data($0.utf8)) }
        #expect(received == sent)
        // Each line also carries the speaker's power and the volume, as the meter shows them.
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let power = try JSONDecoder().decode(PowerReport.self, from: JSONSerialization.data(withJSONObject: try #require(object["power"])))
            let volume = try JSONDecoder().decode(VolumeReport.self, from: JSONSerialization.data(withJSONObject: try #require(object["volume"])))
            #expect(power == Self.status.power)
            #expect(volume == Self.status.volume)
        }
    }

    @Test(
        "on a terminal the meter redraws in place with the cursor hidden, and Ctrl-C shows it again",
        .enabled(if: access("/usr/bin/script", X_OK) == 0, "needs script(1) from util-linux for a terminal")
    )
    func liveLevelsOnATerminal() async throws {
        let fixture = try ClientFixture()
        // script(1) runs the client on a pseudo-terminal and passes our input to it as keystrokes.
        // It starts the command through $SHELL -c; the shell execs the client so that, as under an
        // interactive shell's job control, Ctrl-C reaches the client alone. dash (/bin/sh) does not
        // exec a lone command, and a dash still waiting when Ctrl-C comes kills itself with SIGINT:
        // script would then report 130 whatever the client did.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = [
            "--quiet", "--flush", "--return", "/dev/null", "--command",
            "exec '\(BuiltBinary.url.path)' levels --rate 20 --socket '\(fixture.socketPath)'",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["SHELL": "/bin/sh"]) { $1 }
        let keyboard = Pipe()
        let screen = Pipe()
        process.standardInput = keyboard
        process.standardOutput = screen
        process.standardError = screen
        try process.run()
        async let shown = onThread { screen.fileHandleForReading.readDataToEndOfFile() }
        try await fixture.waitForSubscriber()
        fixture.server.publishLevels(LevelsReport(channels: [ChannelLevel(peakDBFS: -20, rmsDBFS: -26)], signal: true))
        try await Task.sleep(for: .milliseconds(400))
        keyboard.fileHandleForWriting.write(Data([0x03]))
        let output = String(decoding: try await shown, as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "output: \(output)")
        let escape = "\u{1B}["
        #expect(output.hasPrefix(escape + "?25l"), "hides the cursor first: \(output.prefix(40).debugDescription)")
        #expect(output.contains(escape + "?25h"), "shows it again")
        #expect(!output.contains(escape + "?25h" + escape), "and draws nothing after")
        // Each frame moves back over the one before: the status's two channels make 6 lines (state,
        // L, R, scale, lost playback device, footer); the mono levels after make 5, and the sixth is cleared.
        #expect(output.contains(escape + "6A\r"))
        #expect(output.contains(escape + "5A\r"))
        #expect(output.contains(escape + "J"))
        #expect(output.contains("peak  -20.0  rms  -26.0  hold  -20.0 dBFS"))
        #expect(output.contains("Ctrl-C to quit"))
    }

    @Test("a daemon that stops while the meter runs ends it with 69 and the cursor restored")
    func daemonStopsDuringLevels() async throws {
        let fixture = try ClientFixture()
        let running = try fixture.start(["levels"])
        try await fixture.waitForSubscriber()
        fixture.server.close()
        let result = await onThreadFinishing(running)
        #expect(result.status == 69)
        #expect(result.stderr.contains("closed the connection"))
    }

    private func onThreadFinishing(_ running: BuiltBinary.Running) async -> (status: Int32, stdout: String, stderr: String) {
        (try? await onThread { running.finish(timeout: 20) }) ?? (-1, "", "")
    }
}

/// A control server in a temporary directory with a ``ModelDaemon`` behind it.
final class ClientFixture: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let daemon: ModelDaemon
    let server: ControlServer

    init(
        failures: [String: ControlFailure] = [:], delays: [String: Duration] = [:],
        socketName: String = "run/auxchain/control.sock"
    ) throws {
        var template = Array("/tmp/auxchain-client-XXXXXX".utf8CString)
        directory = String(cString: mkdtemp(&template)!)
        socketPath = directory + "/" + socketName
        daemon = ModelDaemon(status: ClientAgainstServerTests.status, failures: failures, delays: delays)
        server = try ControlServer(socketPath: socketPath, group: "root", handler: daemon, logger: quietLogger)
    }

    deinit {
        server.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func start(_ arguments: [String]) throws -> BuiltBinary.Running {
        try BuiltBinary.Running(arguments, environment: ["AUXCHAIN_SOCKET": socketPath])
    }

    /// Runs the client to its end on a thread of its own, so the server's handler keeps the pool.
    func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let running = try start(arguments)
        return try await onThread { running.finish(timeout: 30) }
    }

    func waitForSubscriber() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while server.statistics.subscribers == 0 {
            guard ContinuousClock.now < deadline else { throw ClientError(description: "the client never subscribed") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The client as uid and gid 65534 (nobody) with no supplementary groups, from a copy of the
    /// binary that nobody can reach wherever the build folder is.
    func runAsNobody(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let socketPath = socketPath
        return try await onThread { try Unprivileged.run(arguments + ["--socket", socketPath], timeout: 30) }
    }
}

/// Answers like the daemon: a volume on a dB-linear curve (100 % is 0 dB, 60 dB range, 2 dB
/// steps, cap 0 dB), mute that keeps the volume, power modes that start the sequencer moving.
/// Scripted failures and delays per command name; records every command.
final class ModelDaemon: ControlHandler {
    private let state: Mutex<(status: DaemonStatus, commands: [ControlCommand])>
    private let failures: [String: ControlFailure]
    private let delays: [String: Duration]

    init(status: DaemonStatus, failures: [String: ControlFailure], delays: [String: Duration]) {
        state = Mutex((status, []))
        self.failures = failures
        self.delays = delays
    }

    var commands: [ControlCommand] { state.withLock { $0.commands } }

    func handle(_ command: ControlCommand, client: ClientInfo) async -> ControlReply {
        state.withLock { $0.commands.append(command) }
        if let delay = delays[command.name] { try? await Task.sleep(for: delay) }
        if let failure = failures[command.name] { return .failure(failure) }
        return state.withLock { state in
            switch command {
            case .status:
                return .status(state.status)
            case .levels:
                return .levels(state.status.levels)
            case .mute, .unmute:
                state.status.volume.muted = command == .mute
                return .volume(state.status.volume)
            case .volume(let change):
                let gainDB = state.status.volume.gainDB ?? -60
                let percent: Double = switch change {
                case .percent(let percent): percent
                case .gainDB(let target): Self.percent(atDB: target)
                case .relativeDB(let delta): Self.percent(atDB: gainDB + delta)
                case .step(.up): Self.percent(atDB: gainDB + 2)
                case .step(.down): Self.percent(atDB: gainDB - 2)
                }
                let capped = min(max(percent, 0), 100)
                state.status.volume.percent = (capped * 10).rounded() / 10
                state.status.volume.gainDB = capped == 0 ? nil : (capped - 100) * 0.6
                return .volume(state.status.volume)
            case .power(let mode):
                state.status.power.mode = mode
                state.status.power.state = switch mode {
                case .on: .warming
                case .off: .cooling
                case .auto: state.status.power.state
                }
                return .power(state.status.power)
            }
        }
    }

    private static func percent(atDB gainDB: Double) -> Double {
        100 + gainDB / 0.6
    }
}

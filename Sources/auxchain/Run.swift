import ArgumentParser
import AuxChainCore
import AuxChainDaemon
import Foundation
import Glibc
import Logging

extension AuxChain {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the daemon: capture the Echo, control volume and power, play to the speaker.",
            discussion: """
                Runs in the foreground until SIGINT or SIGTERM (or for --duration of audio), then \
                ramps down and stops. With --simulate it needs no sound card or GPIO: a generated \
                Echo programme plays through real alsa-lib file devices, the timeline is printed as \
                it goes, and what the speaker would get is written to a WAV file. SIGHUP re-reads the \
                config file. Exits 78 for a config problem, 77 when a sound device, GPIO chip or the \
                socket's folder is closed to this user, 69 when another daemon holds the control socket.
                """)

        @Option(name: .shortAndLong, help: "The config file (see 'auxchain config example').")
        var config: String?

        @Flag(help: "Run on simulated devices with a generated Echo programme.")
        var simulate = false

        @Option(help: "Stop after this much audio, e.g. 30s, 500ms, 2m.")
        var duration: DurationArgument?

        @Option(help: "With --simulate: where to write what the speaker gets.")
        var output = "auxchain-simulation.wav"

        @Flag(help: "Pace the audio loop by the wall clock: for file or null PCMs that no hardware clocks.")
        var paced = false

        @Option(help: ArgumentHelp(
            "How much to log to stderr: trace, debug, info, notice, warning, error or critical.",
            discussion: "The default is info, and warning with --simulate, whose timeline tells the story on stdout."))
        var logLevel: Logger.Level?

        func validate() throws {
            if !simulate, config == nil {
                throw ValidationError("give --config FILE, or --simulate to run without a sound card")
            }
        }

        func run() async throws {
            // SIGHUP's default would end the daemon. systemd's ExecReload or a stray kill -HUP can
            // come before the reload service traps it, so it is ignored from the start.
            signal(SIGHUP, SIG_IGN)
            // The simulation narrates on stdout; its log keeps to warnings and errors.
            let logger = makeLogger(level: logLevel ?? (simulate ? .warning : .info))
            var settings = AuxChainConfig()
            if let config {
                do {
                    // A simulation replaces [control] with a socket of its own, so the config's
                    // group need not exist on this machine.
                    settings = try simulate ? ConfigReader.load(path: config) : ConfigReader.loadForRun(path: config)
                } catch {
                    throw CLIFailure.config(error.description)
                }
            }
            var options = RunOptions(duration: duration?.value, pacedByWallClock: paced)
            options.configPath = config
            var devices: SimulatedDevices?
            // However the run ends, the simulation's temporary folder goes with it.
            defer { devices?.removeTemporaryFiles() }
            if simulate {
                let simulation = try Simulation.prepare(base: config == nil ? nil : settings, output: output)
                settings = simulation.config
                options = simulation.options(duration: duration?.value)
                devices = simulation.devices
                FileHandle.standardOutput.write(Data((simulation.introduction + "\n").utf8))
            }
            do {
                try await Daemon.run(config: settings, options: options, logger: logger)
            } catch let error as DaemonError {
                throw CLIFailure(error).exit
            }
            if let devices {
                FileHandle.standardOutput.write(Data("\nThe speaker's side is in \(devices.outputWAV.path): play it with 'aplay \(devices.outputWAV.lastPathComponent)'.\n".utf8))
            }
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

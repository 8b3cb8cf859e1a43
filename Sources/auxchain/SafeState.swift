import ArgumentParser
import AuxChainCore
import AuxChainDaemon

extension AuxChain {
    struct SafeState: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "safe-state",
            abstract: "Switch the speaker relay off and the attenuator to maximum attenuation.",
            discussion: """
                What the daemon does when it stops, for when it could not: after a crash, a kill \
                or a watchdog abort, GPIO drivers that keep a released line's last level leave a \
                relay that was on switched on. The systemd unit runs this after every stop \
                (ExecStopPost). Fails with 69 (EX_UNAVAILABLE) while a running daemon holds the \
                lines: stop it instead.
                """)

        @Option(name: .shortAndLong, help: "The config file that names the relay and attenuator lines.")
        var config: String

        func run() async throws {
            let settings: AuxChainConfig
            do {
                settings = try ConfigReader.load(path: config)
            } catch {
                throw CLIFailure.config(error.description)
            }
            do {
                for line in try await AuxChainDaemon.SafeState.apply(config: settings, logger: makeLogger(level: .warning)) {
                    print(line)
                }
            } catch {
                if case .unavailable(let message) = error {
                    throw CLIFailure(
                        message: "\(message); if the daemon holds it, stop it with 'systemctl stop auxchain', which does this itself",
                        code: CLIFailure.unavailableExit
                    ).exit
                }
                throw CLIFailure(error).exit
            }
        }
    }
}

import ArgumentParser
import AuxChainCore

extension AuxChain {
    struct Power: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "power",
            abstract: "Show or set how the speaker's power is switched.",
            discussion: """
                auto: the relay follows the Echo's signal (on when it sounds, off after [power] off_delay_s \
                of quiet); on / off: forced. The mode is saved and restored when the daemon restarts. \
                Without a mode it prints the mode, the speaker's state and the relay. Exits 69 when the \
                daemon cannot switch power (e.g. no [power.relay] configured).
                """)

        @OptionGroup var daemon: ControlSocketOptions

        @Argument(help: "The power mode to set.")
        var mode: PowerModeArgument?

        @Flag(help: "Print the power as the control protocol's JSON object.")
        var json = false

        func run() async throws {
            let lines = try withDaemon(daemon) { connection throws(CLIFailure) -> String in
                guard let mode else {
                    let reply = try connection.ask(.status)
                    guard case .status(let status) = reply else { throw connection.unexpected(reply, to: "status") }
                    return json
                        ? ReportText.json(status.power)
                        : "\(ReportText.power(status.power))\nrelay \(ReportText.relay(status.relay))"
                }
                let reply = try connection.ask(.power(mode.powerMode))
                guard case .power(let power) = reply else { throw connection.unexpected(reply, to: "power") }
                return json ? ReportText.json(power) : ReportText.power(power)
            }
            print(lines)
        }
    }
}

/// `on`, `off` or `auto` on the command line.
enum PowerModeArgument: String, CaseIterable, ExpressibleByArgument {
    case on, off, auto

    var powerMode: PowerMode {
        switch self {
        case .on: .on
        case .off: .off
        case .auto: .auto
        }
    }
}

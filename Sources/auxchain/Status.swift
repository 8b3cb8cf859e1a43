import ArgumentParser
import AuxChainCore

extension AuxChain {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show what the running daemon is doing.",
            discussion: """
                Prints the volume, mute, power mode and speaker state, relay, signal and levels, xruns, \
                latency, the clock drift between the two devices and the frames corrected for it, devices \
                and uptime. With --json it prints the daemon's status object exactly as the control \
                protocol sends it (keys such as volume.percent, power.state, latency_frames, rate, \
                clock_drift_ppm, drift_corrections, uptime_s), one line, for scripts. Exits 69 when no daemon answers on the socket.
                """)

        @OptionGroup var daemon: ControlSocketOptions

        @Flag(help: "Print the status as the control protocol's JSON object.")
        var json = false

        func run() async throws {
            let status = try withDaemon(daemon) { connection throws(CLIFailure) in
                let reply = try connection.ask(.status)
                guard case .status(let status) = reply else { throw connection.unexpected(reply, to: "status") }
                return status
            }
            print(json ? ReportText.json(status) : ReportText.status(status).joined(separator: "\n"))
        }
    }
}

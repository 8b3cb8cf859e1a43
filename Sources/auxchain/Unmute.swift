import ArgumentParser
import AuxChainCore

extension AuxChain {
    struct Unmute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unmute",
            abstract: "Unmute the speaker at the volume it had.",
            discussion: "The gain ramps up to the volume set before muting (never above the [volume] max_db cap).")

        @OptionGroup var daemon: ControlSocketOptions

        @Flag(help: "Print the volume as the control protocol's JSON object.")
        var json = false

        func run() async throws {
            let volume = try withDaemon(daemon) { connection throws(CLIFailure) in try connection.changeVolume(.unmute) }
            print(json ? ReportText.json(volume) : ReportText.volume(volume))
        }
    }
}

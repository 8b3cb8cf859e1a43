import ArgumentParser
import AuxChainCore

extension AuxChain {
    struct Mute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mute",
            abstract: "Mute the speaker, keeping the volume for 'auxchain unmute'.",
            discussion: "The gain ramps down, so muting never clicks. Prints the volume that unmuting returns to.")

        @OptionGroup var daemon: ControlSocketOptions

        @Flag(help: "Print the volume as the control protocol's JSON object.")
        var json = false

        func run() async throws {
            let volume = try withDaemon(daemon) { connection throws(CLIFailure) in try connection.changeVolume(.mute) }
            print(json ? ReportText.json(volume) : ReportText.volume(volume))
        }
    }
}

extension ControlConnection {
    /// Sends a volume, mute or unmute command and returns the volume the daemon reports after it.
    func changeVolume(_ command: ControlCommand) throws(CLIFailure) -> VolumeReport {
        let reply = try ask(command)
        guard case .volume(let volume) = reply else { throw unexpected(reply, to: command.name) }
        return volume
    }
}

import ArgumentParser

struct AuxChain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auxchain",
        abstract: "Line-in to speaker bridge with volume and power control for an Amazon Echo.",
        subcommands: [
            Run.self, Devices.self, ConfigCommand.self, Advise.self,
            Status.self, Volume.self, Mute.self, Unmute.self, Power.self, Levels.self, SafeState.self,
        ]
    )
}

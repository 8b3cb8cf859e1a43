import ArgumentParser

// Every command names itself: without a commandName, ArgumentParser derives it from the type's
// name through String(describing:), whose first use per type scans every protocol conformance
// in the process, about a tenth of a CLI call's instructions.
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

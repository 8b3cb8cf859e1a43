import ArgumentParser
import AuxChainCore

extension AuxChain {
    struct ConfigCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Check a config file or print the documented example.",
            subcommands: [Check.self, Example.self])

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "check",
                abstract: "Validate a config file without running anything.",
                discussion: "Exits 0 when the file is valid, 78 (EX_CONFIG) with the file, line, key and allowed values when not.")

            @Argument(help: "The config file to check.")
            var file: String

            func run() async throws {
                do {
                    let config = try ConfigReader.loadForRun(path: file)
                    print("\(file): valid (capture '\(config.audio.capture)', playback '\(config.audio.playback)', attenuator \(config.attenuator.kindName), relay \(config.power.relay.map { "on line \($0.line)" } ?? "none"))")
                } catch {
                    throw CLIFailure.config(error.description)
                }
            }
        }

        struct Example: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "example", abstract: "Print a config file that documents every key with its default.")

            func run() async throws {
                print(ExampleConfig.text, terminator: "")
            }
        }
    }
}

import ArgumentParser
import AuxChainAdvisor
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension MethodID: ExpressibleByArgument {}
extension SpeakerKind: ExpressibleByArgument {}
extension Goal: ExpressibleByArgument {}
extension MusicService: ExpressibleByArgument {}

extension AuxChain {
    struct Advise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "advise",
            abstract: "Recommend how to connect an Echo to your speakers.",
            discussion: """
                Ranks the ways to get an Echo's audio onto other speakers (\(MethodID.allCases.map(\.rawValue).joined(separator: ", "))) \
                for your Echo model, speakers, rooms and goals, with the reasons and sources. For the aux-out chain \
                it also lists the parts, the wiring steps and a starting AuxChain config. Without --echo or --speaker \
                on a terminal it asks for what is missing.
                """
        )

        @Option(name: .customLong("echo"), help: ArgumentHelp("Your Echo model, e.g. \"Echo Dot 3rd gen\" or \"dot 3\".", valueName: "model"))
        var echoModel: String?

        @Option(name: .customLong("speaker"), help: "The kind of speaker that should play the sound.")
        var speakerKind: SpeakerKind?

        @Option(name: .customLong("speaker-model"), help: ArgumentHelp("A speaker model named in the seed article, e.g. \"JBL Flip 6\"; sets --speaker if that is not given.", valueName: "name"))
        var speakerModel: String?

        @Option(help: "How many rooms should play (at least 1).")
        var rooms: Int?

        @Option(help: "How many speakers should play in all (at least one per room).")
        var speakers: Int?

        @Option(name: .customLong("goal"), help: "What the setup should be good at; repeat for several.")
        var goals: [Goal] = []

        @Option(help: "Where your music comes from.")
        var service: MusicService?

        @Option(name: .customLong("max-latency-ms"), help: ArgumentHelp("The most delay, in milliseconds, you accept between the Echo and the speaker.", valueName: "ms"))
        var maxLatencyMs: Int?

        @Flag(inversion: .prefixedNo, help: "Whether you can run cables from the Echo to a small box and on to the speaker (default: yes).")
        var wiring: Bool?

        @Flag(help: "Print the report as JSON, for scripts.")
        var json = false

        @Option(name: .customLong("write-config"), help: ArgumentHelp("Write the starting AuxChain config to this file when the aux-out chain is possible.", valueName: "file"))
        var configPath: String?

        @Flag(help: "Overwrite the file given to --write-config if it exists.")
        var force = false

        @Flag(name: .customLong("show-config"), help: "Print the starting AuxChain config after the report.")
        var showConfig = false

        @Option(help: ArgumentHelp("Answer a question or myth from the seed article instead, e.g. \"hold the action button to make it a transmitter\".", valueName: "text"))
        var question: String?

        @Flag(name: .customLong("list-models"), help: "List the Echo models the advisor knows, with their 3.5 mm output.")
        var listModels = false

        @Flag(name: .customLong("no-input"), help: "Never ask questions, even on a terminal; use defaults for what is missing.")
        var noInput = false

        func validate() throws {
            if let rooms, rooms < 1 {
                throw ValidationError("--rooms must be at least 1 (got \(rooms)).")
            }
            if let speakers, speakers < 1 {
                throw ValidationError("--speakers must be at least 1 (got \(speakers)).")
            }
            if let rooms, let speakers, speakers < rooms {
                throw ValidationError("--speakers \(speakers) is fewer than --rooms \(rooms): each room needs at least one speaker.")
            }
            if let maxLatencyMs, maxLatencyMs < 1 {
                throw ValidationError("--max-latency-ms must be at least 1 (got \(maxLatencyMs)).")
            }
            if force, configPath == nil {
                throw ValidationError("--force only applies together with --write-config FILE.")
            }
            if echoModel != nil || speakerModel != nil {
                let knowledge = try KnowledgeBase.bundled()
                _ = try echoModel.map { try resolveModel($0, knowledge) }
                _ = try speakerModel.map { try resolveSpeakerModel($0, knowledge) }
            }
        }

        func run() async throws {
            let knowledge = try KnowledgeBase.bundled()

            if listModels {
                print(modelTable(knowledge), terminator: "")
                return
            }
            if let question {
                try answer(question, knowledge: knowledge)
                return
            }

            let partial = PartialAdviceRequest(
                echoModelID: try echoModel.map { try resolveModel($0, knowledge) },
                speakerKind: speakerKind,
                speakerModelID: try speakerModel.map { try resolveSpeakerModel($0, knowledge) },
                rooms: rooms,
                speakers: speakers,
                goals: goals.isEmpty ? nil : goals,
                service: service,
                maxLatencyMs: maxLatencyMs,
                wiringAcceptable: wiring
            )
            let request: AdviceRequest
            if partial.lacksEssentials, !json, !noInput, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 {
                var console = TerminalConsole()
                request = AdviceInterview(knowledge: knowledge).complete(partial, console: &console)
            } else {
                request = partial.withDefaults()
            }
            if let problem = request.problems().first {
                throw AdviceFailure(problem.description)
            }

            let report = Advisor(knowledge: knowledge).advise(request)
            if let configPath {
                try writeConfig(report, to: configPath)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text(), terminator: "")
                if let configPath, report.startingConfig != nil {
                    print("\nWrote the starting config to \(configPath).")
                }
                if showConfig {
                    print("\n" + (report.startingConfig ?? "# No starting config: the aux-out chain is blocked for these answers.\n"), terminator: "")
                }
            }
        }

        private func resolveModel(_ text: String, _ knowledge: KnowledgeBase) throws -> String {
            switch knowledge.resolveModel(text) {
            case .found(let model):
                return model.id
            case .unknown:
                throw ValidationError("--echo: \(knowledge.unknownModelHelp(text))")
            }
        }

        private func resolveSpeakerModel(_ text: String, _ knowledge: KnowledgeBase) throws -> String {
            switch knowledge.resolveSpeakerModel(text) {
            case .found(let model):
                return model.id
            case .unknown(let suggestions):
                let hint = suggestions.isEmpty ? "" : " Did you mean \(suggestions.map { "\"\($0.name)\"" }.joined(separator: " or "))?"
                let kinds = SpeakerKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--speaker-model: unknown speaker \"\(text)\".\(hint) Otherwise give its kind with --speaker (\(kinds)).")
            }
        }

        private func answer(_ text: String, knowledge: KnowledgeBase) throws {
            let match = knowledge.answer(to: text)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(QuestionAnswer(question: text, match: match)), as: UTF8.self))
            } else if let match {
                print(match.text(knowledge: knowledge), terminator: "")
            } else {
                let known = knowledge.questions.map { "  - \($0.question)" }.joined(separator: "\n")
                print("No myth or FAQ entry matches \"\(text)\". The ones the advisor knows:\n\(known)")
            }
        }

        private func writeConfig(_ report: AdviceReport, to path: String) throws {
            guard let config = report.startingConfig else {
                let blockers = report.recommendation(.auxOutChain)?.blockers.joined(separator: " ") ?? ""
                throw AdviceFailure("--write-config: no config written, because the aux-out chain can't work here: \(blockers)")
            }
            if !force, FileManager.default.fileExists(atPath: path) {
                throw AdviceFailure("--write-config: \(path) already exists; add --force to overwrite it or choose another file.")
            }
            do {
                try config.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw AdviceFailure("--write-config: could not write \(path): \(error.localizedDescription). Check that the folder exists and is writable.")
            }
        }

        private func modelTable(_ knowledge: KnowledgeBase) -> String {
            let width = knowledge.models.map(\.name.count).max() ?? 0
            var lines = ["\("model".padding(toLength: width, withPad: " ", startingAt: 0))  3.5 mm out  confidence  note"]
            for model in knowledge.models {
                let name = model.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let lineOut = model.lineOut.value.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                let confidence = model.lineOut.confidence.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                lines.append("\(name)  \(lineOut)  \(confidence)  \(model.lineOut.note ?? "")")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}

/// A failure after the arguments were accepted; printed without the usage text.
private struct AdviceFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The JSON shape of `--question`.
private struct QuestionAnswer: Encodable {
    var question: String
    var match: QuestionMatch?
}

/// The interview's console on a real terminal.
private struct TerminalConsole: InterviewConsole {
    mutating func say(_ text: String) {
        print(text)
    }

    mutating func ask(_ prompt: String) -> String? {
        print(prompt, terminator: "")
        fflush(nil)
        return readLine()
    }
}

/// The answers the user gave on the command line; nil means not given.
public struct PartialAdviceRequest: Sendable, Hashable {
    public var echoModelID: String?
    public var speakerKind: SpeakerKind?
    public var speakerModelID: String?
    public var rooms: Int?
    public var speakers: Int?
    public var goals: [Goal]?
    public var service: MusicService?
    public var maxLatencyMs: Int?
    public var wiringAcceptable: Bool?

    public init(
        echoModelID: String? = nil,
        speakerKind: SpeakerKind? = nil,
        speakerModelID: String? = nil,
        rooms: Int? = nil,
        speakers: Int? = nil,
        goals: [Goal]? = nil,
        service: MusicService? = nil,
        maxLatencyMs: Int? = nil,
        wiringAcceptable: Bool? = nil
    ) {
        self.echoModelID = echoModelID
        self.speakerKind = speakerKind
        self.speakerModelID = speakerModelID
        self.rooms = rooms
        self.speakers = speakers
        self.goals = goals
        self.service = service
        self.maxLatencyMs = maxLatencyMs
        self.wiringAcceptable = wiringAcceptable
    }

    /// Whether the answers that matter most are missing, so asking is worth it.
    public var lacksEssentials: Bool {
        echoModelID == nil || (speakerKind == nil && speakerModelID == nil)
    }

    /// The request with defaults for whatever was not given: one room, one speaker per room,
    /// no particular goal or service, wiring acceptable.
    public func withDefaults() -> AdviceRequest {
        AdviceRequest(
            echoModelID: echoModelID,
            speakerKind: speakerKind,
            speakerModelID: speakerModelID,
            rooms: rooms ?? 1,
            speakers: speakers,
            goals: goals ?? [],
            service: service,
            maxLatencyMs: maxLatencyMs,
            wiringAcceptable: wiringAcceptable ?? true
        )
    }
}

/// Where the interview talks to the user: a terminal in the CLI, a script in tests.
public protocol InterviewConsole {
    mutating func say(_ text: String)
    /// Shows the prompt and returns the answer, or nil at end of input.
    mutating func ask(_ prompt: String) -> String?
}

/// Asks for whatever the command line left out, one question at a time, and re-asks on answers
/// it can't use. End of input stops the questions and keeps the defaults.
public struct AdviceInterview: Sendable {
    public let knowledge: KnowledgeBase

    public init(knowledge: KnowledgeBase) {
        self.knowledge = knowledge
    }

    public func complete(_ partial: PartialAdviceRequest, console: inout some InterviewConsole) -> AdviceRequest {
        var answers = partial
        var ended = false

        /// Asks until `interpret` accepts the answer; an empty answer or end of input keeps the default.
        func ask<Value>(_ prompt: String, _ interpret: (String) -> Result<Value, Retry>) -> Value? {
            while !ended {
                guard let line = console.ask(prompt) else {
                    ended = true
                    console.say("")
                    return nil
                }
                let answer = line.trimmedSpaces
                if answer.isEmpty { return nil }
                switch interpret(answer) {
                case .success(let value): return value
                case .failure(let retry): console.say(retry.message)
                }
            }
            return nil
        }

        if answers.echoModelID == nil {
            answers.echoModelID = ask("Which Echo do you have? (e.g. \"Echo Dot 3rd gen\"; \"list\" shows all; Enter if unsure): ", echoModel)
        }
        if answers.speakerKind == nil, answers.speakerModelID == nil {
            var menu = ["What should play the sound?"]
            for (index, kind) in knowledge.speakerKinds.enumerated() {
                menu.append("  \(index + 1)) \(kind.id.rawValue): \(kind.name). \(kind.description)")
            }
            console.say(menu.joined(separator: "\n"))
            if let choice = ask("Choose 1-\(knowledge.speakerKinds.count), a name above, or a speaker model (e.g. \"JBL Flip 6\"): ", speaker) {
                answers.speakerKind = choice.kind
                answers.speakerModelID = choice.modelID
            }
        }
        if answers.rooms == nil {
            answers.rooms = ask("How many rooms should play? [1]: ") { count($0, atLeast: 1) }
        }
        if answers.speakers == nil {
            let rooms = answers.rooms ?? 1
            answers.speakers = ask("How many speakers in all? [\(rooms)]: ") { count($0, atLeast: rooms) }
        }
        if answers.goals == nil {
            let names = Goal.allCases.map(\.rawValue).joined(separator: ", ")
            answers.goals = ask("What matters to you? Any of: \(names) (comma-separated; Enter for none): ", goals)
        }
        if answers.service == nil {
            let names = MusicService.allCases.map(\.rawValue).joined(separator: ", ")
            answers.service = ask("Which music service? \(names) (Enter to skip): ") { answer in
                MusicService(rawValue: answer.lowercased()).map { .success($0) }
                    ?? .failure(Retry("Please type one of: \(names)."))
            }
        }
        if answers.wiringAcceptable == nil {
            answers.wiringAcceptable = ask("Can you run a cable from the Echo to a small box and on to the speaker? [Y/n]: ", yesOrNo)
        }
        return answers.withDefaults()
    }

    /// Why an answer was not usable, said to the user before asking again.
    struct Retry: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private func echoModel(_ answer: String) -> Result<String, Retry> {
        if answer.lowercased() == "list" {
            return .failure(Retry(knowledge.models.map { "  \($0.name)" }.joined(separator: "\n")))
        }
        switch knowledge.resolveModel(answer) {
        case .found(let model):
            return .success(model.id)
        case .unknown(let suggestions) where !suggestions.isEmpty:
            return .failure(Retry("I don't know \"\(answer)\". Did you mean \(listed(suggestions.map(\.name), conjunction: "or"))?"))
        case .unknown:
            return .failure(Retry("I don't know \"\(answer)\"; type \"list\" to see the models I know."))
        }
    }

    private func speaker(_ answer: String) -> Result<(kind: SpeakerKind?, modelID: String?), Retry> {
        if let number = Int(answer), knowledge.speakerKinds.indices.contains(number - 1) {
            return .success((knowledge.speakerKinds[number - 1].id, nil))
        }
        if let kind = SpeakerKind(rawValue: answer.lowercased()) {
            return .success((kind, nil))
        }
        switch knowledge.resolveSpeakerModel(answer) {
        case .found(let model):
            return .success((nil, model.id))
        case .unknown(let suggestions) where !suggestions.isEmpty:
            return .failure(Retry("I don't know \"\(answer)\". Did you mean \(listed(suggestions.map(\.name), conjunction: "or"))? Or choose a number."))
        case .unknown:
            return .failure(Retry("Please choose a number from 1 to \(knowledge.speakerKinds.count) or one of the names above."))
        }
    }

    private func count(_ answer: String, atLeast minimum: Int) -> Result<Int, Retry> {
        guard let value = Int(answer), value >= minimum else {
            return .failure(Retry("Please type a whole number, at least \(minimum)."))
        }
        return .success(value)
    }

    private func goals(_ answer: String) -> Result<[Goal], Retry> {
        let words = answer.lowercased().split { $0 == "," || $0 == " " }.map(String.init)
        let unknown = words.filter { Goal(rawValue: $0) == nil }
        guard unknown.isEmpty else {
            return .failure(Retry("I don't know \(listed(unknown.map { "\"\($0)\"" }, conjunction: "and")); use: \(Goal.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        return .success(words.compactMap(Goal.init(rawValue:)))
    }

    private func yesOrNo(_ answer: String) -> Result<Bool, Retry> {
        switch answer.lowercased() {
        case "y", "yes": .success(true)
        case "n", "no": .success(false)
        default: .failure(Retry("Please answer y or n."))
        }
    }
}

extension String {
    var trimmedSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

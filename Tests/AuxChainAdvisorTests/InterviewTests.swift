import AuxChainAdvisor
import Testing

/// Answers prompts from a script and records everything said, like a person at a terminal.
struct ScriptedConsole: InterviewConsole {
    var answers: [String]
    var transcript: [String] = []
    var prompts: [String] = []

    init(_ answers: [String]) {
        self.answers = answers
    }

    mutating func say(_ text: String) {
        transcript.append(text)
    }

    mutating func ask(_ prompt: String) -> String? {
        prompts.append(prompt)
        transcript.append(prompt)
        return answers.isEmpty ? nil : answers.removeFirst()
    }
}

@Suite("Interactive questions")
struct InterviewTests {
    let interview: AdviceInterview

    init() throws {
        interview = AdviceInterview(knowledge: try KnowledgeBase.bundled())
    }

    @Test("asks for everything missing and builds the request from the answers")
    func asksEverything() {
        var console = ScriptedConsole(["dot 3", "1", "2", "", "voice-replies, party", "spotify", "y"])
        let request = interview.complete(PartialAdviceRequest(), console: &console)
        #expect(request == AdviceRequest(
            echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, rooms: 2, speakers: 2,
            goals: [.voiceReplies, .party], service: .spotify, wiringAcceptable: true
        ))
        #expect(console.prompts.count == 7)
    }

    @Test("asks only for what the command line left out")
    func asksOnlyMissing() {
        var console = ScriptedConsole(["bluetooth"])
        let partial = PartialAdviceRequest(echoModelID: "echo-dot-4", rooms: 1, speakers: 1, goals: [], service: .tidal, wiringAcceptable: false)
        let request = interview.complete(partial, console: &console)
        #expect(console.prompts.count == 1)
        #expect(request.speakerKind == .bluetooth)
        #expect(request.wiringAcceptable == false)
    }

    @Test("an unknown model gets suggestions and the question again")
    func unknownModelSuggests() {
        var console = ScriptedConsole(["echo dto 4", "echo dot 4th gen"])
        let partial = PartialAdviceRequest(speakerKind: .bluetooth, rooms: 1, speakers: 1, goals: [], wiringAcceptable: true)
        let request = interview.complete(partial, console: &console)
        #expect(request.echoModelID == "echo-dot-4")
        #expect(console.transcript.contains { $0.contains("Did you mean Echo Dot (4th Gen)") })
    }

    @Test("a speaker model name sets the speaker model; bad numbers and goals are asked again")
    func speakerModelAndRetries() {
        var console = ScriptedConsole(["JBL Flip 6", "0", "1", "", "loud", "party", "", "n"])
        let request = interview.complete(PartialAdviceRequest(echoModelID: "echo-dot-3"), console: &console)
        #expect(request.speakerModelID == "jbl-flip-6")
        #expect(request.rooms == 1)
        #expect(request.goals == [.party])
        #expect(request.wiringAcceptable == false)
        #expect(console.transcript.contains("Please type a whole number, at least 1."))
        #expect(console.transcript.contains { $0.contains("I don't know \"loud\"") })
    }

    @Test("end of input stops asking and keeps the defaults")
    func endOfInputKeepsDefaults() {
        var console = ScriptedConsole(["echo studio"])
        let request = interview.complete(PartialAdviceRequest(), console: &console)
        #expect(request == AdviceRequest(echoModelID: "echo-studio"))
        #expect(console.prompts.count == 2)
    }
}

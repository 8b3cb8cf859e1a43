import AuxChainAdvisor
import AuxChainCore
import Foundation
import Testing

@Suite("Starting config")
struct StartingConfigTests {
    let advisor: Advisor

    init() throws {
        advisor = Advisor(knowledge: try KnowledgeBase.bundled())
    }

    func toml(_ request: AdviceRequest) throws -> String {
        try #require(advisor.advise(request).startingConfig)
    }

    /// The text as `auxchain config check` reads it: the real reader, unknown keys rejected.
    func parsed(_ text: String) throws -> AuxChainConfig {
        do {
            return try ConfigReader.parse(text, file: "starting-config.toml")
        } catch {
            Issue.record("the config reader rejects the starting config: \(error)\n\(text)")
            throw error
        }
    }

    func config(_ request: AdviceRequest) throws -> AuxChainConfig {
        try parsed(try toml(request))
    }

    /// The complete PGA2311 profile that the advice points to, read by the same reader.
    func pga2311Profile() throws -> AuxChainConfig {
        try ConfigReader.load(path: RepositoryFiles.root.appendingPathComponent("Hardware/profiles/pi4-pga2311.toml").path)
    }

    /// The starting config with its `[attenuator]` section replaced by `lines`.
    func replacingAttenuator(in text: String, with lines: [String]) throws -> String {
        var kept: [String] = []
        var inAttenuator = false
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("[") { inAttenuator = line == "[attenuator]" }
            if !inAttenuator { kept.append(line) }
        }
        return kept.joined(separator: "\n") + "\n[attenuator]\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test("every starting config the scenarios produce passes the real config reader")
    func everyStartingConfigParses() throws {
        var checked = 0
        for scenario in scenarios {
            guard let request = scenario.request, let text = advisor.advise(request).startingConfig else { continue }
            let config = try parsed(text)
            #expect(config.gpio.resolvedChip != nil, "\(scenario.name): the relay line needs a GPIO chip")
            checked += 1
        }
        #expect(checked >= 10)
    }

    @Test("every Hardware/ file the starting config points to exists")
    func hardwarePathsExist() throws {
        let paths = RepositoryFiles.hardwarePaths(in: try toml(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog)))
        #expect(!paths.isEmpty)
        for path in paths { #expect(RepositoryFiles.exists(path), "\(path)") }
    }

    @Test("voice replies start the speaker fast and keep it on longer")
    func voiceRepliesTuning() throws {
        let config = try config(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.voiceReplies]))
        #expect(config.power.settle == .milliseconds(500))
        #expect(config.power.offDelay == .seconds(1800))
        #expect(config.power.mode == .auto)
    }

    @Test("background music keeps the schema's defaults and the relay on BCM17, active-low")
    func backgroundDefaults() throws {
        let config = try config(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.background]))
        #expect(config.power.settle == .milliseconds(1500))
        #expect(config.power.offDelay == .seconds(600))
        #expect(config.power.relay == OutputLineSettings(line: .offset(17), activeLow: true))
        #expect(config.attenuator == .none)
    }

    @Test("an amplifier behind the relay gets a longer settle")
    func passiveSpeakersSettleLonger() throws {
        let config = try config(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .passive, goals: [.voiceReplies]))
        #expect(config.power.settle == .milliseconds(3000))
    }

    @Test("the Echo 4th gen config tells how to set the jack to Line Out")
    func switchableJackNote() throws {
        let text = try toml(AdviceRequest(echoModelID: "echo-4", speakerKind: .poweredAnalog))
        #expect(text.contains("# The Echo (4th Gen) has one jack for line in and line out"))
    }

    @Test("the capture and playback devices are the sound card on the parts list")
    func devicesMatchParts() throws {
        let config = try config(AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .poweredAnalog))
        #expect(config.audio.capture == "hw:CARD=sndrpihifiberry,DEV=0")
        #expect(config.audio.playback == "hw:CARD=sndrpihifiberry,DEV=0")
    }

    @Test("the board is a Pi 4's, the file says how to change it for a Pi 5, and both read")
    func boardFollowsThePartsList() throws {
        let text = try toml(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog))
        #expect(try parsed(text).gpio.board == .pi4)
        #expect(text.contains("on a Raspberry Pi 5 set board = \"pi5\""))
        let pi5 = text.replacingOccurrences(of: "board = \"pi4\"", with: "board = \"pi5\"")
        #expect(try parsed(pi5).gpio.resolvedChip == Board.pi5.headerChipLabel)
    }

    @Test("the PGA2311 lines the starting config offers make the same attenuator as the PGA2311 profile")
    func startingConfigPGA2311LinesAreComplete() throws {
        let text = try toml(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog))
        let offered = text.components(separatedBy: "\n").compactMap { line -> String? in
            guard line.hasPrefix("#   ") else { return nil }
            return String(line.dropFirst(4))
        }
        #expect(offered == StartingConfig.pga2311Keys)
        let enabled = try parsed(try replacingAttenuator(in: text, with: offered))
        #expect(enabled.attenuator == (try pga2311Profile()).attenuator)
    }

    @Test("the PGA2311 part's note gives every key the config reader needs, as in the PGA2311 profile")
    func pga2311PartNoteIsComplete() throws {
        let knowledge = try KnowledgeBase.bundled()
        let note = try #require(knowledge.parts.first { $0.id == "pga2311-board" }?.note)
        let keys = note.matches(of: #/([a-z_]+) = ("[a-z0-9]+"|[a-z0-9]+)/#).map { "\($0.output.1) = \($0.output.2)" }
        #expect(keys.first == "kind = \"pga2311\"", "\(note)")
        let text = try toml(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog))
        let enabled = try parsed(try replacingAttenuator(in: text, with: keys))
        #expect(enabled.attenuator == (try pga2311Profile()).attenuator)
        #expect(note.contains("Hardware/profiles/pi4-pga2311.toml"))
    }

    @Test("kind = \"pga2311\" alone is what the reader rejects, so the checks above can fail")
    func pga2311KindAloneIsRejected() throws {
        let text = try toml(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog))
        #expect(throws: ConfigError.self) {
            try ConfigReader.parse(try replacingAttenuator(in: text, with: ["kind = \"pga2311\""]), file: "starting-config.toml")
        }
    }
}

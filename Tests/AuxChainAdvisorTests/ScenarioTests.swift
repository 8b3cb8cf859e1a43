import AuxChainAdvisor
import Testing

/// What a user brings, and what the advisor must answer.
struct Scenario: CustomTestStringConvertible, Sendable {
    enum Ask: Sendable {
        /// `auxchain advise` with flags.
        case advice(AdviceRequest)
        /// `auxchain advise --question`, in the user's own words.
        case question(String)
    }

    enum Expectation: Sendable {
        /// The method the advisor must put first and exactly the warnings it must give.
        case ranking(first: MethodID, warnings: Set<WarningID>)
        /// The myth or FAQ entry that must answer, with phrases our answer must and must not contain.
        case answer(questionID: String, says: [String], neverSays: [String])
    }

    var name: String
    var ask: Ask
    var expected: Expectation
    var testDescription: String { name }

    var request: AdviceRequest? {
        if case .advice(let request) = ask { request } else { nil }
    }

    init(name: String, request: AdviceRequest, first: MethodID, warnings: Set<WarningID>) {
        self.name = name
        ask = .advice(request)
        expected = .ranking(first: first, warnings: warnings)
    }

    init(name: String, question: String, answeredBy questionID: String, says: [String], neverSays: [String]) {
        self.name = name
        ask = .question(question)
        expected = .answer(questionID: questionID, says: says, neverSays: neverSays)
    }
}

let scenarios: [Scenario] = [
    Scenario(
        name: "Echo Dot 5th gen with a powered speaker: no jack, so pair a Bluetooth receiver",
        request: AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .poweredAnalog, goals: [.background]),
        first: .echoBluetoothPairing,
        warnings: [.lineOutDisputed]
    ),
    Scenario(
        name: "Echo Studio with a powered speaker: its jack is an input",
        request: AdviceRequest(echoModelID: "echo-studio", speakerKind: .poweredAnalog),
        first: .echoBluetoothPairing,
        warnings: [.lineOutDisputed]
    ),
    Scenario(
        name: "Echo Dot 3rd gen, powered speaker, voice replies: the aux-out chain",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.voiceReplies]),
        first: .auxOutChain,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "Echo Dot 4th gen, powered speaker, party",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .poweredAnalog, goals: [.party]),
        first: .auxOutChain,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "two rooms in sync with powered speakers: Snapcast, not the phone relay",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, rooms: 2, goals: [.multiroom]),
        first: .snapcastMultiroom,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "two rooms of Echos: an Amazon multi-room group",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, rooms: 2, goals: [.multiroom]),
        first: .amazonMultiroom,
        warnings: [.multiroomServicesUnverified]
    ),
    Scenario(
        name: "Apple Music in two rooms with powered speakers: Snapcast, Amazon multi-room blocked",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, rooms: 2, goals: [.multiroom], service: .appleMusic),
        first: .snapcastMultiroom,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "Apple Music on two Echos in two rooms in sync: not the drifting phone relay; nothing fits, Amazon multi-room is closest",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, rooms: 2, goals: [.multiroom], service: .appleMusic),
        first: .amazonMultiroom,
        warnings: [.nothingFits]
    ),
    Scenario(
        name: "Echo Dot 5th gen with Bluetooth speakers in two rooms in sync: an Echo per room in a multi-room group, not the phone relay",
        request: AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .bluetooth, rooms: 2, goals: [.multiroom]),
        first: .amazonMultiroom,
        warnings: [.lineOutDisputed, .nothingFits]
    ),
    Scenario(
        name: "Spotify on Echos in three rooms",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, rooms: 3, goals: [.multiroom], service: .spotify),
        first: .amazonMultiroom,
        warnings: [.multiroomServicesUnverified]
    ),
    Scenario(
        name: "a Bluetooth speaker with an Echo Dot 3rd gen: pair it",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .bluetooth, goals: [.background]),
        first: .echoBluetoothPairing,
        warnings: []
    ),
    Scenario(
        name: "a Bluetooth speaker with an Echo Dot 5th gen",
        request: AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .bluetooth),
        first: .echoBluetoothPairing,
        warnings: [.lineOutDisputed]
    ),
    Scenario(
        name: "a speaker model from the article, found by name",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerModelID: "jbl-flip-6"),
        first: .echoBluetoothPairing,
        warnings: []
    ),
    Scenario(
        name: "no wiring wanted with a powered speaker",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, wiringAcceptable: false),
        first: .echoBluetoothPairing,
        warnings: []
    ),
    Scenario(
        name: "hearing aids: stream from the phone",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .hearingAid, goals: [.hearingAssist]),
        first: .phoneBluetoothRelay,
        warnings: [.askAudiologist]
    ),
    Scenario(
        name: "hearing assist through a powered speaker near the listener",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.hearingAssist, .voiceReplies]),
        first: .auxOutChain,
        warnings: [.askAudiologist, .jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "two identical Echos for stereo: a stereo pair",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, speakers: 2, goals: [.stereo]),
        first: .echoStereoPair,
        warnings: []
    ),
    Scenario(
        name: "an Echo Input can't be half of a stereo pair",
        request: AdviceRequest(echoModelID: "echo-input", speakerKind: .echo, speakers: 2, goals: [.stereo]),
        first: .amazonMultiroom,
        warnings: [.echoHasNoSpeaker, .multiroomServicesUnverified]
    ),
    Scenario(
        name: "Echo Input with a powered speaker: the chain it was made for",
        request: AdviceRequest(echoModelID: "echo-input", speakerKind: .poweredAnalog, goals: [.voiceReplies]),
        first: .auxOutChain,
        warnings: [.echoHasNoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "TV sound from a Dot 3rd gen on a powered speaker",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.tv]),
        first: .auxOutChain,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "TV sound on a Bluetooth speaker from a Dot 5th gen",
        request: AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .bluetooth, goals: [.tv]),
        first: .echoBluetoothPairing,
        warnings: [.lineOutDisputed]
    ),
    Scenario(
        name: "low delay with a powered speaker",
        request: AdviceRequest(echoModelID: "echo-flex", speakerKind: .poweredAnalog, goals: [.lowLatency]),
        first: .auxOutChain,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "passive speakers for a party: the chain with an amplifier",
        request: AdviceRequest(echoModelID: "echo-flex", speakerKind: .passive, speakers: 2, goals: [.party]),
        first: .auxOutChain,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "Echo 4th gen: switch the jack to Line Out",
        request: AdviceRequest(echoModelID: "echo-4", speakerKind: .poweredAnalog),
        first: .auxOutChain,
        warnings: [.setJackToLineOut, .jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "Echo 3rd gen: line-out unverified, so a method that surely works comes first",
        request: AdviceRequest(echoModelID: "echo-3", speakerKind: .poweredAnalog),
        first: .echoBluetoothPairing,
        warnings: [.lineOutUnverified]
    ),
    Scenario(
        name: "Echo Show 15: line-out unknown, so a method that surely works comes first",
        request: AdviceRequest(echoModelID: "echo-show-15", speakerKind: .poweredAnalog, goals: [.voiceReplies]),
        first: .echoBluetoothPairing,
        warnings: [.lineOutUnverified]
    ),
    Scenario(
        name: "Echo Link Amp with passive speakers: they go on its own amplifier, not a Pi and a second one",
        request: AdviceRequest(echoModelID: "echo-link-amp", speakerKind: .passive, speakers: 2),
        first: .amazonMultiroom,
        warnings: [.echoDrivesPassiveSpeakers, .lineOutUnverified, .echoHasNoSpeaker, .multiroomServicesUnverified]
    ),
    Scenario(
        name: "Echo Pop with a powered speaker and voice replies",
        request: AdviceRequest(echoModelID: "echo-pop", speakerKind: .poweredAnalog, goals: [.voiceReplies]),
        first: .echoBluetoothPairing,
        warnings: []
    ),
    Scenario(
        name: "no Echo model given",
        request: AdviceRequest(speakerKind: .poweredAnalog),
        first: .auxOutChain,
        warnings: [.noEchoModel, .jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "an Echo model the knowledge base lacks, with a powered speaker: its line-out is unknown",
        request: AdviceRequest(echoModelID: "echo-dot-9", speakerKind: .poweredAnalog),
        first: .echoBluetoothPairing,
        warnings: [.unknownEchoModel]
    ),
    Scenario(
        name: "an Echo model the knowledge base lacks",
        request: AdviceRequest(echoModelID: "echo-dot-9", speakerKind: .bluetooth),
        first: .echoBluetoothPairing,
        warnings: [.unknownEchoModel]
    ),
    Scenario(
        name: "no speaker kind given",
        request: AdviceRequest(echoModelID: "echo-dot-3"),
        first: .auxOutChain,
        warnings: [.noSpeakerKind, .jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "own files on a Bluetooth speaker: straight from the phone",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .bluetooth, service: .localFiles),
        first: .phoneBluetoothRelay,
        warnings: []
    ),
    Scenario(
        name: "twenty speakers in five rooms: too many for Amazon's groups",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, rooms: 5, speakers: 20, goals: [.multiroom]),
        first: .snapcastMultiroom,
        warnings: [.jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "multi-room wanted but one room given",
        request: AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.multiroom]),
        first: .auxOutChain,
        warnings: [.multiroomGoalOneRoom, .jackMutesEchoSpeaker, .mainsRelay]
    ),
    Scenario(
        name: "a Wi-Fi speaker and no wiring",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerModelID: "sonos-era-100", wiringAcceptable: false),
        first: .echoBluetoothPairing,
        warnings: []
    ),
    Scenario(
        name: "Apple Music on Echos in three rooms: nothing works, Amazon multi-room is closest",
        request: AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, rooms: 3, service: .appleMusic),
        first: .amazonMultiroom,
        warnings: [.nothingFits]
    ),
    Scenario(
        name: "\"hold the action button to make it a transmitter\": the myth's answer, without endorsing the article's reset claim",
        question: "hold the action button to make it a transmitter",
        answeredBy: "myth-action-button",
        says: ["No button gesture", "Pair a new device", "Alexa, connect to my speaker"],
        neverSays: ["right about the button", "resets"]
    ),
]

@Suite("Advisor scenarios")
struct ScenarioTests {
    let advisor: Advisor

    init() throws {
        advisor = Advisor(knowledge: try KnowledgeBase.bundled())
    }

    @Test("the table covers at least 25 situations")
    func tableIsLargeEnough() {
        #expect(scenarios.count >= 25)
    }

    @Test("ranks the expected method first with exactly the expected warnings, or answers the myth", arguments: scenarios)
    func scenario(_ scenario: Scenario) throws {
        switch (scenario.ask, scenario.expected) {
        case (.advice(let request), .ranking(let first, let warnings)):
            let report = advisor.advise(request)
            #expect(report.first.method == first, "ranking: \(report.recommendations.map { "\($0.method.rawValue) \($0.score)\($0.blocked ? " blocked" : "")" })")
            #expect(Set(report.warningIDs) == warnings)
            #expect(report.recommendations.map(\.rank) == Array(1...MethodID.allCases.count))
            #expect(Set(report.recommendations.map(\.method)) == Set(MethodID.allCases))
        case (.question(let text), .answer(let questionID, let says, let neverSays)):
            let match = try #require(advisor.knowledge.answer(to: text), "no myth or FAQ entry matches \"\(text)\"")
            #expect(match.question.id == questionID)
            let answer = match.question.answer.text
            for phrase in says { #expect(answer.contains(phrase), "our answer lacks \"\(phrase)\": \(answer)") }
            for phrase in neverSays { #expect(!answer.contains(phrase), "our answer says \"\(phrase)\": \(answer)") }
        default:
            Issue.record("\(scenario.name): a question needs an answer expectation, a request a ranking")
        }
    }

    @Test("Echo Dot 5th gen blocks the aux-out chain and says the jack is missing and whom we trust")
    func dot5BlocksAuxOut() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .poweredAnalog))
        let aux = try #require(report.recommendation(.auxOutChain))
        #expect(aux.blocked)
        #expect(aux.score == 0)
        let blocker = try #require(aux.blockers.first)
        #expect(blocker.contains("Echo Dot (5th Gen) has no 3.5 mm output"))
        #expect(blocker.contains("The seed article says otherwise"))
        #expect(blocker.contains("we trust Amazon's device pages"))
        #expect(report.disputes.contains { $0.id == "dot5-line-out" })
        #expect(report.startingConfig == nil)
    }

    @Test("Echo Studio blocks the aux-out chain because its jack is an input")
    func studioBlocksAuxOut() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-studio", speakerKind: .poweredAnalog))
        let aux = try #require(report.recommendation(.auxOutChain))
        #expect(aux.blocked)
        #expect(aux.blockers.contains { $0.contains("Echo Studio has no 3.5 mm output") && $0.contains("is an input") })
        let snapcast = try #require(report.recommendation(.snapcastMultiroom))
        #expect(snapcast.blocked, "Snapcast captures the same line-out")
    }

    @Test("an unconfirmed line-out caps the wired methods below the best method that surely works and says how to check")
    func unconfirmedLineOutIsACondition() throws {
        for model in ["echo-show-15", "echo-3"] {
            let report = advisor.advise(AdviceRequest(echoModelID: model, speakerKind: .poweredAnalog, goals: [.voiceReplies, .party]))
            let aux = try #require(report.recommendation(.auxOutChain))
            #expect(!aux.blocked)
            let condition = try #require(aux.conditions.first, "\(model)")
            #expect(condition.contains("Look for a 3.5 mm jack"))
            #expect(condition.contains("Alexa app"))
            let bestSure = try #require(report.recommendations.first { !$0.blocked && $0.conditions.isEmpty })
            #expect(aux.score < bestSure.score, "\(model): \(aux.score) vs \(bestSure.method.rawValue) \(bestSure.score)")
            #expect(aux.rank > bestSure.rank)
        }
        let confirmed = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.voiceReplies, .party]))
        #expect(confirmed.recommendation(.auxOutChain)?.conditions == [])
        #expect(confirmed.first.method == .auxOutChain)
    }

    @Test("Echo Link Amp with passive speakers: the answer is its own amplifier, and the Pi-and-amplifier methods are marked down for it")
    func linkAmpDrivesPassiveSpeakers() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-link-amp", speakerKind: .passive))
        #expect(report.first.method != .auxOutChain)
        for method in [MethodID.auxOutChain, .snapcastMultiroom] {
            let findings = try #require(report.recommendation(method)?.findings)
            #expect(findings.contains { $0.rule == .echoAmplifier && $0.scoreDelta < 0 && $0.text.contains("speaker terminals") })
        }
        #expect(report.text().hasPrefix("Advice for: Echo Link Amp; speaker: passive; 1 room; 1 speaker; wiring OK\n\nFirst: Echo Link Amp is itself an amplifier"))
        let powered = advisor.advise(AdviceRequest(echoModelID: "echo-link-amp", speakerKind: .poweredAnalog))
        #expect(!powered.warningIDs.contains(.echoDrivesPassiveSpeakers), "with a powered speaker the rule has nothing to say")
    }

    @Test("an Echo without a speaker of its own is never told the jack mutes its speaker")
    func noMuteWarningWithoutAnEchoSpeaker() throws {
        let speakerless = advisor.knowledge.models.filter { !$0.hasSpeaker.value }
        #expect(Set(speakerless.map(\.id)).isSuperset(of: ["echo-input", "echo-link-amp"]))
        for model in speakerless {
            for kind in [SpeakerKind.poweredAnalog, .passive] {
                let report = advisor.advise(AdviceRequest(echoModelID: model.id, speakerKind: kind, goals: [.voiceReplies]))
                #expect(!report.warningIDs.contains(.jackMutesEchoSpeaker), "\(model.id) with \(kind.rawValue)")
                #expect(!report.text().contains("mutes"), "\(model.id) with \(kind.rawValue)")
            }
        }
        let dot3 = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog))
        #expect(dot3.warningIDs.contains(.jackMutesEchoSpeaker))
    }

    @Test("Apple Music blocks Amazon multi-room with a reason naming the service")
    func appleMusicBlocksAmazonMultiroom() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, rooms: 2, service: .appleMusic))
        let multiroom = try #require(report.recommendation(.amazonMultiroom))
        #expect(multiroom.blocked)
        #expect(multiroom.blockers.contains { $0.contains("Apple Music") })
        #expect(report.first.method != .amazonMultiroom)
    }

    @Test("two rooms in sync block the phone relay for its drift and point to an Echo per room")
    func phoneRelayCantKeepRoomsInStep() throws {
        for model in ["echo-dot-3", "echo-dot-5"] {
            let report = advisor.advise(AdviceRequest(echoModelID: model, speakerKind: .bluetooth, rooms: 2, goals: [.multiroom]))
            let relay = try #require(report.recommendation(.phoneBluetoothRelay))
            #expect(relay.blocked, "\(model)")
            let drift = try #require(relay.findings.first { $0.rule == .sync && $0.blocks })
            #expect(drift.text.contains("±120 ms"))
            #expect(drift.text.contains("put an Echo in each room"))
            #expect(report.first.method != .phoneBluetoothRelay, "\(model)")
        }
        let background = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .bluetooth, rooms: 2, goals: [.background]))
        let relay = try #require(background.recommendation(.phoneBluetoothRelay))
        #expect(!relay.blocked, "without a wish for sync the drift only marks it down")
        #expect(relay.findings.contains { $0.rule == .sync && $0.scoreDelta < 0 })
    }

    @Test("the relay warning prefers the + wire of the speaker's DC supply and allows mains only in an enclosed, rated unit")
    func relayWarningPrefersLowVoltage() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog))
        let warning = try #require(report.warnings.first { $0.id == .mainsRelay })
        #expect(warning.message.contains("+ wire of its low-voltage DC supply"))
        #expect(warning.message.contains("rated, fully enclosed relay unit"))
        #expect(warning.message.contains("Hardware/wiring/relay.md"))
        #expect(!warning.message.contains("switches your speaker's mains power"))
    }

    @Test("Amazon multi-room is blocked for a Wi-Fi speaker, with the SDK as the reason; for Sonos, with Sonos' own limit")
    func wifiSpeakersCantJoinAmazonGroups() throws {
        let wifi = advisor.advise(AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .wifi, rooms: 2, goals: [.multiroom]))
        let generic = try #require(wifi.recommendation(.amazonMultiroom))
        #expect(generic.blocked)
        #expect(generic.blockers.contains { $0.contains("Multi-Room Music SDK") })
        #expect(wifi.first.method != .amazonMultiroom)

        let sonos = advisor.advise(AdviceRequest(echoModelID: "echo-dot-4", speakerModelID: "sonos-era-100", rooms: 2, goals: [.multiroom]))
        let sonosGroup = try #require(sonos.recommendation(.amazonMultiroom))
        #expect(sonosGroup.blocked)
        #expect(sonosGroup.findings.contains { $0.blocks && $0.sources == ["sonos-alexa"] && $0.text.contains("Sonos") })
        #expect(sonos.disputes.contains { $0.id == "sonos-multiroom" })
        #expect(sonos.sources.contains { $0.id == "sonos-alexa" })
    }

    @Test("a low-confidence figure from the seed article is attributed to it, never stated as fact")
    func seedFiguresAreAttributed() {
        let requests = scenarios.compactMap(\.request) + [
            AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, rooms: 2, goals: [.multiroom], maxLatencyMs: 40),
            AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .bluetooth, rooms: 3, speakers: 3, goals: [.stereo], maxLatencyMs: 100),
            AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .echo, rooms: 16, speakers: 16),
        ]
        var checked = 0
        for request in requests {
            for finding in advisor.advise(request).recommendations.flatMap(\.findings) {
                guard finding.confidence == .low, finding.sources.first == "seed-article",
                      finding.text.contains(where: \.isNumber) else { continue }
                #expect(finding.text.lowercased().contains("the seed article claims"), "\(finding.text)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test("unblocked methods come before blocked ones, best score first")
    func rankingOrder() {
        for scenario in scenarios {
            guard let request = scenario.request else { continue }
            let report = advisor.advise(request)
            let usable = report.recommendations.prefix { !$0.blocked }
            let restBlocked = report.recommendations.dropFirst(usable.count).allSatisfy { $0.blocked }
            #expect(restBlocked)
            #expect(usable.map(\.score) == usable.map(\.score).sorted(by: >))
        }
    }

    @Test("every reason and blocker is a sentence and cites a known source")
    func reasonsAreSentencesWithSources() {
        let knowledge = advisor.knowledge
        for scenario in scenarios {
            guard let request = scenario.request else { continue }
            let report = advisor.advise(request)
            for finding in report.recommendations.flatMap(\.findings) {
                #expect(finding.text.first?.isUppercase == true, "\(finding.text)")
                #expect(finding.text.hasSuffix("."), "\(finding.text)")
                for source in finding.sources { #expect(knowledge.source(source) != nil) }
            }
            let reportSources = Set(report.sources.map(\.id))
            for source in report.recommendations.flatMap(\.sourceIDs) { #expect(reportSources.contains(source)) }
        }
    }

    @Test("a blocked method has no parts; the aux-out chain lists an amplifier only for passive speakers")
    func partsFollowSpeakerKind() throws {
        let passive = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .passive))
        let powered = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog))
        #expect(passive.recommendation(.auxOutChain)?.parts.contains { $0.id == "amplifier" } == true)
        #expect(powered.recommendation(.auxOutChain)?.parts.contains { $0.id == "amplifier" } == false)
        #expect(powered.recommendation(.auxOutChain)?.parts.contains { $0.id == "line-in-sound-card" } == true)
        let dot5 = advisor.advise(AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .poweredAnalog))
        #expect(dot5.recommendation(.auxOutChain)?.parts == [])
        #expect(dot5.first.parts.contains { $0.id == "bluetooth-receiver" })
    }

    @Test("pairing a speaker that only takes a cable starts by connecting the Bluetooth receiver to its input")
    func receiverStepsForPoweredSpeakers() throws {
        let dot5 = advisor.advise(AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .poweredAnalog))
        #expect(dot5.first.method == .echoBluetoothPairing)
        #expect(dot5.first.parts.contains { $0.id == "bluetooth-receiver" })
        let step = try #require(dot5.first.steps.first)
        #expect(step.contains("Bluetooth receiver") && step.contains("speaker's line input"), "\(step)")
        #expect(dot5.text().contains("1. Connect the Bluetooth receiver's output to your speaker's line input"))
        let bluetooth = advisor.advise(AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .bluetooth))
        #expect(bluetooth.first.steps.allSatisfy { !$0.contains("receiver") }, "a Bluetooth speaker needs no receiver")
    }

    @Test("Snapcast counts a Pi for every room")
    func snapcastPartsPerRoom() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, rooms: 3))
        let parts = try #require(report.recommendation(.snapcastMultiroom)?.parts)
        #expect(parts.first { $0.id == "raspberry-pi" }?.count == 3)
        #expect(parts.first { $0.id == "room-sound-card" }?.count == 2)
        #expect(parts.first { $0.id == "line-in-sound-card" }?.count == 1)
    }

    @Test("a delay limit marks down methods that exceed it")
    func latencyLimit() throws {
        let loose = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .bluetooth))
        let strict = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .bluetooth, maxLatencyMs: 50))
        let looseScore = try #require(loose.recommendation(.echoBluetoothPairing)?.score)
        let strictPairing = try #require(strict.recommendation(.echoBluetoothPairing))
        #expect(strictPairing.score < looseScore)
        #expect(strictPairing.findings.contains { $0.rule == .latency && $0.text.contains("your limit of 50 ms") })
        #expect(strict.first.method == .auxOutChain)
    }

    @Test("the starting config is offered exactly when the aux-out chain is not blocked")
    func configOnlyWhenAuxOutPossible() {
        for scenario in scenarios {
            guard let request = scenario.request else { continue }
            let report = advisor.advise(request)
            let auxBlocked = report.recommendation(.auxOutChain)?.blocked ?? true
            #expect((report.startingConfig != nil) == !auxBlocked, "\(scenario.name)")
        }
    }
}

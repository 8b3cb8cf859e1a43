import AuxChainAdvisor
import Foundation
import Testing

@Suite("Knowledge file")
struct KnowledgeFileTests {
    let knowledge: KnowledgeBase

    init() throws {
        knowledge = try KnowledgeBase.bundled()
    }

    @Test("the shipped file passes validation: references resolve, every fact has a known source")
    func shippedFileIsValid() {
        let issues = knowledge.validate()
        #expect(issues.isEmpty, "\(issues.map(\.description).joined(separator: "\n"))")
    }

    @Test("every method identifier has an entry, and every entry is a known method")
    func methodsAreComplete() {
        #expect(knowledge.methods.map(\.id).sorted() == MethodID.allCases.sorted())
    }

    @Test("the line-out facts the hardware docs rely on")
    func lineOutFacts() throws {
        func lineOut(_ id: String) throws -> LineOut { try #require(knowledge.model(id)).lineOut.value }
        #expect(try lineOut("echo-dot-3") == .yes)
        #expect(try lineOut("echo-dot-4") == .yes)
        #expect(try lineOut("echo-dot-5") == .no)
        #expect(try lineOut("echo-studio") == .no)
        #expect(try lineOut("echo-pop") == .no)
        #expect(try lineOut("echo-4") == .switchable)
        #expect(try #require(knowledge.model("echo-input")).hasSpeaker.value == false)
    }

    @Test("unverified line-outs cite a source labelled unverified, not Amazon's specifications")
    func unverifiedLineOutsCiteAnUnverifiedSource() throws {
        for id in ["echo-3", "echo-show-15", "echo-link", "echo-link-amp"] {
            let lineOut = try #require(knowledge.model(id)).lineOut
            #expect(lineOut.confidence == .low, "\(id)")
            #expect(knowledge.source(lineOut.source)?.standing == .unverified, "\(id) cites \(lineOut.source)")
        }
        var broken = knowledge
        let show15 = try #require(broken.models.firstIndex { $0.id == "echo-show-15" })
        broken.models[show15].lineOut.source = "amazon-device-specs"
        #expect(broken.validate().map(\.description).contains {
            $0.hasPrefix("models[echo-show-15].lineOut") && $0.contains("verified source \"amazon-device-specs\"")
        })
    }

    @Test("the article's wrong line-out claims are kept beside the verified finding, which is trusted")
    func lineOutDisputesKeepBothSides() throws {
        for (id, model) in [("dot5-line-out", "echo-dot-5"), ("studio-line-out", "echo-studio")] {
            let dispute = try #require(knowledge.dispute(id))
            #expect(dispute.models == [model])
            #expect(dispute.claim.source == "seed-article")
            #expect(knowledge.source(dispute.finding.source)?.standing == .verified)
            #expect(dispute.trusted == .finding)
        }
    }

    @Test("the seed article's three methods keep its figures, attributed to it")
    func articleFiguresAreKept() throws {
        let relay = try #require(knowledge.method(.phoneBluetoothRelay))
        #expect(relay.figures.latency.value == "185-240 ms")
        #expect(relay.figures.latency.source == "seed-article")
        let aux = try #require(knowledge.method(.auxOutChain))
        #expect(aux.figures.setupTime.value == "90 seconds")
        #expect(aux.figures.setupTime.source == "seed-article")
        #expect(aux.latencyMs?.source == "auxchain-design", "the rules use our figure, not the article's 0 ms")
        let multiroom = try #require(knowledge.method(.amazonMultiroom))
        #expect(multiroom.figures.maxSpeakers.value.contains("15"))
    }

    @Test("every Hardware/ guide or profile the knowledge file points to exists")
    func hardwarePathsExist() throws {
        let paths = RepositoryFiles.hardwarePaths(in: try String(contentsOf: RepositoryFiles.knowledge, encoding: .utf8))
        #expect(paths.contains("Hardware/wiring/relay.md"))
        for path in paths {
            #expect(RepositoryFiles.exists(path), "knowledge.json points to \(path), which does not exist")
        }
    }

    @Test("the relay module's note says to take the JD-VCC jumper off before wiring JD-VCC and VCC")
    func relayNoteRemovesJumperFirst() throws {
        let note = try #require(knowledge.parts.first { $0.id == "relay-module" }?.note)
        let jumper = try #require(note.range(of: "JD-VCC jumper off"), "\(note)")
        let wiring = try #require(note.range(of: "JD-VCC to 5 V"), "\(note)")
        #expect(jumper.lowerBound < wiring.lowerBound)
        #expect(note.contains("5 V and 3V3 rails"))
        #expect(note.contains("Hardware/wiring/relay.md"))
    }

    @Test("validation finds an unknown source, a missing method and a dispute naming an unknown model")
    func validationCatchesBrokenReferences() throws {
        var broken = knowledge
        broken.models[0].lineOut.source = "a-blog-somewhere"
        broken.methods.removeAll { $0.id == .echoStereoPair }
        broken.disputes[0].models = ["echo-dot-99"]
        broken.questions[0].relatedDisputes = ["no-such-dispute"]
        let problems = broken.validate().map(\.description)
        #expect(problems.contains { $0.contains("cites unknown source \"a-blog-somewhere\"") })
        #expect(problems.contains { $0.contains("lacks \"echo-stereo-pair\"") })
        #expect(problems.contains { $0.contains("names unknown model \"echo-dot-99\"") })
        #expect(problems.contains { $0.contains("names unknown dispute \"no-such-dispute\"") })
    }

    @Test("validation finds a fact without a source and two models that read the same")
    func validationCatchesMissingSourceAndCollisions() throws {
        var broken = knowledge
        broken.facts[0].source = ""
        broken.models[1].aliases.append(broken.models[0].name.uppercased())
        let problems = broken.validate().map(\.description)
        #expect(problems.contains { $0.hasPrefix("facts[\(broken.facts[0].id)]") && $0.contains("has no source") })
        #expect(problems.contains { $0.contains("reads the same as one of \(broken.models[0].id)") })
    }

    @Test("validation finds a seed-article figure stated as fact and a source nothing cites")
    func validationCatchesUnattributedFiguresAndUncitedSources() throws {
        var broken = knowledge
        let relay = try #require(broken.methods.firstIndex { $0.id == .phoneBluetoothRelay })
        broken.methods[relay].goalFit[.stereo]?.reason = "Two speakers fed this way drift apart by up to ±120 ms."
        var uncited = broken.sources[0]
        uncited.id = "forum-post"
        broken.sources.append(uncited)
        let problems = broken.validate().map(\.description)
        #expect(problems.contains { $0.hasPrefix("methods[phone-bluetooth-relay].goalFit[stereo]") && $0.contains("the seed article claims") })
        #expect(problems.contains { $0.hasPrefix("sources[forum-post]") && $0.contains("cited by no fact") })
    }

    @Test("Sonos' own multi-room limit cites Sonos, and its dispute with the article names the Sonos models")
    func sonosFactsCiteSonos() throws {
        for id in ["sonos-era-100", "sonos-roam"] {
            let fit = try #require(knowledge.speakerModel(id)?.methodFit?[.amazonMultiroom])
            #expect(fit.blocks)
            #expect(fit.source == "sonos-alexa")
        }
        let dispute = try #require(knowledge.dispute("sonos-multiroom"))
        #expect(dispute.finding.source == "sonos-alexa")
        #expect(dispute.speakerModels == ["sonos-era-100", "sonos-roam"])
        #expect(knowledge.disputes.filter { $0.finding.text.contains("Sonos") }.allSatisfy { $0.finding.source == "sonos-alexa" })
    }

    @Test("decoding rejects an unknown method identifier")
    func decodingRejectsUnknownMethod() throws {
        var json = try String(decoding: JSONEncoder().encode(knowledge), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"echo-stereo-pair\"", with: "\"echo-stereo-trio\"")
        #expect(throws: DecodingError.self) { try KnowledgeBase(json: Data(json.utf8)) }
    }
}

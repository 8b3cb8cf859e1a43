import AuxChainAdvisor
import Testing

@Suite("Model names")
struct NameMatcherTests {
    let knowledge: KnowledgeBase

    init() throws {
        knowledge = try KnowledgeBase.bundled()
    }

    @Test(
        "finds a model however it is written",
        arguments: [
            ("dot 3", "echo-dot-3"),
            ("echo dot 3rd gen", "echo-dot-3"),
            ("Echo Dot (3rd Gen)", "echo-dot-3"),
            ("Amazon Echo Dot third generation", "echo-dot-3"),
            ("echo-dot-4", "echo-dot-4"),
            ("Echo Dot with Clock (5th Gen)", "echo-dot-5"),
            ("echo dot gen5", "echo-dot-5"),
            ("Echo Studio", "echo-studio"),
            ("studio", "echo-studio"),
            ("Echo 4th gen", "echo-4"),
            ("echo show 5 2nd gen", "echo-show-5-2"),
            ("Echo Spot 2024", "echo-spot-2024"),
            ("echo input", "echo-input"),
        ]
    )
    func resolves(_ text: String, _ id: String) {
        #expect(knowledge.resolveModel(text) == .found(knowledge.model(id)!))
    }

    @Test("an unknown model's message suggests close models and says --echo can be left out")
    func unknownModelHelp() {
        let typo = knowledge.unknownModelHelp("echo dto 4")
        #expect(typo.contains("Did you mean \"Echo Dot (4th Gen)\""), "\(typo)")
        let show8 = knowledge.unknownModelHelp("Echo Show 8")
        #expect(show8.contains("Echo Show"), "\(show8)")
        let studioMax = knowledge.unknownModelHelp("Echo Studio Max 2")
        #expect(studioMax.contains("Models it knows with a word in common: \"Echo Studio\"."), "\(studioMax)")
        let hub = knowledge.unknownModelHelp("Echo Hub")
        #expect(!hub.contains("Did you mean") && !hub.contains("word in common"), "\(hub)")
        for help in [typo, show8, studioMax, hub] {
            #expect(help.hasPrefix("unknown Echo model \""))
            #expect(help.contains("leave --echo out"))
            #expect(help.contains("--list-models"))
        }
    }

    @Test("suggests the nearest model for a typo")
    func suggestsForTypo() throws {
        guard case .unknown(let suggestions) = knowledge.resolveModel("echo dto 4") else {
            Issue.record("a typo must not resolve")
            return
        }
        #expect(suggestions.first?.id == "echo-dot-4")
    }

    @Test("an ambiguous name suggests every model it could be")
    func ambiguousNameSuggestsAll() {
        guard case .unknown(let suggestions) = knowledge.resolveModel("echo show 5") else {
            Issue.record("\"echo show 5\" names three generations and must not resolve to one")
            return
        }
        #expect(Set(suggestions.map(\.id)) == ["echo-show-5-1", "echo-show-5-2", "echo-show-5-3"])
    }

    @Test("a generation that doesn't exist suggests its neighbours")
    func missingGenerationSuggestsNeighbours() {
        guard case .unknown(let suggestions) = knowledge.resolveModel("echo dot 6th gen") else {
            Issue.record("there is no Echo Dot (6th Gen) in the knowledge base")
            return
        }
        #expect(suggestions.first?.id == "echo-dot-5")
        #expect(suggestions.allSatisfy { $0.name.hasPrefix("Echo Dot") })
    }

    @Test("nonsense gets no suggestions")
    func nonsenseHasNoSuggestions() {
        #expect(knowledge.resolveModel("toaster deluxe 3000") == .unknown(suggestions: []))
    }

    @Test("speaker models resolve by name")
    func speakerModels() {
        #expect(knowledge.resolveSpeakerModel("JBL Flip 6") == .found(knowledge.speakerModel("jbl-flip-6")!))
        #expect(knowledge.resolveSpeakerModel("sonos era 100") == .found(knowledge.speakerModel("sonos-era-100")!))
    }

    @Test("normalising drops punctuation and noise words and turns ordinals into digits")
    func normalising() {
        #expect(NameNormaliser.normalise("Echo Dot (3rd Gen)") == "echo dot 3")
        #expect(NameNormaliser.normalise("echo dot with clock, fifth generation") == "echo dot 5")
        #expect(NameNormaliser.normalise("Echo Show 5 gen2") == "echo show 5 2")
    }

    @Test("edit distance counts insertions, deletions and substitutions")
    func editDistance() {
        #expect(NameNormaliser.editDistance("dot", "dot") == 0)
        #expect(NameNormaliser.editDistance("dto", "dot") == 2)
        #expect(NameNormaliser.editDistance("echo", "eco") == 1)
        #expect(NameNormaliser.editDistance("", "abc") == 3)
        #expect(NameNormaliser.editDistance("kitten", "sitting") == 3)
    }
}

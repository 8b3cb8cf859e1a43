/// The rules engine: a request in, a ranked report out, nothing else touched.
///
/// The rules are generic (does the method need a line-out, wiring, an Echo speaker; does it fit
/// the speaker kind, goals, service, rooms, speaker count, sync and delay); what each method
/// needs and how well it fits comes from the knowledge file.
public struct Advisor: Sendable {
    public let knowledge: KnowledgeBase

    /// - Precondition: the knowledge base has methods (``KnowledgeBase/validate()`` reports a missing one).
    public init(knowledge: KnowledgeBase) {
        precondition(!knowledge.methods.isEmpty, "A knowledge base without methods can't rank anything.")
        self.knowledge = knowledge
    }

    public func advise(_ request: AdviceRequest) -> AdviceReport {
        let model = request.echoModelID.flatMap(knowledge.model)
        let speakerModel = request.speakerModelID.flatMap(knowledge.speakerModel)
        let situation = Situation(
            request: request,
            model: model,
            speakerModel: speakerModel,
            speakerKind: request.speakerKind ?? speakerModel?.kind.value,
            latencyLimit: latencyLimit(for: request)
        )

        var assessed = knowledge.methods.map { assess($0, in: situation) }
        // A method that works only if something unverified holds (a line-out nobody has
        // confirmed) must not outrank the best method that surely works.
        if let bestSure = assessed.filter({ !$0.blocked && !$0.conditional }).map({ min(100, $0.rawScore) }).max() {
            for index in assessed.indices where assessed[index].conditional {
                assessed[index].cap = bestSure - 1
            }
        }
        let unblocked = assessed.filter { !$0.blocked }.sorted(by: Assessment.ranksBefore)
        let blocked = assessed.filter(\.blocked).sorted(by: Assessment.ranksBefore)
        let recommendations = (unblocked + blocked).enumerated().map { index, assessment in
            recommendation(for: assessment, rank: index + 1, in: situation)
        }

        let warnings = warnings(for: situation, speakerModel: speakerModel, recommendations: recommendations)
        let disputes = disputes(for: situation, speakerModel: speakerModel, first: recommendations[0])
        let startingConfig = recommendations.first { $0.method == .auxOutChain && !$0.blocked }.map { _ in
            StartingConfig(request: request, model: model, speakerKind: situation.speakerKind, knowledge: knowledge).toml()
        }

        var cited: [String] = recommendations.flatMap(\.sourceIDs)
        let figures = recommendations[0].figures
        cited += [figures.setupTime, figures.latency, figures.sync, figures.maxSpeakers, figures.limitation].map(\.source)
        cited += recommendations.flatMap { $0.parts.map(\.source) }
        cited += warnings.flatMap(\.sources)
        cited += disputes.flatMap { [$0.claim.source, $0.finding.source] }
        let citedSet = Set(cited)

        return AdviceReport(
            request: request,
            echoModel: model,
            speakerModel: speakerModel,
            speakerKind: situation.speakerKind,
            recommendations: recommendations,
            warnings: warnings,
            disputes: disputes,
            startingConfig: startingConfig,
            sources: knowledge.sources.filter { citedSet.contains($0.id) }
        )
    }

    // MARK: - Per-method rules

    private struct Situation {
        var request: AdviceRequest
        var model: EchoModel?
        var speakerModel: SpeakerModel?
        var speakerKind: SpeakerKind?
        var latencyLimit: LatencyLimit?
    }

    /// The tightest delay limit: the user's own or one a goal implies, with the words to explain it.
    private struct LatencyLimit {
        var milliseconds: Int
        var phrase: String
        var source: String?
    }

    private struct Assessment {
        var method: ConnectionMethod
        var findings: [Finding]
        var rawScore: Int
        /// The most a conditional method may score: just below the best method that surely works.
        var cap: Int?
        var blocked: Bool { findings.contains(where: \.blocks) }
        var conditional: Bool { findings.contains(where: \.conditional) }
        var rankingScore: Int { min(rawScore, cap ?? .max) }
        var score: Int { blocked ? 0 : min(100, max(0, rankingScore)) }

        /// Higher score first; at equal scores a method that surely works before a conditional
        /// one; remaining ties (and blocked methods, by the score they would have had) in the
        /// order the identifiers are declared, so the ranking is stable.
        static func ranksBefore(_ a: Assessment, _ b: Assessment) -> Bool {
            if a.rankingScore != b.rankingScore { return a.rankingScore > b.rankingScore }
            if a.conditional != b.conditional { return !a.conditional }
            return a.method.id < b.method.id
        }
    }

    private func assess(_ method: ConnectionMethod, in situation: Situation) -> Assessment {
        var findings: [Finding] = []
        findings += lineOutFindings(method, situation)
        findings += echoSpeakerFindings(method, situation)
        findings += echoAmplifierFindings(method, situation)
        if method.needsWiring, !situation.request.wiringAcceptable {
            findings.append(Finding(
                rule: .wiring,
                text: "It needs cables from the Echo to a small box and on to the speaker, and you said wiring is not an option.",
                scoreDelta: 0, blocks: true, sources: [], confidence: .high
            ))
        }
        if let fit = situation.speakerModel?.methodFit?[method.id] {
            findings.append(finding(.speaker, fit))
        } else if let kind = situation.speakerKind, let fit = method.speakerFit[kind] {
            findings.append(finding(.speaker, fit))
        }
        findings += roomFindings(method, situation)
        findings += syncFindings(method, situation)
        if let service = situation.request.service, let fit = method.serviceFit[service] {
            findings.append(finding(.service, fit))
        }
        for goal in situation.request.goals {
            if let fit = method.goalFit[goal] { findings.append(finding(.goal, fit)) }
        }
        findings += latencyFindings(method, situation)
        return Assessment(
            method: method,
            findings: findings,
            rawScore: method.baseScore + findings.map(\.scoreDelta).reduce(0, +)
        )
    }

    private func finding(_ rule: Finding.Rule, _ fit: Fit) -> Finding {
        Finding(rule: rule, text: fit.reason, scoreDelta: fit.score, blocks: fit.blocks, sources: [fit.source], confidence: fit.confidence)
    }

    private func lineOutFindings(_ method: ConnectionMethod, _ situation: Situation) -> [Finding] {
        guard method.needsLineOut else { return [] }
        guard let model = situation.model else {
            let examples = knowledge.models
                .filter { $0.lineOut.value == .yes && $0.lineOut.confidence == .high }
                .prefix(3).map(\.name)
            let needs = "this needs an Echo with a 3.5 mm output, such as \(listed(Array(examples), conjunction: "or"))"
            if situation.request.echoModelID == nil {
                return [Finding(
                    rule: .lineOut, text: "No Echo model given: \(needs).",
                    scoreDelta: -10, blocks: false, sources: ["amazon-device-specs"], confidence: .high
                )]
            }
            return [Finding(
                rule: .lineOut,
                text: "Your Echo model is not one the advisor knows, so whether it has a 3.5 mm output is unknown: \(needs). \(howToCheckLineOut)",
                scoreDelta: -10, blocks: false, sources: ["amazon-device-specs"], confidence: .low, conditional: true
            )]
        }
        let fact = model.lineOut
        let note = fact.note.map { " (\($0))" } ?? ""
        switch fact.value {
        case .no:
            var text = "\(model.name) has no 3.5 mm output\(note)."
            var sources = [fact.source]
            if let dispute = lineOutDispute(for: model) {
                text += " " + disagreementSentence(dispute)
                sources += [dispute.claim.source, dispute.finding.source]
            }
            return [Finding(rule: .lineOut, text: text, scoreDelta: 0, blocks: true, sources: unique(sources), confidence: fact.confidence)]
        case .switchable:
            return [Finding(
                rule: .lineOut,
                text: "\(model.name) has \(fact.note ?? "a jack that switches between line in and line out"): set it to Line Out.",
                scoreDelta: 5, blocks: false, sources: [fact.source], confidence: fact.confidence
            )]
        case .unknown:
            return [Finding(
                rule: .lineOut,
                text: "Whether \(model.name) has a 3.5 mm output is not known\(note). \(howToCheckLineOut)",
                scoreDelta: -15, blocks: false, sources: [fact.source], confidence: fact.confidence, conditional: true
            )]
        case .yes where fact.confidence == .low:
            return [Finding(
                rule: .lineOut,
                text: "\(model.name) is reported to have \(fact.note ?? "a 3.5 mm output"), but that is not confirmed. \(howToCheckLineOut)",
                scoreDelta: 0, blocks: false, sources: [fact.source], confidence: fact.confidence, conditional: true
            )]
        case .yes:
            let sourceTitle = knowledge.source(fact.source)?.title ?? fact.source
            return [Finding(
                rule: .lineOut,
                text: "\(model.name) has \(fact.note ?? "a 3.5 mm output") (\(sourceTitle)).",
                scoreDelta: 15, blocks: false, sources: [fact.source], confidence: fact.confidence
            )]
        }
    }

    /// How a user settles an unconfirmed line-out before buying anything.
    private var howToCheckLineOut: String {
        "Look for a 3.5 mm jack on the device and for a Line Out setting on its page in the Alexa app (Devices > your Echo), "
            + "then plug in headphones and ask Alexa to play something; until it plays, this ranks below the methods that surely work."
    }

    private func echoSpeakerFindings(_ method: ConnectionMethod, _ situation: Situation) -> [Finding] {
        guard method.needsEchoSpeaker, let model = situation.model, !model.hasSpeaker.value else { return [] }
        return [Finding(
            rule: .echoSpeaker,
            text: "\(model.name) has no speaker of its own, and this method plays through the Echo's own speakers.",
            scoreDelta: 0, blocks: true, sources: [model.hasSpeaker.source], confidence: model.hasSpeaker.confidence
        )]
    }

    /// An Echo with its own amplifier already drives passive speakers, so a method that adds a
    /// Pi and a second amplifier for them must not come first.
    private func echoAmplifierFindings(_ method: ConnectionMethod, _ situation: Situation) -> [Finding] {
        guard situation.speakerKind == .passive, let model = situation.model,
              let amplifier = model.drivesPassiveSpeakers, amplifier.value,
              knowledge.parts.contains(where: { $0.methods.contains(method.id) && $0.speakerKinds?.contains(.passive) == true })
        else { return [] }
        return [Finding(
            rule: .echoAmplifier,
            text: "\(model.name) is itself an amplifier for passive speakers: wire them to its speaker terminals. A Raspberry Pi with a second amplifier would only add AuxChain's power switching and volume cap, so don't build it first.",
            scoreDelta: -40, blocks: false, sources: [amplifier.source], confidence: amplifier.confidence
        )]
    }

    private func roomFindings(_ method: ConnectionMethod, _ situation: Situation) -> [Finding] {
        let rooms = situation.request.rooms
        let speakers = situation.request.speakers
        var findings: [Finding] = []
        if let maxRooms = method.maxRooms, rooms > maxRooms.value {
            let covers = maxRooms.value == 1 ? "one room" : "at most \(maxRooms.value) rooms"
            findings.append(Finding(
                rule: .rooms,
                text: "\(opening("it", claimedBy: maxRooms)) covers \(covers)\(maxRooms.note.map { " (\($0))" } ?? ""), and you asked for \(rooms).",
                scoreDelta: 0, blocks: true, sources: [maxRooms.source], confidence: maxRooms.confidence
            ))
        } else if let fit = method.roomsFit?[rooms == 1 ? .one : .several] {
            findings.append(finding(.rooms, fit))
        }
        if let maxSpeakers = method.maxSpeakers, speakers > maxSpeakers.value {
            let drives = maxSpeakers.value == 1 ? "one speaker" : "at most \(maxSpeakers.value) speakers"
            findings.append(Finding(
                rule: .speakerCount,
                text: "\(opening("it", claimedBy: maxSpeakers)) drives \(drives)\(maxSpeakers.note.map { " (\($0))" } ?? ""), and you asked for \(speakers).",
                scoreDelta: 0, blocks: true, sources: [maxSpeakers.source], confidence: maxSpeakers.confidence
            ))
        }
        return findings
    }

    private func syncFindings(_ method: ConnectionMethod, _ situation: Situation) -> [Finding] {
        guard situation.request.rooms > 1 || situation.request.speakers > 1, let drift = method.syncDriftMs else {
            return []
        }
        let audible = knowledge.thresholds.audibleDriftMs
        let speakersPhrase = opening("its speakers", claimedBy: drift)
        let request = situation.request
        // The same music in several rooms at once is heard from room to room, so drift there is an echo, not a nuisance.
        let roomsInStep = request.rooms > 1 && (request.goals.contains(.multiroom) || request.goals.contains(.party))
        if drift.value > audible.value, roomsInStep {
            return [Finding(
                rule: .sync,
                text: "\(speakersPhrase) drift apart by up to ±\(milliseconds(drift.value)), far past the roughly \(milliseconds(audible.value)) at which two speakers are heard as an echo, so it can't keep \(request.rooms) rooms in step. For the same music in several rooms, put an Echo in each room and group them in the Alexa app (Amazon multi-room), or give each room's speaker AuxChain with Snapcast.",
                scoreDelta: -50, blocks: true, sources: [drift.source, audible.source], confidence: drift.confidence
            )]
        }
        if drift.value > audible.value {
            return [Finding(
                rule: .sync,
                text: "\(speakersPhrase) drift apart by up to ±\(milliseconds(drift.value)), past the roughly \(milliseconds(audible.value)) at which two speakers are heard as an echo.",
                scoreDelta: -25, blocks: false, sources: [drift.source, audible.source], confidence: drift.confidence
            )]
        }
        return [Finding(
            rule: .sync,
            text: "\(speakersPhrase) stay within ±\(milliseconds(drift.value)) of each other, well under the roughly \(milliseconds(audible.value)) at which an echo becomes audible.",
            scoreDelta: 5, blocks: false, sources: [drift.source, audible.source], confidence: drift.confidence
        )]
    }

    private func latencyLimit(for request: AdviceRequest) -> LatencyLimit? {
        var limits: [LatencyLimit] = []
        if let own = request.maxLatencyMs {
            limits.append(LatencyLimit(milliseconds: own, phrase: "your limit of \(own) ms", source: nil))
        }
        for goal in request.goals {
            guard let entry = knowledge.goal(goal), let limit = entry.maxLatencyMs else { continue }
            let why = limit.note.map { " (\($0))" } ?? ""
            limits.append(LatencyLimit(
                milliseconds: limit.value,
                phrase: "the \(limit.value) ms that \(entry.name) tolerates\(why)",
                source: limit.source
            ))
        }
        return limits.min { $0.milliseconds < $1.milliseconds }
    }

    private func latencyFindings(_ method: ConnectionMethod, _ situation: Situation) -> [Finding] {
        guard let limit = situation.latencyLimit else { return [] }
        let limitSources = limit.source.map { [$0] } ?? []
        guard let latency = method.latencyMs else {
            return [Finding(
                rule: .latency,
                text: "Its delay is not published, so it may exceed \(limit.phrase).",
                scoreDelta: -5, blocks: false, sources: limitSources, confidence: .low
            )]
        }
        let range = latency.value
        let shown = claimed(range.min == range.max ? "\(range.max) ms" : "\(range.min)-\(range.max) ms", by: latency)
        let sources = unique([latency.source] + limitSources)
        if range.max <= limit.milliseconds {
            return [Finding(
                rule: .latency, text: "Its delay (\(shown)) is within \(limit.phrase).",
                scoreDelta: 5, blocks: false, sources: sources, confidence: latency.confidence
            )]
        }
        if range.min > limit.milliseconds {
            return [Finding(
                rule: .latency, text: "Its delay (\(shown)) is above \(limit.phrase).",
                scoreDelta: -30, blocks: false, sources: sources, confidence: latency.confidence
            )]
        }
        return [Finding(
            rule: .latency, text: "Its delay (\(shown)) can exceed \(limit.phrase).",
            scoreDelta: -15, blocks: false, sources: sources, confidence: latency.confidence
        )]
    }

    /// "Its speakers" for a figure its source is sure of, "The seed article claims its speakers"
    /// for a low-confidence one, so an unverified number never reads as fact.
    private func opening<Value>(_ subject: String, claimedBy figure: Fact<Value>) -> String {
        guard figure.confidence == .low, let source = knowledge.source(figure.source) else {
            return capitalisedFirst(subject)
        }
        return source.standing == .unreviewed
            ? "\(capitalisedFirst(source.title)) claims \(subject)"
            : "According to \(source.title), \(subject)"
    }

    /// "185-240 ms, as the seed article claims" for a low-confidence figure; the figure alone otherwise.
    private func claimed<Value>(_ shown: String, by figure: Fact<Value>) -> String {
        guard figure.confidence == .low, let source = knowledge.source(figure.source) else { return shown }
        return source.standing == .unreviewed ? "\(shown), as \(source.title) claims" : "\(shown), an estimate from \(source.title)"
    }

    // MARK: - Report-level pieces

    private func recommendation(for assessment: Assessment, rank: Int, in situation: Situation) -> Recommendation {
        let method = assessment.method
        return Recommendation(
            method: method.id,
            name: method.name,
            summary: method.summary,
            rank: rank,
            score: assessment.score,
            blocked: assessment.blocked,
            findings: assessment.findings,
            figures: method.figures,
            steps: (situation.speakerKind.flatMap { method.speakerSteps?[$0] } ?? []) + method.steps,
            parts: assessment.blocked ? [] : parts(for: method.id, in: situation)
        )
    }

    private func parts(for method: MethodID, in situation: Situation) -> [PartLine] {
        knowledge.parts.compactMap { part in
            guard part.methods.contains(method) else { return nil }
            if let kinds = part.speakerKinds {
                guard let kind = situation.speakerKind, kinds.contains(kind) else { return nil }
            }
            let rooms = situation.request.rooms
            let count = switch part.quantity {
            case .one: 1
            case .perRoom: rooms
            case .perExtraRoom: rooms - 1
            }
            guard count > 0 else { return nil }
            return PartLine(
                id: part.id, name: part.name, purpose: part.purpose, note: part.note,
                count: count, optional: part.optional, source: part.source
            )
        }
    }

    private func warnings(
        for situation: Situation,
        speakerModel: SpeakerModel?,
        recommendations: [Recommendation]
    ) -> [AdviceWarning] {
        let request = situation.request
        let first = recommendations[0]
        let firstUsable = first.blocked ? nil : first
        let firstMethod = firstUsable.flatMap { knowledge.method($0.method) }
        var warnings: [AdviceWarning] = []

        func add(_ id: WarningID, _ message: String, _ sources: [String] = []) {
            warnings.append(AdviceWarning(id: id, message: message, sources: sources))
        }
        func add(_ id: WarningID, fact factID: FactID) {
            guard let fact = knowledge.fact(factID) else { return }
            add(id, fact.text, [fact.source])
        }

        let echoIsTheAmplifier = situation.speakerKind == .passive && situation.model?.drivesPassiveSpeakers?.value == true
        if echoIsTheAmplifier, let model = situation.model, let amplifier = model.drivesPassiveSpeakers {
            add(
                .echoDrivesPassiveSpeakers,
                "\(model.name) is itself an amplifier for passive speakers: connect them to its speaker terminals and they play, with none of the methods below. The ranking only matters for more rooms or other speakers.",
                [amplifier.source]
            )
        }
        if let id = request.echoModelID, situation.model == nil {
            add(.unknownEchoModel, "The Echo model \"\(id)\" is not in the knowledge base, so its line-out is unknown.")
        }
        if request.echoModelID == nil {
            add(.noEchoModel, "No Echo model given: whether the Echo has a 3.5 mm output decides the wired methods.")
        }
        if let id = request.speakerModelID, speakerModel == nil {
            add(.unknownSpeakerModel, "The speaker \"\(id)\" is not in the knowledge base; give its kind with --speaker.")
        }
        if situation.speakerKind == nil {
            add(.noSpeakerKind, "No speaker kind given: the ranking can't tell which methods your speaker accepts.")
        }
        if let model = situation.model {
            if let dispute = lineOutDispute(for: model) {
                let trusted = dispute.trusted == .finding ? dispute.finding : dispute.claim
                let title = knowledge.source(trusted.source)?.title ?? trusted.source
                add(
                    .lineOutDisputed,
                    "The seed article is wrong about \(model.name)'s jack: \(lowercasedFirst(withoutFinalStop(trusted.text))) (\(title)).",
                    [dispute.claim.source, dispute.finding.source]
                )
            }
            let lineOut = model.lineOut
            if lineOut.value == .unknown || (lineOut.value == .yes && lineOut.confidence == .low) {
                add(
                    .lineOutUnverified,
                    "\(model.name)'s 3.5 mm output is not confirmed: the wired methods rank below those that surely work until you have found the jack and heard it play.",
                    [lineOut.source]
                )
            }
            if lineOut.value == .switchable, firstMethod?.needsLineOut == true {
                add(.setJackToLineOut, fact: .echo4LineOutMode)
            }
            if !model.hasSpeaker.value {
                add(
                    .echoHasNoSpeaker,
                    "\(model.name) has no speaker of its own: Alexa is heard only through the speaker you connect, so that speaker must be on whenever Alexa speaks.",
                    [model.hasSpeaker.source]
                )
            }
        }
        // Only an Echo with a speaker of its own has anything for the jack to mute.
        if firstMethod?.needsLineOut == true, situation.model?.hasSpeaker.value != false {
            add(.jackMutesEchoSpeaker, fact: .jackMutesSpeaker)
        }
        if firstUsable?.parts.contains(where: { $0.id == "relay-module" }) == true {
            add(.mainsRelay, fact: .mainsRelay)
        }
        if situation.speakerKind == .hearingAid || request.goals.contains(.hearingAssist) {
            add(.askAudiologist, fact: .hearingAidAudiologist)
        }
        if firstUsable?.method == .amazonMultiroom {
            add(.multiroomServicesUnverified, fact: .multiroomServicesUnverified)
        }
        if request.goals.contains(.multiroom), request.rooms == 1 {
            add(.multiroomGoalOneRoom, "You want music in several rooms but gave --rooms 1: give the number of rooms for a ranking that fits.")
        }
        if let firstUsable, firstUsable.score < 25, !echoIsTheAmplifier {
            add(.poorFit, "Nothing fits well: the best method, \(firstUsable.name), scores only \(firstUsable.score) of 100. Read its reasons before you buy anything.")
        }
        if firstUsable == nil {
            add(.nothingFits, "No method works with these answers; the reasons under \"Not possible here\" say what would have to change.")
        }
        return warnings
    }

    private func disputes(for situation: Situation, speakerModel: SpeakerModel?, first: Recommendation) -> [Dispute] {
        knowledge.disputes.filter { dispute in
            if let model = situation.model, dispute.models.contains(model.id) { return true }
            if let speakerModel, dispute.speakerModels?.contains(speakerModel.id) == true { return true }
            // A dispute about particular models is only news to owners of those models.
            return dispute.models.isEmpty && !first.blocked && dispute.methods.contains(first.method)
        }
    }

    private func lineOutDispute(for model: EchoModel) -> Dispute? {
        knowledge.disputes.first { $0.topic == "line-out" && $0.models.contains(model.id) }
    }

    /// "The seed article says otherwise; we trust X …": short, because the claim and the reason
    /// are given once, with the report's disagreements, however many methods this blocks.
    func disagreementSentence(_ dispute: Dispute) -> String {
        let trusted = dispute.trusted == .finding ? dispute.finding : dispute.claim
        let other = dispute.trusted == .finding ? dispute.claim : dispute.finding
        let trustedTitle = knowledge.source(trusted.source)?.title ?? trusted.source
        let otherTitle = knowledge.source(other.source)?.title ?? other.source
        return "\(capitalisedFirst(otherTitle)) says otherwise; we trust \(trustedTitle), for the reason given with the disagreements."
    }
}

// MARK: - Wording helpers

func listed(_ items: [String], conjunction: String) -> String {
    switch items.count {
    case 0: ""
    case 1: items[0]
    default: items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
    }
}

func capitalisedFirst(_ text: String) -> String {
    text.prefix(1).uppercased() + text.dropFirst()
}

func withoutFinalStop(_ text: String) -> String {
    text.hasSuffix(".") ? String(text.dropLast()) : text
}

func lowercasedFirst(_ text: String) -> String {
    text.prefix(1).lowercased() + text.dropFirst()
}

func milliseconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) ms" : "\(value) ms"
}

func unique(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}

/// A flaw in the knowledge file, with where it is.
public struct KnowledgeIssue: Sendable, Hashable, CustomStringConvertible {
    /// A path into the file, e.g. `methods[aux-out-chain].speakerFit[bluetooth].source`.
    public var location: String
    public var problem: String
    public var description: String { "\(location): \(problem)" }
}

extension KnowledgeBase {
    /// Checks what decoding cannot: every reference resolves, every fact has a known source,
    /// every method, goal, service and speaker kind is described, names don't collide.
    public func validate() -> [KnowledgeIssue] {
        var issues: [KnowledgeIssue] = []
        let sourceIDs = Set(sources.map(\.id))
        let modelIDs = Set(models.map(\.id))
        let speakerModelIDs = Set(speakerModels.map(\.id))
        let disputeIDs = Set(disputes.map(\.id))

        var cited = Set<String>()
        func check(source: String, at location: String) {
            cited.insert(source)
            if source.isEmpty {
                issues.append(KnowledgeIssue(location: location, problem: "has no source"))
            } else if !sourceIDs.contains(source) {
                issues.append(KnowledgeIssue(location: location, problem: "cites unknown source \"\(source)\""))
            }
        }
        func checkText(_ text: String, at location: String) {
            if text.allSatisfy(\.isWhitespace) {
                issues.append(KnowledgeIssue(location: location, problem: "is empty"))
            }
        }
        func checkUnique(_ ids: [String], in table: String) {
            var seen = Set<String>()
            for id in ids where !seen.insert(id).inserted {
                issues.append(KnowledgeIssue(location: "\(table)[\(id)]", problem: "appears more than once"))
            }
        }

        checkUnique(sources.map(\.id), in: "sources")
        checkUnique(models.map(\.id), in: "models")
        checkUnique(speakerModels.map(\.id), in: "speakerModels")
        checkUnique(methods.map(\.id.rawValue), in: "methods")
        checkUnique(parts.map(\.id), in: "parts")
        checkUnique(facts.map(\.id), in: "facts")
        checkUnique(disputes.map(\.id), in: "disputes")
        checkUnique(questions.map(\.id), in: "questions")

        for model in models {
            let at = "models[\(model.id)]"
            checkText(model.name, at: "\(at).name")
            check(source: model.lineOut.source, at: "\(at).lineOut")
            check(source: model.hasSpeaker.source, at: "\(at).hasSpeaker")
            if let amplifier = model.drivesPassiveSpeakers { check(source: amplifier.source, at: "\(at).drivesPassiveSpeakers") }
            // A guess filed under a verified source would read as checked in every report and table.
            for (field, source, confidence) in [
                ("lineOut", model.lineOut.source, model.lineOut.confidence),
                ("hasSpeaker", model.hasSpeaker.source, model.hasSpeaker.confidence),
            ] where confidence == .low && self.source(source)?.standing == .verified {
                issues.append(KnowledgeIssue(
                    location: "\(at).\(field)",
                    problem: "is low confidence but cites the verified source \"\(source)\"; cite a source labelled unverified"
                ))
            }
            if model.lineOut.value != .yes, model.lineOut.note == nil {
                issues.append(KnowledgeIssue(location: "\(at).lineOut", problem: "needs a note saying why (it is quoted to users)"))
            }
        }
        issues += nameCollisions(models.map { ($0.id, [$0.name, $0.id] + $0.aliases) }, table: "models")
        issues += nameCollisions(speakerModels.map { ($0.id, [$0.name, $0.id] + $0.aliases) }, table: "speakerModels")
        for speaker in speakerModels {
            check(source: speaker.kind.source, at: "speakerModels[\(speaker.id)].kind")
            for (method, fit) in speaker.methodFit ?? [:] {
                let at = "speakerModels[\(speaker.id)].methodFit[\(method.rawValue)]"
                check(source: fit.source, at: at)
                issues += attributionIssues(fit, at: at)
            }
        }

        for kind in SpeakerKind.allCases {
            guard let entry = speakerKind(kind) else {
                issues.append(KnowledgeIssue(location: "speakerKinds", problem: "lacks \"\(kind.rawValue)\""))
                continue
            }
            check(source: entry.source, at: "speakerKinds[\(kind.rawValue)]")
        }
        for goal in Goal.allCases {
            guard let entry = self.goal(goal) else {
                issues.append(KnowledgeIssue(location: "goals", problem: "lacks \"\(goal.rawValue)\""))
                continue
            }
            if let limit = entry.maxLatencyMs { check(source: limit.source, at: "goals[\(goal.rawValue)].maxLatencyMs") }
        }
        for service in MusicService.allCases where self.service(service) == nil {
            issues.append(KnowledgeIssue(location: "services", problem: "lacks \"\(service.rawValue)\""))
        }
        check(source: thresholds.audibleDriftMs.source, at: "thresholds.audibleDriftMs")

        for id in MethodID.allCases {
            guard let method = method(id) else {
                issues.append(KnowledgeIssue(location: "methods", problem: "lacks \"\(id.rawValue)\""))
                continue
            }
            issues += methodIssues(method, check: check(source:at:))
            let fits = method.speakerFit.map { ("speakerFit[\($0.key.rawValue)]", $0.value) }
                + method.goalFit.map { ("goalFit[\($0.key.rawValue)]", $0.value) }
                + method.serviceFit.map { ("serviceFit[\($0.key.rawValue)]", $0.value) }
                + (method.roomsFit ?? [:]).map { ("roomsFit[\($0.key.rawValue)]", $0.value) }
            for (key, fit) in fits {
                issues += attributionIssues(fit, at: "methods[\(id.rawValue)].\(key)")
            }
        }

        for part in parts {
            let at = "parts[\(part.id)]"
            check(source: part.source, at: at)
            for method in part.methods where self.method(method) == nil {
                issues.append(KnowledgeIssue(location: "\(at).methods", problem: "names method \"\(method.rawValue)\" that has no entry"))
            }
        }
        for fact in facts {
            check(source: fact.source, at: "facts[\(fact.id)]")
            checkText(fact.text, at: "facts[\(fact.id)].text")
        }
        for id in FactID.allCases where fact(id) == nil {
            issues.append(KnowledgeIssue(location: "facts", problem: "lacks \"\(id.rawValue)\", which the rules quote"))
        }
        for part in ["relay-module"] where !parts.contains(where: { $0.id == part }) {
            issues.append(KnowledgeIssue(location: "parts", problem: "lacks \"\(part)\", which the mains warning looks for"))
        }

        for dispute in disputes {
            let at = "disputes[\(dispute.id)]"
            check(source: dispute.claim.source, at: "\(at).claim")
            check(source: dispute.finding.source, at: "\(at).finding")
            checkText(dispute.why, at: "\(at).why")
            if dispute.claim.source == dispute.finding.source {
                issues.append(KnowledgeIssue(location: at, problem: "claim and finding cite the same source, so nothing is disputed"))
            }
            for model in dispute.models where !modelIDs.contains(model) {
                issues.append(KnowledgeIssue(location: "\(at).models", problem: "names unknown model \"\(model)\""))
            }
            for speaker in dispute.speakerModels ?? [] where !speakerModelIDs.contains(speaker) {
                issues.append(KnowledgeIssue(location: "\(at).speakerModels", problem: "names unknown speaker \"\(speaker)\""))
            }
            for method in dispute.methods where self.method(method) == nil {
                issues.append(KnowledgeIssue(location: "\(at).methods", problem: "names method \"\(method.rawValue)\" that has no entry"))
            }
        }
        for model in models where model.lineOut.value == .no {
            let conflicting = disputes.filter { $0.topic == "line-out" && $0.models.contains(model.id) }
            if conflicting.count > 1 {
                issues.append(KnowledgeIssue(location: "models[\(model.id)]", problem: "has more than one line-out dispute"))
            }
        }

        for question in questions {
            let at = "questions[\(question.id)]"
            check(source: question.articleAnswer.source, at: "\(at).articleAnswer")
            check(source: question.answer.source, at: "\(at).answer")
            if question.keywords.isEmpty {
                issues.append(KnowledgeIssue(location: "\(at).keywords", problem: "is empty, so the question can never be matched"))
            }
            for method in question.relatedMethods where self.method(method) == nil {
                issues.append(KnowledgeIssue(location: "\(at).relatedMethods", problem: "names method \"\(method.rawValue)\" that has no entry"))
            }
            for dispute in question.relatedDisputes where !disputeIDs.contains(dispute) {
                issues.append(KnowledgeIssue(location: "\(at).relatedDisputes", problem: "names unknown dispute \"\(dispute)\""))
            }
        }
        for source in sources where !cited.contains(source.id) {
            issues.append(KnowledgeIssue(location: "sources[\(source.id)]", problem: "is cited by no fact; cite it where it applies or remove it"))
        }
        return issues
    }

    /// A reason quoting a low-confidence figure from an unreviewed source must say whose claim
    /// it is ("the seed article claims …"), or users read the number as fact.
    private func attributionIssues(_ fit: Fit, at location: String) -> [KnowledgeIssue] {
        guard fit.confidence == .low, let source = source(fit.source), source.standing == .unreviewed,
              fit.reason.contains(where: \.isNumber) else { return [] }
        let attribution = "\(source.title) claims"
        guard fit.reason.lowercased().contains(attribution.lowercased()) else {
            return [KnowledgeIssue(location: location, problem: "states a low-confidence figure as fact; say \"\(attribution)\"")]
        }
        return []
    }

    private func methodIssues(_ method: ConnectionMethod, check: (String, String) -> Void) -> [KnowledgeIssue] {
        var issues: [KnowledgeIssue] = []
        let at = "methods[\(method.id.rawValue)]"
        let figures = [
            ("setupTime", method.figures.setupTime), ("latency", method.figures.latency), ("sync", method.figures.sync),
            ("maxSpeakers", method.figures.maxSpeakers), ("limitation", method.figures.limitation),
        ]
        for (name, figure) in figures { check(figure.source, "\(at).figures.\(name)") }
        if let latency = method.latencyMs {
            check(latency.source, "\(at).latencyMs")
            if latency.value.min > latency.value.max {
                issues.append(KnowledgeIssue(location: "\(at).latencyMs", problem: "min is above max"))
            }
        }
        if let drift = method.syncDriftMs { check(drift.source, "\(at).syncDriftMs") }
        if let rooms = method.maxRooms { check(rooms.source, "\(at).maxRooms") }
        if let speakers = method.maxSpeakers { check(speakers.source, "\(at).maxSpeakers") }
        for kind in SpeakerKind.allCases where method.speakerFit[kind] == nil {
            issues.append(KnowledgeIssue(location: "\(at).speakerFit", problem: "lacks \"\(kind.rawValue)\""))
        }
        for (kind, fit) in method.speakerFit { check(fit.source, "\(at).speakerFit[\(kind.rawValue)]") }
        for (goal, fit) in method.goalFit { check(fit.source, "\(at).goalFit[\(goal.rawValue)]") }
        for (service, fit) in method.serviceFit { check(fit.source, "\(at).serviceFit[\(service.rawValue)]") }
        for (rooms, fit) in method.roomsFit ?? [:] { check(fit.source, "\(at).roomsFit[\(rooms.rawValue)]") }
        for (kind, steps) in method.speakerSteps ?? [:] where steps.isEmpty || steps.contains(where: { $0.allSatisfy(\.isWhitespace) }) {
            issues.append(KnowledgeIssue(location: "\(at).speakerSteps[\(kind.rawValue)]", problem: "has an empty step"))
        }
        if method.steps.isEmpty {
            issues.append(KnowledgeIssue(location: "\(at).steps", problem: "is empty"))
        }
        return issues
    }

    /// Two entries whose names normalise to the same key would make a lookup ambiguous.
    private func nameCollisions(_ entries: [(id: String, names: [String])], table: String) -> [KnowledgeIssue] {
        var owner: [String: String] = [:]
        var issues: [KnowledgeIssue] = []
        for entry in entries {
            for name in entry.names {
                let key = NameNormaliser.normalise(name)
                if let other = owner[key], other != entry.id {
                    issues.append(KnowledgeIssue(
                        location: "\(table)[\(entry.id)]",
                        problem: "name \"\(name)\" reads the same as one of \(other)'s"
                    ))
                }
                owner[key] = entry.id
            }
        }
        return issues
    }
}

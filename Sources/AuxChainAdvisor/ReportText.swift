extension AdviceReport {
    /// The report for a person: every usable method with its reasons, the blocked ones with their
    /// blockers, warnings, what to buy and how to wire the first choice, and the article's errors.
    public func text() -> String {
        var out: [String] = []
        out.append("Advice for: \(requestSummary)")
        out.append("")
        // When the Echo already drives the speakers, that answer comes before any ranking.
        let leading: Set<WarningID> = [.echoDrivesPassiveSpeakers]
        for warning in warnings where leading.contains(warning.id) {
            out.append("First: \(warning.message) [\(warning.id.rawValue)]")
            out.append("")
        }

        let usable = recommendations.filter { !$0.blocked }
        for recommendation in usable {
            out.append("\(recommendation.rank). \(recommendation.name) [\(recommendation.method.rawValue)], score \(recommendation.score)/100")
            if recommendation.rank == 1 { out.append("   \(recommendation.summary)") }
            for finding in recommendation.findings {
                let sign = finding.scoreDelta > 0 ? "+" : finding.scoreDelta < 0 ? "-" : "·"
                out.append("   \(sign) \(finding.text)")
            }
        }
        let blocked = recommendations.filter(\.blocked)
        if !blocked.isEmpty {
            if !usable.isEmpty { out.append("") }
            out.append("Not possible here:")
            for recommendation in blocked {
                out.append("   \(recommendation.name) [\(recommendation.method.rawValue)]")
                for blocker in recommendation.blockers { out.append("   x \(blocker)") }
            }
        }

        let otherWarnings = warnings.filter { !leading.contains($0.id) }
        if !otherWarnings.isEmpty {
            out.append("")
            out.append("Warnings:")
            for warning in otherWarnings { out.append("   ! \(warning.message) [\(warning.id.rawValue)]") }
        }

        if !first.blocked {
            out.append("")
            out.append("Figures for \(first.name), as each source states them (disagreements at the end):")
            let figures = first.figures
            for (label, figure) in [
                ("setup time", figures.setupTime), ("delay", figures.latency), ("sync", figures.sync),
                ("speakers", figures.maxSpeakers), ("limit", figures.limitation),
            ] {
                out.append("   \(label): \(figure.value) (\(sourceTitle(figure.source)), \(figure.confidence.rawValue) confidence)")
            }
            if !first.parts.isEmpty {
                out.append("")
                out.append("What to buy:")
                for part in first.parts {
                    let optional = part.optional ? " (optional)" : ""
                    out.append("   \(part.count) x \(part.name)\(optional): \(part.purpose).")
                    if let note = part.note { out.append("       \(note)") }
                }
            }
            out.append("")
            out.append("How to set it up:")
            for (index, step) in first.steps.enumerated() { out.append("   \(index + 1). \(step)") }
            if first.method == .auxOutChain, startingConfig != nil {
                out.append("")
                out.append("A starting config is ready: add --write-config FILE to save it, or --show-config to print it.")
            }
        }

        if !disputes.isEmpty {
            out.append("")
            out.append("Where the seed article and verified sources disagree:")
            for dispute in disputes {
                let trusted = dispute.trusted == .finding ? dispute.finding : dispute.claim
                out.append("   - The article says: \(dispute.claim.text)")
                out.append("     According to \(sourceTitle(dispute.finding.source)): \(dispute.finding.text)")
                out.append("     We trust \(sourceTitle(trusted.source)) because \(dispute.why).")
            }
        }

        out.append("")
        out.append("Sources:")
        for source in sources {
            out.append("   [\(source.id)] \(source.title) (\(source.standing.rawValue)): \(source.location)")
        }
        return out.joined(separator: "\n") + "\n"
    }

    private var requestSummary: String {
        var parts: [String] = []
        parts.append(echoModel?.name ?? request.echoModelID.map { "unknown Echo \"\($0)\"" } ?? "Echo model not given")
        if let speakerModel {
            parts.append(speakerModel.name)
        } else {
            parts.append(speakerKind.map { "speaker: \($0.rawValue)" } ?? "speaker kind not given")
        }
        parts.append(request.rooms == 1 ? "1 room" : "\(request.rooms) rooms")
        parts.append(request.speakers == 1 ? "1 speaker" : "\(request.speakers) speakers")
        if !request.goals.isEmpty { parts.append("goals: " + request.goals.map(\.rawValue).joined(separator: ", ")) }
        if let service = request.service { parts.append("service: \(service.rawValue)") }
        if let limit = request.maxLatencyMs { parts.append("delay at most \(limit) ms") }
        parts.append(request.wiringAcceptable ? "wiring OK" : "no wiring")
        return parts.joined(separator: "; ")
    }

    private func sourceTitle(_ id: String) -> String {
        sources.first { $0.id == id }?.title ?? id
    }
}

extension QuestionMatch {
    /// The matched question with the article's answer and ours.
    public func text(knowledge: KnowledgeBase) -> String {
        let title = { (id: String) in knowledge.source(id)?.title ?? id }
        var out = [
            "\(question.kind == .myth ? "Myth" : "Question"): \(question.question)",
            "",
            "The seed article answers: \(question.articleAnswer.text)",
            "",
            "Our answer (\(title(question.answer.source)), \(question.answer.confidence.rawValue) confidence):",
            "   \(question.answer.text)",
        ]
        if !question.relatedMethods.isEmpty {
            out.append("")
            out.append("Methods to look at: \(question.relatedMethods.map(\.rawValue).joined(separator: ", ")) (see `auxchain advise`).")
        }
        for id in question.relatedDisputes {
            guard let dispute = knowledge.dispute(id) else { continue }
            out.append("")
            let trusted = dispute.trusted == .finding ? dispute.finding : dispute.claim
            out.append("The article also claims: \(dispute.claim.text)")
            out.append("According to \(title(dispute.finding.source)): \(dispute.finding.text)")
            out.append("We trust \(title(trusted.source)) because \(dispute.why).")
        }
        return out.joined(separator: "\n") + "\n"
    }
}

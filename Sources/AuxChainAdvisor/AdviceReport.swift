/// The advisor's answer: methods ranked best first, warnings, the disputes that matter for this
/// request, and for the aux-out chain a starting config.
public struct AdviceReport: Sendable, Hashable, Encodable {
    public var request: AdviceRequest
    /// The Echo model the request named, if the knowledge base knows it.
    public var echoModel: EchoModel?
    public var speakerModel: SpeakerModel?
    /// The speaker kind the rules used: the given one, else the speaker model's.
    public var speakerKind: SpeakerKind?
    /// Every method, unblocked ones first by score, then blocked ones.
    public var recommendations: [Recommendation]
    public var warnings: [AdviceWarning]
    /// Where the seed article and a verified source disagree on something this request touches.
    public var disputes: [Dispute]
    /// A config in AuxChain's TOML format; present when the aux-out chain is not blocked.
    public var startingConfig: String?
    /// Every source the report cites, in the knowledge file's order.
    public var sources: [Source]

    /// The method to try first.
    public var first: Recommendation { recommendations[0] }

    public func recommendation(_ method: MethodID) -> Recommendation? {
        recommendations.first { $0.method == method }
    }

    public var warningIDs: [WarningID] { warnings.map(\.id) }

    enum CodingKeys: String, CodingKey {
        case request, echoModel, speakerModel, speakerKind, recommendations, warnings, disputes
        case startingConfig, sources
    }

    /// Absent values are written as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(request, forKey: .request)
        try container.encode(echoModel, forKey: .echoModel)
        try container.encode(speakerModel, forKey: .speakerModel)
        try container.encode(speakerKind, forKey: .speakerKind)
        try container.encode(recommendations, forKey: .recommendations)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(disputes, forKey: .disputes)
        try container.encode(startingConfig, forKey: .startingConfig)
        try container.encode(sources, forKey: .sources)
    }
}

/// One method's place in the ranking and why it is there.
public struct Recommendation: Sendable, Hashable, Encodable {
    public var method: MethodID
    public var name: String
    public var summary: String
    /// 1 is the best.
    public var rank: Int
    /// 0-100; 0 when blocked.
    public var score: Int
    public var blocked: Bool
    /// Every rule's verdict, in the order the rules ran.
    public var findings: [Finding]
    public var figures: MethodFigures
    public var steps: [String]
    /// What to buy; empty when blocked.
    public var parts: [PartLine]

    /// Every sentence about the method; for a blocked method the blockers come first, so a
    /// script that reads only `reasons` still learns why the method can't work.
    public var reasons: [String] { blockers + findings.filter { !$0.blocks }.map(\.text) }
    /// Sentences saying why the method cannot work here.
    public var blockers: [String] { findings.filter(\.blocks).map(\.text) }
    /// Sentences naming what must be checked before the method can be counted on.
    public var conditions: [String] { findings.filter(\.conditional).map(\.text) }
    /// Every source the findings cite, first use first.
    public var sourceIDs: [String] {
        var seen = Set<String>()
        return findings.flatMap(\.sources).filter { seen.insert($0).inserted }
    }

    enum CodingKeys: String, CodingKey {
        case method, name, summary, rank, score, blocked, reasons, blockers, conditions, details, figures, steps, parts, sources
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(method, forKey: .method)
        try container.encode(name, forKey: .name)
        try container.encode(summary, forKey: .summary)
        try container.encode(rank, forKey: .rank)
        try container.encode(score, forKey: .score)
        try container.encode(blocked, forKey: .blocked)
        try container.encode(reasons, forKey: .reasons)
        try container.encode(blockers, forKey: .blockers)
        try container.encode(conditions, forKey: .conditions)
        try container.encode(findings, forKey: .details)
        try container.encode(figures, forKey: .figures)
        try container.encode(steps, forKey: .steps)
        try container.encode(parts, forKey: .parts)
        try container.encode(sourceIDs, forKey: .sources)
    }
}

/// One rule's verdict on one method.
public struct Finding: Sendable, Hashable, Codable {
    /// Which rule spoke; lets tests and scripts find a particular verdict.
    public enum Rule: String, Sendable, Hashable, Codable {
        case lineOut = "line-out"
        case echoSpeaker = "echo-speaker"
        case wiring
        case speaker
        case echoAmplifier = "echo-amplifier"
        case rooms
        case speakerCount = "speaker-count"
        case sync
        case service
        case goal
        case latency
    }

    public var rule: Rule
    /// A full sentence a user understands.
    public var text: String
    /// Added to the method's score.
    public var scoreDelta: Int
    /// The method cannot work while this holds.
    public var blocks: Bool
    public var sources: [String]
    public var confidence: Confidence
    /// The method works only if something unverified holds (e.g. a line-out nobody has
    /// confirmed); its score is capped just below the best method that surely works.
    public var conditional: Bool = false
}

/// A part to buy, with how many.
public struct PartLine: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var purpose: String
    public var note: String?
    public var count: Int
    public var optional: Bool
    public var source: String
}

/// Something the user should know whatever method they pick.
public struct AdviceWarning: Sendable, Hashable, Codable {
    public var id: WarningID
    public var message: String
    public var sources: [String]
}

/// Stable identifiers of warnings, for scripts.
public enum WarningID: String, CaseIterable, Sendable, Codable {
    case unknownEchoModel = "unknown-echo-model"
    case noEchoModel = "no-echo-model"
    case unknownSpeakerModel = "unknown-speaker-model"
    case noSpeakerKind = "no-speaker-kind"
    case lineOutDisputed = "line-out-disputed"
    case lineOutUnverified = "line-out-unverified"
    case setJackToLineOut = "set-jack-to-line-out"
    case jackMutesEchoSpeaker = "jack-mutes-echo-speaker"
    case mainsRelay = "mains-relay"
    case echoHasNoSpeaker = "echo-has-no-speaker"
    case echoDrivesPassiveSpeakers = "echo-drives-passive-speakers"
    case askAudiologist = "ask-audiologist"
    case multiroomServicesUnverified = "multiroom-services-unverified"
    case multiroomGoalOneRoom = "multiroom-goal-one-room"
    case poorFit = "poor-fit"
    case nothingFits = "nothing-fits"
}

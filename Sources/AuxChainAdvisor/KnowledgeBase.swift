import Foundation

/// Everything the advisor knows, decoded from `Resources/knowledge.json`.
///
/// The file is data, not code: Echo models and their line-out, the connection methods with their
/// figures and how well they fit each speaker kind, goal and service, the seed article's claims
/// that verified sources contradict, and its myths and FAQ. Every fact names a source from
/// ``sources`` and a ``Confidence``.
public struct KnowledgeBase: Sendable, Codable, Hashable {
    public var schemaVersion: Int
    public var sources: [Source]
    public var models: [EchoModel]
    public var speakerKinds: [SpeakerKindEntry]
    public var speakerModels: [SpeakerModel]
    public var goals: [GoalEntry]
    public var services: [ServiceEntry]
    public var thresholds: Thresholds
    public var methods: [ConnectionMethod]
    public var parts: [Part]
    public var facts: [GeneralFact]
    public var disputes: [Dispute]
    public var questions: [KnownQuestion]

    /// Decodes a knowledge file.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(KnowledgeBase.self, from: json)
    }

    /// The knowledge file shipped with the advisor.
    public static func bundled() throws -> KnowledgeBase {
        guard let url = Bundle.module.url(forResource: "knowledge", withExtension: "json") else {
            throw KnowledgeBaseError.resourceMissing
        }
        return try KnowledgeBase(json: Data(contentsOf: url))
    }

    public func source(_ id: String) -> Source? { sources.first { $0.id == id } }
    public func model(_ id: String) -> EchoModel? { models.first { $0.id == id } }
    public func speakerModel(_ id: String) -> SpeakerModel? { speakerModels.first { $0.id == id } }
    public func method(_ id: MethodID) -> ConnectionMethod? { methods.first { $0.id == id } }
    public func goal(_ id: Goal) -> GoalEntry? { goals.first { $0.id == id } }
    public func service(_ id: MusicService) -> ServiceEntry? { services.first { $0.id == id } }
    public func speakerKind(_ id: SpeakerKind) -> SpeakerKindEntry? { speakerKinds.first { $0.id == id } }
    public func fact(_ id: FactID) -> GeneralFact? { facts.first { $0.id == id.rawValue } }
    public func dispute(_ id: String) -> Dispute? { disputes.first { $0.id == id } }
}

public enum KnowledgeBaseError: Error, CustomStringConvertible {
    case resourceMissing

    public var description: String {
        "The advisor's knowledge.json is missing from its resource bundle; rebuild the package."
    }
}

/// Where a fact comes from.
public struct Source: Sendable, Codable, Hashable, Identifiable {
    /// How much a source is trusted when it disagrees with another.
    public enum Standing: String, Sendable, Codable, Hashable {
        /// Manufacturer documentation, teardowns, standards, project documentation of other tools.
        case verified
        /// The seed article: claims without a published method.
        case unreviewed
        /// Reports nobody has confirmed against the maker's documentation or a teardown.
        case unverified
        /// AuxChain's own design figures.
        case project
    }

    public var id: String
    public var title: String
    public var standing: Standing
    public var location: String
    public var note: String?
}

/// One value with its source and how sure that source is.
public struct Fact<Value: Sendable & Codable & Hashable>: Sendable, Codable, Hashable {
    public var value: Value
    public var note: String?
    public var source: String
    public var confidence: Confidence

    public init(value: Value, note: String? = nil, source: String, confidence: Confidence) {
        self.value = value
        self.note = note
        self.source = source
        self.confidence = confidence
    }
}

/// A statement as one source makes it; used for both sides of a ``Dispute``.
public struct Statement: Sendable, Codable, Hashable {
    public var text: String
    public var source: String
    public var confidence: Confidence
}

/// An Echo model and whether it can feed a speaker by wire.
public struct EchoModel: Sendable, Codable, Hashable, Identifiable {
    public var id: String
    /// The name Amazon sells it under, e.g. "Echo Dot (3rd Gen)".
    public var name: String
    /// Other ways people write it; matched after normalisation.
    public var aliases: [String]
    public var lineOut: Fact<LineOut>
    public var hasSpeaker: Fact<Bool>
    /// Whether it has an amplifier of its own for passive speakers (the Echo Link Amp); absent: no.
    public var drivesPassiveSpeakers: Fact<Bool>?
}

public struct SpeakerKindEntry: Sendable, Codable, Hashable, Identifiable {
    public var id: SpeakerKind
    public var name: String
    public var description: String
    public var source: String
    public var confidence: Confidence
}

/// A speaker named in the seed article, mapped to its kind.
public struct SpeakerModel: Sendable, Codable, Hashable, Identifiable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var kind: Fact<SpeakerKind>
    /// How this particular speaker suits a method where its maker documents it; used instead of
    /// its kind's fit, which can only speak for speakers of that kind in general.
    public var methodFit: [MethodID: Fit]?
}

public struct GoalEntry: Sendable, Codable, Hashable, Identifiable {
    public var id: Goal
    public var name: String
    public var description: String
    /// The most delay this goal tolerates, where it implies a limit.
    public var maxLatencyMs: Fact<Int>?
}

public struct ServiceEntry: Sendable, Codable, Hashable, Identifiable {
    public var id: MusicService
    public var name: String
}

public struct Thresholds: Sendable, Codable, Hashable {
    /// Speakers drifting further apart than this are heard as an echo.
    public var audibleDriftMs: Fact<Double>
}

/// A delay range in milliseconds.
public struct LatencyRange: Sendable, Codable, Hashable {
    public var min: Int
    public var max: Int
}

/// A method's figures as a source states them, for people to read.
public struct MethodFigures: Sendable, Codable, Hashable {
    public var setupTime: Fact<String>
    public var latency: Fact<String>
    public var sync: Fact<String>
    public var maxSpeakers: Fact<String>
    public var limitation: Fact<String>
}

/// How well a method suits one speaker kind, goal or service, and why.
public struct Fit: Sendable, Codable, Hashable {
    /// Added to the method's score.
    public var score: Int
    /// The method cannot work at all under this condition.
    public var blocks: Bool
    /// A full sentence a user understands.
    public var reason: String
    public var source: String
    public var confidence: Confidence

    enum CodingKeys: String, CodingKey { case score, blocks, reason, source, confidence }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        score = try container.decode(Int.self, forKey: .score)
        blocks = try container.decodeIfPresent(Bool.self, forKey: .blocks) ?? false
        reason = try container.decode(String.self, forKey: .reason)
        source = try container.decode(String.self, forKey: .source)
        confidence = try container.decode(Confidence.self, forKey: .confidence)
    }
}

/// A connection method: its figures for people, its requirements and fits for the rules.
public struct ConnectionMethod: Sendable, Codable, Hashable, Identifiable {
    public var id: MethodID
    public var name: String
    public var summary: String
    public var figures: MethodFigures
    /// The delay the rules use; absent where no source gives one.
    public var latencyMs: Fact<LatencyRange>?
    /// How far apart its speakers drift, where it has several.
    public var syncDriftMs: Fact<Double>?
    /// Absent: no fixed limit.
    public var maxRooms: Fact<Int>?
    public var maxSpeakers: Fact<Int>?
    /// Needs an Echo with a 3.5 mm output.
    public var needsLineOut: Bool
    /// Needs cables and a box the user puts together.
    public var needsWiring: Bool
    /// Needs the Echo to have a speaker of its own.
    public var needsEchoSpeaker: Bool
    public var baseScore: Int
    public var speakerFit: [SpeakerKind: Fit]
    public var goalFit: [Goal: Fit]
    public var serviceFit: [MusicService: Fit]
    /// How it suits one room or several, where that matters beyond ``maxRooms``.
    public var roomsFit: [RoomCount: Fit]?
    public var steps: [String]
    /// Steps that come before ``steps`` for one speaker kind, e.g. fitting a Bluetooth receiver
    /// to a speaker that only takes a cable.
    public var speakerSteps: [SpeakerKind: [String]]?
}

/// One room or several, as far as a method's fit is concerned.
public enum RoomCount: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
    case one
    case several
}

/// Something to buy for a method.
public struct Part: Sendable, Codable, Hashable, Identifiable {
    public enum Quantity: String, Sendable, Codable, Hashable {
        case one
        case perRoom = "per-room"
        case perExtraRoom = "per-extra-room"
    }

    public var id: String
    public var name: String
    public var purpose: String
    public var note: String?
    public var methods: [MethodID]
    /// Only for these speaker kinds; absent: for every kind.
    public var speakerKinds: [SpeakerKind]?
    public var quantity: Quantity
    public var optional: Bool
    public var source: String
    public var confidence: Confidence
}

/// A fact the rules quote in warnings.
public struct GeneralFact: Sendable, Codable, Hashable, Identifiable {
    public var id: String
    public var text: String
    public var source: String
    public var confidence: Confidence
}

/// The general facts the rules quote; each must exist in the knowledge file.
public enum FactID: String, CaseIterable, Sendable {
    case jackMutesSpeaker = "jack-mutes-speaker"
    case lineOutFollowsVolume = "line-out-follows-volume"
    case mainsRelay = "mains-relay"
    case hearingAidAudiologist = "hearing-aid-audiologist"
    case multiroomServicesUnverified = "multiroom-services-unverified"
    case echo4LineOutMode = "echo-4-line-out-mode"
}

/// A claim of the seed article that a verified source contradicts; both sides are kept.
public struct Dispute: Sendable, Codable, Hashable, Identifiable {
    public enum Side: String, Sendable, Codable, Hashable {
        case claim
        case finding
    }

    public var id: String
    /// What the disagreement is about, e.g. "line-out"; the rules look line-out disputes up by model.
    public var topic: String
    public var models: [String]
    public var methods: [MethodID]
    public var speakerModels: [String]?
    /// What the seed article says.
    public var claim: Statement
    /// What a verified source says.
    public var finding: Statement
    /// The side the advisor believes.
    public var trusted: Side
    /// Why, as a clause that follows "because".
    public var why: String
}

/// One of the seed article's myths or FAQ questions, with its answer and ours.
public struct KnownQuestion: Sendable, Codable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case myth
        case faq
    }

    public var id: String
    public var kind: Kind
    public var question: String
    /// Phrases that identify the question when a user asks it in other words.
    public var keywords: [String]
    public var articleAnswer: Statement
    public var answer: Statement
    public var relatedMethods: [MethodID]
    public var relatedDisputes: [String]
}

/// What the user has and wants: the advisor's whole input.
public struct AdviceRequest: Sendable, Hashable, Codable {
    /// An ``EchoModel/id`` from the knowledge base; nil when the user doesn't know or has none yet.
    public var echoModelID: String?
    /// nil when not given; then taken from ``speakerModelID`` if that is known.
    public var speakerKind: SpeakerKind?
    /// A ``SpeakerModel/id`` from the knowledge base.
    public var speakerModelID: String?
    public var rooms: Int
    /// How many speakers should play in all (at least one per room).
    public var speakers: Int
    public var goals: [Goal]
    public var service: MusicService?
    /// The most delay the user accepts; goals such as ``Goal/tv`` may imply a tighter one.
    public var maxLatencyMs: Int?
    /// Whether the user is willing to run cables and put a small box together.
    public var wiringAcceptable: Bool

    public init(
        echoModelID: String? = nil,
        speakerKind: SpeakerKind? = nil,
        speakerModelID: String? = nil,
        rooms: Int = 1,
        speakers: Int? = nil,
        goals: [Goal] = [],
        service: MusicService? = nil,
        maxLatencyMs: Int? = nil,
        wiringAcceptable: Bool = true
    ) {
        self.echoModelID = echoModelID
        self.speakerKind = speakerKind
        self.speakerModelID = speakerModelID
        self.rooms = rooms
        self.speakers = speakers ?? rooms
        var seen = Set<Goal>()
        self.goals = goals.filter { seen.insert($0).inserted }
        self.service = service
        self.maxLatencyMs = maxLatencyMs
        self.wiringAcceptable = wiringAcceptable
    }

    enum CodingKeys: String, CodingKey {
        case echoModelID, speakerKind, speakerModelID, rooms, speakers, goals, service, maxLatencyMs, wiringAcceptable
    }

    /// Absent values are written as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(echoModelID, forKey: .echoModelID)
        try container.encode(speakerKind, forKey: .speakerKind)
        try container.encode(speakerModelID, forKey: .speakerModelID)
        try container.encode(rooms, forKey: .rooms)
        try container.encode(speakers, forKey: .speakers)
        try container.encode(goals, forKey: .goals)
        try container.encode(service, forKey: .service)
        try container.encode(maxLatencyMs, forKey: .maxLatencyMs)
        try container.encode(wiringAcceptable, forKey: .wiringAcceptable)
    }

    /// A problem a person must fix in the request, naming the flag and what is allowed.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var flag: String
        public var message: String
        public var description: String { "\(flag): \(message)" }
    }

    /// Checks the numbers; the enums cannot be wrong by construction.
    public func problems() -> [Problem] {
        var problems: [Problem] = []
        if rooms < 1 {
            problems.append(Problem(flag: "--rooms", message: "must be at least 1 (got \(rooms))."))
        }
        if speakers < 1 {
            problems.append(Problem(flag: "--speakers", message: "must be at least 1 (got \(speakers))."))
        } else if rooms >= 1, speakers < rooms {
            problems.append(Problem(
                flag: "--speakers",
                message: "\(speakers) is fewer than --rooms \(rooms): each room needs at least one speaker."
            ))
        }
        if let maxLatencyMs, maxLatencyMs < 1 {
            problems.append(Problem(flag: "--max-latency-ms", message: "must be at least 1 (got \(maxLatencyMs))."))
        }
        return problems
    }
}

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

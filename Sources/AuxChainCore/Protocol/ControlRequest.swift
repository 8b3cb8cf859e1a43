/// One line a control client sends: a command the daemon answers, or a subscription the
/// control server keeps for the connection.
///
/// Wire form (one JSON object per line):
/// `{"cmd":"status"}`, `{"cmd":"volume","set":{"percent":40}}`, `{"cmd":"mute"}`,
/// `{"cmd":"unmute"}`, `{"cmd":"power","mode":"auto"}`, `{"cmd":"levels"}`,
/// `{"cmd":"subscribe","levels_hz":10}`.
public enum ControlRequest: Sendable, Equatable, Hashable {
    case command(ControlCommand)
    /// Live events from now on, and levels at most `levelsHz` times a second (0: events only).
    case subscribe(levelsHz: Double)

    /// The fastest level stream a client may ask for; the meter itself updates per period.
    public static let maximumLevelsHz = 50.0
}

/// A request the daemon itself answers (the control server keeps subscriptions).
public enum ControlCommand: Sendable, Equatable, Hashable {
    case status
    case volume(VolumeChange)
    case mute
    case unmute
    case power(PowerMode)
    case levels

    /// The `cmd` value on the wire.
    public var name: String {
        switch self {
        case .status: "status"
        case .volume: "volume"
        case .mute: "mute"
        case .unmute: "unmute"
        case .power: "power"
        case .levels: "levels"
        }
    }
}

/// How a `volume` command moves the target; the volume track applies its curve and cap.
public enum VolumeChange: Sendable, Equatable, Hashable {
    /// `{"percent":40}`: a point on the volume curve, 0...100.
    case percent(Double)
    /// `{"db":-12}`: a gain in dB (capped by `[volume] max_db`).
    case gainDB(Double)
    /// `{"relative_db":3}`: this many dB louder (negative: quieter).
    case relativeDB(Double)
    /// `{"step":"up"}`: one `[volume] step_db` step.
    case step(VolumeStep)
}

public enum VolumeStep: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case up
    case down
}

extension ControlRequest: Codable {
    public init(from decoder: any Decoder) throws {
        self = try RequestDecoding.request(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: WireKey.self)
        switch self {
        case .subscribe(let levelsHz):
            try container.encode("subscribe", forKey: "cmd")
            try container.encode(levelsHz, forKey: "levels_hz")
        case .command(let command):
            try container.encode(command.name, forKey: "cmd")
            switch command {
            case .status, .mute, .unmute, .levels:
                break
            case .power(let mode):
                try container.encode(mode, forKey: "mode")
            case .volume(let change):
                var set = container.nestedContainer(keyedBy: WireKey.self, forKey: "set")
                switch change {
                case .percent(let percent): try set.encode(percent, forKey: "percent")
                case .gainDB(let gainDB): try set.encode(gainDB, forKey: "db")
                case .relativeDB(let deltaDB): try set.encode(deltaDB, forKey: "relative_db")
                case .step(let step): try set.encode(step, forKey: "step")
                }
            }
        }
    }
}

/// A JSON object key by name, so decoding can list and check the keys a client sent.
struct WireKey: CodingKey, ExpressibleByStringLiteral, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { self.stringValue = value }
}

/// The daemon's answer to one request line, in order, one per request.
///
/// Wire form: `{"ok":true}` plus at most one payload field (`status`, `volume`, `power`,
/// `levels`, `subscribed`), or `{"ok":false,"code":"unknown_command","error":"..."}`.
/// Replies carry `ok`; events (``ControlEvent``) carry `event` instead, so a subscribed
/// client tells them apart by that key.
public enum ControlReply: Sendable, Equatable {
    /// `{"ok":true}`: done, nothing to report.
    case done
    case status(DaemonStatus)
    /// The volume after a volume, mute or unmute command.
    case volume(VolumeReport)
    /// The power after a power command.
    case power(PowerReport)
    case levels(LevelsReport)
    /// `{"ok":true,"subscribed":{"levels_hz":10}}`
    case subscribed(levelsHz: Double)
    case failure(ControlFailure)

    public var isOK: Bool {
        if case .failure = self { return false }
        return true
    }
}

/// Why a request was not done: a stable machine-readable code and a sentence for a person
/// that names what was wrong and how to fix it.
public struct ControlFailure: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var code: ControlErrorCode
    public var message: String

    public init(code: ControlErrorCode, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}

/// The `code` of a failed reply. A struct rather than an enum so a client decodes codes
/// added by a newer daemon.
public struct ControlErrorCode: RawRepresentable, Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    // Request decoding.
    /// The line is not JSON.
    public static let malformedJSON = ControlErrorCode(rawValue: "malformed_json")
    /// The line is JSON but not an object.
    public static let notAnObject = ControlErrorCode(rawValue: "not_an_object")
    public static let unknownCommand = ControlErrorCode(rawValue: "unknown_command")
    public static let missingField = ControlErrorCode(rawValue: "missing_field")
    public static let wrongType = ControlErrorCode(rawValue: "wrong_type")
    public static let unknownField = ControlErrorCode(rawValue: "unknown_field")
    /// The right type but outside what the command takes (a percent above 100, mode "loud").
    public static let invalidValue = ControlErrorCode(rawValue: "invalid_value")
    /// The line exceeded ``ControlCodec/maximumLineBytes``; the rest of it was discarded.
    public static let lineTooLong = ControlErrorCode(rawValue: "line_too_long")

    // Connection.
    /// The peer is not root, the daemon's user or a member of the control group.
    public static let permissionDenied = ControlErrorCode(rawValue: "permission_denied")
    public static let tooManyClients = ControlErrorCode(rawValue: "too_many_clients")
    /// The client sent nothing for the server's idle timeout; the connection is closed.
    public static let idleTimeout = ControlErrorCode(rawValue: "idle_timeout")

    // Handling.
    /// The daemon cannot do this now or with this setup (e.g. no relay configured).
    public static let unavailable = ControlErrorCode(rawValue: "unavailable")
    /// The daemon failed while doing it; the message says where.
    public static let internalError = ControlErrorCode(rawValue: "internal_error")
}

extension ControlReply: Codable {
    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: WireKey.self)
        guard try object.decode(Bool.self, forKey: "ok") else {
            self = .failure(ControlFailure(
                code: try object.decode(ControlErrorCode.self, forKey: "code"),
                message: try object.decode(String.self, forKey: "error")
            ))
            return
        }
        if let status = try object.decodeIfPresent(DaemonStatus.self, forKey: "status") {
            self = .status(status)
        } else if let volume = try object.decodeIfPresent(VolumeReport.self, forKey: "volume") {
            self = .volume(volume)
        } else if let power = try object.decodeIfPresent(PowerReport.self, forKey: "power") {
            self = .power(power)
        } else if let levels = try object.decodeIfPresent(LevelsReport.self, forKey: "levels") {
            self = .levels(levels)
        } else if let subscribed = try object.decodeIfPresent(Subscription.self, forKey: "subscribed") {
            self = .subscribed(levelsHz: subscribed.levelsHz)
        } else {
            self = .done
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: WireKey.self)
        try object.encode(isOK, forKey: "ok")
        switch self {
        case .done: break
        case .status(let status): try object.encode(status, forKey: "status")
        case .volume(let volume): try object.encode(volume, forKey: "volume")
        case .power(let power): try object.encode(power, forKey: "power")
        case .levels(let levels): try object.encode(levels, forKey: "levels")
        case .subscribed(let levelsHz): try object.encode(Subscription(levelsHz: levelsHz), forKey: "subscribed")
        case .failure(let failure):
            try object.encode(failure.code, forKey: "code")
            try object.encode(failure.message, forKey: "error")
        }
    }

    private struct Subscription: Codable {
        var levelsHz: Double

        enum CodingKeys: String, CodingKey {
            case levelsHz = "levels_hz"
        }
    }
}

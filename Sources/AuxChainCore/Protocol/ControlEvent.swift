/// What the daemon pushes to subscribed clients, between replies.
///
/// Wire form: `{"event":"<kind>", ...}`, e.g. `{"event":"signal","present":true}`,
/// `{"event":"levels","levels":{...}}`. Events never carry `ok`; replies always do.
public enum ControlEvent: Sendable, Equatable {
    case levels(LevelsReport)
    case volume(VolumeReport)
    case power(PowerReport)
    case relay(RelayReport)
    /// The signal detector heard the Echo start (`present`) or fall quiet.
    case signal(present: Bool)
    /// Another underrun or overrun; `total` counts since start.
    case xrun(total: UInt64)
    /// Samples clipped at the output since start.
    case clipped(total: UInt64)
    /// A device was lost or came back.
    case device(DeviceReport)
    /// The control server dropped this many events for this client because it read too
    /// slowly; sent once it catches up.
    case dropped(count: UInt64)

    /// The `event` value on the wire.
    public var kind: String {
        switch self {
        case .levels: "levels"
        case .volume: "volume"
        case .power: "power"
        case .relay: "relay"
        case .signal: "signal"
        case .xrun: "xrun"
        case .clipped: "clipped"
        case .device: "device"
        case .dropped: "dropped"
        }
    }
}

extension ControlEvent: Codable {
    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: WireKey.self)
        let kind = try object.decode(String.self, forKey: "event")
        switch kind {
        case "levels": self = .levels(try object.decode(LevelsReport.self, forKey: "levels"))
        case "volume": self = .volume(try object.decode(VolumeReport.self, forKey: "volume"))
        case "power": self = .power(try object.decode(PowerReport.self, forKey: "power"))
        case "relay": self = .relay(try object.decode(RelayReport.self, forKey: "relay"))
        case "signal": self = .signal(present: try object.decode(Bool.self, forKey: "present"))
        case "xrun": self = .xrun(total: try object.decode(UInt64.self, forKey: "total"))
        case "clipped": self = .clipped(total: try object.decode(UInt64.self, forKey: "total"))
        case "device": self = .device(try object.decode(DeviceReport.self, forKey: "device"))
        case "dropped": self = .dropped(count: try object.decode(UInt64.self, forKey: "count"))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: "event", in: object, debugDescription: "unknown event '\(kind)'"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: WireKey.self)
        try object.encode(kind, forKey: "event")
        switch self {
        case .levels(let levels): try object.encode(levels, forKey: "levels")
        case .volume(let volume): try object.encode(volume, forKey: "volume")
        case .power(let power): try object.encode(power, forKey: "power")
        case .relay(let relay): try object.encode(relay, forKey: "relay")
        case .signal(let present): try object.encode(present, forKey: "present")
        case .xrun(let total), .clipped(let total): try object.encode(total, forKey: "total")
        case .device(let device): try object.encode(device, forKey: "device")
        case .dropped(let count): try object.encode(count, forKey: "count")
        }
    }
}

import AuxChainCore

/// What survives a restart: the volume target, mute and the power mode a person chose.
///
/// The volume track decides what to do with a saved level at start (the safe-start rule);
/// the store only keeps it.
public struct SavedState: Sendable, Equatable {
    /// The volume track's target, 0...100.
    public var volumePercent: Double
    /// The target's gain on the curve when it was saved; informational, percent wins.
    public var volumeDB: Double?
    public var muted: Bool
    public var powerMode: PowerMode

    public init(volumePercent: Double, volumeDB: Double? = nil, muted: Bool, powerMode: PowerMode) {
        self.volumePercent = volumePercent
        self.volumeDB = volumeDB
        self.muted = muted
        self.powerMode = powerMode
    }
}

/// The state file's JSON, every field optional so an older or damaged file still yields
/// what it holds.
struct SavedStateFile: Codable {
    static let currentVersion = 1

    var version: Int?
    var volumePercent: Double?
    var volumeDB: Double?
    var muted: Bool?
    var powerMode: String?

    enum CodingKeys: String, CodingKey {
        case version, muted
        case volumePercent = "volume_percent"
        case volumeDB = "volume_db"
        case powerMode = "power_mode"
    }

    init(_ state: SavedState) {
        version = Self.currentVersion
        volumePercent = state.volumePercent
        volumeDB = state.volumeDB.flatMap { $0.isFinite ? $0 : nil }
        muted = state.muted
        powerMode = state.powerMode.rawValue
    }

    /// The saved state, each missing field from `defaults`; invalid fields also come from
    /// `defaults` and are named in `problems`.
    func state(defaults: SavedState) -> (state: SavedState, problems: [String]) {
        var state = defaults
        var problems: [String] = []
        if let volumePercent {
            if volumePercent.isFinite && (0...100).contains(volumePercent) {
                state.volumePercent = volumePercent
                state.volumeDB = volumeDB
            } else {
                problems.append("volume_percent \(volumePercent) is outside 0...100")
            }
        }
        if let muted { state.muted = muted }
        if let powerMode {
            if let mode = PowerMode(rawValue: powerMode) {
                state.powerMode = mode
            } else {
                problems.append("power_mode '\(powerMode)' is not on, off or auto")
            }
        }
        return (state, problems)
    }
}

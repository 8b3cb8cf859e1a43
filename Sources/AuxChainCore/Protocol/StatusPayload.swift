/// What `{"cmd":"status"}` answers: a snapshot of the whole daemon. Field names on the wire
/// are the snake_case ones in each type's `CodingKeys`; they are a stable contract with
/// scripts, so add fields, never rename them.
public struct DaemonStatus: Sendable, Equatable, Codable {
    public var volume: VolumeReport
    public var power: PowerReport
    /// nil when no relay is configured.
    public var relay: RelayReport?
    public var levels: LevelsReport
    /// Underruns and overruns since start.
    public var xruns: UInt64
    /// Capture to playback latency now, in frames at `sampleRate`.
    public var latencyFrames: Int
    public var sampleRate: Int
    public var devices: [DeviceReport]
    public var uptimeSeconds: Double
    /// Capture's clock against playback's in ppm (positive: capture fast); nil until measured,
    /// about 10 s after the devices open.
    public var clockDriftPPM: Double?
    /// Frames added or removed since start to hold the playback buffer against the drift; nil
    /// while nothing is corrected (devices closed, or none with a clock of its own: the
    /// simulation, file and null PCMs).
    public var driftCorrections: UInt64?

    public init(
        volume: VolumeReport, power: PowerReport, relay: RelayReport?, levels: LevelsReport,
        xruns: UInt64, latencyFrames: Int, sampleRate: Int, devices: [DeviceReport], uptimeSeconds: Double,
        clockDriftPPM: Double? = nil, driftCorrections: UInt64? = nil
    ) {
        self.volume = volume
        self.power = power
        self.relay = relay
        self.levels = levels
        self.xruns = xruns
        self.latencyFrames = latencyFrames
        self.sampleRate = sampleRate
        self.devices = devices
        self.uptimeSeconds = uptimeSeconds
        self.clockDriftPPM = clockDriftPPM.flatMap { $0.isFinite ? $0 : nil }
        self.driftCorrections = driftCorrections
    }

    enum CodingKeys: String, CodingKey {
        case volume, power, relay, levels, xruns, devices
        case latencyFrames = "latency_frames"
        case sampleRate = "rate"
        case uptimeSeconds = "uptime_s"
        case clockDriftPPM = "clock_drift_ppm"
        case driftCorrections = "drift_corrections"
    }
}

/// The volume target as the volume track holds it.
public struct VolumeReport: Sendable, Equatable, Codable {
    /// Position on the volume curve, 0...100.
    public var percent: Double
    /// The curve's gain at `percent`; nil at 0 % (silence, which has no finite dB).
    public var gainDB: Double?
    /// `[volume] max_db`: no command goes above it.
    public var capDB: Double
    public var muted: Bool

    public init(percent: Double, gainDB: Double?, capDB: Double, muted: Bool) {
        self.percent = percent
        self.gainDB = gainDB.flatMap { $0.isFinite ? $0 : nil }
        self.capDB = capDB
        self.muted = muted
    }

    enum CodingKeys: String, CodingKey {
        case percent, muted
        case gainDB = "db"
        case capDB = "cap_db"
    }
}

public struct PowerReport: Sendable, Equatable, Codable {
    /// The mode a person chose (the one saved).
    public var mode: PowerMode
    public var state: PowerState
    /// The 12 V trigger is holding the speaker on over the mode.
    public var triggerHoldingOn: Bool

    public init(mode: PowerMode, state: PowerState, triggerHoldingOn: Bool) {
        self.mode = mode
        self.state = state
        self.triggerHoldingOn = triggerHoldingOn
    }

    enum CodingKeys: String, CodingKey {
        case mode, state
        case triggerHoldingOn = "trigger_holding_on"
    }
}

public struct RelayReport: Sendable, Equatable, Codable {
    /// The configured `[power.relay] line`, as written there (offset or name).
    public var line: String
    /// Whether the relay is energised for the speaker to be on (after `active_low`).
    public var isOn: Bool

    public init(line: String, isOn: Bool) {
        self.line = line
        self.isOn = isOn
    }

    enum CodingKeys: String, CodingKey {
        case line
        case isOn = "on"
    }
}

/// The meter's levels for each captured channel, and whether the signal detector hears the Echo.
public struct LevelsReport: Sendable, Equatable, Codable {
    public var channels: [ChannelLevel]
    public var signal: Bool

    public init(channels: [ChannelLevel], signal: Bool) {
        self.channels = channels
        self.signal = signal
    }
}

public struct ChannelLevel: Sendable, Equatable, Codable {
    /// Levels below this (digital silence, −∞) are reported as this, so they stay JSON numbers;
    /// NaN is reported as this too and +∞ as the largest finite number.
    public static let floorDBFS = -200.0

    public var peakDBFS: Double
    public var rmsDBFS: Double

    public init(peakDBFS: Double, rmsDBFS: Double) {
        self.peakDBFS = Self.clamped(peakDBFS)
        self.rmsDBFS = Self.clamped(rmsDBFS)
    }

    private static func clamped(_ dbfs: Double) -> Double {
        dbfs.isNaN ? floorDBFS : min(max(dbfs, floorDBFS), .greatestFiniteMagnitude)
    }

    enum CodingKeys: String, CodingKey {
        case peakDBFS = "peak_dbfs"
        case rmsDBFS = "rms_dbfs"
    }
}

public enum DeviceRole: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case capture
    case playback
}

/// An ALSA PCM the daemon uses.
public struct DeviceReport: Sendable, Equatable, Codable {
    public var role: DeviceRole
    /// The PCM name from `[audio] capture` or `[audio] playback`.
    public var name: String
    /// Open and running; false while the daemon waits for a removed device to return.
    public var isOpen: Bool

    public init(role: DeviceRole, name: String, isOpen: Bool) {
        self.role = role
        self.name = name
        self.isOpen = isOpen
    }

    enum CodingKeys: String, CodingKey {
        case role, name
        case isOpen = "open"
    }
}

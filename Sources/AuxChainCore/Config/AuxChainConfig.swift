import AuxChainDSP

/// Every setting of a running AuxChain, validated. Built from TOML by `ConfigReader`;
/// `Examples/auxchain.toml` documents each key.
public struct AuxChainConfig: Sendable, Equatable {
    public var audio = AudioSettings()
    public var volume = VolumeSettings()
    public var power = PowerSettings()
    public var gpio = GPIOSettings()
    public var inputs = InputSettings()
    public var attenuator = AttenuatorSettings.none
    public var control = ControlSettings()
    public var state = StateSettings()

    public init() {}
}

public struct AudioSettings: Sendable, Equatable {
    /// ALSA PCM the Echo's line-out is captured from.
    public var capture = "default"
    /// ALSA PCM the speaker is fed from.
    public var playback = "default"
    public var rate = 48000
    public var captureFormat = SampleEncoding.s16
    public var playbackFormat = SampleEncoding.s16
    public var captureChannels = 2
    public var playbackChannels = 2
    public var periodFrames = 256
    public var bufferPeriods = 3
    /// Periods of silence queued before playback starts: the engine's added latency, in periods.
    public var prefillPeriods = 2
    /// SCHED_FIFO priority of the audio thread; 0 keeps normal scheduling.
    public var realtimePriority = 70
    /// The systemd unit's `LimitRTPRIO`: a higher priority would be refused there.
    public static let maximumRealtimePriority = 95

    public init() {}

    public var bufferFrames: Int { periodFrames * bufferPeriods }
}

public struct VolumeSettings: Sendable, Equatable {
    /// The curve spans −rangeDB (1 %) to 0 dB (100 %).
    public var rangeDB = 60.0
    /// Hard cap: no command sets a louder level.
    public var maxDB = 0.0
    /// A saved level above this is not restored at start; this is used instead.
    public var safeStartPercent = 40.0
    public var stepDB = 2.0
    public var ramp = Duration.milliseconds(40)

    public init() {}
}

public struct PowerSettings: Sendable, Equatable {
    public var mode = PowerMode.auto
    public var onThresholdDBFS = -50.0
    public var offThresholdDBFS = -60.0
    public var attack = Duration.milliseconds(10)
    /// Relay on → audio ramps up: the speaker's own power-on thump and muting settle first.
    public var settle = Duration.milliseconds(1500)
    public var offDelay = Duration.seconds(600)
    public var minimumOn = Duration.seconds(60)
    public var minimumOff = Duration.seconds(5)
    /// The relay that switches the speaker's power; nil when there is none.
    public var relay: OutputLineSettings?

    public init() {}
}

/// A GPIO line by its offset on the chip (the BCM number on a Pi) or by its name.
public enum LineReference: Sendable, Equatable, Hashable, CustomStringConvertible {
    case offset(Int)
    case name(String)

    public var description: String {
        switch self {
        case .offset(let offset): "\(offset)"
        case .name(let name): "'\(name)'"
        }
    }
}

public struct OutputLineSettings: Sendable, Equatable {
    public var line: LineReference
    public var activeLow: Bool

    public init(line: LineReference, activeLow: Bool) {
        self.line = line
        self.activeLow = activeLow
    }
}

/// The pull resistor on an input line.
public enum LineBias: String, Sendable, Equatable, CaseIterable {
    case pullUp = "pull-up"
    case pullDown = "pull-down"
    case disabled
    case asIs = "as-is"
}

public struct InputLineSettings: Sendable, Equatable {
    public var line: LineReference
    public var activeLow: Bool
    public var bias: LineBias
    public var debounce: Duration

    public init(line: LineReference, activeLow: Bool, bias: LineBias, debounce: Duration) {
        self.line = line
        self.activeLow = activeLow
        self.bias = bias
        self.debounce = debounce
    }
}

public struct ButtonSettings: Sendable, Equatable {
    public var action: ButtonAction
    public var input: InputLineSettings

    public init(action: ButtonAction, input: InputLineSettings) {
        self.action = action
        self.input = input
    }
}

public struct InputSettings: Sendable, Equatable {
    /// A 12 V trigger input (through an opto-isolator): high means the amplifier chain is wanted on.
    public var trigger: InputLineSettings?
    public var buttons: [ButtonSettings] = []

    public init() {}
}

/// The board whose 40-pin header the lines are on; it picks the GPIO chip and bounds the offsets.
public enum Board: String, Sendable, Equatable, CaseIterable {
    case pi4
    case pi5
    case other

    /// The label of the chip behind the header (the Pi 5's moved from gpiochip4 to gpiochip0 in 2024,
    /// so chips are found by label, never by number).
    public var headerChipLabel: String? {
        switch self {
        case .pi4: "pinctrl-bcm2711"
        case .pi5: "pinctrl-rp1"
        case .other: nil
        }
    }

    /// BCM numbers that reach the 40-pin header.
    public var headerOffsets: ClosedRange<Int>? {
        switch self {
        case .pi4, .pi5: 0...27
        case .other: nil
        }
    }
}

public struct GPIOSettings: Sendable, Equatable {
    public var board = Board.other
    /// Chip path, name or label; nil means the board's header chip.
    public var chip: String?

    public init() {}

    /// The chip to open, if any line is configured at all.
    public var resolvedChip: String? { chip ?? board.headerChipLabel }
}

public enum AttenuatorSettings: Sendable, Equatable {
    case none
    /// Relays switching binary-weighted pads, least significant first. `activeLow` for relay
    /// boards whose relays pull in on a low input (most cheap optocoupled modules).
    case relayLadder(lines: [LineReference], stepDB: Double, settle: Duration, activeLow: Bool = false)
    case pga2311(chipSelect: LineReference, clock: LineReference, data: LineReference, zeroCrossing: Bool)
    case x9c(chipSelect: LineReference, increment: LineReference, upDown: LineReference)

    public var kindName: String {
        switch self {
        case .none: "none"
        case .relayLadder: "relay-ladder"
        case .pga2311: "pga2311"
        case .x9c: "x9c"
        }
    }

    /// Every line the attenuator drives, for conflict checks.
    public var lines: [(key: String, line: LineReference)] {
        switch self {
        case .none: []
        case .relayLadder(let lines, _, _, _): lines.enumerated().map { ("attenuator.lines[\($0.offset)]", $0.element) }
        case .pga2311(let cs, let sclk, let sdi, _): [("attenuator.cs", cs), ("attenuator.sclk", sclk), ("attenuator.sdi", sdi)]
        case .x9c(let cs, let inc, let ud): [("attenuator.cs", cs), ("attenuator.inc", inc), ("attenuator.ud", ud)]
        }
    }
}

public struct ControlSettings: Sendable, Equatable {
    public var socketPath = "/run/auxchain/control.sock"
    /// A Unix socket address (`sun_path`) holds 108 bytes, the path's terminating NUL included.
    public static let maximumSocketPathBytes = 107
    /// Members of this group (and root) may use the control socket.
    public var group: String? = "auxchain"

    public init() {}
}

public struct StateSettings: Sendable, Equatable {
    public var path = "/var/lib/auxchain/state.json"

    public init() {}
}

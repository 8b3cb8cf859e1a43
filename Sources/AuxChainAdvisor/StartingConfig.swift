/// A first AuxChain config for the aux-out chain, in the TOML format of the config schema,
/// tuned to the request: faster speaker start for Alexa's replies, a longer settle for an
/// amplifier behind the relay, a longer off delay for parties.
public struct StartingConfig: Sendable, Hashable {
    /// The HiFiBerry DAC+ ADC (Pro) on the parts list does capture and playback on one card.
    public var captureDevice = "hw:CARD=sndrpihifiberry,DEV=0"
    public var playbackDevice = "hw:CARD=sndrpihifiberry,DEV=0"
    public var rate = 48000
    public var captureFormat = "S32_LE"
    public var playbackFormat = "S32_LE"
    public var periodFrames = 256
    public var bufferPeriods = 3
    public var prefillPeriods = 2
    public var settleMs = 1500
    public var offDelaySeconds = 600
    public var relayLine = 17
    /// The parts list allows a Pi 4 or a Pi 5; nothing in the request says which, so the file
    /// says how to switch (the header's GPIO chip differs).
    public var board = "pi4"
    /// The optional PGA2311 volume board's keys, as in `Hardware/profiles/pi4-pga2311.toml`
    /// (BCM numbers: CS on 8, SCLK on 11, SDI on 10), so enabling it gives a complete section.
    public static let pga2311Keys = ["kind = \"pga2311\"", "cs = 8", "sclk = 11", "sdi = 10", "zero_crossing = true"]
    /// Comment lines explaining the choices, written at the top of the file.
    public var explanations: [String] = []

    public init(request: AdviceRequest, model: EchoModel?, speakerKind: SpeakerKind?, knowledge: KnowledgeBase) {
        let speakerName = speakerKind.flatMap { knowledge.speakerKind($0)?.name } ?? "your speaker"
        let goals = request.goals.compactMap { knowledge.goal($0)?.name }
        explanations.append("Starting config from `auxchain advise`: \(model?.name ?? "an Echo") -> AuxChain -> \(speakerName).")
        if !goals.isEmpty {
            explanations.append("Tuned for: \(listed(goals, conjunction: "and")).")
        }
        if model?.lineOut.value == .switchable, let fact = knowledge.fact(.echo4LineOutMode) {
            explanations.append(fact.text)
        }
        if let fact = knowledge.fact(.lineOutFollowsVolume) {
            explanations.append(fact.text)
        }
        explanations.append("Check the card's formats with `arecord -D \(captureDevice) --dump-hw-params`.")
        explanations.append("[gpio] board = \"\(board)\" is for a Raspberry Pi 4; on a Raspberry Pi 5 set board = \"pi5\" (its header has another GPIO chip).")

        if speakerKind == .passive {
            settleMs = 3000
            explanations.append("settle_ms = 3000: the amplifier behind the relay needs a few seconds before audio ramps up.")
        } else if request.goals.contains(.voiceReplies) || model?.hasSpeaker.value == false {
            settleMs = 500
            explanations.append("settle_ms = 500: Alexa's replies need the speaker on fast; AuxChain holds the first words meanwhile.")
        }
        if request.goals.contains(.party) || request.goals.contains(.voiceReplies) || model?.hasSpeaker.value == false {
            offDelaySeconds = 1800
            explanations.append("off_delay_s = 1800: the speaker stays on for half an hour of quiet, so follow-up requests and pauses don't switch it off.")
        }
    }

    /// The config as TOML.
    public func toml() -> String {
        var lines = explanations.map { "# \($0)" }
        lines += [
            "",
            "[audio]",
            "# The Echo's line-out goes into this card's line input; its output feeds the speaker.",
            "capture = \(quoted(captureDevice))",
            "playback = \(quoted(playbackDevice))",
            "rate = \(rate)",
            "capture_format = \(quoted(captureFormat))",
            "playback_format = \(quoted(playbackFormat))",
            "capture_channels = 2",
            "playback_channels = 2",
            "period_frames = \(periodFrames)",
            "buffer_periods = \(bufferPeriods)",
            "prefill_periods = \(prefillPeriods)",
            "realtime_priority = 70",
            "",
            "[volume]",
            "range_db = 60.0",
            "max_db = 0.0                            # hard cap no command can exceed",
            "safe_start_percent = 40                 # a saved level above this is not restored at start",
            "step_db = 2.0",
            "ramp_ms = 40",
            "",
            "[power]",
            "mode = \"auto\"                           # speaker on when the Echo sounds, off after off_delay_s of quiet",
            "on_threshold_dbfs = -50.0",
            "off_threshold_dbfs = -60.0",
            "attack_ms = 10",
            "settle_ms = \(settleMs)",
            "off_delay_s = \(offDelaySeconds)",
            "min_on_s = 60",
            "min_off_s = 5",
            "",
            "[power.relay]",
            "line = \(relayLine)                               # BCM number of the relay module's input",
            "active_low = true                       # most opto-isolated relay modules switch on a low input",
            "",
            "[gpio]",
            "board = \(quoted(board))                           # \"pi5\" on a Raspberry Pi 5",
            "",
            "[attenuator]",
            "# With the optional PGA2311 volume board, replace kind = \"none\" with these lines",
            "# (Hardware/profiles/pi4-pga2311.toml; wiring: Hardware/wiring/pga2311.md; leave SPI off in config.txt):",
        ] + Self.pga2311Keys.map { "#   \($0)" } + [
            "kind = \"none\"",
            "",
            "[control]",
            "socket = \"/run/auxchain/control.sock\"",
            "group = \"auxchain\"",
            "",
            "[state]",
            "path = \"/var/lib/auxchain/state.json\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private func quoted(_ text: String) -> String {
        var escaped = "\""
        for character in text {
            if character == "\\" || character == "\"" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "\""
    }
}

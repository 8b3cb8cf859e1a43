import AuxChainAdvisor
import Testing

/// The sections and keys of notes/config-schema.md that a starting config may use.
let schemaKeys: [String: Set<String>] = [
    "audio": [
        "capture", "playback", "rate", "capture_format", "playback_format", "capture_channels",
        "playback_channels", "period_frames", "buffer_periods", "prefill_periods", "realtime_priority",
    ],
    "volume": ["range_db", "max_db", "safe_start_percent", "step_db", "ramp_ms"],
    "power": [
        "mode", "on_threshold_dbfs", "off_threshold_dbfs", "attack_ms", "settle_ms", "off_delay_s",
        "min_on_s", "min_off_s",
    ],
    "gpio": ["board", "chip"],
    "power.relay": ["line", "active_low"],
    "inputs.trigger": ["line", "active_low", "bias"],
    "attenuator": ["kind", "lines", "step_db", "settle_ms", "cs", "sclk", "sdi", "zero_crossing", "inc", "ud"],
    "control": ["socket", "group"],
    "state": ["path"],
]

/// Reads `[section]` and `key = value` lines; enough to check a generated file against the schema.
func tomlEntries(_ text: String) -> [(section: String, key: String, value: String)] {
    var section = ""
    var entries: [(String, String, String)] = []
    for rawLine in text.split(separator: "\n") {
        let line = trimmed(rawLine)
        if line.hasPrefix("#") { continue }
        if line.hasPrefix("[") {
            section = String(line.dropFirst().prefix { $0 != "]" })
            continue
        }
        guard let equals = line.firstIndex(of: "=") else { continue }
        let key = trimmed(line[..<equals])
        var value = trimmed(line[line.index(after: equals)...])
        if value.hasPrefix("\""), let close = value.dropFirst().firstIndex(of: "\"") {
            value = String(value[...close])
        } else if let hash = value.firstIndex(of: "#") {
            value = trimmed(value[..<hash])
        }
        entries.append((section, key, value))
    }
    return entries
}

func trimmed(_ text: some StringProtocol) -> String {
    String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
}

@Suite("Starting config")
struct StartingConfigTests {
    let advisor: Advisor

    init() throws {
        advisor = Advisor(knowledge: try KnowledgeBase.bundled())
    }

    func config(_ request: AdviceRequest) throws -> String {
        try #require(advisor.advise(request).startingConfig)
    }

    func value(_ key: String, in section: String, of toml: String) -> String? {
        tomlEntries(toml).first { $0.section == section && $0.key == key }?.value
    }

    @Test("uses only sections and keys of the config schema, each once, and every required section")
    func keysFollowSchema() throws {
        let toml = try config(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.voiceReplies]))
        let entries = tomlEntries(toml)
        for entry in entries {
            #expect(schemaKeys[entry.section]?.contains(entry.key) == true, "[\(entry.section)] \(entry.key)")
        }
        let pairs = entries.map { "\($0.section).\($0.key)" }
        #expect(pairs.count == Set(pairs).count)
        #expect(Set(entries.map(\.section)) == ["audio", "volume", "power", "power.relay", "gpio", "attenuator", "control", "state"])
    }

    @Test("voice replies start the speaker fast and keep it on longer")
    func voiceRepliesTuning() throws {
        let toml = try config(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.voiceReplies]))
        #expect(value("settle_ms", in: "power", of: toml) == "500")
        #expect(value("off_delay_s", in: "power", of: toml) == "1800")
        #expect(value("mode", in: "power", of: toml) == "\"auto\"")
    }

    @Test("background music keeps the schema's defaults")
    func backgroundDefaults() throws {
        let toml = try config(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.background]))
        #expect(value("settle_ms", in: "power", of: toml) == "1500")
        #expect(value("off_delay_s", in: "power", of: toml) == "600")
        #expect(value("line", in: "power.relay", of: toml) == "17")
        #expect(value("active_low", in: "power.relay", of: toml) == "true")
    }

    @Test("an amplifier behind the relay gets a longer settle")
    func passiveSpeakersSettleLonger() throws {
        let toml = try config(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .passive, goals: [.voiceReplies]))
        #expect(value("settle_ms", in: "power", of: toml) == "3000")
    }

    @Test("the Echo 4th gen config tells how to set the jack to Line Out")
    func switchableJackNote() throws {
        let toml = try config(AdviceRequest(echoModelID: "echo-4", speakerKind: .poweredAnalog))
        #expect(toml.contains("# The Echo (4th Gen) has one jack for line in and line out"))
    }

    @Test("the capture and playback devices are the sound card on the parts list")
    func devicesMatchParts() throws {
        let toml = try config(AdviceRequest(echoModelID: "echo-dot-4", speakerKind: .poweredAnalog))
        #expect(value("capture", in: "audio", of: toml) == "\"hw:CARD=sndrpihifiberry,DEV=0\"")
        #expect(value("playback", in: "audio", of: toml) == "\"hw:CARD=sndrpihifiberry,DEV=0\"")
    }
}

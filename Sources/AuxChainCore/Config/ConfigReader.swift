import AuxChainDSP
import Foundation
import Glibc
import TOMLKit

/// Reads and validates an AuxChain config file.
///
/// The TOML tree is walked by hand rather than decoded, so that each error names the key path,
/// its line, the type found and the values allowed, and so that unknown keys are rejected.
public enum ConfigReader {
    /// Loads and validates the file at `path`.
    public static func load(path: String) throws(ConfigError) -> AuxChainConfig {
        try parse(readText(path: path), file: path)
    }

    /// Loads the file at `path` for the daemon: validates it, and checks what depends on the
    /// system it runs on (that `[control] group` exists). `run`, its reload and `config check`
    /// use it, so that a config one of them accepts the others accept too.
    public static func loadForRun(path: String) throws(ConfigError) -> AuxChainConfig {
        let text = try readText(path: path)
        let config = try parse(text, file: path)
        if let group = config.control.group, SystemGroups.id(named: group) == nil {
            throw Context(file: path, locator: KeyLocator(text: text)).error(
                "control.group",
                "group '\(group)' does not exist on this system; create it with 'groupadd --system \(group)' "
                    + "(packaging/install.sh does), or set [control] group to an existing group, "
                    + "or to \"\" to let only root and the daemon's user in")
        }
        return config
    }

    /// The file's text. The bytes are read first, so that a missing file, a directory, one this
    /// user may not read and one that is not UTF-8 each get their own fix.
    static func readText(path: String) throws(ConfigError) -> String {
        func failure(_ message: String, line: Int? = nil) -> ConfigError {
            ConfigError(file: path, keyPath: "", line: line, message: message)
        }
        func unreadable(_ code: Int32) -> ConfigError {
            switch code {
            case ENOENT:
                failure("config file does not exist; write one with 'auxchain config example > \(path)'")
            case ENOTDIR:
                failure("config file cannot be there: a folder in its path is a file; check the path")
            case EISDIR:
                failure("is a directory, not a config file; give the file in it, or write one with 'auxchain config example > FILE'")
            case EACCES, EPERM:
                failure(
                    "config file cannot be read: permission denied on it or a folder above it; the service reads it as "
                        + "user auxchain: make it readable (chmod 0644 \(path)) and the folders above it enterable")
            default:
                failure("config file cannot be read: \(String(cString: strerror(code))) (errno \(code))")
            }
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable(errno) }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { throw unreadable(EISDIR) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[..<count]
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw unreadable(errno)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(bytes)
            let line = bytes[..<offset].count(where: { $0 == UInt8(ascii: "\n") }) + 1
            throw failure(
                "is not UTF-8 text (the first bad byte is 0x\(String(bytes[offset], radix: 16, uppercase: true)) at offset \(offset)); "
                    + "TOML files are UTF-8: convert it, e.g. 'iconv -f latin1 -t utf-8 \(path) > auxchain.toml.utf8', or retype that line",
                line: line)
        }
        return text
    }

    /// Where the first byte that is not part of a valid UTF-8 sequence starts.
    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return offset
            }
        }
    }

    /// Parses and validates config text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> AuxChainConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, keyPath: "", line: error.source.begin.line, message: "not valid TOML: \(error.description)")
        } catch {
            throw ConfigError(file: file, keyPath: "", line: nil, message: "not valid TOML: \(error)")
        }
        let context = Context(file: file, locator: KeyLocator(text: text))
        var top = Section(table: root, path: "", context: context)
        var config = AuxChainConfig()

        if var audio = try top.section("audio") {
            var a = AudioSettings()
            a.capture = try audio.string("capture", default: a.capture, nonEmpty: true)
            a.playback = try audio.string("playback", default: a.playback, nonEmpty: true)
            a.rate = try audio.int("rate", default: a.rate, in: 8000...384_000)
            a.captureFormat = try audio.format("capture_format", default: a.captureFormat)
            a.playbackFormat = try audio.format("playback_format", default: a.playbackFormat)
            a.captureChannels = try audio.int("capture_channels", default: a.captureChannels, in: 1...8)
            a.playbackChannels = try audio.int("playback_channels", default: a.playbackChannels, in: 1...8)
            a.periodFrames = try audio.int("period_frames", default: a.periodFrames, in: 16...8192)
            a.bufferPeriods = try audio.int("buffer_periods", default: a.bufferPeriods, in: 2...16)
            a.prefillPeriods = try audio.int("prefill_periods", default: a.prefillPeriods, in: 1...16)
            if a.prefillPeriods >= a.bufferPeriods {
                throw audio.error(
                    "prefill_periods",
                    "\(a.prefillPeriods) periods of prefill do not fit a buffer of \(a.bufferPeriods) periods; make prefill_periods smaller than buffer_periods")
            }
            a.realtimePriority = try audio.int(
                "realtime_priority", default: a.realtimePriority, in: 0...AudioSettings.maximumRealtimePriority,
                because: "the systemd unit's LimitRTPRIO=\(AudioSettings.maximumRealtimePriority) refuses more, "
                    + "which leaves the top priorities to the kernel's own real-time threads")
            try audio.finish()
            config.audio = a
        }

        if var volume = try top.section("volume") {
            var v = VolumeSettings()
            v.rangeDB = try volume.double("range_db", default: v.rangeDB, in: 20...100)
            v.maxDB = try volume.double("max_db", default: v.maxDB, in: -60...0)
            v.safeStartPercent = try volume.double("safe_start_percent", default: v.safeStartPercent, in: 0...100)
            v.stepDB = try volume.double("step_db", default: v.stepDB, in: 0.1...12)
            v.ramp = try volume.milliseconds("ramp_ms", default: v.ramp, in: 1...2000)
            try volume.finish()
            config.volume = v
        }

        if var power = try top.section("power") {
            var p = PowerSettings()
            p.mode = try power.choice("mode", default: p.mode)
            p.onThresholdDBFS = try power.double("on_threshold_dbfs", default: p.onThresholdDBFS, in: -120...0)
            p.offThresholdDBFS = try power.double("off_threshold_dbfs", default: p.offThresholdDBFS, in: -120...0)
            if p.offThresholdDBFS > p.onThresholdDBFS {
                throw power.error(
                    "off_threshold_dbfs",
                    "\(p.offThresholdDBFS) dBFS is above on_threshold_dbfs (\(p.onThresholdDBFS)); the off threshold must be at or below the on threshold (hysteresis)")
            }
            p.attack = try power.milliseconds("attack_ms", default: p.attack, in: 0...1000)
            p.settle = try power.milliseconds("settle_ms", default: p.settle, in: 0...10_000)
            p.offDelay = try power.seconds("off_delay_s", default: p.offDelay, in: 1...86_400)
            p.minimumOn = try power.seconds("min_on_s", default: p.minimumOn, in: 0...86_400)
            p.minimumOff = try power.seconds("min_off_s", default: p.minimumOff, in: 0...86_400)
            if var relay = try power.section("relay") {
                p.relay = OutputLineSettings(
                    line: try relay.lineReference("line"),
                    activeLow: try relay.bool("active_low", default: false))
                try relay.finish()
            }
            try power.finish()
            config.power = p
        }

        if var gpio = try top.section("gpio") {
            config.gpio.board = try gpio.choice("board", default: config.gpio.board)
            config.gpio.chip = try gpio.optionalString("chip")
            try gpio.finish()
        }

        if var inputs = try top.section("inputs") {
            if var trigger = try inputs.section("trigger") {
                config.inputs.trigger = try trigger.inputLine(defaultDebounce: .milliseconds(50))
                try trigger.finish()
            }
            for var button in try inputs.sectionArray("buttons") {
                let action: ButtonAction = try button.choice("action", required: true)
                config.inputs.buttons.append(ButtonSettings(action: action, input: try button.inputLine(defaultDebounce: .milliseconds(30))))
                try button.finish()
            }
            try inputs.finish()
        }

        if var attenuator = try top.section("attenuator") {
            config.attenuator = try attenuator.attenuator()
            try attenuator.finish()
        }

        if var control = try top.section("control") {
            let socket = try control.string("socket", default: config.control.socketPath, nonEmpty: true)
            guard socket.hasPrefix("/") else {
                throw control.error(
                    "socket",
                    "'\(socket)' is not an absolute path; the socket's mode and group need a file at a fixed place: "
                        + "set an absolute path, e.g. \"/run/auxchain/control.sock\"")
            }
            guard socket.utf8.count <= ControlSettings.maximumSocketPathBytes else {
                throw control.error(
                    "socket",
                    "the path is \(socket.utf8.count) bytes; a Unix socket's address holds at most "
                        + "\(ControlSettings.maximumSocketPathBytes): choose a shorter path, e.g. \"/run/auxchain/control.sock\"")
            }
            config.control.socketPath = socket
            let group = try control.string("group", default: config.control.group ?? "")
            config.control.group = group.isEmpty ? nil : group
            try control.finish()
        }

        if var state = try top.section("state") {
            config.state.path = try state.string("path", default: config.state.path, nonEmpty: true)
            try state.finish()
        }
        try top.finish()
        try checkLines(config, context: context)
        return config
    }

    /// No GPIO line serves two purposes, and every offset is on the board's header.
    private static func checkLines(_ config: AuxChainConfig, context: Context) throws(ConfigError) {
        var uses: [(key: String, line: LineReference)] = []
        if let relay = config.power.relay { uses.append(("power.relay.line", relay.line)) }
        if let trigger = config.inputs.trigger { uses.append(("inputs.trigger.line", trigger.line)) }
        for (index, button) in config.inputs.buttons.enumerated() { uses.append(("inputs.buttons[\(index)].line", button.input.line)) }
        uses += config.attenuator.lines

        var seen: [LineReference: String] = [:]
        for use in uses {
            if let earlier = seen[use.line] {
                throw context.error(use.key, "GPIO line \(use.line) is already used by \(earlier); give each function its own line")
            }
            seen[use.line] = use.key
            if case .offset(let offset) = use.line, let header = config.gpio.board.headerOffsets, !header.contains(offset) {
                throw context.error(
                    use.key,
                    "GPIO \(offset) is not on the \(config.gpio.board.rawValue) header, which has BCM \(header.lowerBound) to \(header.upperBound); see Hardware/README.md for the pin map")
            }
        }
        if !uses.isEmpty, config.gpio.resolvedChip == nil {
            throw context.error("gpio.chip", "GPIO lines are configured but no chip is named; set [gpio] board = \"pi4\" or \"pi5\", or chip = a path, name or label from 'auxchain devices'")
        }
    }
}

struct Context {
    let file: String
    let locator: KeyLocator

    func error(_ keyPath: String, _ message: String) -> ConfigError {
        ConfigError(file: file, keyPath: keyPath, line: locator.line(of: keyPath), message: message)
    }
}

/// One TOML table being read: remembers which keys were asked for, so leftovers are rejected.
struct Section {
    let table: TOMLTable
    let path: String
    let context: Context
    private var known: [String] = []

    init(table: TOMLTable, path: String, context: Context) {
        self.table = table
        self.path = path
        self.context = context
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ message: String) -> ConfigError { context.error(keyPath(key), message) }

    private mutating func value(_ key: String) -> TOMLValueConvertible? {
        known.append(key)
        return table[key]
    }

    private func typeName(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "a string (\"\(value.string ?? "")\")"
        case .int: "an integer (\(value.int ?? 0))"
        case .double: "a number (\(value.double ?? 0))"
        case .bool: "a boolean (\(value.bool ?? false))"
        case .table: "a table"
        case .array: "an array"
        default: "a date or time"
        }
    }

    /// Rejects keys nobody asked for: usually a typo of one that was.
    func finish() throws(ConfigError) {
        for key in table.keys where !known.contains(key) {
            let suggestion = known.min { editDistance($0, key) < editDistance($1, key) }
                .flatMap { editDistance($0, key) <= 3 ? " (did you mean '\($0)'?)" : nil } ?? ""
            let place = path.isEmpty ? "at the top level" : "in [\(path)]"
            throw error(key, "unknown key \(place)\(suggestion); allowed keys: \(known.joined(separator: ", "))")
        }
    }

    mutating func section(_ key: String) throws(ConfigError) -> Section? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw error(key, "expected a table ([\(keyPath(key))]), found \(typeName(value))") }
        return Section(table: table, path: keyPath(key), context: context)
    }

    mutating func sectionArray(_ key: String) throws(ConfigError) -> [Section] {
        guard let value = value(key) else { return [] }
        guard let array = value.array else { throw error(key, "expected an array of tables ([[\(keyPath(key))]]), found \(typeName(value))") }
        var sections: [Section] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw error("\(key)[\(index)]", "expected a table, found \(typeName(element))")
            }
            sections.append(Section(table: table, path: "\(keyPath(key))[\(index)]", context: context))
        }
        return sections
    }

    mutating func string(_ key: String, default fallback: String, nonEmpty: Bool = false) throws(ConfigError) -> String {
        guard let value = value(key) else { return fallback }
        guard let string = value.string else { throw error(key, "expected a string, found \(typeName(value))") }
        if nonEmpty, string.isEmpty { throw error(key, "must not be empty") }
        return string
    }

    mutating func optionalString(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string, !string.isEmpty else { throw error(key, "expected a non-empty string, found \(typeName(value))") }
        return string
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let value = value(key) else { return fallback }
        guard let bool = value.bool else { throw error(key, "expected true or false, found \(typeName(value))") }
        return bool
    }

    /// `reason` says why the range ends where it does, when that is not obvious.
    mutating func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>, because reason: String? = nil) throws(ConfigError) -> Int {
        guard let value = value(key) else { return fallback }
        guard value.type == .int, let int = value.int else { throw error(key, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(typeName(value))") }
        guard range.contains(int) else {
            throw error(key, "\(int) is out of range; allowed: \(range.lowerBound) to \(range.upperBound)" + (reason.map { " (\($0))" } ?? ""))
        }
        return int
    }

    mutating func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let value = value(key) else { return fallback }
        let number: Double
        switch value.type {
        case .int: number = Double(value.int ?? 0)
        case .double: number = value.double ?? 0
        default: throw error(key, "expected a number from \(range.lowerBound) to \(range.upperBound), found \(typeName(value))")
        }
        guard range.contains(number) else { throw error(key, "\(number) is out of range; allowed: \(range.lowerBound) to \(range.upperBound)") }
        return number
    }

    mutating func milliseconds(_ key: String, default fallback: Duration, in range: ClosedRange<Double>) throws(ConfigError) -> Duration {
        guard table[key] != nil else {
            known.append(key)
            return fallback
        }
        return .milliseconds(try double(key, default: 0, in: range))
    }

    mutating func seconds(_ key: String, default fallback: Duration, in range: ClosedRange<Double>) throws(ConfigError) -> Duration {
        guard table[key] != nil else {
            known.append(key)
            return fallback
        }
        return .milliseconds(try double(key, default: 0, in: range) * 1000)
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice? = nil, required: Bool = false) throws(ConfigError) -> Choice
    where Choice.RawValue == String {
        let allowed = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard let value = value(key) else {
            if let fallback, !required { return fallback }
            throw error(key, "is required; allowed: \(allowed)")
        }
        guard let string = value.string, let choice = Choice(rawValue: string) else {
            throw error(key, "\(typeName(value)) is not allowed; allowed: \(allowed)")
        }
        return choice
    }

    mutating func format(_ key: String, default fallback: SampleEncoding) throws(ConfigError) -> SampleEncoding {
        guard let value = value(key) else { return fallback }
        let allowed = SampleEncoding.allCases.map(\.alsaName).joined(separator: ", ")
        guard let name = value.string, let format = SampleEncoding(alsaName: name.uppercased()) else {
            throw error(key, "\(typeName(value)) is not a sample format AuxChain handles; allowed: \(allowed)")
        }
        return format
    }

    mutating func lineReference(_ key: String) throws(ConfigError) -> LineReference {
        guard let value = value(key) else { throw error(key, "is required: a line offset (the BCM number on a Pi) or a line name") }
        return try line(value, key: key)
    }

    private func line(_ value: TOMLValueConvertible, key: String) throws(ConfigError) -> LineReference {
        if value.type == .int, let offset = value.int {
            guard (0...511).contains(offset) else { throw error(key, "line offset \(offset) is out of range; allowed: 0 to 511") }
            return .offset(offset)
        }
        if let name = value.string, !name.isEmpty { return .name(name) }
        throw error(key, "expected a line offset (the BCM number on a Pi) or a line name, found \(typeName(value))")
    }

    mutating func inputLine(defaultDebounce: Duration) throws(ConfigError) -> InputLineSettings {
        InputLineSettings(
            line: try lineReference("line"),
            activeLow: try bool("active_low", default: false),
            bias: try choice("bias", default: LineBias.asIs),
            debounce: try milliseconds("debounce_ms", default: defaultDebounce, in: 0...1000))
    }

    mutating func attenuator() throws(ConfigError) -> AttenuatorSettings {
        enum Kind: String, CaseIterable { case none, relayLadder = "relay-ladder", pga2311, x9c }
        switch try choice("kind", default: Kind.none) {
        case .none:
            return .none
        case .relayLadder:
            guard let value = value("lines") else { throw error("lines", "is required for a relay ladder: the relay lines, least significant step first") }
            guard let array = value.array, (1...8).contains(array.count) else {
                throw error("lines", "expected an array of 1 to 8 line offsets or names, least significant step first")
            }
            var lines: [LineReference] = []
            for (index, element) in array.enumerated() {
                lines.append(try line(element, key: "lines[\(index)]"))
            }
            return .relayLadder(
                lines: lines,
                stepDB: try double("step_db", default: 1, in: 0.25...24),
                settle: try milliseconds("settle_ms", default: .milliseconds(5), in: 0...100),
                activeLow: try bool("active_low", default: false))
        case .pga2311:
            return .pga2311(
                chipSelect: try lineReference("cs"), clock: try lineReference("sclk"), data: try lineReference("sdi"),
                zeroCrossing: try bool("zero_crossing", default: true))
        case .x9c:
            return .x9c(chipSelect: try lineReference("cs"), increment: try lineReference("inc"), upDown: try lineReference("ud"))
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return a.isEmpty ? b.count : row[b.count]
}

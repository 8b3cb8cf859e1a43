/// Turns a decoded JSON object into a ``ControlRequest``, or a ``ControlFailure`` that says
/// which field was wrong, how, and what the command looks like.
enum RequestDecoding {
    /// Every command, in the order the error messages list them.
    static let commandNames = ["status", "volume", "mute", "unmute", "power", "levels", "subscribe"]

    static let commandList = "commands: " + commandNames.joined(separator: ", ")

    /// The wire form of each command, for error messages.
    static func usage(of command: String) -> String {
        switch command {
        case "volume":
            #"{"cmd":"volume","set":{"percent":40}} (set holds one of percent 0...100, db, relative_db, step "up"|"down")"#
        case "power":
            #"{"cmd":"power","mode":"auto"} (mode is on, off or auto)"#
        case "subscribe":
            #"{"cmd":"subscribe","levels_hz":10} (levels_hz 0...\#(Int(ControlRequest.maximumLevelsHz)), optional; 0 means events only)"#
        default:
            #"{"cmd":"\#(command)"}"#
        }
    }

    static func request(from decoder: any Decoder) throws -> ControlRequest {
        let object: KeyedDecodingContainer<WireKey>
        do {
            object = try decoder.container(keyedBy: WireKey.self)
        } catch {
            throw ControlFailure(
                code: .notAnObject,
                message: #"a request is one JSON object per line, e.g. {"cmd":"status"}; \#(commandList)"#
            )
        }
        guard object.contains("cmd") else {
            throw ControlFailure(
                code: .missingField,
                message: #"missing field 'cmd': name the command, e.g. {"cmd":"status"}; \#(commandList)"#
            )
        }
        let fields = Fields(object: object, command: nil)
        let name = try fields.string("cmd")
        guard commandNames.contains(name) else {
            throw ControlFailure(code: .unknownCommand, message: "unknown command '\(name)'; \(commandList)")
        }
        let command = Fields(object: object, command: name)
        switch name {
        case "status":
            try command.allowOnly([])
            return .command(.status)
        case "mute":
            try command.allowOnly([])
            return .command(.mute)
        case "unmute":
            try command.allowOnly([])
            return .command(.unmute)
        case "levels":
            try command.allowOnly([])
            return .command(.levels)
        case "power":
            try command.allowOnly(["mode"])
            let mode = try command.string("mode")
            guard let powerMode = PowerMode(rawValue: mode) else {
                throw command.failure(.invalidValue, "power mode must be on, off or auto, got '\(mode)'")
            }
            return .command(.power(powerMode))
        case "volume":
            try command.allowOnly(["set"])
            return .command(.volume(try volumeChange(command)))
        default:
            try command.allowOnly(["levels_hz"])
            let levelsHz = try command.optionalNumber("levels_hz") ?? 0
            guard (0...ControlRequest.maximumLevelsHz).contains(levelsHz) else {
                throw command.failure(
                    .invalidValue,
                    "levels_hz must be within 0...\(Int(ControlRequest.maximumLevelsHz)), got \(levelsHz)"
                )
            }
            return .subscribe(levelsHz: levelsHz)
        }
    }

    private static func volumeChange(_ command: Fields) throws -> VolumeChange {
        let set = try command.object("set")
        let keys = set.object.allKeys.map(\.stringValue).sorted()
        let known = ["percent", "db", "relative_db", "step"]
        if let unknown = keys.first(where: { !known.contains($0) }) {
            throw command.failure(.unknownField, "unknown field 'set.\(unknown)'")
        }
        guard keys.count == 1, let key = keys.first else {
            let got = keys.isEmpty ? "none" : keys.joined(separator: " and ")
            throw command.failure(.invalidValue, "'set' takes exactly one of percent, db, relative_db, step; got \(got)")
        }
        switch key {
        case "percent":
            let percent = try set.number("percent")
            guard (0...100).contains(percent) else {
                throw command.failure(.invalidValue, "volume percent must be within 0...100, got \(percent)")
            }
            return .percent(percent)
        case "db":
            return .gainDB(try set.finiteNumber("db"))
        case "relative_db":
            return .relativeDB(try set.finiteNumber("relative_db"))
        default:
            let step = try set.string("step")
            guard let volumeStep = VolumeStep(rawValue: step) else {
                throw command.failure(.invalidValue, "volume step must be 'up' or 'down', got '\(step)'")
            }
            return .step(volumeStep)
        }
    }
}

/// Typed reads from one JSON object of a request, failing with the field's name and the
/// command's usage.
private struct Fields {
    let object: KeyedDecodingContainer<WireKey>
    /// The command being decoded; nil while `cmd` itself is read.
    let command: String?
    var prefix = ""

    func failure(_ code: ControlErrorCode, _ what: String) -> ControlFailure {
        guard let command else {
            return ControlFailure(code: code, message: "\(what); \(RequestDecoding.commandList)")
        }
        return ControlFailure(
            code: code,
            message: "\(what); usage: \(RequestDecoding.usage(of: command)); \(RequestDecoding.commandList)"
        )
    }

    func allowOnly(_ allowed: [String]) throws(ControlFailure) {
        let extra = object.allKeys.map(\.stringValue).filter { $0 != "cmd" && !allowed.contains($0) }.sorted()
        if let first = extra.first {
            throw failure(.unknownField, "unknown field '\(first)' in command '\(command ?? "")'")
        }
    }

    func string(_ name: String) throws(ControlFailure) -> String {
        try present(name)
        do {
            return try object.decode(String.self, forKey: WireKey(stringValue: name))
        } catch {
            throw wrongType(name, expected: "a string")
        }
    }

    func number(_ name: String) throws(ControlFailure) -> Double {
        try present(name)
        do {
            return try object.decode(Double.self, forKey: WireKey(stringValue: name))
        } catch {
            throw wrongType(name, expected: "a number")
        }
    }

    func finiteNumber(_ name: String) throws(ControlFailure) -> Double {
        let value = try number(name)
        guard value.isFinite else { throw failure(.invalidValue, "'\(prefix)\(name)' must be a finite number") }
        return value
    }

    func optionalNumber(_ name: String) throws(ControlFailure) -> Double? {
        guard object.contains(WireKey(stringValue: name)) else { return nil }
        return try finiteNumber(name)
    }

    func object(_ name: String) throws(ControlFailure) -> Fields {
        try present(name)
        do {
            let nested = try object.nestedContainer(keyedBy: WireKey.self, forKey: WireKey(stringValue: name))
            return Fields(object: nested, command: command, prefix: "\(prefix)\(name).")
        } catch {
            throw wrongType(name, expected: "an object")
        }
    }

    private func present(_ name: String) throws(ControlFailure) {
        guard object.contains(WireKey(stringValue: name)) else {
            let place = command.map { " in command '\($0)'" } ?? ""
            throw failure(.missingField, "missing field '\(prefix)\(name)'\(place)")
        }
    }

    private func wrongType(_ name: String, expected: String) -> ControlFailure {
        failure(.wrongType, "field '\(prefix)\(name)' must be \(expected), got \(kind(of: name))")
    }

    /// What JSON type a field holds, in words.
    private func kind(of name: String) -> String {
        let key = WireKey(stringValue: name)
        if (try? object.decodeNil(forKey: key)) == true { return "null" }
        if (try? object.decode(Bool.self, forKey: key)) != nil { return "a boolean" }
        if (try? object.decode(Double.self, forKey: key)) != nil { return "a number" }
        if (try? object.decode(String.self, forKey: key)) != nil { return "a string" }
        if (try? object.nestedUnkeyedContainer(forKey: key)) != nil { return "an array" }
        return "an object"
    }
}

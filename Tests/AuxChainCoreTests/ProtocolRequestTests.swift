import Testing
@testable import AuxChainCore

@Suite("Control protocol: requests")
struct ProtocolRequestTests {
    static let forms: [(line: String, request: ControlRequest)] = [
        (#"{"cmd":"status"}"#, .command(.status)),
        (#"{"cmd":"volume","set":{"percent":40}}"#, .command(.volume(.percent(40)))),
        (#"{"cmd":"volume","set":{"percent":0}}"#, .command(.volume(.percent(0)))),
        (#"{"cmd":"volume","set":{"percent":100}}"#, .command(.volume(.percent(100)))),
        (#"{"cmd":"volume","set":{"db":-12}}"#, .command(.volume(.gainDB(-12)))),
        (#"{"cmd":"volume","set":{"db":-12.5}}"#, .command(.volume(.gainDB(-12.5)))),
        (#"{"cmd":"volume","set":{"relative_db":3}}"#, .command(.volume(.relativeDB(3)))),
        (#"{"cmd":"volume","set":{"relative_db":-3}}"#, .command(.volume(.relativeDB(-3)))),
        (#"{"cmd":"volume","set":{"step":"up"}}"#, .command(.volume(.step(.up)))),
        (#"{"cmd":"volume","set":{"step":"down"}}"#, .command(.volume(.step(.down)))),
        (#"{"cmd":"mute"}"#, .command(.mute)),
        (#"{"cmd":"unmute"}"#, .command(.unmute)),
        (#"{"cmd":"power","mode":"on"}"#, .command(.power(.on))),
        (#"{"cmd":"power","mode":"off"}"#, .command(.power(.off))),
        (#"{"cmd":"power","mode":"auto"}"#, .command(.power(.auto))),
        (#"{"cmd":"levels"}"#, .command(.levels)),
        (#"{"cmd":"subscribe","levels_hz":10}"#, .subscribe(levelsHz: 10)),
        (#"{"cmd":"subscribe","levels_hz":0.5}"#, .subscribe(levelsHz: 0.5)),
        (#"{"cmd":"subscribe"}"#, .subscribe(levelsHz: 0)),
        (#" { "set" : { "percent" : 40 } , "cmd" : "volume" } "#, .command(.volume(.percent(40)))),
        ("{\"cmd\":\"status\"}\r", .command(.status)),
    ]

    @Test("every request form decodes to its request", arguments: forms.indices)
    func decodesEveryForm(index: Int) throws {
        let form = Self.forms[index]
        #expect(try ControlCodec.decodeRequest(Array(form.line.utf8)) == form.request)
    }

    @Test("an encoded request is one line that decodes to the same request", arguments: forms.indices)
    func encodedRequestRoundTrips(index: Int) throws {
        let request = Self.forms[index].request
        let line = ControlCodec.encodeRequest(request)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(try ControlCodec.decodeRequest(line.dropLast()) == request)
    }

    static let failures: [(line: String, code: ControlErrorCode, mentions: [String])] = [
        ("not json", .malformedJSON, ["not valid JSON", #"{"cmd":"status"}"#]),
        (#"{"cmd":"status""#, .malformedJSON, ["not valid JSON"]),
        (#"{"cmd":"status"} trailing"#, .malformedJSON, ["not valid JSON"]),
        ("", .malformedJSON, ["not valid JSON"]),
        ("[1,2]", .notAnObject, ["one JSON object per line"]),
        ("42", .notAnObject, ["one JSON object per line"]),
        (#""status""#, .notAnObject, ["one JSON object per line"]),
        ("{}", .missingField, ["missing field 'cmd'"]),
        (#"{"command":"status"}"#, .missingField, ["missing field 'cmd'"]),
        (#"{"cmd":5}"#, .wrongType, ["field 'cmd' must be a string, got a number"]),
        (#"{"cmd":null}"#, .wrongType, ["field 'cmd' must be a string, got null"]),
        (#"{"cmd":["status"]}"#, .wrongType, ["got an array"]),
        (#"{"cmd":"reboot"}"#, .unknownCommand, ["unknown command 'reboot'"]),
        (#"{"cmd":"STATUS"}"#, .unknownCommand, ["unknown command 'STATUS'"]),
        (#"{"cmd":"status","verbose":true}"#, .unknownField, ["unknown field 'verbose' in command 'status'"]),
        (#"{"cmd":"mute","set":{}}"#, .unknownField, ["unknown field 'set' in command 'mute'"]),
        (#"{"cmd":"volume","percent":40}"#, .unknownField, ["unknown field 'percent' in command 'volume'"]),
        (#"{"cmd":"volume"}"#, .missingField, ["missing field 'set' in command 'volume'", #""set":{"percent":40}"#]),
        (#"{"cmd":"volume","set":40}"#, .wrongType, ["field 'set' must be an object, got a number"]),
        (#"{"cmd":"volume","set":{}}"#, .invalidValue, ["exactly one of percent, db, relative_db, step; got none"]),
        (#"{"cmd":"volume","set":{"percent":40,"db":-3}}"#, .invalidValue, ["got db and percent"]),
        (#"{"cmd":"volume","set":{"gain":3}}"#, .unknownField, ["unknown field 'set.gain'"]),
        (#"{"cmd":"volume","set":{"percent":"40"}}"#, .wrongType, ["field 'set.percent' must be a number, got a string"]),
        (#"{"cmd":"volume","set":{"percent":140}}"#, .invalidValue, ["within 0...100, got 140"]),
        (#"{"cmd":"volume","set":{"percent":-1}}"#, .invalidValue, ["within 0...100, got -1"]),
        (#"{"cmd":"volume","set":{"db":true}}"#, .wrongType, ["field 'set.db' must be a number, got a boolean"]),
        (#"{"cmd":"volume","set":{"relative_db":{}}}"#, .wrongType, ["field 'set.relative_db' must be a number, got an object"]),
        (#"{"cmd":"volume","set":{"step":"left"}}"#, .invalidValue, ["'up' or 'down', got 'left'"]),
        (#"{"cmd":"volume","set":{"step":1}}"#, .wrongType, ["field 'set.step' must be a string, got a number"]),
        (#"{"cmd":"power"}"#, .missingField, ["missing field 'mode' in command 'power'", "on, off or auto"]),
        (#"{"cmd":"power","mode":"loud"}"#, .invalidValue, ["on, off or auto, got 'loud'"]),
        (#"{"cmd":"power","mode":true}"#, .wrongType, ["field 'mode' must be a string, got a boolean"]),
        (#"{"cmd":"subscribe","levels_hz":1000}"#, .invalidValue, ["levels_hz must be within 0...50, got 1000"]),
        (#"{"cmd":"subscribe","levels_hz":-1}"#, .invalidValue, ["levels_hz must be within 0...50"]),
        (#"{"cmd":"subscribe","levels_hz":"fast"}"#, .wrongType, ["field 'levels_hz' must be a number, got a string"]),
    ]

    @Test("every decoding error names what was wrong and lists the commands", arguments: failures.indices)
    func decodingErrorsExplain(index: Int) {
        let failure = Self.failures[index]
        do {
            let request = try ControlCodec.decodeRequest(Array(failure.line.utf8))
            Issue.record("\(failure.line) decoded to \(request)")
        } catch {
            #expect(error.code == failure.code, "\(failure.line): \(error)")
            for text in failure.mentions {
                #expect(error.message.contains(text), "\(failure.line): '\(error.message)' lacks '\(text)'")
            }
            #expect(error.message.contains("commands: status, volume, mute, unmute, power, levels, subscribe"))
        }
    }

    @Test("the oversized-line error names the limit and lists the commands")
    func oversizedLineError() {
        let failure = ControlCodec.lineTooLong(limit: 4096)
        #expect(failure.code == .lineTooLong)
        #expect(failure.message.contains("longer than 4096 bytes"))
        #expect(failure.message.contains("commands: status, volume"))
    }

    @Test("a request encodes to the documented wire form")
    func requestWireForm() throws {
        let line = ControlCodec.encodeRequest(.command(.volume(.relativeDB(3))))
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#""cmd":"volume""#))
        #expect(text.contains(#""set":{"relative_db":3}"#))
        #expect(String(decoding: ControlCodec.encodeRequest(.command(.power(.auto))), as: UTF8.self).contains(#""mode":"auto""#))
    }
}

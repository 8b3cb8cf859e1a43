import Testing
@testable import AuxChainCore

@Suite("Control protocol: replies and events")
struct ProtocolReplyTests {
    static let status = DaemonStatus(
        volume: VolumeReport(percent: 40, gainDB: -24, capDB: -6, muted: false),
        power: PowerReport(mode: .auto, state: .idle, triggerHoldingOn: true),
        relay: RelayReport(line: "17", isOn: true),
        levels: LevelsReport(
            channels: [ChannelLevel(peakDBFS: -12.5, rmsDBFS: -20), ChannelLevel(peakDBFS: -13, rmsDBFS: -21.25)],
            signal: true
        ),
        xruns: 3, latencyFrames: 768, sampleRate: 48000,
        devices: [
            DeviceReport(role: .capture, name: "hw:CARD=Device,DEV=0", isOpen: true),
            DeviceReport(role: .playback, name: "hw:CARD=sndrpihifiberry,DEV=0", isOpen: false),
        ],
        uptimeSeconds: 3600.5, clockDriftPPM: -41.5, driftCorrections: 7_170
    )

    static let replies: [ControlReply] = [
        .done,
        .status(status),
        .volume(VolumeReport(percent: 0, gainDB: nil, capDB: 0, muted: true)),
        .power(PowerReport(mode: .off, state: .cooling, triggerHoldingOn: false)),
        .levels(LevelsReport(channels: [ChannelLevel(peakDBFS: -3, rmsDBFS: -9)], signal: false)),
        .subscribed(levelsHz: 10),
        .failure(ControlFailure(code: .unavailable, message: "no relay: set [power.relay] line")),
        .failure(ControlFailure(code: ControlErrorCode(rawValue: "from_a_newer_daemon"), message: "x")),
        .status(DaemonStatus(
            volume: status.volume, power: status.power, relay: nil, levels: LevelsReport(channels: [], signal: false),
            xruns: 0, latencyFrames: 0, sampleRate: 44100, devices: [], uptimeSeconds: 0
        )),
    ]

    static let events: [ControlEvent] = [
        .levels(status.levels),
        .volume(status.volume),
        .power(status.power),
        .relay(RelayReport(line: "'RELAY'", isOn: false)),
        .signal(present: true),
        .signal(present: false),
        .xrun(total: 12),
        .clipped(total: 480),
        .device(DeviceReport(role: .capture, name: "hw:CARD=EchoIn,DEV=0", isOpen: false)),
        .dropped(count: 7),
    ]

    @Test("every reply is one line the client decodes back to the same reply", arguments: replies.indices)
    func replyRoundTrips(index: Int) throws {
        let reply = Self.replies[index]
        let line = ControlCodec.encodeReply(reply)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(try ControlCodec.decodeMessage(line.dropLast()) == .reply(reply))
    }

    @Test("every event is one line the client decodes back to the same event", arguments: events.indices)
    func eventRoundTrips(index: Int) throws {
        let event = Self.events[index]
        let line = ControlCodec.encodeEvent(event)
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(try ControlCodec.decodeMessage(line.dropLast()) == .event(event))
        #expect(String(decoding: line, as: UTF8.self).contains(#""event":"\#(event.kind)""#))
        #expect(!String(decoding: line, as: UTF8.self).contains(#""ok""#))
    }

    @Test("a plain success is exactly {\"ok\":true}")
    func plainSuccess() {
        #expect(String(decoding: ControlCodec.encodeReply(.done), as: UTF8.self) == "{\"ok\":true}\n")
    }

    @Test("a failure carries ok false, the code and the message")
    func failureWireForm() {
        let line = ControlCodec.encodeReply(.failure(ControlFailure(code: .unknownCommand, message: "unknown command 'x'")))
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#""ok":false"#))
        #expect(text.contains(#""code":"unknown_command""#))
        #expect(text.contains(#""error":"unknown command 'x'""#))
    }

    @Test("a message with a newline in it still encodes to one line")
    func newlineInMessageStaysOneLine() throws {
        let reply = ControlReply.failure(ControlFailure(code: .internalError, message: "first\nsecond"))
        let line = ControlCodec.encodeReply(reply)
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(try ControlCodec.decodeMessage(line.dropLast()) == .reply(reply))
    }

    @Test("the status wire names are the documented snake_case keys")
    func statusWireNames() throws {
        let json = #"""
        {"ok":true,"status":{"volume":{"percent":40,"db":-24,"cap_db":-6,"muted":false},
        "power":{"mode":"auto","state":"idle","trigger_holding_on":true},"relay":{"line":"17","on":true},
        "levels":{"channels":[{"peak_dbfs":-12.5,"rms_dbfs":-20},{"peak_dbfs":-13,"rms_dbfs":-21.25}],"signal":true},
        "xruns":3,"latency_frames":768,"rate":48000,
        "devices":[{"role":"capture","name":"hw:CARD=Device,DEV=0","open":true},
        {"role":"playback","name":"hw:CARD=sndrpihifiberry,DEV=0","open":false}],"uptime_s":3600.5,
        "clock_drift_ppm":-41.5,"drift_corrections":7170}}
        """#
        #expect(try ControlCodec.decodeMessage(Array(json.utf8)) == .reply(.status(Self.status)))
        // Before a measurement the drift is absent, not a made-up number.
        var unmeasured = Self.status
        unmeasured.clockDriftPPM = nil
        let line = String(decoding: ControlCodec.encodeReply(.status(unmeasured)), as: UTF8.self)
        #expect(!line.contains("clock_drift_ppm") && line.contains(#""drift_corrections":7170"#))
    }

    @Test("silence in the meter stays a JSON number at the floor")
    func silentLevelsAreNumbers() throws {
        let level = ChannelLevel(peakDBFS: -.infinity, rmsDBFS: .nan)
        #expect(level.peakDBFS == ChannelLevel.floorDBFS)
        #expect(level.rmsDBFS == ChannelLevel.floorDBFS)
        let text = String(decoding: ControlCodec.encodeEvent(.levels(LevelsReport(channels: [level], signal: false))), as: UTF8.self)
        #expect(text.contains(#""peak_dbfs":-200"#))
    }

    @Test("a volume of silence has no dB, not minus infinity")
    func silentVolumeHasNoDecibels() {
        #expect(VolumeReport(percent: 0, gainDB: -.infinity, capDB: 0, muted: false).gainDB == nil)
    }

    @Test("a non-finite number does not lose the reply")
    func nonFiniteNumberStillEncodes() throws {
        var status = Self.status
        status.uptimeSeconds = .infinity
        let line = ControlCodec.encodeReply(.status(status))
        #expect(try ControlCodec.decodeMessage(line.dropLast()) == .reply(.status(status)))
    }

    @Test("a line that is neither a reply nor an event does not decode")
    func garbageFromDaemonThrows() {
        #expect(throws: (any Error).self) { try ControlCodec.decodeMessage(Array(#"{"event":"unheard_of"}"#.utf8)) }
        #expect(throws: (any Error).self) { try ControlCodec.decodeMessage(Array("nonsense".utf8)) }
    }
}

import ArgumentParser
import AuxChainCore
import Testing

@testable import auxchain

/// The levels meter and the volume values as pure functions: no socket, no clock.
@Suite struct MeterRenderingTests {
    private func levels(_ channels: [(peak: Double, rms: Double)], signal: Bool = true) -> LevelsReport {
        LevelsReport(channels: channels.map { ChannelLevel(peakDBFS: $0.peak, rmsDBFS: $0.rms) }, signal: signal)
    }

    /// The bar of channel `index` (between its brackets) in rendered lines.
    private func bar(_ lines: [String], channel index: Int) throws -> String {
        let line = lines[1 + index]
        let open = try #require(line.firstIndex(of: "["))
        let close = try #require(line.firstIndex(of: "]"))
        return String(line[line.index(after: open)..<close])
    }

    @Test("a level maps to cells on a -60...0 dBFS scale, floor empty and 0 dBFS full")
    func cellsOnTheScale() {
        let meter = LevelsMeter(barCells: 40)
        #expect(meter.cells(-200) == 0)
        #expect(meter.cells(-60) == 0)
        #expect(meter.cells(-58.5) == 1)
        #expect(meter.cells(-30) == 20)
        #expect(meter.cells(-1.5) == 39)
        #expect(meter.cells(-0.1) == 39)
        #expect(meter.cells(0) == 40)
        #expect(meter.cells(6) == 40)
    }

    @Test("a bar is solid to the RMS level, shaded to the peak, and marks the held peak beyond")
    func barParts() throws {
        var hold = PeakHold()
        hold.update(with: levels([(peak: -15, rms: -30)]), at: .zero)
        let report = levels([(peak: -30, rms: -45)])
        hold.update(with: report, at: .milliseconds(100))
        let lines = LevelsMeter(barCells: 40).lines(report, hold: hold, at: .milliseconds(100), context: nil)
        let expected = String(repeating: "█", count: 10) + String(repeating: "▒", count: 10)
            + String(repeating: " ", count: 9) + "│" + String(repeating: " ", count: 10)
        #expect(try bar(lines, channel: 0) == expected)
        #expect(lines[1].hasSuffix("peak  -30.0  rms  -45.0  hold  -15.0 dBFS"))
        #expect(!lines[1].contains("CLIP"))
    }

    @Test("a peak at 0 dBFS fills the bar and says CLIP")
    func clipping() throws {
        let report = levels([(peak: 0, rms: -4)])
        var hold = PeakHold()
        hold.update(with: report, at: .zero)
        let lines = LevelsMeter(barCells: 20).lines(report, hold: hold, at: .zero, context: nil)
        #expect(try bar(lines, channel: 0) == String(repeating: "█", count: 18) + "▒▒")
        #expect(lines[1].hasSuffix("CLIP"))
    }

    @Test("channels are M for mono, L and R for stereo, numbered beyond")
    func channelNames() {
        let meter = LevelsMeter()
        let names = { (count: Int) in
            meter.lines(levels(Array(repeating: (peak: -20, rms: -26), count: count)), hold: PeakHold(), at: .zero, context: nil)
                .dropFirst().prefix(count).map { String($0.prefix { $0 != " " }) }
        }
        #expect(names(1) == ["M"])
        #expect(names(2) == ["L", "R"])
        #expect(names(4) == ["1", "2", "3", "4"])
    }

    @Test("the scale's marks sit under their cells")
    func scale() {
        let lines = LevelsMeter(barCells: 40).lines(levels([(peak: -20, rms: -26)]), hold: PeakHold(), at: .zero, context: nil)
        #expect(lines[2] == "   -60       -45       -30       -15       0 dBFS")
    }

    @Test("the peak is held for 1.5 s, then falls at 20 dB/s until it meets the live peak")
    func holdDecays() {
        var hold = PeakHold()
        hold.update(with: levels([(peak: -6, rms: -12)]), at: .zero)
        let quiet = levels([(peak: -40, rms: -46)])
        for tenth in 1...15 {
            hold.update(with: quiet, at: .milliseconds(100 * tenth))
            #expect(hold.dbfs(channel: 0, at: .milliseconds(100 * tenth)) == -6)
        }
        hold.update(with: quiet, at: .seconds(2))
        #expect(abs(hold.dbfs(channel: 0, at: .seconds(2))! - -16) < 1e-9)
        #expect(abs(hold.dbfs(channel: 0, at: .milliseconds(2500))! - -26) < 1e-9)
        // Past the live peak it is the live peak that shows.
        hold.update(with: quiet, at: .seconds(4))
        #expect(hold.dbfs(channel: 0, at: .seconds(4)) == -40)
        let lines = LevelsMeter().lines(quiet, hold: hold, at: .seconds(4), context: nil)
        #expect(lines[1].hasSuffix("hold  -40.0 dBFS"))
    }

    @Test("a new higher peak restarts the hold; a lower one does not")
    func holdRestarts() {
        var hold = PeakHold()
        hold.update(with: levels([(peak: -20, rms: -30)]), at: .zero)
        hold.update(with: levels([(peak: -25, rms: -30)]), at: .seconds(1))
        // Held from 0 s (the lower -25 did not restart it): 0.5 s of falling at 2 s.
        #expect(hold.dbfs(channel: 0, at: .seconds(2)) == -30)
        hold.update(with: levels([(peak: -10, rms: -30)]), at: .seconds(2))
        #expect(hold.dbfs(channel: 0, at: .milliseconds(3400)) == -10)
    }

    @Test("each channel holds its own peak; a change in channel count starts over")
    func holdPerChannel() {
        var hold = PeakHold()
        hold.update(with: levels([(peak: -6, rms: -12), (peak: -30, rms: -36)]), at: .zero)
        hold.update(with: levels([(peak: -40, rms: -46), (peak: -20, rms: -26)]), at: .seconds(1))
        #expect(hold.dbfs(channel: 0, at: .seconds(1)) == -6)
        #expect(hold.dbfs(channel: 1, at: .seconds(1)) == -20)
        hold.update(with: levels([(peak: -50, rms: -56)]), at: .seconds(1))
        #expect(hold.dbfs(channel: 0, at: .seconds(1)) == -50)
        #expect(hold.dbfs(channel: 1, at: .seconds(1)) == nil)
    }

    @Test("the state line follows volume, power, relay and device events")
    func stateLineFollowsEvents() {
        var context = MeterContext(DaemonStatus(
            volume: VolumeReport(percent: 40, gainDB: -36, capDB: 0, muted: false),
            power: PowerReport(mode: .auto, state: .off, triggerHoldingOn: false),
            relay: RelayReport(line: "17", isOn: false),
            levels: levels([]), xruns: 0, latencyFrames: 0, sampleRate: 48000,
            devices: [DeviceReport(role: .capture, name: "hw:CARD=Echo,DEV=0", isOpen: true)], uptimeSeconds: 0))
        let meter = LevelsMeter()
        let report = levels([(peak: -20, rms: -26)], signal: false)
        #expect(meter.lines(report, hold: PeakHold(), at: .zero, context: context).first
            == "speaker off (mode auto)  ·  relay off  ·  volume 40%  ·  signal none")
        context.apply(.volume(VolumeReport(percent: 55, gainDB: -27, capDB: 0, muted: true)))
        context.apply(.power(PowerReport(mode: .on, state: .warming, triggerHoldingOn: false)))
        context.apply(.relay(RelayReport(line: "17", isOn: true)))
        context.apply(.device(DeviceReport(role: .capture, name: "hw:CARD=Echo,DEV=0", isOpen: false)))
        let lines = meter.lines(levels([(peak: -20, rms: -26)], signal: true), hold: PeakHold(), at: .zero, context: context)
        #expect(lines.first == "speaker warming up (mode on)  ·  relay on  ·  volume 55% muted  ·  signal present")
        #expect(lines.last == "capture hw:CARD=Echo,DEV=0 lost: waiting for it to return")
    }

    static let volumes: [(text: String, change: VolumeChange)] = [
        ("40%", .percent(40)), ("40", .percent(40)), ("0", .percent(0)), ("100%", .percent(100)), ("37.5 %", .percent(37.5)),
        ("-12dB", .gainDB(-12)), ("-12 dB", .gainDB(-12)), ("0dB", .gainDB(0)), ("-0.5db", .gainDB(-0.5)),
        ("+3dB", .relativeDB(3)), ("+0.5DB", .relativeDB(0.5)),
        ("up", .step(.up)), ("Down", .step(.down)),
    ]

    @Test("every documented volume form reads as one change", arguments: volumes)
    func volumeForms(_ example: (text: String, change: VolumeChange)) throws {
        #expect(try VolumeArgument.parse(example.text) == example.change)
    }

    @Test("--by takes a signed change in dB, with or without the unit")
    func relativeForms() throws {
        #expect(try VolumeArgument.relativeDB("-3dB") == -3)
        #expect(try VolumeArgument.relativeDB("+3dB") == 3)
        #expect(try VolumeArgument.relativeDB("3") == 3)
        #expect(throws: ValidationError.self) { try VolumeArgument.relativeDB("lots") }
    }

    @Test("ambiguous or impossible volumes are refused", arguments: ["3dB", "-5", "+5", "+5%", "101", "-1%", "1e3", "infdB", "nan", ".", "", "40%%"])
    func volumeRejected(_ text: String) {
        #expect(throws: ValidationError.self) { try VolumeArgument.parse(text) }
    }
}

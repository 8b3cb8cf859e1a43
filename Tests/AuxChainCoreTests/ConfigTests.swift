import Foundation
import Testing

@testable import AuxChainCore

@Suite struct ConfigTests {
    private func parse(_ text: String) throws(ConfigError) -> AuxChainConfig {
        try ConfigReader.parse(text, file: "test.toml")
    }

    private func failure(_ text: String) -> ConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func exampleParsesToTheDefaults() throws {
        #expect(try parse(ExampleConfig.text) == AuxChainConfig())
    }

    @Test func examplesFileIsTheCompiledInExample() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/auxchain.toml")
        #expect(try String(contentsOf: url, encoding: .utf8) == ExampleConfig.text)
    }

    @Test func fullConfigReadsEveryKey() throws {
        let config = try parse("""
            [audio]
            capture = "hw:CARD=Device,DEV=0"
            playback = "hw:CARD=sndrpihifiberry,DEV=0"
            rate = 44100
            capture_format = "S16_LE"
            playback_format = "S24_3LE"
            capture_channels = 1
            playback_channels = 2
            period_frames = 128
            buffer_periods = 4
            prefill_periods = 1
            realtime_priority = 0
            [volume]
            range_db = 50
            max_db = -6
            safe_start_percent = 30
            step_db = 1.5
            ramp_ms = 20
            [power]
            mode = "on"
            on_threshold_dbfs = -45
            off_threshold_dbfs = -55.5
            attack_ms = 5
            settle_ms = 800
            off_delay_s = 300
            min_on_s = 30
            min_off_s = 2
            relay = { line = 17, active_low = true }
            [gpio]
            board = "pi5"
            [inputs.trigger]
            line = 27
            active_low = true
            bias = "pull-up"
            [[inputs.buttons]]
            action = "power-toggle"
            line = 22
            bias = "pull-up"
            [[inputs.buttons]]
            action = "volume-up"
            line = "VOL_UP"
            debounce_ms = 20
            [attenuator]
            kind = "relay-ladder"
            lines = [5, 6, 13, 19, 26, 21]
            step_db = 1.0
            [control]
            socket = "/tmp/a.sock"
            group = ""
            [state]
            path = "/tmp/state.json"
            """)
        #expect(config.audio.capture == "hw:CARD=Device,DEV=0")
        #expect(config.audio.playbackFormat == .s24Packed)
        #expect(config.audio.captureChannels == 1)
        #expect(config.audio.bufferFrames == 512)
        #expect(config.volume.maxDB == -6)
        #expect(config.volume.ramp == .milliseconds(20))
        #expect(config.power.mode == .on)
        #expect(config.power.offThresholdDBFS == -55.5)
        #expect(config.power.offDelay == .seconds(300))
        #expect(config.power.relay == OutputLineSettings(line: .offset(17), activeLow: true))
        #expect(config.gpio.resolvedChip == "pinctrl-rp1")
        #expect(config.inputs.trigger?.line == .offset(27))
        #expect(config.inputs.trigger?.bias == .pullUp)
        #expect(config.inputs.buttons.count == 2)
        #expect(config.inputs.buttons[1].input.line == .name("VOL_UP"))
        #expect(config.inputs.buttons[1].input.debounce == .milliseconds(20))
        #expect(config.attenuator == .relayLadder(lines: [5, 6, 13, 19, 26, 21].map { .offset($0) }, stepDB: 1, settle: .milliseconds(5)))
        #expect(config.control.group == nil)
        #expect(config.state.path == "/tmp/state.json")
    }

    @Test func aRelayLadderOnAnActiveLowBoardSaysSo() throws {
        let config = try parse("""
            [gpio]
            board = "pi4"
            [attenuator]
            kind = "relay-ladder"
            lines = [5, 6]
            active_low = true
            """)
        #expect(config.attenuator == .relayLadder(lines: [.offset(5), .offset(6)], stepDB: 1, settle: .milliseconds(5), activeLow: true))
        #expect(config.attenuator.isActiveLow(.relay(0)))
        #expect(failure("[attenuator]\nkind = \"relay-ladder\"\nlines = [5]\nactive_low = \"yes\"\n")?.keyPath == "attenuator.active_low")
    }

    @Test func unknownKeyIsRejectedWithItsLineAndASuggestion() {
        let error = failure("""
            [audio]
            rate = 48000
            perod_frames = 128
            """)
        #expect(error?.keyPath == "audio.perod_frames")
        #expect(error?.line == 3)
        #expect(error?.message.contains("did you mean 'period_frames'?") == true)
        #expect(error?.description.hasPrefix("test.toml:3: audio.perod_frames:") == true)
    }

    @Test func unknownTableIsRejected() {
        let error = failure("[speaker]\nloud = true\n")
        #expect(error?.keyPath == "speaker")
        #expect(error?.line == 1)
        #expect(error?.message.contains("allowed keys: audio, volume, power") == true)
    }

    @Test func wrongTypeNamesTheKeyTheTypeAndTheRange() {
        let error = failure("[audio]\n\nrate = \"fast\"\n")
        #expect(error?.keyPath == "audio.rate")
        #expect(error?.line == 3)
        #expect(error?.message.contains("found a string (\"fast\")") == true)
        #expect(error?.message.contains("8000 to 384000") == true)
    }

    @Test func unknownFormatListsTheAllowedOnes() {
        let error = failure("[audio]\nplayback_format = \"S20_LE\"\n")
        #expect(error?.keyPath == "audio.playback_format")
        #expect(error?.message.contains("S16_LE, S24_LE, S24_3LE, S32_LE, FLOAT_LE") == true)
    }

    @Test func outOfRangeValuesAreRejected() {
        #expect(failure("[volume]\nmax_db = 6\n")?.message.contains("allowed: -60.0 to 0.0") == true)
        #expect(failure("[audio]\nperiod_frames = 8\n")?.keyPath == "audio.period_frames")
    }

    @Test func prefillMustFitTheBuffer() {
        let error = failure("[audio]\nbuffer_periods = 2\nprefill_periods = 2\n")
        #expect(error?.keyPath == "audio.prefill_periods")
        #expect(error?.line == 3)
    }

    @Test func offThresholdAboveOnThresholdIsRejected() {
        #expect(failure("[power]\non_threshold_dbfs = -60\noff_threshold_dbfs = -50\n")?.keyPath == "power.off_threshold_dbfs")
    }

    @Test func aLineUsedTwiceNamesBothUses() {
        let error = failure("""
            [gpio]
            board = "pi4"
            [power.relay]
            line = 17
            [[inputs.buttons]]
            action = "mute-toggle"
            line = 17
            """)
        #expect(error?.keyPath == "inputs.buttons[0].line")
        #expect(error?.line == 7)
        #expect(error?.message.contains("already used by power.relay.line") == true)
    }

    @Test func aLineOffTheHeaderIsRejected() {
        let error = failure("[gpio]\nboard = \"pi4\"\n[power.relay]\nline = 40\n")
        #expect(error?.keyPath == "power.relay.line")
        #expect(error?.message.contains("BCM 0 to 27") == true)
    }

    @Test func linesWithoutAChipAreRejected() {
        #expect(failure("[power.relay]\nline = 17\n")?.keyPath == "gpio.chip")
    }

    @Test func buttonActionIsRequiredAndChecked() {
        let error = failure("[gpio]\nboard = \"pi5\"\n[[inputs.buttons]]\naction = \"louder\"\nline = 3\n")
        #expect(error?.keyPath == "inputs.buttons[0].action")
        #expect(error?.message.contains("\"volume-up\"") == true)
    }

    @Test func invalidTOMLReportsTheParsersLine() {
        let error = failure("[audio]\nrate = = 4\n")
        #expect(error?.line == 2)
        #expect(error?.message.hasPrefix("not valid TOML") == true)
    }

    @Test func realtimePriorityStopsAtTheUnitsLimit() throws {
        #expect(try parse("[audio]\nrealtime_priority = 95\n").audio.realtimePriority == 95)
        let error = failure("[audio]\nrealtime_priority = 99\n")
        #expect(error?.description == "test.toml:2: audio.realtime_priority: 99 is out of range; allowed: 0 to 95 "
            + "(the systemd unit's LimitRTPRIO=95 refuses more, which leaves the top priorities to the kernel's own real-time threads)")
    }

    @Test func theUnitAllowsTheHighestRealtimePriorityTheConfigTakes() throws {
        let unit = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("systemd/auxchain.service")
        let lines = try String(contentsOf: unit, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains("LimitRTPRIO=\(AudioSettings.maximumRealtimePriority)"))
    }

    @Test func theControlSocketMustBeAnAbsolutePathThatFitsASocketAddress() throws {
        let relative = failure("[control]\nsocket = \"control.sock\"\n")
        #expect(relative?.description.hasPrefix("test.toml:2: control.socket: 'control.sock' is not an absolute path") == true)
        #expect(relative?.message.contains("/run/auxchain/control.sock") == true)
        #expect(failure("[control]\nsocket = \"@auxchain\"\n")?.keyPath == "control.socket")

        let longest = "/" + String(repeating: "s", count: 106)
        #expect(try parse("[control]\nsocket = \"\(longest)\"\n").control.socketPath == longest)
        let tooLong = failure("[control]\nsocket = \"\(longest)s\"\n")
        #expect(tooLong?.description.hasPrefix("test.toml:2: control.socket: the path is 108 bytes; a Unix socket's address holds at most 107") == true)
    }

    /// A config file in a fresh folder.
    private func file(_ bytes: [UInt8], named name: String = "auxchain.toml") throws -> String {
        var template = Array("/tmp/auxchain-config-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func loadFailure(_ path: String) -> ConfigError? {
        do {
            _ = try ConfigReader.loadForRun(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func aControlGroupTheSystemLacksIsRejectedWithItsLineAndTheFix() throws {
        let missing = try file(Array("[control]\nsocket = \"/run/auxchain/control.sock\"\ngroup = \"auxchain-test-absent\"\n".utf8))
        let error = loadFailure(missing)
        #expect(error?.description.hasPrefix("\(missing):3: control.group: group 'auxchain-test-absent' does not exist on this system") == true)
        #expect(error?.message.contains("groupadd --system auxchain-test-absent") == true)
        let present = try file(Array("[control]\ngroup = \"root\"\n".utf8))
        #expect(loadFailure(present) == nil)
    }

    @Test func aDirectoryGivenAsTheConfigIsNamedAsOne() throws {
        let folder = URL(fileURLWithPath: try file([])).deletingLastPathComponent().path
        let error = loadFailure(folder)
        #expect(error?.description == "\(folder): is a directory, not a config file; give the file in it, or write one with 'auxchain config example > FILE'")
    }

    @Test func aConfigThatIsNotUTF8NamesTheLineAndHowToConvertIt() throws {
        // "Küche" in Latin-1 on line 3.
        let path = try file(Array("[audio]\nrate = 48000\n# K".utf8) + [0xFC] + Array("che\n".utf8))
        let error = loadFailure(path)
        #expect(error?.line == 3)
        #expect(error?.message.hasPrefix("is not UTF-8 text (the first bad byte is 0xFC at offset 24)") == true)
        #expect(error?.message.contains("iconv -f latin1 -t utf-8") == true)
    }

    @Test func missingFileSaysHowToMakeOne() {
        do {
            _ = try ConfigReader.load(path: "/nonexistent/auxchain.toml")
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.message.contains("does not exist"))
            #expect(error.message.contains("auxchain config example"))
        }
    }
}

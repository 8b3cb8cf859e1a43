import Foundation
import AuxChainTestSupport
import Testing

@testable import ALSA

@Suite struct PCMTests {
    init() { FilePCMConfig.installed }

    private func parameters(_ format: PCMFormat, channels: Int = 2) -> PCMParameters {
        PCMParameters(format: format, rate: 48000, channels: channels, periodFrames: 64, bufferFrames: 256)
    }

    @Test func capturedBytesAreTheInputFileForEveryFormat() throws {
        for format in PCMFormat.allCases {
            let folder = FilePCMConfig.temporaryFolder()
            let input = folder.appendingPathComponent("in.raw")
            let frames = 640
            let bytes = (0..<(frames * 2 * format.bytesPerSample)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            try Data(bytes).write(to: input)

            var pcm = try PCM(name: FilePCMConfig.capture(input), direction: .capture)
            let granted = try pcm.configure(parameters(format))
            #expect(granted.format == format)
            #expect(granted.periodFrames == 64)
            try pcm.start()
            var captured = [UInt8](repeating: 0, count: bytes.count)
            var done = 0
            captured.withUnsafeMutableBytes { raw in
                while done < frames {
                    let got = pcm.read(into: raw.baseAddress! + done * granted.bytesPerFrame, frames: min(64, frames - done))
                    if got <= 0 { break }
                    done += got
                }
            }
            #expect(done == frames)
            #expect(captured == bytes, "format \(format)")
        }
    }

    @Test func playbackWritesFramesToTheFile() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let output = folder.appendingPathComponent("out.raw")
        let bytes = (0..<(256 * 4)).map { UInt8(truncatingIfNeeded: $0) }
        do {
            var pcm = try PCM(name: FilePCMConfig.playback(output), direction: .playback)
            try pcm.configure(parameters(.s16LE))
            let written = bytes.withUnsafeBytes { pcm.write(from: $0.baseAddress!, frames: 256) }
            #expect(written == 256)
            try pcm.start()
            pcm.drain()
        }
        #expect(try Data(contentsOf: output) == Data(bytes))
    }

    @Test func unknownPCMNameIsNamedWithTheAlternatives() {
        do {
            _ = try PCM(name: "no_such_echo_input", direction: .capture)
            Issue.record("opening a PCM that does not exist succeeded")
        } catch {
            #expect(error.kind == .deviceNotFound)
            #expect(error.message.contains("'no_such_echo_input'"))
            #expect(error.message.contains("PCMs that exist:"))
            #expect(error.message.contains("null"))
        }
    }

    @Test func refusedFormatNamesWhatTheDeviceTakes() throws {
        var pcm = try PCM(name: "aux_integer_only", direction: .playback)
        do {
            try pcm.configure(parameters(.floatLE))
            Issue.record("an integer-only PCM accepted FLOAT_LE")
        } catch {
            #expect(error.kind == .unsupportedConfiguration)
            #expect(error.message.contains("FLOAT_LE"))
            #expect(error.message.contains("S16_LE"))
            #expect(error.message.contains("playback_format"))
        }
    }

    @Test func grantedGeometryIsReadBack() throws {
        var pcm = try PCM(name: "null", direction: .playback)
        let granted = try pcm.configure(
            PCMParameters(format: .s32LE, rate: 44100, channels: 1, periodFrames: 100, bufferFrames: 300))
        #expect(granted.rate == 44100)
        #expect(granted.channels == 1)
        #expect(granted.periodFrames > 0)
        #expect(granted.bufferFrames >= granted.periodFrames * 2)
        #expect(pcm.granted == granted)
    }

    @Test func catalogListsConfiguredPCMs() {
        let names = DeviceCatalog.pcms().map(\.name)
        #expect(names.contains("null"))
        #expect(names.contains("aux_integer_only"))
        #expect(!names.contains("auxfile_in"), "templates that need arguments are not openable by name alone")
    }
}

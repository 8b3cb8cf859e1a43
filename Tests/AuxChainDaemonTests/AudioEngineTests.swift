import ALSA
import AuxChainCore
import AuxChainDSP
import AuxChainTestSupport
import Foundation
import Logging
import Testing

@testable import AuxChainDaemon

/// The engine through real alsa-lib: file PCMs feed a known signal and catch the output.
@Suite struct AudioEngineTests {
    init() { FilePCMConfig.installed }

    static let period = 64
    static let prefill = 2
    /// 1 ms at 48 kHz: the ramp-in every start begins with.
    static let rampFrames = 48

    /// The first frame after the ramp-in's period, from which unity is a plain copy.
    static let settledFrame = ((rampFrames + period - 1) / period + 1) * period

    struct Run {
        var output: Data
        var outcome: EngineOutcome
    }

    private func run(
        input: Data, captureFormat: SampleEncoding, captureChannels: Int,
        playbackFormat: SampleEncoding, playbackChannels: Int, gain: Float, frames: Int,
        captureName: ((URL) -> String)? = nil, beforeWait: ((URL) throws -> Void)? = nil
    ) throws -> Run {
        let folder = FilePCMConfig.temporaryFolder()
        let inputURL = folder.appendingPathComponent("in.raw")
        let outputURL = folder.appendingPathComponent("out.raw")
        if beforeWait == nil { try input.write(to: inputURL) }

        var audio = AudioSettings()
        audio.capture = captureName?(inputURL) ?? FilePCMConfig.capture(inputURL)
        audio.playback = FilePCMConfig.playback(outputURL)
        audio.captureFormat = captureFormat
        audio.captureChannels = captureChannels
        audio.playbackFormat = playbackFormat
        audio.playbackChannels = playbackChannels
        audio.periodFrames = Self.period
        audio.prefillPeriods = Self.prefill
        audio.realtimePriority = 0
        var volume = VolumeSettings()
        volume.ramp = .milliseconds(1)

        func parameters(_ encoding: SampleEncoding, _ channels: Int) -> PCMParameters {
            PCMParameters(format: PCMFormat(rawValue: encoding.alsaName)!, rate: 48000, channels: channels, periodFrames: Self.period, bufferFrames: Self.period * 4)
        }
        let controls = EngineControls()
        controls.digitalGain = gain
        let engine = AudioEngine(
            settings: EngineSettings(
                capture: audio.capture, playback: audio.playback,
                captureParameters: parameters(captureFormat, captureChannels),
                playbackParameters: parameters(playbackFormat, playbackChannels),
                prefillPeriods: Self.prefill, realtimePriority: 0, frameLimit: frames),
            processor: ChainProcessor(audio: audio, volume: volume, power: PowerSettings(), preRollFrames: 0),
            controls: controls, logger: Logger(label: "test"))
        engine.start()
        if let beforeWait {
            Thread.sleep(forTimeInterval: 0.3)
            #expect(!controls.isRunning, "the engine ran without its capture device")
            try input.write(to: inputURL)
            try beforeWait(inputURL)
        }
        let outcome = engine.wait()
        // A run refused before playback opened leaves no output file.
        return Run(output: (try? Data(contentsOf: outputURL)) ?? Data(), outcome: outcome)
    }

    private func randomS16(frames: Int, channels: Int, seed: UInt64 = 1) -> [Int16] {
        var generator = SeededGenerator(seed: seed)
        return (0..<(frames * channels)).map { _ in Int16(truncatingIfNeeded: generator.next()) }
    }

    @Test(arguments: [SampleEncoding.s16, .s32, .float32])
    func unityGainIsBitExactAfterTheRampIn(format: SampleEncoding) throws {
        let frames = 1024
        var generator = SeededGenerator(seed: 7)
        let input: Data
        switch format {
        case .s16: input = bytes(randomS16(frames: frames, channels: 2))
        case .s32: input = bytes((0..<(frames * 2)).map { _ in Int32(truncatingIfNeeded: generator.next()) })
        default: input = bytes((0..<(frames * 2)).map { _ in Float(Int32(truncatingIfNeeded: generator.next())) / 2_147_483_648 })
        }
        let result = try run(
            input: input, captureFormat: format, captureChannels: 2, playbackFormat: format, playbackChannels: 2, gain: 1, frames: frames)
        #expect(result.outcome == .reachedFrameLimit)
        let frameBytes = format.bytesPerSample * 2
        let prefillBytes = Self.prefill * Self.period * frameBytes
        #expect(result.output.count == prefillBytes + frames * frameBytes)
        let settled = Self.settledFrame * frameBytes
        #expect(result.output.dropFirst(prefillBytes + settled) == input.dropFirst(settled))
    }

    @Test func outputHoldsExactlyThePrefillOfSilenceBeforeTheSignal() throws {
        let frames = 512
        let input = bytes([Int16](repeating: 12000, count: frames * 2))
        let result = try run(input: input, captureFormat: .s16, captureChannels: 2, playbackFormat: .s16, playbackChannels: 2, gain: 1, frames: frames)
        let samples = int16s(result.output)
        let prefillSamples = Self.prefill * Self.period * 2
        #expect(samples.prefix(prefillSamples).allSatisfy { $0 == 0 })
        #expect(samples[prefillSamples...].contains { $0 != 0 }, "the signal follows the prefill")
        #expect(samples.suffix(100).allSatisfy { $0 == 12000 })
    }

    @Test func halfGainIsExactlyHalf() throws {
        let frames = 1024
        let source = randomS16(frames: frames, channels: 2, seed: 3)
        // S16 into a 32-bit output: x/2 is representable, so the result is exact.
        let result = try run(
            input: bytes(source), captureFormat: .s16, captureChannels: 2, playbackFormat: .s32, playbackChannels: 2, gain: 0.5, frames: frames)
        let output = int32s(result.output).dropFirst(Self.prefill * Self.period * 2)
        for index in (Self.settledFrame * 2)..<(frames * 2) {
            let expected = Int64(source[index]) * 65536 / 2
            #expect(abs(Int64(output[output.startIndex + index]) - expected) <= 1, "sample \(index)")
        }
    }

    @Test func monoInputFeedsBothOutputChannels() throws {
        let frames = 512
        let source = randomS16(frames: frames, channels: 1, seed: 5)
        let result = try run(input: bytes(source), captureFormat: .s16, captureChannels: 1, playbackFormat: .s16, playbackChannels: 2, gain: 1, frames: frames)
        let output = Array(int16s(result.output).dropFirst(Self.prefill * Self.period * 2))
        #expect(output.count == frames * 2)
        for frame in Self.settledFrame..<frames {
            #expect(output[frame * 2] == source[frame] && output[frame * 2 + 1] == source[frame], "frame \(frame)")
        }
    }

    @Test func stereoInputIntoAMonoOutputIsMixed() throws {
        let frames = 512
        var generator = SeededGenerator(seed: 9)
        let source = (0..<(frames * 2)).map { _ in Float(Int16(truncatingIfNeeded: generator.next())) / 32768 }
        let result = try run(input: bytes(source), captureFormat: .float32, captureChannels: 2, playbackFormat: .float32, playbackChannels: 1, gain: 1, frames: frames)
        let output = Array(floats(result.output).dropFirst(Self.prefill * Self.period))
        #expect(output.count == frames)
        for frame in Self.settledFrame..<frames {
            #expect(abs(output[frame] - (source[frame * 2] + source[frame * 2 + 1]) / 2) < 1e-6, "frame \(frame)")
        }
    }

    @Test func aCaptureDeviceThatAppearsLaterIsPickedUpWithoutARestart() throws {
        let frames = 256
        let input = bytes([Int16](repeating: 5000, count: frames * 2))
        let result = try run(
            input: input, captureFormat: .s16, captureChannels: 2, playbackFormat: .s16, playbackChannels: 2, gain: 1, frames: frames,
            beforeWait: { _ in })
        #expect(result.outcome == .reachedFrameLimit)
        #expect(int16s(result.output).suffix(50).allSatisfy { $0 == 5000 })
    }

    /// An engine over file PCMs with the geometry given; nothing started.
    private func engine(capture: String, playback: String, bufferPeriods: Int, frames: Int?) -> AudioEngine<ChainProcessor> {
        let parameters = PCMParameters(format: .s16LE, rate: 48000, channels: 2, periodFrames: Self.period, bufferFrames: Self.period * bufferPeriods)
        var audio = AudioSettings()
        audio.periodFrames = Self.period
        return AudioEngine(
            settings: EngineSettings(
                capture: capture, playback: playback, captureParameters: parameters, playbackParameters: parameters,
                prefillPeriods: Self.prefill, realtimePriority: 0, frameLimit: frames),
            processor: ChainProcessor(audio: audio, volume: VolumeSettings(), power: PowerSettings(), preRollFrames: 0),
            controls: EngineControls(), logger: Logger(label: "test"))
    }

    @Test func aRunForADurationEndsAfterThatLongEvenIfADeviceNeverAppears() async throws {
        let folder = FilePCMConfig.temporaryFolder()
        let engine = engine(
            capture: "auxchain_no_such_pcm", playback: FilePCMConfig.playback(folder.appendingPathComponent("out.raw")),
            bufferPeriods: 4, frames: 4800)
        let started = ContinuousClock.now
        engine.start()
        // Not waited on for ever: a run that does not end is stopped after 10 s, and fails.
        let stopper = Task {
            try? await Task.sleep(for: .seconds(10))
            engine.controls.requestStop()
        }
        let ended = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: engine.wait()) }
        }
        stopper.cancel()
        #expect(ended == .reachedFrameLimit)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aPrefillThatDoesNotFitThePlaybackBufferIsRefused() throws {
        let folder = FilePCMConfig.temporaryFolder()
        let input = folder.appendingPathComponent("in.raw")
        try bytes([Int16](repeating: 0, count: 4096)).write(to: input)
        // Two periods of buffer cannot hold two of prefill and the period written after them.
        let engine = engine(
            capture: FilePCMConfig.capture(input), playback: FilePCMConfig.playback(folder.appendingPathComponent("out.raw")),
            bufferPeriods: 2, frames: 1024)
        engine.start()
        guard case .configurationRefused(let message) = engine.wait() else {
            Issue.record("a prefill of 2 periods ran in a buffer of 2")
            return
        }
        #expect(message.contains("prefill_periods"))
        #expect(message.contains("buffer_periods"))
    }

    @Test func aRefusedFormatEndsTheRunAsAConfigurationProblem() throws {
        let result = try run(
            input: bytes([Int16](repeating: 0, count: 128)), captureFormat: .float32, captureChannels: 2,
            playbackFormat: .s16, playbackChannels: 2, gain: 1, frames: 64,
            captureName: { _ in "aux_integer_only" })
        guard case .configurationRefused(let message) = result.outcome else {
            Issue.record("expected a refused configuration, got \(result.outcome)")
            return
        }
        #expect(message.contains("FLOAT_LE"))
        #expect(message.contains("capture_format"))
    }
}

func bytes<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }
func int16s(_ data: Data) -> [Int16] { data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) } }
func int32s(_ data: Data) -> [Int32] { data.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) } }
func floats(_ data: Data) -> [Float] { data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }

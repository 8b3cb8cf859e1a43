import ALSA
import AuxChainCore
import AuxChainDSP
import Testing

@testable import AuxChainDaemon

/// The engine's per-period work driven through its atomics, as the controller drives it.
@Suite struct ChainProcessorTests {
    static let period = 64

    private func processor(controls: EngineControls) -> ChainProcessor {
        var audio = AudioSettings()
        audio.captureFormat = .float32
        audio.playbackFormat = .float32
        audio.captureChannels = 1
        audio.playbackChannels = 1
        audio.periodFrames = Self.period
        var processor = ChainProcessor(audio: audio, volume: VolumeSettings(), power: PowerSettings(), preRollFrames: 48000)
        let parameters = PCMParameters(format: .floatLE, rate: 48000, channels: 1, periodFrames: Self.period, bufferFrames: Self.period * 4)
        processor.prepare(capture: parameters, playback: parameters, controls: controls)
        controls.jump(to: 1)
        return processor
    }

    /// One period of a constant `value` through the processor.
    private func period(_ processor: inout ChainProcessor, value: Float, controls: EngineControls) -> [Float] {
        let input = [Float](repeating: value, count: Self.period)
        var output = [Float](repeating: .nan, count: Self.period)
        _ = input.withUnsafeBytes { inputBytes in
            output.withUnsafeMutableBytes { outputBytes in
                processor.process(input: inputBytes.baseAddress!, output: outputBytes.baseAddress!, frames: Self.period, stretch: 0, controls: controls)
            }
        }
        return output
    }

    @Test func aDiscardFollowedByANewHoldWithinOnePeriodDropsWhatWasHeld() {
        let controls = EngineControls()
        var processor = processor(controls: controls)
        controls.setGate(.holding, lookBackFrames: 0)
        for _ in 0..<3 { #expect(period(&processor, value: 0.25, controls: controls).allSatisfy { $0 == 0 }, "held: silence") }
        // Switched off while warming and on again before the audio thread looked: both count.
        controls.setGate(.discarding)
        controls.setGate(.holding, lookBackFrames: 0)
        _ = period(&processor, value: 0.5, controls: controls)
        controls.setGate(.passing)
        let released = period(&processor, value: 0.5, controls: controls)
        #expect(released.allSatisfy { $0 == 0.5 }, "plays from the new hold, not the discarded audio: \(released.prefix(4))")
    }

    @Test func aJumpTakesEffectAtOnceAndARampTargetDoesNot() {
        let controls = EngineControls()
        var processor = processor(controls: controls)
        _ = period(&processor, value: 0.5, controls: controls)
        controls.jump(to: 0.5)
        #expect(period(&processor, value: 0.5, controls: controls).allSatisfy { $0 == 0.25 })
        controls.digitalGain = 1
        let ramping = period(&processor, value: 0.5, controls: controls)
        #expect(ramping.first! < 0.26 && ramping.last! > ramping.first!, "ramps up from the jump's gain")
    }

    @Test func aStopHoldsTheGainAtZeroWhateverIsAskedAfter() {
        let controls = EngineControls()
        var processor = processor(controls: controls)
        controls.requestStop()
        for _ in 0..<((48000 / 20) / Self.period + 2) { _ = period(&processor, value: 0.5, controls: controls) }
        let silent = processor.isSilent
        #expect(silent)
        controls.digitalGain = 1
        #expect(period(&processor, value: 0.5, controls: controls).allSatisfy { $0 == 0 })
    }
}

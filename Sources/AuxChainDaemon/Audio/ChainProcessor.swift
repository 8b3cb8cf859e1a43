import ALSA
import AuxChainCore
import AuxChainDSP

/// The engine's per-period work: the DSP chain, driven by the control plane's atomics.
struct ChainProcessor: PeriodProcessor, ~Copyable {
    private var chain: ProcessingChain
    private let meteredChannels: Int
    private var gate = EngineControls.OutputGate.passing
    private var gateCommandsSeen: UInt32 = 0
    private var jumpsSeen: UInt32 = 0

    /// Most frames the engine hands over at once: a period of the config's largest
    /// `period_frames` (8192) and as much again that capture already held.
    static let maximumFrames = 2 * 8192

    /// - Parameter preRollFrames: the most audio held while the speaker warms up, look-back included.
    init(audio: AudioSettings, volume: VolumeSettings, power: PowerSettings, preRollFrames: Int) {
        let rate = Double(audio.rate)
        func frames(_ duration: Duration) -> Int {
            let (seconds, attoseconds) = duration.components
            return Int((Double(seconds) + Double(attoseconds) * 1e-18) * rate)
        }
        chain = ProcessingChain(configuration: .init(
            inputEncoding: audio.captureFormat, inputChannels: audio.captureChannels,
            outputEncoding: audio.playbackFormat, outputChannels: audio.playbackChannels,
            maximumFrames: Self.maximumFrames,
            rampFrames: max(1, frames(volume.ramp)),
            meterWindowFrames: max(1, audio.rate / 20),
            onThresholdDBFS: Float(power.onThresholdDBFS), offThresholdDBFS: Float(power.offThresholdDBFS),
            attackFrames: frames(power.attack),
            // Brief dips inside speech or music are not an end of signal; the power sequencer's
            // off delay does the long wait.
            holdFrames: audio.rate / 2,
            preRollCapacityFrames: preRollFrames))
        meteredChannels = min(audio.captureChannels, EngineControls.meteredChannels)
    }

    mutating func prepare(capture: PCMParameters, playback: PCMParameters, controls: EngineControls) {
        // A (re)opened device starts silent and ramps in, whatever was playing before it went away.
        chain.jumpGain(to: 0)
    }

    @inline(__always)
    @discardableResult
    mutating func process(input: UnsafeRawPointer, output: UnsafeMutableRawPointer, frames: Int, stretch: Int, controls: EngineControls) -> Int {
        let command = controls.currentGainCommand
        if command.jumps != jumpsSeen {
            jumpsSeen = command.jumps
            chain.jumpGain(to: command.gain)
        }
        // Held at zero for the whole stop, so a late volume command cannot undo the ramp-down.
        chain.setTargetGain(controls.stopRequested ? 0 : command.gain)
        let gateCommand = controls.gateCommand
        if gateCommand.number != gateCommandsSeen {
            gateCommandsSeen = gateCommand.number
            switch gateCommand.gate {
            case .holding:
                // Already holding means a discard went by unseen: what it dropped is not replayed.
                if gate == .holding { chain.discardHeldAudio() }
                chain.holdAudio(lookBackFrames: gateCommand.lookBackFrames)
            case .passing: chain.releaseHeldAudio()
            case .discarding: chain.discardHeldAudio()
            }
            gate = gateCommand.gate
        }
        let report = chain.process(input: input, output: output, frames: frames, stretch: stretch)
        if let reading = report.levelReading {
            for channel in 0..<meteredChannels {
                controls.publishLevel(channel: channel, peak: reading.peak[channel], meanSquare: reading.meanSquare[channel])
            }
        }
        controls.publish(
            appliedGain: report.gain, signal: report.isSignalPresent, clipped: report.clippedSamples,
            backlog: chain.preRollBacklogFrames, rampSettled: !chain.isRamping)
        controls.publishDroppedQuiet(chain.preRollDroppedFrames)
        return report.outputFrames
    }

    var isSilent: Bool { chain.currentGain == 0 && !chain.isRamping }
}

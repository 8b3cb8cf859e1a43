import AuxChainDSP
import Synchronization

/// The atomics between the control plane and the audio thread.
///
/// The control plane writes targets; the audio thread reads them once per period and writes
/// back what it observed. Nothing here locks or allocates, so the audio thread may touch it.
public final class EngineControls: Sendable {
    /// Maximum channels whose levels are published.
    public static let meteredChannels = 8

    // Control plane → audio thread.
    private let digitalGainBits = Atomic<UInt32>(Float(0).bitPattern)
    private let gateRaw = Atomic<UInt8>(OutputGate.passing.rawValue)
    private let lookBackFrames = Atomic<Int>(0)
    private let stopFlag = Atomic<Bool>(false)
    /// A gain to take at once (not ramped), numbered so the audio thread sees each request once.
    private let jumpBits = Atomic<UInt32>(0)
    private let jumpGeneration = Atomic<UInt64>(0)

    // Audio thread → control plane.
    private let appliedGainBits = Atomic<UInt32>(Float(0).bitPattern)
    private let signalFlag = Atomic<Bool>(false)
    private let signalOnsets = Atomic<UInt64>(0)
    private let periodCount = Atomic<UInt64>(0)
    private let heartbeatCount = Atomic<UInt64>(0)
    private let frameCount = Atomic<UInt64>(0)
    private let xrunCount = Atomic<UInt64>(0)
    private let clippedCount = Atomic<UInt64>(0)
    private let backlogFrames = Atomic<Int>(0)
    private let droppedQuietFrames = Atomic<UInt64>(0)
    private let latencyFramesValue = Atomic<Int>(0)
    private let runningFlag = Atomic<Bool>(false)
    private let levels: InlineArray<8, Atomic<UInt64>> = InlineArray { _ in Atomic(UInt64(0)) }

    public init() {}

    /// What the pre-roll does with audio, set by the power sequencer.
    public enum OutputGate: UInt8, Sendable {
        /// Audio passes; entering this from `holding` plays the held audio from its first sample.
        case passing
        /// The speaker is warming: hold everything, output silence.
        case holding
        /// The speaker was switched off while warming: drop what was held, then pass.
        case discarding
    }

    // MARK: control plane side

    /// The linear gain the digital stage ramps to (volume, mute and power ramps folded in).
    public var digitalGain: Float {
        get { Float(bitPattern: digitalGainBits.load(ordering: .relaxed)) }
        set { digitalGainBits.store(newValue.bitPattern, ordering: .relaxed) }
    }

    public var gate: OutputGate { OutputGate(rawValue: gateRaw.load(ordering: .acquiring)) ?? .passing }

    /// Frames before the hold that the pre-roll keeps: what passed while the detector and the
    /// control plane were deciding.
    public var holdLookBackFrames: Int { lookBackFrames.load(ordering: .acquiring) }

    public func setGate(_ gate: OutputGate, lookBackFrames frames: Int = 0) {
        lookBackFrames.store(frames, ordering: .relaxed)
        gateRaw.store(gate.rawValue, ordering: .releasing)
    }

    /// Sets the digital gain at once, without a ramp: the moment a hardware attenuator's step
    /// takes effect, so the two stages' sum does not move.
    public func jump(to gain: Float) {
        digitalGain = gain
        jumpBits.store(gain.bitPattern, ordering: .relaxed)
        jumpGeneration.add(1, ordering: .releasing)
    }

    /// The latest jump request: its number and gain.
    @inline(__always) var pendingJump: (generation: UInt64, gain: Float) {
        let generation = jumpGeneration.load(ordering: .acquiring)
        return (generation, Float(bitPattern: jumpBits.load(ordering: .relaxed)))
    }

    public func requestStop() { stopFlag.store(true, ordering: .releasing) }
    public var stopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    // MARK: audio thread side (plain relaxed stores; readers want recent values, not ordering)

    @inline(__always) func publish(appliedGain: Float, signal: Bool, clipped: Int, backlog: Int) {
        appliedGainBits.store(appliedGain.bitPattern, ordering: .relaxed)
        if signal != signalFlag.load(ordering: .relaxed) {
            signalFlag.store(signal, ordering: .relaxed)
            if signal { signalOnsets.add(1, ordering: .relaxed) }
        }
        if clipped > 0 { clippedCount.add(UInt64(clipped), ordering: .relaxed) }
        backlogFrames.store(backlog, ordering: .relaxed)
    }

    /// Linear values, so the audio thread does no logarithms; readers convert.
    @inline(__always) func publishLevel(channel: Int, peak: Float, meanSquare: Float) {
        levels[channel].store(UInt64(peak.bitPattern) << 32 | UInt64(meanSquare.bitPattern), ordering: .relaxed)
    }

    @inline(__always) func countPeriod(frames: Int) {
        periodCount.add(1, ordering: .relaxed)
        heartbeatCount.add(1, ordering: .relaxed)
        frameCount.add(UInt64(frames), ordering: .relaxed)
    }

    /// The audio thread is alive but not processing (waiting for a device).
    func beat() { heartbeatCount.add(1, ordering: .relaxed) }

    @inline(__always) func countXrun() { xrunCount.add(1, ordering: .relaxed) }
    @inline(__always) func publishDroppedQuiet(_ frames: Int) { droppedQuietFrames.store(UInt64(frames), ordering: .relaxed) }

    func setRunning(_ running: Bool, latencyFrames: Int) {
        latencyFramesValue.store(latencyFrames, ordering: .relaxed)
        runningFlag.store(running, ordering: .releasing)
    }

    // MARK: readings for the control plane

    public var appliedGain: Float { Float(bitPattern: appliedGainBits.load(ordering: .relaxed)) }
    public var signalPresent: Bool { signalFlag.load(ordering: .relaxed) }
    /// Counts onsets, so a poller cannot miss a short burst between two looks.
    public var onsetCount: UInt64 { signalOnsets.load(ordering: .relaxed) }
    /// Periods processed: the watchdog's proof that the audio thread makes progress.
    public var periods: UInt64 { periodCount.load(ordering: .relaxed) }
    /// Moves while the audio thread runs its loop or waits for a device: what the watchdog checks.
    public var heartbeats: UInt64 { heartbeatCount.load(ordering: .relaxed) }
    public var frames: UInt64 { frameCount.load(ordering: .relaxed) }
    public var xruns: UInt64 { xrunCount.load(ordering: .relaxed) }
    public var clippedSamples: UInt64 { clippedCount.load(ordering: .relaxed) }
    public var preRollBacklogFrames: Int { backlogFrames.load(ordering: .relaxed) }
    public var droppedQuiet: UInt64 { droppedQuietFrames.load(ordering: .relaxed) }
    public var isRunning: Bool { runningFlag.load(ordering: .acquiring) }
    /// The engine's own added latency (capture period plus prefill), in frames.
    public var latencyFrames: Int { latencyFramesValue.load(ordering: .relaxed) }

    public func level(channel: Int) -> (peakDBFS: Float, rmsDBFS: Float) {
        let packed = levels[channel].load(ordering: .relaxed)
        let peak = Float(bitPattern: UInt32(packed >> 32))
        let meanSquare = Float(bitPattern: UInt32(packed & 0xFFFF_FFFF))
        return (Decibels.gainDB(fromLinear: peak), Decibels.gainDB(fromLinear: meanSquare.squareRoot()))
    }
}

import AuxChainDSP
import Synchronization

/// The atomics between the control plane and the audio thread.
///
/// The control plane writes targets; the audio thread reads them once per period and writes
/// back what it observed. Nothing here locks or allocates, so the audio thread may touch it.
public final class EngineControls: Sendable {
    /// Maximum channels whose levels are published.
    public static let meteredChannels = 8

    // Control plane → audio thread. Each is one word, so the audio thread never sees half of a
    // command: a gain with the number of the last jump, a gate with its look-back and number.
    private let gainCommand = Atomic<UInt64>(GainCommand(gain: 0, jumps: 0).rawValue)
    private let gateCommandValue = Atomic<UInt64>(GateCommand(gate: .passing, lookBackFrames: 0, number: 0).rawValue)
    private let stopFlag = Atomic<Bool>(false)

    // Audio thread → control plane.
    private let appliedGainBits = Atomic<UInt32>(Float(0).bitPattern)
    private let signalFlag = Atomic<Bool>(false)
    private let signalOnsets = Atomic<UInt64>(0)
    private let periodCount = Atomic<UInt64>(0)
    private let heartbeatCount = Atomic<UInt64>(0)
    private let frameCount = Atomic<UInt64>(0)
    private let captureXrunCount = Atomic<UInt64>(0)
    private let playbackXrunCount = Atomic<UInt64>(0)
    private let clippedCount = Atomic<UInt64>(0)
    private let backlogFrames = Atomic<Int>(0)
    private let droppedQuietFrames = Atomic<UInt64>(0)
    /// The clock drift estimate's Double bits; NaN until there is one.
    private let driftPPMBits = Atomic<UInt64>(Double.nan.bitPattern)
    private let driftCorrectionCount = Atomic<UInt64>(0)
    private let correctingDriftFlag = Atomic<Bool>(false)
    private let latencyFramesValue = Atomic<Int>(0)
    private let runningFlag = Atomic<Bool>(false)
    private let rampSettledFlag = Atomic<Bool>(true)
    private let levels: InlineArray<8, Atomic<UInt64>> = InlineArray { _ in Atomic(UInt64(0)) }

    /// Wakes the controller when the audio thread reports something it waits for.
    public let wakeup = ControlPlaneWakeup()

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

    /// The digital gain the audio thread should be at, and how many jumps were asked for: a
    /// jump is taken at once, anything else is ramped to.
    struct GainCommand: Equatable {
        var gain: Float
        var jumps: UInt32
    }

    /// What the pre-roll should do, numbered so that a command the audio thread has not yet
    /// acted on is never lost behind an equal-looking later one (discard, then hold again).
    struct GateCommand: Equatable {
        var gate: OutputGate
        /// Frames before the hold that the pre-roll keeps (at most 2^32 - 1).
        var lookBackFrames: Int
        /// Counts commands modulo 2^24.
        var number: UInt32
    }

    // MARK: control plane side (one writer: the controller)

    /// The linear gain the digital stage ramps to (volume, mute and power ramps folded in).
    public var digitalGain: Float {
        get { GainCommand(rawValue: gainCommand.load(ordering: .relaxed)).gain }
        set {
            var command = GainCommand(rawValue: gainCommand.load(ordering: .relaxed))
            command.gain = newValue
            gainCommand.store(command.rawValue, ordering: .releasing)
        }
    }

    /// Sets the digital gain at once, without a ramp: the moment a hardware attenuator's step
    /// takes effect, so the two stages' sum does not move.
    public func jump(to gain: Float) {
        var command = GainCommand(rawValue: gainCommand.load(ordering: .relaxed))
        command.gain = gain
        command.jumps &+= 1
        gainCommand.store(command.rawValue, ordering: .releasing)
    }

    public var gate: OutputGate { gateCommand.gate }

    public func setGate(_ gate: OutputGate, lookBackFrames frames: Int = 0) {
        let number = GateCommand(rawValue: gateCommandValue.load(ordering: .relaxed)).number &+ 1
        gateCommandValue.store(GateCommand(gate: gate, lookBackFrames: frames, number: number).rawValue, ordering: .releasing)
    }

    // MARK: audio thread side: commands

    @inline(__always) var currentGainCommand: GainCommand { GainCommand(rawValue: gainCommand.load(ordering: .acquiring)) }
    @inline(__always) var gateCommand: GateCommand { GateCommand(rawValue: gateCommandValue.load(ordering: .acquiring)) }

    public func requestStop() { stopFlag.store(true, ordering: .releasing) }
    public var stopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    // MARK: audio thread side (plain relaxed stores; readers want recent values, not ordering)

    /// What a period ended with. The control plane is woken on the changes it waits for: a
    /// signal beginning or ending, the gain reaching its target, the pre-roll's backlog worked off.
    @inline(__always) func publish(appliedGain: Float, signal: Bool, clipped: Int, backlog: Int, rampSettled: Bool = true) {
        var wake = false
        appliedGainBits.store(appliedGain.bitPattern, ordering: .relaxed)
        if signal != signalFlag.load(ordering: .relaxed) {
            signalFlag.store(signal, ordering: .relaxed)
            if signal { signalOnsets.add(1, ordering: .relaxed) }
            wake = true
        }
        if clipped > 0 { clippedCount.add(UInt64(clipped), ordering: .relaxed) }
        if backlog == 0, backlogFrames.load(ordering: .relaxed) > 0 { wake = true }
        backlogFrames.store(backlog, ordering: .relaxed)
        if rampSettled != rampSettledFlag.load(ordering: .relaxed) {
            rampSettledFlag.store(rampSettled, ordering: .relaxed)
            if rampSettled { wake = true }
        }
        if wake { wakeup.signal() }
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

    /// An overrun on capture or an underrun on playback.
    @inline(__always) func countXrun(onCapture: Bool) {
        if onCapture {
            captureXrunCount.add(1, ordering: .relaxed)
        } else {
            playbackXrunCount.add(1, ordering: .relaxed)
        }
        wakeup.signal()
    }
    @inline(__always) func publishDroppedQuiet(_ frames: Int) { droppedQuietFrames.store(UInt64(frames), ordering: .relaxed) }

    /// The drift corrector's estimate (kept while it has none after a restart) and its step.
    @inline(__always) func publishDrift(ppm: Double?, step: Int) {
        if let ppm { driftPPMBits.store(ppm.bitPattern, ordering: .relaxed) }
        if step != 0 { driftCorrectionCount.add(1, ordering: .relaxed) }
    }

    func setRunning(_ running: Bool, latencyFrames: Int, correctingDrift: Bool = false) {
        latencyFramesValue.store(latencyFrames, ordering: .relaxed)
        // Devices opened anew may run on other clocks.
        if running { driftPPMBits.store(Double.nan.bitPattern, ordering: .relaxed) }
        correctingDriftFlag.store(running && correctingDrift, ordering: .relaxed)
        if !running {
            // Closed devices carry no signal and play nothing: the control plane must not keep
            // the speaker on for a signal last seen before a device went away.
            signalFlag.store(false, ordering: .relaxed)
            appliedGainBits.store(Float(0).bitPattern, ordering: .relaxed)
        }
        runningFlag.store(running, ordering: .releasing)
        wakeup.signal()
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
    public var xruns: UInt64 { captureXruns + playbackXruns }
    /// Capture overruns: the audio thread read too late.
    public var captureXruns: UInt64 { captureXrunCount.load(ordering: .relaxed) }
    /// Playback underruns: the playback buffer ran dry.
    public var playbackXruns: UInt64 { playbackXrunCount.load(ordering: .relaxed) }
    public var clippedSamples: UInt64 { clippedCount.load(ordering: .relaxed) }
    public var preRollBacklogFrames: Int { backlogFrames.load(ordering: .relaxed) }
    public var droppedQuiet: UInt64 { droppedQuietFrames.load(ordering: .relaxed) }
    /// Capture's clock against playback's in ppm (positive: capture fast); nil until measured.
    public var clockDriftPPM: Double? {
        let ppm = Double(bitPattern: driftPPMBits.load(ordering: .relaxed))
        return ppm.isNaN ? nil : ppm
    }
    /// Frames added or removed to hold the playback buffer against clock drift, since start;
    /// nil while the engine does not correct (devices closed, or none with a clock of its own:
    /// the simulation, file and null PCMs).
    public var driftCorrections: UInt64? {
        correctingDriftFlag.load(ordering: .relaxed) ? driftCorrectionCount.load(ordering: .relaxed) : nil
    }
    public var isRunning: Bool { runningFlag.load(ordering: .acquiring) }
    /// The engine's own added latency (the prefill), in frames; 0 while the devices are closed.
    public var latencyFrames: Int { latencyFramesValue.load(ordering: .relaxed) }

    public func level(channel: Int) -> (peakDBFS: Float, rmsDBFS: Float) {
        let packed = levels[channel].load(ordering: .relaxed)
        let peak = Float(bitPattern: UInt32(packed >> 32))
        let meanSquare = Float(bitPattern: UInt32(packed & 0xFFFF_FFFF))
        return (Decibels.gainDB(fromLinear: peak), Decibels.gainDB(fromLinear: meanSquare.squareRoot()))
    }
}

// Each command packed into the one 64-bit word its atomic holds.

extension EngineControls.GainCommand {
    init(rawValue: UInt64) {
        self.init(gain: Float(bitPattern: UInt32(truncatingIfNeeded: rawValue)), jumps: UInt32(truncatingIfNeeded: rawValue >> 32))
    }

    var rawValue: UInt64 { UInt64(jumps) << 32 | UInt64(gain.bitPattern) }
}

extension EngineControls.GateCommand {
    init(rawValue: UInt64) {
        self.init(
            gate: EngineControls.OutputGate(rawValue: UInt8(truncatingIfNeeded: rawValue >> 32)) ?? .passing,
            lookBackFrames: Int(UInt32(truncatingIfNeeded: rawValue)),
            number: UInt32(truncatingIfNeeded: rawValue >> 40))
    }

    var rawValue: UInt64 {
        UInt64(number & 0xFF_FFFF) << 40 | UInt64(gate.rawValue) << 32 | UInt64(UInt32(clamping: lookBackFrames))
    }
}

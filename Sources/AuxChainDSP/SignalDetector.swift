/// A change in whether the Echo is sounding.
public enum SignalTransition: Sendable, Equatable, Hashable {
    /// The level stayed at or above the on threshold for the attack time.
    case on
    /// The level stayed below the off threshold for the hold time.
    case off
}

/// Decides whether a signal is present, with hysteresis so that quiet passages, pauses and
/// track skips do not flip it.
///
/// The level is the peak magnitude over all channels in blocks of ``blockFrames`` frames (1 ms
/// at 48 kHz by default), counted across calls, so timing does not depend on the period size.
/// - Off → on: blocks at or above the on threshold add up to ``attackFrames``. A block below
///   the off threshold starts the count again; a block between the thresholds pauses it.
/// - On → off: consecutive blocks below the off threshold add up to ``holdFrames``; any
///   block at or above the off threshold starts that count again.
///
/// Times round up to whole blocks, and a block counts as loud if any of its frames is, so an
/// onset is reported between one block before and exactly ``attackFrames`` after its first
/// loud frame, and a release between ``holdFrames`` and one block more after its last one.
public struct SignalDetector: Sendable {
    public let onThresholdDBFS: Float
    public let offThresholdDBFS: Float
    public let attackFrames: Int
    public let holdFrames: Int
    public let blockFrames: Int
    public private(set) var isSignalPresent: Bool

    private let onLevel: Float
    private let offLevel: Float
    private var blockPeak: Float = 0
    private var framesInBlock = 0
    private var loudFrames = 0
    private var quietFrames = 0

    public init(
        onThresholdDBFS: Float, offThresholdDBFS: Float, attackFrames: Int, holdFrames: Int,
        blockFrames: Int = 48, signalPresent: Bool = false
    ) {
        precondition(offThresholdDBFS <= onThresholdDBFS, "SignalDetector: the off threshold must not be above the on threshold")
        precondition(attackFrames >= 0 && holdFrames >= 0, "SignalDetector: attack and hold must not be negative")
        precondition(blockFrames > 0, "SignalDetector: blockFrames must be positive")
        self.onThresholdDBFS = onThresholdDBFS
        self.offThresholdDBFS = offThresholdDBFS
        self.attackFrames = attackFrames
        self.holdFrames = holdFrames
        self.blockFrames = blockFrames
        isSignalPresent = signalPresent
        onLevel = Decibels.linearGain(fromDB: onThresholdDBFS)
        offLevel = Decibels.linearGain(fromDB: offThresholdDBFS)
    }

    /// Examines `frames` interleaved frames. Returns a transition when the state at the end
    /// differs from the state at the start.
    @_noLocks
    public mutating func process(_ buffer: UnsafePointer<Float>, frames: Int, channels: Int) -> SignalTransition? {
        let wasPresent = isSignalPresent
        var done = 0
        while done < frames {
            let run = min(frames &- done, framesLeftInBlock)
            let statistics = SampleStatistics.measuring(buffer + done &* channels, count: run &* channels, channels: channels)
            accumulate(peak: statistics.maximumPeak(), frames: run)
            done &+= run
        }
        guard isSignalPresent != wasPresent else { return nil }
        return isSignalPresent ? .on : .off
    }

    /// Frames until the current block ends.
    var framesLeftInBlock: Int {
        @_noLocks get { blockFrames &- framesInBlock }
    }

    /// Takes the peak magnitude of a run of `frames` frames that does not cross the end of the block.
    @_noLocks
    mutating func accumulate(peak: Float, frames: Int) {
        blockPeak = max(blockPeak, peak)
        framesInBlock &+= frames
        if framesInBlock == blockFrames {
            finishBlock()
        }
    }

    @_noLocks
    private mutating func finishBlock() {
        let peak = blockPeak
        blockPeak = 0
        framesInBlock = 0
        if isSignalPresent {
            if peak < offLevel {
                quietFrames &+= blockFrames
                if quietFrames >= holdFrames {
                    isSignalPresent = false
                    loudFrames = 0
                }
            } else {
                quietFrames = 0
            }
        } else if peak >= onLevel {
            loudFrames &+= blockFrames
            if loudFrames >= attackFrames {
                isSignalPresent = true
                quietFrames = 0
            }
        } else if peak < offLevel {
            loudFrames = 0
        }
    }
}

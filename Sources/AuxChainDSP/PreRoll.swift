/// Holds the audio that arrives while the speaker warms up, plays it from its
/// first sample once the speaker is on, then works the added delay off by
/// dropping quiet stretches. No frame at or above the quiet threshold is ever
/// dropped.
///
/// Every period passes through a ring, even when nothing is held, so that
/// ``hold(lookBackFrames:)`` can reach back over the periods the signal
/// detector needed before it noticed the onset.
///
/// Real-time safe: the ring is allocated in `init`; ``process(input:output:frames:)``
/// does not allocate, lock or call through existentials. Float32, interleaved.
///
/// Overflow: if warming outlasts the capacity, the oldest audio is kept and the
/// newest is dropped (counted in ``overflowFrames``). The first words of a reply
/// carry its sense, and a reply starting mid-sentence is worse than a gap
/// later on. Capacity is sized from the longest hold with margin, so this is a
/// fault to report, not a normal path.
public struct PreRoll: ~Copyable {
    public let channels: Int
    /// The most audio that can be held, in frames.
    public let capacityFrames: Int
    /// The largest `frames` a single ``process(input:output:frames:)`` call may pass.
    public let maxPeriodFrames: Int
    /// A frame is quiet when every channel's magnitude is below this (linear, 1.0 = full scale).
    public var quietThreshold: Float
    /// Quiet audio is dropped only in whole runs of this many frames (or the
    /// backlog's remainder), so the brief near-zero samples at a waveform's zero
    /// crossings inside speech are never cut out.
    public static let quietRunFrames = 32

    /// Frames written into the ring and frames taken out of it (played or dropped), since init.
    private var writtenFrames = 0
    private var readFrames = 0
    private let ringFrames: Int
    private let ring: UnsafeMutablePointer<Float>

    public private(set) var isHolding = false
    /// Quiet frames dropped to work off the backlog, since init.
    public private(set) var droppedFrames = 0
    /// Frames lost because a hold outlasted the capacity, since init.
    public private(set) var overflowFrames = 0

    /// - Parameters:
    ///   - capacityFrames: the most audio to hold, including the look-back.
    ///   - quietThresholdDBFS: the level below which a frame may be dropped (the
    ///     config's `power.off_threshold_dbfs`).
    public init(capacityFrames: Int, channels: Int, maxPeriodFrames: Int, quietThresholdDBFS: Double = -60) {
        precondition(capacityFrames > 0, "PreRoll: capacityFrames must be positive")
        precondition(channels > 0, "PreRoll: channels must be positive")
        precondition(maxPeriodFrames > 0, "PreRoll: maxPeriodFrames must be positive")
        self.capacityFrames = capacityFrames
        self.channels = channels
        self.maxPeriodFrames = maxPeriodFrames
        self.quietThreshold = Float(Decibels.linearGain(fromDB: quietThresholdDBFS))
        // Room for a full backlog plus the period written before it is read.
        ringFrames = capacityFrames + maxPeriodFrames
        ring = .allocate(capacity: ringFrames * channels)
        ring.initialize(repeating: 0, count: ringFrames * channels)
    }

    deinit {
        ring.deallocate()
    }

    /// Frames of delay the pre-roll adds right now: held, or released and not yet worked off.
    public var backlogFrames: Int {
        @_noLocks get { writtenFrames &- readFrames }
    }

    /// Start holding: output silence and keep the input. The held audio begins
    /// up to `lookBackFrames` before the next period (audio already passed,
    /// which the closed gate kept silent); audio not yet played stays in.
    public mutating func hold(lookBackFrames: Int = 0) {
        precondition(lookBackFrames >= 0, "PreRoll: lookBackFrames must not be negative")
        guard !isHolding else { return }
        isHolding = true
        let reach = min(lookBackFrames, capacityFrames, writtenFrames)
        readFrames = min(readFrames, writtenFrames - reach)
    }

    /// Play the held audio from its first sample.
    @_noLocks
    public mutating func release() {
        isHolding = false
    }

    /// Drop the held audio unplayed and go back to passing audio straight through.
    @_noLocks
    public mutating func discard() {
        isHolding = false
        readFrames = writtenFrames
    }

    /// Takes one period of input and gives one period of output (silence while
    /// holding, otherwise the delayed stream with quiet runs dropped while a
    /// backlog remains). `input` and `output` may be the same buffer.
    @_noLocks
    public mutating func process(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, frames: Int) {
        precondition(frames >= 0 && frames <= maxPeriodFrames, "PreRoll: more frames than maxPeriodFrames")
        if isHolding {
            let accepted = min(frames, capacityFrames - backlogFrames)
            write(input, frames: accepted)
            overflowFrames &+= frames - accepted
            output.update(repeating: 0, count: frames * channels)
            return
        }
        write(input, frames: frames)
        if backlogFrames == frames, input == UnsafePointer(output) {
            // Nothing delayed (the usual case): the period in place is already what plays.
            readFrames &+= frames
            return
        }
        var outputFrames = 0
        while outputFrames < frames {
            let needed = frames - outputFrames
            let excess = backlogFrames - needed
            let run = min(Self.quietRunFrames, backlogFrames)
            if excess > 0 && isQuiet(from: readFrames, frames: run) {
                let dropped = min(run, excess)
                readFrames &+= dropped
                droppedFrames &+= dropped
            } else {
                let copied = excess > 0 ? min(needed, run) : needed
                read(into: output + outputFrames * channels, frames: copied)
                outputFrames &+= copied
            }
        }
    }

    @_noLocks
    private mutating func write(_ input: UnsafePointer<Float>, frames: Int) {
        var done = 0
        while done < frames {
            let slot = (writtenFrames &+ done) % ringFrames
            let count = min(frames - done, ringFrames - slot)
            copySamples(from: input + done * channels, to: ring + slot * channels, count: count * channels)
            done &+= count
        }
        writtenFrames &+= frames
    }

    @_noLocks
    private mutating func read(into output: UnsafeMutablePointer<Float>, frames: Int) {
        var done = 0
        while done < frames {
            let slot = (readFrames &+ done) % ringFrames
            let count = min(frames - done, ringFrames - slot)
            copySamples(from: ring + slot * channels, to: output + done * channels, count: count * channels)
            done &+= count
        }
        readFrames &+= frames
    }

    @_noLocks
    private func copySamples(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        // A raw byte copy: the generic typed copy is not proven allocation-free.
        UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * MemoryLayout<Float>.stride)
    }

    @_noLocks
    private func isQuiet(from start: Int, frames: Int) -> Bool {
        var done = 0
        while done < frames {
            let slot = (start &+ done) % ringFrames
            let count = min(frames - done, ringFrames - slot)
            let samples = ring + slot * channels
            for index in 0..<(count * channels) where abs(samples[index]) >= quietThreshold {
                return false
            }
            done &+= count
        }
        return true
    }
}

// One owner at a time (the type cannot be copied), so handing it to the audio thread is safe.
extension PreRoll: @unchecked Sendable {}

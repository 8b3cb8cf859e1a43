/// A linear gain that moves to a new target by per-sample interpolation, never by a step.
///
/// The ramp is linear in amplitude over ``rampFrames`` frames from wherever the gain is when
/// the target is set, so a retarget in mid-ramp continues from the current gain: the
/// sample-to-sample change is at most |target − current| / ``rampFrames``. Linear amplitude
/// reaches silence exactly (a dB-linear ramp never does) and costs one multiply-add per frame.
public struct GainRamp: Sendable {
    /// The gain applied to the last frame processed.
    public private(set) var currentGain: Float
    /// The gain the ramp is heading to (or holds, once there).
    public private(set) var targetGain: Float
    /// Frames the next ramp takes; a change affects the next ``setTarget(_:)``, not a ramp underway.
    public var rampFrames: Int {
        didSet { precondition(rampFrames > 0, "GainRamp: rampFrames must be positive") }
    }
    private var stepPerFrame: Float = 0
    private var framesRemaining = 0

    public init(initialGain: Float, rampFrames: Int) {
        precondition(rampFrames > 0, "GainRamp: rampFrames must be positive")
        precondition(initialGain >= 0 && initialGain.isFinite, "GainRamp: the gain must be finite and not negative")
        currentGain = initialGain
        targetGain = initialGain
        self.rampFrames = rampFrames
    }

    public var isRamping: Bool {
        @_noLocks get { framesRemaining > 0 }
    }

    /// Starts a ramp from the current gain to `linearGain` (not negative; NaN is ignored).
    @_noLocks
    public mutating func setTarget(_ linearGain: Float) {
        guard linearGain >= 0, linearGain.isFinite, linearGain != targetGain else { return }
        targetGain = linearGain
        if linearGain == currentGain {
            framesRemaining = 0
        } else {
            framesRemaining = rampFrames
            stepPerFrame = (linearGain - currentGain) / Float(rampFrames)
        }
    }

    /// Sets the gain at once, from the next frame. Only for compensating an analogue attenuator
    /// switching at this very moment (see `VolumeTransition`), where the total gain stays level.
    @_noLocks
    public mutating func jump(to linearGain: Float) {
        guard linearGain >= 0, linearGain.isFinite else { return }
        currentGain = linearGain
        targetGain = linearGain
        framesRemaining = 0
    }

    /// Applies the gain to `frames` interleaved frames in place.
    @_noLocks
    public mutating func process(_ buffer: UnsafeMutablePointer<Float>, frames: Int, channels: Int) {
        let segment = advance(frames: frames)
        for frame in 0..<min(segment.rampFrames, frames) {
            let gain = segment.gain(atFrame: frame)
            let samples = buffer + frame &* channels
            for channel in 0..<channels {
                samples[channel] *= gain
            }
        }
        let restingGain = segment.restingGain
        if restingGain != 1 {
            let first = min(segment.rampFrames, frames) &* channels
            for index in first..<(frames &* channels) {
                buffer[index] *= restingGain
            }
        }
    }

    /// Moves the ramp on by `frames` frames and returns the gains those frames get, so the
    /// encoder can apply them while converting (one pass over the samples instead of two).
    @_noLocks
    mutating func advance(frames: Int) -> GainSegment {
        guard framesRemaining > 0 else { return GainSegment(resting: currentGain) }
        let ramped = min(frames, framesRemaining)
        let segment = GainSegment(start: currentGain, step: stepPerFrame, rampFrames: ramped, restingGain: targetGain)
        framesRemaining &-= ramped
        // Landing exactly on the target keeps unity gain exact (and bit-exact downstream).
        currentGain = framesRemaining == 0 ? targetGain : segment.gain(atFrame: ramped &- 1)
        return segment
    }
}

/// The gains of one run of frames: `start + step·(f + 1)` for frame `f` below `rampFrames`,
/// then `restingGain`. Scaling by a power of two (the encoders fold their full-scale factor in)
/// scales every gain exactly, so the fused and the separate paths give identical samples.
struct GainSegment: Sendable, Equatable {
    var start: Float
    var step: Float
    var rampFrames: Int
    var restingGain: Float

    @_noLocks
    init(start: Float, step: Float, rampFrames: Int, restingGain: Float) {
        self.start = start
        self.step = step
        self.rampFrames = rampFrames
        self.restingGain = restingGain
    }

    @_noLocks
    init(resting gain: Float) {
        self.init(start: gain, step: 0, rampFrames: 0, restingGain: gain)
    }

    @_noLocks
    @inline(__always)
    func gain(atFrame frame: Int) -> Float {
        frame < rampFrames ? rampingGain(atFrame: Int32(truncatingIfNeeded: frame)) : restingGain
    }

    /// The gain of a frame below `rampFrames`. The frame is an Int32 so loops over it vectorise
    /// (x86-64 has no vector conversion from Int64 to Float); a period is far shorter than 2³¹ frames.
    @_noLocks
    @inline(__always)
    func rampingGain(atFrame frame: Int32) -> Float {
        start + step * Float(frame &+ 1)
    }

    @_noLocks
    @inline(__always)
    func scaled(by powerOfTwo: Float) -> GainSegment {
        GainSegment(start: start * powerOfTwo, step: step * powerOfTwo, rampFrames: rampFrames, restingGain: restingGain * powerOfTwo)
    }
}

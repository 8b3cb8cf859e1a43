/// A linear gain that moves to a new target by per-sample interpolation, never by a step.
///
/// The ramp is linear in amplitude over ``rampFrames`` frames from wherever the gain is when
/// the target is set, so a retarget in mid-ramp continues from the current gain: the
/// sample-to-sample change is at most |target − current| / ``rampFrames``, and the ramp's last
/// frame is exactly the target. Linear amplitude reaches silence exactly (a dB-linear ramp never
/// does) and costs one multiply-add per frame.
public struct GainRamp: Sendable {
    /// The gain applied to the last frame processed.
    public private(set) var currentGain: Float
    /// The gain the ramp is heading to (or holds, once there).
    public private(set) var targetGain: Float
    /// Frames the next ramp takes; a change affects the next ``setTarget(_:)``, not a ramp underway.
    public var rampFrames: Int {
        didSet { precondition(rampFrames > 0, "GainRamp: rampFrames must be positive") }
    }
    // The ramp underway: frame k of it (1…length) gets origin + step·k, and the last exactly the
    // target. Gains are computed from the origin, not accumulated, so rounding never adds up
    // and no frame passes the target.
    private var origin: Float
    private var stepPerFrame: Float = 0
    private var length = 0
    private var framesDone = 0

    public init(initialGain: Float, rampFrames: Int) {
        precondition(rampFrames > 0, "GainRamp: rampFrames must be positive")
        precondition(initialGain >= 0 && initialGain.isFinite, "GainRamp: the gain must be finite and not negative")
        currentGain = initialGain
        targetGain = initialGain
        origin = initialGain
        self.rampFrames = rampFrames
    }

    public var isRamping: Bool {
        @_noLocks get { framesDone < length }
    }

    /// Starts a ramp from the current gain to `linearGain` (not negative; NaN is ignored).
    @_noLocks
    public mutating func setTarget(_ linearGain: Float) {
        guard linearGain >= 0, linearGain.isFinite, linearGain != targetGain else { return }
        targetGain = linearGain
        origin = currentGain
        framesDone = 0
        length = linearGain == currentGain ? 0 : rampFrames
        stepPerFrame = (linearGain - currentGain) / Float(rampFrames)
    }

    /// Sets the gain at once, from the next frame. Only for compensating an analogue attenuator
    /// switching at this very moment (see `VolumeTransition`), where the total gain stays level.
    @_noLocks
    public mutating func jump(to linearGain: Float) {
        guard linearGain >= 0, linearGain.isFinite else { return }
        currentGain = linearGain
        targetGain = linearGain
        origin = linearGain
        framesDone = 0
        length = 0
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
        guard framesDone < length else { return GainSegment(resting: currentGain) }
        // The ramp's last frame is the target itself, so it belongs to the resting part.
        let interpolated = min(frames, length &- 1 &- framesDone)
        let segment = GainSegment(
            start: origin, step: stepPerFrame, firstFrame: Int32(truncatingIfNeeded: framesDone),
            rampFrames: interpolated, restingGain: targetGain)
        framesDone = min(framesDone &+ frames, length)
        currentGain = framesDone == length ? targetGain : origin + stepPerFrame * Float(Int32(truncatingIfNeeded: framesDone))
        return segment
    }
}

/// The gains of one run of frames: `start + step·(firstFrame + f + 1)` for frame `f` below
/// `rampFrames`, then `restingGain`. Scaling by a power of two (the encoders fold their full-scale
/// factor in) scales every gain exactly, so the fused and the separate paths give identical samples.
struct GainSegment: Sendable, Equatable {
    var start: Float
    var step: Float
    /// Frames of the ramp already played before this run.
    var firstFrame: Int32
    var rampFrames: Int
    var restingGain: Float

    @_noLocks
    init(start: Float, step: Float, firstFrame: Int32, rampFrames: Int, restingGain: Float) {
        self.start = start
        self.step = step
        self.firstFrame = firstFrame
        self.rampFrames = rampFrames
        self.restingGain = restingGain
    }

    @_noLocks
    init(resting gain: Float) {
        self.init(start: gain, step: 0, firstFrame: 0, rampFrames: 0, restingGain: gain)
    }

    @_noLocks
    @inline(__always)
    func gain(atFrame frame: Int) -> Float {
        frame < rampFrames ? rampingGain(atFrame: Int32(truncatingIfNeeded: frame)) : restingGain
    }

    /// The gain of a frame below `rampFrames`. The frame is an Int32 so loops over it vectorise
    /// (x86-64 has no vector conversion from Int64 to Float); a ramp is far shorter than 2³¹ frames.
    @_noLocks
    @inline(__always)
    func rampingGain(atFrame frame: Int32) -> Float {
        start + step * Float(firstFrame &+ frame &+ 1)
    }

    @_noLocks
    @inline(__always)
    func scaled(by powerOfTwo: Float) -> GainSegment {
        GainSegment(
            start: start * powerOfTwo, step: step * powerOfTwo, firstFrame: firstFrame,
            rampFrames: rampFrames, restingGain: restingGain * powerOfTwo)
    }
}

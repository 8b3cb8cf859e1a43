/// Keeps the frames between capture and playback at the level the prefill set, when the two
/// devices run on different clocks (a USB line-in and a DAC HAT always do).
///
/// Without it, a capture clock 50 ppm fast adds 2.4 frames a second to the playback buffer until
/// it overflows, and one 50 ppm slow drains it until it underruns: an xrun, a dropout and a
/// click every minute or two. The corrector measures the drift and asks for one frame more or
/// one frame fewer in a period (``ProcessingChain`` stretches that period by one frame), at the
/// rate the clocks drift apart, so the buffer stays put and no xrun comes.
///
/// **The measurement.** After each period's write the engine reports the frames in flight: the
/// capture frames ready to read plus the playback delay. Capture's count grows by the capture
/// clock and playback's shrinks by the playback clock, so at equal rates the sum does not depend
/// on when it is taken; only the drift moves it. A few periods after a (re)start it is averaged
/// for ``baselineSeconds`` into the level to hold; from then on an exponential average (time
/// constant ``averagingSeconds``) follows it, smoothing the devices' pointer steps (a USB packet,
/// or a timer tick on snd-aloop). The corrections made so far are taken out of each sample, so
/// the average measures the drift alone, however the corrections fall in time.
///
/// **The correction.** The wanted total correction is minus the drift, rounded; it moves only when
/// the drift has moved ``hysteresisFrames`` away from it, so pointer noise does not toggle frames
/// in and out. Each period makes at most one frame of correction, far above any real drift
/// (a 128-frame period at 48 kHz could correct 7 800 ppm).
///
/// A pure value: no I/O, no allocation, no clock of its own; time is counted in frames.
public struct ClockDriftCorrector: Sendable {
    /// Periods after a (re)start whose measurements are ignored: the streams settle into step.
    public static let settleSeconds = 0.25
    public static let baselineSeconds = 1.0
    public static let averagingSeconds = 1.0
    public static let hysteresisFrames = 2.0

    public let rate: Int
    private var framesSinceStart = 0
    private var baselineSum = 0.0
    private var baselineSamples = 0
    /// The frames in flight to hold; nil until the baseline is taken.
    private var target: Double?
    private var average = 0.0
    /// Net frames added to the output since the baseline (negative: removed).
    public private(set) var correctedFrames = 0
    /// The correction the drift asks for so far.
    private var wantedFrames = 0
    private var framesSinceBaseline = 0
    /// The drift measured over the runs before the last restart, and their length (frames), so
    /// the estimate survives the restarts an xrun brings.
    private var earlierDriftFrames = 0.0
    private var earlierElapsedFrames = 0.0

    public init(rate: Int) {
        precondition(rate > 0, "ClockDriftCorrector: rate must be positive")
        self.rate = rate
    }

    /// Starts over from a fresh prefill (the streams restarted), keeping only what the runs so
    /// far measured of the drift, for ``estimatedPPM``.
    public mutating func reset() {
        var next = ClockDriftCorrector(rate: rate)
        next.earlierDriftFrames = earlierDriftFrames
        next.earlierElapsedFrames = earlierElapsedFrames
        // A run shorter than that is mostly the average's lag: it measures little.
        if let current = currentDrift, current.elapsed >= 2 * Double(rate) {
            next.earlierDriftFrames += current.drift
            next.earlierElapsedFrames += current.elapsed
        }
        self = next
    }

    /// The drift since the baseline, and the frames it built up over. The average lags the
    /// drift by its time constant and the baseline stands for its middle, so the drift it holds
    /// is that many frames old.
    private var currentDrift: (drift: Double, elapsed: Double)? {
        guard let target else { return nil }
        let elapsed = Double(framesSinceBaseline) - (Self.averagingSeconds - Self.baselineSeconds / 2) * Double(rate)
        return elapsed > 0 ? (average - target, elapsed) : nil
    }

    /// True once the baseline is taken and corrections may follow.
    public var isTracking: Bool { target != nil }

    /// Capture's clock against playback's, in parts per million (positive: capture runs fast),
    /// over this run and those before the restarts; nil until they add up to 10 s.
    public var estimatedPPM: Double? {
        let current = currentDrift ?? (0, 0)
        let elapsed = earlierElapsedFrames + current.elapsed
        guard elapsed >= 10 * Double(rate) else { return nil }
        return (earlierDriftFrames + current.drift) / elapsed * 1_000_000
    }

    /// Takes the frames in flight after a period of `frames` frames was written, and returns the
    /// frames to add to (+1) or take from (−1) the next period's output, or 0.
    @_noLocks
    public mutating func record(inFlightFrames: Int, periodFrames frames: Int) -> Int {
        framesSinceStart &+= frames
        let sample = Double(inFlightFrames &- correctedFrames)
        guard let target else {
            if Double(framesSinceStart) > Self.settleSeconds * Double(rate) {
                baselineSum += sample
                baselineSamples &+= 1
                if Double(framesSinceStart) >= (Self.settleSeconds + Self.baselineSeconds) * Double(rate) {
                    let level = baselineSum / Double(baselineSamples)
                    self.target = level
                    average = level
                }
            }
            return 0
        }
        framesSinceBaseline &+= frames
        let weight = min(1, Double(frames) / (Self.averagingSeconds * Double(rate)))
        average += (sample - average) * weight
        let wanted = -(average - target)
        if abs(wanted - Double(wantedFrames)) >= Self.hysteresisFrames {
            // Rounded half away from zero, without `rounded()`, whose rule type the checker refuses.
            wantedFrames = Int(wanted < 0 ? wanted - 0.5 : wanted + 0.5)
        }
        let step = wantedFrames > correctedFrames ? 1 : (wantedFrames < correctedFrames ? -1 : 0)
        correctedFrames &+= step
        return step
    }
}

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
    /// How long after a (re)start the measurements are ignored, while the streams settle into step.
    public static let settleSeconds = 0.25
    public static let baselineSeconds = 1.0
    public static let averagingSeconds = 1.0
    public static let hysteresisFrames = 2.0

    public let rate: Int
    private var framesSinceStart = 0
    /// The frames in flight to hold; nil until the baseline is taken.
    private var target: Double?
    private var average = 0.0
    /// Net frames added to the output since the baseline (negative: removed).
    public private(set) var correctedFrames = 0
    /// The correction the drift asks for so far.
    private var wantedFrames = 0
    /// The uncorrected level against time since the settling, for ``estimatedPPM``: this run's
    /// sums, and the co-variations of the runs before the restarts an xrun brings.
    private var run = DriftRegression()
    private var earlierCovariation = 0.0
    private var earlierVariation = 0.0
    private var earlierFrames = 0.0

    public init(rate: Int) {
        precondition(rate > 0, "ClockDriftCorrector: rate must be positive")
        self.rate = rate
    }

    /// Starts over from a fresh prefill (the streams restarted), keeping only what the runs so
    /// far measured of the drift, for ``estimatedPPM``.
    public mutating func reset() {
        var next = ClockDriftCorrector(rate: rate)
        next.earlierCovariation = earlierCovariation + run.covariation
        next.earlierVariation = earlierVariation + run.variation
        next.earlierFrames = earlierFrames + run.spanFrames
        self = next
    }

    /// True once the baseline is taken and corrections may follow.
    public var isTracking: Bool { target != nil }

    /// Capture's clock against playback's, in parts per million (positive: capture runs fast);
    /// nil until the runs measured add up to 10 s. The slope of the uncorrected level against
    /// time, fitted within each run (its own intercept: a restart sets the level anew) and pooled
    /// over the runs, so runs between xruns count however short they are.
    public var estimatedPPM: Double? {
        let variation = earlierVariation + run.variation
        guard earlierFrames + run.spanFrames >= 10 * Double(rate), variation > 0 else { return nil }
        return (earlierCovariation + run.covariation) / variation * 1_000_000
    }

    /// Takes the frames in flight after a period of `frames` frames was written, and returns the
    /// frames to add to (+1) or take from (−1) the next period's output, or 0.
    @_noLocks
    public mutating func record(inFlightFrames: Int, periodFrames frames: Int) -> Int {
        framesSinceStart &+= frames
        let sample = Double(inFlightFrames &- correctedFrames)
        let settled = Double(framesSinceStart) - Self.settleSeconds * Double(rate)
        guard settled > 0 else { return 0 }
        run.add(time: settled, level: sample)
        guard let target else {
            // Nothing is corrected before the baseline, so the run so far is the baseline.
            if settled >= Self.baselineSeconds * Double(rate) {
                self.target = run.meanLevel
                average = run.meanLevel
            }
            return 0
        }
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

/// Running sums for a straight line through (time, level) points, both in frames.
struct DriftRegression: Sendable {
    private var count = 0.0
    private var sumTime = 0.0
    private var sumLevel = 0.0
    private var sumTimeSquared = 0.0
    private var sumTimeLevel = 0.0
    private var lastTime = 0.0

    @_noLocks
    mutating func add(time: Double, level: Double) {
        count += 1
        sumTime += time
        sumLevel += level
        sumTimeSquared += time * time
        sumTimeLevel += time * level
        lastTime = time
    }

    var meanLevel: Double { count > 0 ? sumLevel / count : 0 }
    /// Σ(t − t̄)(s − s̄): the slope's numerator.
    var covariation: Double { count > 1 ? sumTimeLevel - sumTime * sumLevel / count : 0 }
    /// Σ(t − t̄)²: the slope's denominator.
    var variation: Double { count > 1 ? sumTimeSquared - sumTime * sumTime / count : 0 }
    var spanFrames: Double { count > 1 ? lastTime : 0 }
}

/// Per-channel peak and RMS over one meter window, and the clipped samples in it.
///
/// A plain value of fixed size, so the audio thread can hand it over without allocating.
public struct LevelReading: Sendable, Equatable {
    /// The most channels a meter measures.
    public static let maximumChannels = 8

    public let channels: Int
    /// Frames the window spans.
    public let frames: Int
    /// Samples at or beyond the input format's full scale in the window.
    public let clippedSamples: Int
    /// Linear peak magnitude per channel (lanes past `channels` are 0).
    public let peak: SIMD8<Float>
    /// Mean of the squared samples per channel (lanes past `channels` are 0); the square root
    /// is left to the reader, off the audio thread.
    public let meanSquare: SIMD8<Float>

    public init(channels: Int, frames: Int, clippedSamples: Int, peak: SIMD8<Float>, meanSquare: SIMD8<Float>) {
        precondition(channels > 0 && channels <= Self.maximumChannels, "LevelReading: 1 to 8 channels")
        self.channels = channels
        self.frames = frames
        self.clippedSamples = clippedSamples
        self.peak = peak
        self.meanSquare = meanSquare
    }

    /// The channel's peak in dBFS (−∞ for digital silence).
    public func peakDBFS(channel: Int) -> Float { Decibels.gainDB(fromLinear: peak[channel]) }

    /// The channel's RMS in dBFS, where a full-scale square wave reads 0 and a full-scale sine −3.01.
    public func rmsDBFS(channel: Int) -> Float { Decibels.gainDB(fromLinear: meanSquare[channel].squareRoot()) }

    /// The loudest channel's peak in dBFS.
    public var maximumPeakDBFS: Float { Decibels.gainDB(fromLinear: peak.max()) }
}

/// Measures peak and RMS per channel over consecutive windows of a fixed length.
///
/// The readings are what a person sees (`auxchain status`) and what the advisor uses to tell
/// whether the capture gain is right; clipping counts samples at the input format's full scale,
/// the mark of a capture gain set too high.
public struct LevelMeter: Sendable {
    public let channels: Int
    public let windowFrames: Int
    /// Magnitude at or above which a sample counts as clipped.
    public let clipLevel: Float

    private var framesInWindow = 0
    /// Per SIMD lane (see `SampleStatistics`); folded to channels when a window ends.
    private var lanePeak = SIMD8<Float>()
    private var laneSquares = SIMD8<Double>()
    /// Squares not yet moved to Double: summing a few hundred frames in Float first keeps the
    /// per-run cost at two vector adds without losing precision that matters for a meter.
    private var pendingSquares = SIMD8<Float>()
    private var pendingFrames = 0
    private var clippedInWindow = 0

    /// - Parameter clipLevel: use the input format's ``SampleEncoding/largestPositiveSample``.
    public init(channels: Int, windowFrames: Int, clipLevel: Float = 1.0) {
        precondition(channels > 0 && channels <= LevelReading.maximumChannels, "LevelMeter: 1 to 8 channels")
        precondition(windowFrames > 0, "LevelMeter: windowFrames must be positive")
        self.channels = channels
        self.windowFrames = windowFrames
        self.clipLevel = clipLevel
    }

    /// Measures `frames` interleaved frames. Returns the reading of a window that ended in them
    /// (the last one, should several end), and counts the clipped samples among them.
    @_noLocks
    public mutating func process(_ buffer: UnsafePointer<Float>, frames: Int) -> (reading: LevelReading?, clippedSamples: Int) {
        var reading: LevelReading?
        var clipped = 0
        var done = 0
        while done < frames {
            let run = min(frames &- done, framesLeftInWindow)
            let samples = buffer + done &* channels
            let statistics = SampleStatistics.measuring(samples, count: run &* channels, channels: channels)
            let measured = accumulate(statistics, peak: statistics.maximumPeak(), frames: run, samples: samples)
            if let completed = measured.reading { reading = completed }
            clipped &+= measured.clippedSamples
            done &+= run
        }
        return (reading, clipped)
    }

    /// Frames until the current window ends.
    var framesLeftInWindow: Int {
        @_noLocks get { windowFrames &- framesInWindow }
    }

    /// Takes the statistics of a run of `frames` frames (`samples`, starting on a frame boundary)
    /// that does not cross the end of the window; `peak` is `statistics.maximumPeak()`.
    @_noLocks
    @inline(__always)
    mutating func accumulate(
        _ statistics: SampleStatistics, peak: Float, frames: Int, samples: UnsafePointer<Float>
    ) -> (reading: LevelReading?, clippedSamples: Int) {
        lanePeak.replace(with: statistics.lanePeak, where: statistics.lanePeak .> lanePeak)
        pendingSquares += statistics.laneSquares
        pendingFrames &+= frames
        // Clipping is rare: count only in runs whose peak reaches the clip level.
        var clipped = 0
        if peak >= clipLevel {
            for index in 0..<(frames &* channels) where abs(samples[index]) >= clipLevel {
                clipped &+= 1
            }
        }
        clippedInWindow &+= clipped
        framesInWindow &+= frames
        if framesInWindow == windowFrames {
            return (finishWindow(), clipped)
        }
        if pendingFrames >= Self.pendingFramesLimit {
            movePendingSquares()
        }
        return (nil, clipped)
    }

    @inline(__always) private static var pendingFramesLimit: Int { 1024 }

    @_noLocks
    private mutating func movePendingSquares() {
        for lane in 0..<8 {
            laneSquares[lane] += Double(pendingSquares[lane])
        }
        pendingSquares = SIMD8()
        pendingFrames = 0
    }

    @_noLocks
    private mutating func finishWindow() -> LevelReading {
        movePendingSquares()
        var peak = SIMD8<Float>()
        var sumOfSquares = SIMD8<Double>()
        for lane in 0..<8 {
            let channel = lane % channels
            peak[channel] = max(peak[channel], lanePeak[lane])
            sumOfSquares[channel] += laneSquares[lane]
        }
        var meanSquare = SIMD8<Float>()
        for channel in 0..<channels {
            meanSquare[channel] = Float(sumOfSquares[channel] / Double(windowFrames))
        }
        let reading = LevelReading(
            channels: channels, frames: windowFrames, clippedSamples: clippedInWindow, peak: peak, meanSquare: meanSquare)
        framesInWindow = 0
        lanePeak = SIMD8()
        laneSquares = SIMD8()
        clippedInWindow = 0
        return reading
    }
}

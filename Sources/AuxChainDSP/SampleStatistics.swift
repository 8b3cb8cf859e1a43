/// Peak magnitude and sum of squares of a run of interleaved samples, kept per SIMD lane.
///
/// This is what the level meter and the signal detector need from the samples; the chain
/// gathers it while decoding, so the audio is read once. When the channel count divides 8, a
/// run starting on a frame boundary gives lane `l` only channel `l % channels`, so lanes fold
/// back to channels exactly; for other counts lane `c` holds channel `c`. Squares sum in Float
/// over one run (at most a detector block), plenty for a meter, which carries them on in Double.
struct SampleStatistics: Sendable {
    var lanePeak: SIMD8<Float>
    var laneSquares: SIMD8<Float>

    @_noLocks
    init() {
        lanePeak = SIMD8()
        laneSquares = SIMD8()
    }

    @_noLocks
    @inline(__always)
    mutating func add(_ samples: SIMD8<Float>) {
        // |x| by clearing the sign bit: one AND, where `abs` would not vectorise.
        let magnitude = unsafeBitCast(unsafeBitCast(samples, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
        lanePeak.replace(with: magnitude, where: magnitude .> lanePeak)
        laneSquares += samples * samples
    }

    @_noLocks
    @inline(__always)
    mutating func add(_ sample: Float, lane: Int) {
        lanePeak[lane] = max(lanePeak[lane], abs(sample))
        laneSquares[lane] += sample * sample
    }

    /// The lane that holds sample `index` of a run (see the type's description).
    @_noLocks
    @inline(__always)
    static func lane(ofSample index: Int, channels: Int) -> Int {
        lanesFollowChannels(channels) ? index & 7 : index % channels
    }

    /// True when the channel count divides 8 (1, 2, 4 or 8), tested without a division.
    @_noLocks
    @inline(__always)
    static func lanesFollowChannels(_ channels: Int) -> Bool {
        channels <= 8 && channels & (channels &- 1) == 0
    }

    /// The largest magnitude over all lanes.
    @_noLocks
    @inline(__always)
    func maximumPeak() -> Float {
        let lanes = lanePeak
        return max(
            max(max(lanes[0], lanes[4]), max(lanes[1], lanes[5])),
            max(max(lanes[2], lanes[6]), max(lanes[3], lanes[7])))
    }

    /// The statistics of `count` samples already in Float.
    @_noLocks
    @inline(__always)
    static func measuring(_ samples: UnsafePointer<Float>, count: Int, channels: Int) -> SampleStatistics {
        var statistics = SampleStatistics()
        var done = 0
        if lanesFollowChannels(channels) {
            let raw = UnsafeRawPointer(samples)
            let groups = count / 8
            for group in 0..<groups {
                statistics.add(raw.loadUnaligned(fromByteOffset: group &* 32, as: SIMD8<Float>.self))
            }
            done = groups &* 8
        }
        for index in done..<count {
            statistics.add(samples[index], lane: lane(ofSample: index, channels: channels))
        }
        return statistics
    }
}

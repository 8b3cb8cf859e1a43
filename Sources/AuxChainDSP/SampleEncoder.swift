/// Turns Float32 samples (full scale ±1.0) into interleaved device samples, clipping at
/// full scale and rounding to the nearest integer (ties to even). S32 clips at 2³¹ − 128, the
/// loudest sample a Float below 1.0 can give; the 7 bits beyond are below Float's precision.
///
/// Decoding and then encoding is bit-exact for S16, S24 (both containers) and FLOAT: the scale
/// factors are powers of two and Float holds 24 bits. S32 is exact only through the chain's
/// unity pass-through (see ``ProcessingChain``), because Float holds 24 of its 32 bits.
///
/// Rounding adds 1.5·2²³ so the FPU's own round-to-nearest leaves the integer in the low
/// mantissa bits, instead of `Int32(_:)`, whose range trap keeps a loop from vectorising.
/// That reaches ±2²²: enough for S16 at once; 24- and 32-bit samples round in two halves
/// (the top bits, then the residual times 2¹⁵), which gives the same integer.
public struct SampleEncoder: Sendable {
    public let encoding: SampleEncoding
    public let channels: Int
    private var noise: TPDFNoise

    /// - Parameter ditherSeed: seeds the dither generator, so a run can be repeated exactly.
    public init(encoding: SampleEncoding, channels: Int, ditherSeed: UInt32 = 0x5EED) {
        precondition(channels > 0 && channels <= TPDFNoise.chunkSamples, "SampleEncoder: 1 to 64 channels")
        self.encoding = encoding
        self.channels = channels
        noise = TPDFNoise(seed: ditherSeed)
    }

    /// Encodes `frames` frames from `source` into `destination`.
    ///
    /// - Parameter dither: add TPDF dither of ±1 LSB before rounding. Only S16 uses it: for
    ///   24- and 32-bit outputs the rounding error is far below any DAC's own noise.
    @_noLocks
    public mutating func encode(_ source: UnsafePointer<Float>, frames: Int, into destination: UnsafeMutableRawPointer, dither: Bool) {
        if dither, case .s16 = encoding {
            encodeDitheredS16(source, frames: frames, into: destination, gain: GainSegment(resting: S16Store.scale))
        } else {
            encode(source, frames: frames, into: destination, noise: nil, gain: GainSegment(resting: 1))
        }
    }

    /// Applies `gain` while encoding, so the samples are read once; the chain's path. With
    /// `noise` (from ``fillDither(_:samples:)``, one value per sample) the output is dithered.
    @_noLocks
    mutating func encode(
        _ source: UnsafePointer<Float>, frames: Int, into destination: UnsafeMutableRawPointer,
        noise: UnsafePointer<Float>?, gain: GainSegment
    ) {
        switch encoding {
        case .s16:
            apply(gain.scaled(by: S16Store.scale), to: source, frames: 0..<frames, into: destination, noise: noise, as: S16Store.self)
        case .s24:
            apply(gain.scaled(by: S24Store.scale), to: source, frames: 0..<frames, into: destination, noise: nil, as: S24Store.self)
        case .s24Packed:
            // Four-byte stores, each overwriting the spare byte of the one before, but for the
            // last frame, which must not write past the buffer.
            let scaled = gain.scaled(by: S24PackedStore.scale)
            let last = max(frames &- 1, 0)
            apply(scaled, to: source, frames: 0..<last, into: destination, noise: nil, as: S24PackedOverlappingStore.self)
            apply(scaled, to: source, frames: last..<frames, into: destination, noise: nil, as: S24PackedStore.self)
        case .s32:
            apply(gain.scaled(by: S32Store.scale), to: source, frames: 0..<frames, into: destination, noise: nil, as: S32Store.self)
        case .float32:
            apply(gain, to: source, frames: 0..<frames, into: destination, noise: nil, as: FloatStore.self)
        }
    }

    /// Writes the next `samples` dither values (LSB units) to `noise`, which must hold `samples`
    /// rounded up to a multiple of `TPDFNoise.samplesPerDraw`.
    @_noLocks
    mutating func fillDither(_ noise: UnsafeMutablePointer<Float>, samples: Int) {
        self.noise.fill(noise, count: samples)
    }

    /// The public path's dither: a chunk at a time into a stack buffer, so that neither the
    /// noise generator nor the encoding loop carries a dependency from sample to sample.
    @_noLocks
    private mutating func encodeDitheredS16(_ source: UnsafePointer<Float>, frames: Int, into destination: UnsafeMutableRawPointer, gain: GainSegment) {
        let chunkFrames = TPDFNoise.chunkSamples / channels
        var chunk = TPDFNoise.Chunk()
        var first = 0
        while first < frames {
            let last = min(first &+ chunkFrames, frames)
            withUnsafeMutableBytes(of: &chunk) { bytes in
                let noise = bytes.baseAddress!.assumingMemoryBound(to: Float.self)
                self.noise.fill(noise, count: (last &- first) &* channels)
                apply(gain, to: source, frames: first..<last, into: destination, noise: noise, as: S16Store.self)
            }
            first = last
        }
    }

    /// Multiplies each sample by its frame's gain, adds `noise` (indexed from the range's first
    /// sample) when there is some, and stores it.
    @inline(__always)
    private func apply<Store: SampleStore>(
        _ gain: GainSegment, to source: UnsafePointer<Float>, frames: Range<Int>, into destination: UnsafeMutableRawPointer,
        noise: UnsafePointer<Float>?, as store: Store.Type
    ) {
        let channels = self.channels
        let rampEnd = min(max(gain.rampFrames, frames.lowerBound), frames.upperBound)
        if let noise {
            let noiseOrigin = noise - frames.lowerBound &* channels
            applyRamp(gain, to: source, frames: frames.lowerBound..<rampEnd, into: destination, noise: noiseOrigin, as: store)
            applySteady(gain.restingGain, to: source, samples: (rampEnd &* channels)..<(frames.upperBound &* channels),
                        into: destination, noise: noiseOrigin, as: store)
        } else {
            applyRamp(gain, to: source, frames: frames.lowerBound..<rampEnd, into: destination, as: store)
            applySteady(gain.restingGain, to: source, samples: (rampEnd &* channels)..<(frames.upperBound &* channels),
                        into: destination, as: store)
        }
    }

    // The loops below are plain per-sample loops the optimiser vectorises; the variants with and
    // without noise are written out because a test inside the loop would stop that. Ramps run
    // over samples rather than frames where the channel count is a power of two, finding the
    // frame by a shift: interleaved samples then stay in order, with no shuffles.

    @inline(__always)
    private func applyRamp<Store: SampleStore>(
        _ gain: GainSegment, to source: UnsafePointer<Float>, frames: Range<Int>, into destination: UnsafeMutableRawPointer, as store: Store.Type
    ) {
        let channels = self.channels
        if channels & (channels &- 1) == 0 {
            let shift = Int32(truncatingIfNeeded: channels.trailingZeroBitCount)
            for sample in Int32(truncatingIfNeeded: frames.lowerBound &* channels)..<Int32(truncatingIfNeeded: frames.upperBound &* channels) {
                let index = Int(sample)
                Store.store(source[index] * gain.rampingGain(atFrame: sample &>> shift), into: destination, at: index)
            }
        } else {
            for frame in frames {
                let frameGain = gain.rampingGain(atFrame: Int32(truncatingIfNeeded: frame))
                for index in (frame &* channels)..<((frame &+ 1) &* channels) {
                    Store.store(source[index] * frameGain, into: destination, at: index)
                }
            }
        }
    }

    @inline(__always)
    private func applyRamp<Store: SampleStore>(
        _ gain: GainSegment, to source: UnsafePointer<Float>, frames: Range<Int>, into destination: UnsafeMutableRawPointer,
        noise: UnsafePointer<Float>, as store: Store.Type
    ) {
        let channels = self.channels
        if channels & (channels &- 1) == 0 {
            let shift = Int32(truncatingIfNeeded: channels.trailingZeroBitCount)
            for sample in Int32(truncatingIfNeeded: frames.lowerBound &* channels)..<Int32(truncatingIfNeeded: frames.upperBound &* channels) {
                let index = Int(sample)
                Store.store(source[index] * gain.rampingGain(atFrame: sample &>> shift) + noise[index], into: destination, at: index)
            }
        } else {
            for frame in frames {
                let frameGain = gain.rampingGain(atFrame: Int32(truncatingIfNeeded: frame))
                for index in (frame &* channels)..<((frame &+ 1) &* channels) {
                    Store.store(source[index] * frameGain + noise[index], into: destination, at: index)
                }
            }
        }
    }

    @inline(__always)
    private func applySteady<Store: SampleStore>(
        _ gain: Float, to source: UnsafePointer<Float>, samples: Range<Int>, into destination: UnsafeMutableRawPointer, as store: Store.Type
    ) {
        for index in samples {
            Store.store(source[index] * gain, into: destination, at: index)
        }
    }

    @inline(__always)
    private func applySteady<Store: SampleStore>(
        _ gain: Float, to source: UnsafePointer<Float>, samples: Range<Int>, into destination: UnsafeMutableRawPointer,
        noise: UnsafePointer<Float>, as store: Store.Type
    ) {
        for index in samples {
            Store.store(source[index] * gain + noise[index], into: destination, at: index)
        }
    }
}

/// Stores one sample, already multiplied by the gain and by ``scale``, in a device format.
private protocol SampleStore {
    /// The power of two that takes full scale to the format's integer range (or what the rounding needs).
    static var scale: Float { get }
    static func store(_ scaled: Float, into destination: UnsafeMutableRawPointer, at index: Int)
}

// Computed, not stored: a static stored constant goes through a lazy initialiser (a lock) in debug builds.
/// 1.5·2²³: added to a Float of magnitude below 2²², leaves the rounded integer in the low mantissa bits.
@inline(__always) private var roundingMagic: Float { 12_582_912 }
@inline(__always) private var roundingMagicBits: Int32 { 0x4B40_0000 }

/// `value` limited to `lowest...highest`, written as the selects that compile to one max and one
/// min instruction each (`Swift.min` and `Swift.max` order their comparison differently and do not).
@inline(__always)
private func clamp(_ value: Float, _ lowest: Float, _ highest: Float) -> Float {
    let raised = value < lowest ? lowest : value
    return raised > highest ? highest : raised
}

/// The nearest integer (ties to even) to a value of magnitude below 2²².
@inline(__always)
private func roundedInteger(_ value: Float) -> Int32 {
    Int32(bitPattern: (value + roundingMagic).bitPattern) &- roundingMagicBits
}

/// The nearest integer to `scaled · 2¹⁵`, for |scaled| ≤ 2¹⁶: the integer part rounds first,
/// then the residual (at most ½) times 2¹⁵, both in range of `roundedInteger`.
@inline(__always)
private func roundedWideInteger(_ scaled: Float) -> Int32 {
    let shifted = scaled + roundingMagic
    let top = Int32(bitPattern: shifted.bitPattern) &- roundingMagicBits
    let residual = (scaled - (shifted - roundingMagic)) * 32768
    return top &<< 15 &+ roundedInteger(residual)
}

private enum S16Store: SampleStore {
    @inline(__always) static var scale: Float { 32768 }

    @inline(__always)
    static func store(_ scaled: Float, into destination: UnsafeMutableRawPointer, at index: Int) {
        // Clipping happens on the integer, where it compiles to one saturating pack; the single
        // Float bound only keeps huge negative inputs inside the rounding trick's range (huge
        // positive ones and NaN already come out as large positive integers, clipped to 32767).
        let integer = roundedInteger(scaled < -4_000_000 ? -4_000_000 : scaled)
        let clipped = integer > 32767 ? 32767 : (integer < -32768 ? -32768 : integer)
        destination.storeBytes(of: Int16(truncatingIfNeeded: clipped).littleEndian, toByteOffset: index &* 2, as: Int16.self)
    }
}

/// S24 in a 32-bit container, sign-extended. The input is the sample times 2⁸ (see `roundedWideInteger`).
private enum S24Store: SampleStore {
    @inline(__always) static var scale: Float { 256 }
    /// (2²³ − 1) / 2¹⁵: the largest input that fits.
    @inline(__always) static var highest: Float { 255.999_969_482_421_875 }

    @inline(__always)
    static func store(_ scaled: Float, into destination: UnsafeMutableRawPointer, at index: Int) {
        let integer = roundedWideInteger(clamp(scaled, -256, highest))
        destination.storeBytes(of: integer.littleEndian, toByteOffset: index &* 4, as: Int32.self)
    }
}

private enum S24PackedStore: SampleStore {
    @inline(__always) static var scale: Float { S24Store.scale }

    @inline(__always)
    static func store(_ scaled: Float, into destination: UnsafeMutableRawPointer, at index: Int) {
        let integer = roundedWideInteger(clamp(scaled, -256, S24Store.highest))
        let base = index &* 3
        destination.storeBytes(of: UInt8(truncatingIfNeeded: integer), toByteOffset: base, as: UInt8.self)
        destination.storeBytes(of: UInt8(truncatingIfNeeded: integer &>> 8), toByteOffset: base &+ 1, as: UInt8.self)
        destination.storeBytes(of: UInt8(truncatingIfNeeded: integer &>> 16), toByteOffset: base &+ 2, as: UInt8.self)
    }
}

/// Packed S24 with one four-byte store; the fourth byte is the next sample's first, which its
/// own store (made later, in order) overwrites.
private enum S24PackedOverlappingStore: SampleStore {
    @inline(__always) static var scale: Float { S24Store.scale }

    @inline(__always)
    static func store(_ scaled: Float, into destination: UnsafeMutableRawPointer, at index: Int) {
        let integer = roundedWideInteger(clamp(scaled, -256, S24Store.highest))
        destination.storeBytes(of: UInt32(bitPattern: integer).littleEndian, toByteOffset: index &* 3, as: UInt32.self)
    }
}

/// The input is the sample times 2¹⁶ (see `roundedWideInteger`).
private enum S32Store: SampleStore {
    @inline(__always) static var scale: Float { 65536 }

    @inline(__always)
    static func store(_ scaled: Float, into destination: UnsafeMutableRawPointer, at index: Int) {
        // (2³¹ − 1) / 2¹⁵ rounded down to a Float: the largest input that fits.
        let integer = roundedWideInteger(clamp(scaled, -65536, 65535.996_093_75))
        destination.storeBytes(of: integer.littleEndian, toByteOffset: index &* 4, as: Int32.self)
    }
}

private enum FloatStore: SampleStore {
    @inline(__always) static var scale: Float { 1 }

    @inline(__always)
    static func store(_ scaled: Float, into destination: UnsafeMutableRawPointer, at index: Int) {
        destination.storeBytes(of: clamp(scaled, -1, 1).bitPattern.littleEndian, toByteOffset: index &* 4, as: UInt32.self)
    }
}

/// Triangular-PDF dither noise in LSB units.
///
/// Eight lanes each run an xorshift32 generator. Each 32-bit draw is four random bytes; the
/// centred sum of two bytes is triangular on (−1, 1) LSB in steps of 1/256 LSB with variance
/// 1/6 LSB² (less 1/393216), so one draw dithers two samples. That amplitude makes the
/// quantisation error's mean and power independent of the signal, so a quiet passage fades
/// into steady noise instead of distorting.
struct TPDFNoise: Sendable {
    /// Samples drawn per step: the fill works in multiples of this.
    static let samplesPerDraw = 16
    static let chunkSamples = 64
    typealias Chunk = SIMD64<Float>

    private var state: SIMD8<UInt32>

    init(seed: UInt32) {
        var lanes = SIMD8<UInt32>()
        var mix = UInt64(seed)
        for lane in 0..<8 {
            // SplitMix64 spreads one seed into eight unrelated, non-zero lane states.
            mix = mix &+ 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z &>> 31
            lanes[lane] = UInt32(truncatingIfNeeded: z) | 1
        }
        state = lanes
    }

    /// Writes the next `count` noise samples, each in (−1, 1) LSB: `noise` must hold `count`
    /// rounded up to a multiple of ``samplesPerDraw``.
    @_noLocks
    mutating func fill(_ noise: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(noise)
        for draw in 0..<((count &+ Self.samplesPerDraw &- 1) / Self.samplesPerDraw) {
            state ^= state &<< 13
            state ^= state &>> 17
            state ^= state &<< 5
            let lowPair = (state & 0xFF) &+ ((state &>> 8) & 0xFF)
            let highPair = ((state &>> 16) & 0xFF) &+ (state &>> 24)
            raw.storeBytes(of: Self.centred(lowPair), toByteOffset: draw &* 64, as: SIMD8<Float>.self)
            raw.storeBytes(of: Self.centred(highPair), toByteOffset: draw &* 64 &+ 32, as: SIMD8<Float>.self)
        }
    }

    /// A sum of two bytes (below 2²³) as a Float, by OR-ing it into the mantissa of 2²³ (cheaper
    /// than a conversion), centred and scaled to LSBs.
    @inline(__always)
    private static func centred(_ sums: SIMD8<UInt32>) -> SIMD8<Float> {
        let floats = unsafeBitCast(sums | 0x4B00_0000, to: SIMD8<Float>.self)
        return (floats - (8_388_608 + 255)) * (1 / 256)
    }
}

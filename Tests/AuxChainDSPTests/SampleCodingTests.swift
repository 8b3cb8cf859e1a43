import AuxChainTestSupport
import AuxChainDSP
import Testing

@Suite struct SampleCodingTests {
    static let integerEncodings: [SampleEncoding] = [.s16, .s24, .s24Packed, .s32]

    static func fullScale(_ encoding: SampleEncoding) -> Int64 {
        switch encoding {
        case .s16: 1 << 15
        case .s24, .s24Packed: 1 << 23
        case .s32: 1 << 31
        case .float32: 1
        }
    }

    /// Random integers over the format's whole range, with both extremes and zero.
    static func randomIntegers(_ encoding: SampleEncoding, count: Int, seed: UInt64) -> [Int64] {
        var generator = SeededGenerator(seed: seed)
        let scale = fullScale(encoding)
        return [-scale, scale - 1, 0, -1, 1] + (0..<count).map { _ in Int64.random(in: -scale..<scale, using: &generator) }
    }

    @Test func decodesKnownIntegersToFullScaleFractions() {
        let s16 = SampleDecoder(encoding: .s16, channels: 1).decode(deviceBytes([-32768, -1, 0, 1, 32767], as: .s16))
        let expectedS16: [Float] = [-1, -1.0 / 32768, 0, 1.0 / 32768, 32767.0 / 32768]
        #expect(s16 == expectedS16)
        let s32 = SampleDecoder(encoding: .s32, channels: 1).decode(deviceBytes([-(1 << 31), 0, 1 << 30], as: .s32))
        let expectedS32: [Float] = [-1, 0, 0.5]
        #expect(s32 == expectedS32)
        let packed = SampleDecoder(encoding: .s24Packed, channels: 1).decode(deviceBytes([-(1 << 23), (1 << 22), -1], as: .s24Packed))
        let expectedPacked: [Float] = [-1, 0.5, -1.0 / 8_388_608]
        #expect(packed == expectedPacked)
    }

    @Test func s24ContainerIgnoresTheTopByteAndEncodesSignExtended() {
        // 0x00FFFFFF is −1 in 24 bits whatever the top byte says; 0x7F400000 is 0x400000 = +½.
        let decoded = SampleDecoder(encoding: .s24, channels: 1).decode([0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x40, 0x7F])
        let expectedDecoded: [Float] = [-1.0 / 8_388_608, 0.5]
        #expect(decoded == expectedDecoded)
        var encoder = SampleEncoder(encoding: .s24, channels: 1)
        #expect(encoder.encode(decoded, dither: false) == [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x40, 0x00])
    }

    @Test(arguments: [SampleEncoding.s16, .s24, .s24Packed], [1, 2, 3])
    func decodeThenEncodeIsBitExact(encoding: SampleEncoding, channels: Int) {
        // 1_021 samples plus the five fixed ones: not a multiple of 8, so the tails are covered too.
        let values = Self.randomIntegers(encoding, count: 1_021 * channels - 5, seed: 7)
        let bytes = deviceBytes(values, as: encoding)
        let decoded = SampleDecoder(encoding: encoding, channels: channels).decode(bytes)
        var encoder = SampleEncoder(encoding: encoding, channels: channels)
        #expect(encoder.encode(decoded, dither: false) == bytes)
    }

    @Test func floatDecodeThenEncodeIsBitExactWithinFullScale() {
        var generator = SeededGenerator(seed: 3)
        let samples = [-1, 1, 0, -0.0, Float.leastNonzeroMagnitude] + (0..<997).map { _ in Float.random(in: -1...1, using: &generator) }
        let bytes = samples.flatMap { sample in (0..<4).map { UInt8(truncatingIfNeeded: sample.bitPattern >> (8 * $0)) } }
        let decoded = SampleDecoder(encoding: .float32, channels: 1).decode(bytes)
        #expect(decoded.map(\.bitPattern) == samples.map(\.bitPattern))
        var encoder = SampleEncoder(encoding: .float32, channels: 1)
        #expect(encoder.encode(decoded, dither: false) == bytes)
    }

    /// The nearest integer (ties to even) to `sample · full scale`, clipped: computed in Double.
    static func reference(_ sample: Float, _ encoding: SampleEncoding) -> Int64 {
        let scale = fullScale(encoding)
        // S32 tops out at 2³¹ − 128, the largest Float below full scale (see SampleEncoder).
        let highest = encoding == .s32 ? scale - 128 : scale - 1
        let exact = (Double(sample) * Double(scale)).rounded(.toNearestOrEven)
        return Int64(min(max(exact, Double(-scale)), Double(highest)))
    }

    @Test(arguments: integerEncodings)
    func encodingRoundsToNearestEvenAndClipsAtFullScale(encoding: SampleEncoding) {
        var generator = SeededGenerator(seed: 11)
        let scale = Float(Self.fullScale(encoding))
        let ties: [Float] = [0.5, 1.5, 2.5, -0.5, -1.5, 100.5].map { $0 / scale }
        let beyond: [Float] = [1, -1, 1.0000001, -1.0000001, 2, -2, 300, -300, .infinity, -.infinity]
        let random = (0..<3_001).map { _ in Float.random(in: -1.2...1.2, using: &generator) }
        let quiet = (0..<1_000).map { _ in Float.random(in: -1e-3...1e-3, using: &generator) }
        let samples = ties + beyond + random + quiet
        var encoder = SampleEncoder(encoding: encoding, channels: 1)
        let encoded = integers(in: encoder.encode(samples, dither: false), as: encoding)
        let expected = samples.map { Self.reference($0, encoding) }
        #expect(encoded == expected)
    }

    @Test(arguments: [1, 2, 7, 64])
    func packedS24WritesNothingPastItsLastSample(samples: Int) {
        // Four-byte stores overlap inside the buffer; the last sample must be written with three.
        var bytes = [UInt8](repeating: 0xEE, count: samples * 3 + 8)
        let values = (0..<samples).map { Float($0 + 1) / 1_000 }
        var encoder = SampleEncoder(encoding: .s24Packed, channels: 1)
        values.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { encoder.encode(source.baseAddress!, frames: samples, into: $0.baseAddress!, dither: false) }
        }
        #expect(bytes[(samples * 3)...].allSatisfy { $0 == 0xEE })
        #expect(integers(in: Array(bytes[0..<(samples * 3)]), as: .s24Packed) == values.map { Self.reference($0, .s24Packed) })
    }

    @Test func floatOutputClipsAtFullScale() {
        var encoder = SampleEncoder(encoding: .float32, channels: 1)
        let bytes = encoder.encode([1.5, -3, 0.25, .infinity], dither: false)
        let decoded = SampleDecoder(encoding: .float32, channels: 1).decode(bytes)
        let expectedClipped: [Float] = [1, -1, 0.25, 1]
        #expect(decoded == expectedClipped)
    }

    @Test func floatInputBecomesSilenceWhereNaNAndClipsBeyondFullScale() {
        let samples: [Float] = [.nan, -.nan, .signalingNaN, 1.5, -3, .infinity, -.infinity, 0.25, -0.0]
        let bytes = samples.flatMap { sample in (0..<4).map { UInt8(truncatingIfNeeded: sample.bitPattern >> (8 * $0)) } }
        let decoded = SampleDecoder(encoding: .float32, channels: 1).decode(bytes)
        let expected: [Float] = [0, 0, 0, 1, -1, 1, -1, 0.25, -0.0]
        #expect(decoded.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test(arguments: [SampleEncoding.s24, .s24Packed, .s32, .float32])
    func ditherIsOnlyAppliedToS16(encoding: SampleEncoding) {
        var generator = SeededGenerator(seed: 5)
        let samples = (0..<2_000).map { _ in Float.random(in: -1...1, using: &generator) }
        var plain = SampleEncoder(encoding: encoding, channels: 2)
        var dithered = SampleEncoder(encoding: encoding, channels: 2)
        #expect(dithered.encode(samples, dither: true) == plain.encode(samples, dither: false))
    }

    /// Encodes a constant `lsb` (in S16 LSBs) many times with dither and returns the errors in LSBs.
    static func ditheredErrors(at lsb: Double, count: Int = 200_000, seed: UInt32 = 1) -> [Double] {
        var encoder = SampleEncoder(encoding: .s16, channels: 2, ditherSeed: seed)
        let samples = [Float](repeating: Float(lsb / 32768), count: count)
        return integers(in: encoder.encode(samples, dither: true), as: .s16).map { Double($0) - lsb }
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.75, -1000.375])
    func tpdfDitherMakesTheErrorZeroMeanWithAQuarterLSBSquared(lsb: Double) {
        let errors = Self.ditheredErrors(at: lsb)
        let mean = errors.reduce(0, +) / Double(errors.count)
        let variance = errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(errors.count)
        // TPDF of ±1 LSB has variance 1/6; rounding adds 1/12, independent of the signal: 1/4 in all.
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 0.25) < 0.01)
        #expect(errors.allSatisfy { abs($0) <= 1.5 })
    }

    @Test func ditherNoiseIsTriangularOfOneLSB() {
        // On an exact integer the output moves by ±1 only when the noise passes ±½ LSB:
        // for a triangular density on (−1, 1) that happens a quarter of the time, split evenly.
        let errors = Self.ditheredErrors(at: 12)
        let up = Double(errors.filter { $0 == 1 }.count) / Double(errors.count)
        let down = Double(errors.filter { $0 == -1 }.count) / Double(errors.count)
        #expect(errors.allSatisfy { $0 == 0 || abs($0) == 1 })
        #expect(abs(up - 0.125) < 0.004)
        #expect(abs(down - 0.125) < 0.004)
    }

    @Test func withoutDitherTheErrorFollowsTheSignal() {
        var encoder = SampleEncoder(encoding: .s16, channels: 1)
        let errors = integers(in: encoder.encode([Float](repeating: Float(0.25 / 32768), count: 1_000), dither: false), as: .s16)
            .map { Double($0) - 0.25 }
        #expect(Set(errors) == [-0.25])
    }

    @Test func theSameSeedGivesTheSameDither() {
        let first = Self.ditheredErrors(at: 0.5, count: 1_000, seed: 9)
        let again = Self.ditheredErrors(at: 0.5, count: 1_000, seed: 9)
        let other = Self.ditheredErrors(at: 0.5, count: 1_000, seed: 10)
        #expect(first == again)
        #expect(first != other)
    }

    @Test func alsaNamesRoundTrip() {
        for encoding in SampleEncoding.allCases {
            #expect(SampleEncoding(alsaName: encoding.alsaName) == encoding)
        }
        #expect(SampleEncoding(alsaName: "S20_LE") == nil)
        #expect(SampleEncoding.allCases.map(\.bytesPerSample) == [2, 4, 3, 4, 4])
    }
}

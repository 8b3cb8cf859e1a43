/// Turns interleaved device samples into Float32 at full scale ±1.0.
///
/// Integer formats scale by a power of two (S16 by 2⁻¹⁵, S24 by 2⁻²³, S32 by 2⁻³¹), so every
/// S16 and S24 sample is exact in Float and encodes back to the same integer; S32 keeps its
/// top 24 bits (the chain passes S32 through untouched at unity gain, see ``ProcessingChain``).
public struct SampleDecoder: Sendable {
    public let encoding: SampleEncoding
    public let channels: Int

    public init(encoding: SampleEncoding, channels: Int) {
        precondition(channels > 0, "SampleDecoder: channels must be positive")
        self.encoding = encoding
        self.channels = channels
    }

    /// Decodes `frames` frames from `source` (device format) into `destination` (Float, interleaved).
    @_noLocks
    public func decode(_ source: UnsafeRawPointer, frames: Int, into destination: UnsafeMutablePointer<Float>) {
        let count = frames &* channels
        // Plain loops over one sample each: the optimiser vectorises these reliably.
        switch encoding {
        case .s16:
            for index in 0..<count {
                let sample = Int16(littleEndian: source.loadUnaligned(fromByteOffset: index &* 2, as: Int16.self))
                destination[index] = Float(sample) * Self.s16Inverse
            }
        case .s24:
            for index in 0..<count {
                // Shifting the 24 bits to the top sign-extends them and ignores the container's top byte.
                let container = Int32(littleEndian: source.loadUnaligned(fromByteOffset: index &* 4, as: Int32.self))
                destination[index] = Float(container &<< 8) * Self.s32Inverse
            }
        case .s24Packed:
            // Four bytes at a time: the fourth belongs to the next sample and shifts out. The last
            // sample is read byte by byte, so nothing past the buffer is touched.
            for index in 0..<max(count &- 1, 0) {
                let word = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: index &* 3, as: UInt32.self))
                destination[index] = Float(Int32(bitPattern: word &<< 8)) * Self.s32Inverse
            }
            if count > 0 {
                let bytes = source.assumingMemoryBound(to: UInt8.self) + (count &- 1) &* 3
                let top = Int32(bytes[0]) &<< 8 | Int32(bytes[1]) &<< 16 | Int32(bytes[2]) &<< 24
                destination[count &- 1] = Float(top) * Self.s32Inverse
            }
        case .s32:
            for index in 0..<count {
                let sample = Int32(littleEndian: source.loadUnaligned(fromByteOffset: index &* 4, as: Int32.self))
                destination[index] = Float(sample) * Self.s32Inverse
            }
        case .float32:
            for index in 0..<count {
                let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
                let sample = Float(bitPattern: bits)
                // A float source can send anything. NaN becomes silence and beyond full scale clips
                // (and counts as clipped), so neither the detector nor any output format sees them.
                destination[index] = sample.isNaN ? 0 : (sample < -1 ? -1 : (sample > 1 ? 1 : sample))
            }
        }
    }

    // Computed, not stored: a static stored constant goes through a lazy initialiser (a lock) in debug builds.
    @inline(__always) private static var s16Inverse: Float { 1 / 32768 }
    @inline(__always) private static var s32Inverse: Float { 1 / 2_147_483_648 }
    @inline(__always) private static var isLittleEndianHost: Bool { 1.littleEndian == 1 }
}

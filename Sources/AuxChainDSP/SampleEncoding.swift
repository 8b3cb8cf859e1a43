/// The sample formats the ALSA layer supports, all little-endian and interleaved.
public enum SampleEncoding: Sendable, Equatable, Hashable, CaseIterable {
    /// `S16_LE`: 16-bit signed.
    case s16
    /// `S24_LE`: 24-bit signed in the low three bytes of a 32-bit container.
    case s24
    /// `S24_3LE`: 24-bit signed packed into three bytes.
    case s24Packed
    /// `S32_LE`: 32-bit signed.
    case s32
    /// `FLOAT_LE`: 32-bit IEEE float, full scale ±1.0.
    case float32

    /// Bytes one sample of one channel takes in a buffer.
    public var bytesPerSample: Int {
        switch self {
        case .s16: 2
        case .s24Packed: 3
        case .s24, .s32, .float32: 4
        }
    }

    /// The format's name in ALSA and in the config file (`audio.capture_format`).
    public var alsaName: String {
        switch self {
        case .s16: "S16_LE"
        case .s24: "S24_LE"
        case .s24Packed: "S24_3LE"
        case .s32: "S32_LE"
        case .float32: "FLOAT_LE"
        }
    }

    /// The encoding with this ALSA name (`S16_LE`, `S24_LE`, `S24_3LE`, `S32_LE`, `FLOAT_LE`).
    public init?(alsaName: String) {
        guard let match = Self.allCases.first(where: { $0.alsaName == alsaName }) else { return nil }
        self = match
    }

    /// The largest positive sample the format holds, on the Float scale where full scale is 1.0:
    /// a sample at or beyond it (either polarity) is counted as clipped.
    public var largestPositiveSample: Float {
        switch self {
        case .s16: Float(Int16.max) / 32768
        case .s24, .s24Packed: Float(8_388_607) / 8_388_608
        // 2³¹ − 1 is not a Float: it rounds to 2³¹, which is 1.0 on this scale.
        case .s32, .float32: 1.0
        }
    }
}

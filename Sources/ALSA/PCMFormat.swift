import CALSA

/// The sample formats AuxChain negotiates with a device, named as ALSA names them.
public enum PCMFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case s16LE = "S16_LE"
    case s24LE = "S24_LE"
    case s24Packed3LE = "S24_3LE"
    case s32LE = "S32_LE"
    case floatLE = "FLOAT_LE"

    /// Bytes one sample of one channel occupies in an interleaved buffer.
    public var bytesPerSample: Int {
        switch self {
        case .s16LE: 2
        case .s24Packed3LE: 3
        case .s24LE, .s32LE, .floatLE: 4
        }
    }

    public var description: String { rawValue }

    /// The list a person can choose from, for error messages.
    public static var allowedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    var cValue: snd_pcm_format_t {
        switch self {
        case .s16LE: SND_PCM_FORMAT_S16_LE
        case .s24LE: SND_PCM_FORMAT_S24_LE
        case .s24Packed3LE: SND_PCM_FORMAT_S24_3LE
        case .s32LE: SND_PCM_FORMAT_S32_LE
        case .floatLE: SND_PCM_FORMAT_FLOAT_LE
        }
    }
}

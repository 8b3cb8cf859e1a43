#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Conversions between decibels and linear amplitude, used by every stage.
///
/// Silence is −∞ dB and linear 0, both ways, so a mute survives a round trip.
/// dBFS readings use the same scale with full scale (amplitude 1.0) at 0 dBFS.
public enum Decibels {
    /// The linear amplitude factor of a gain in dB: −6.02 dB → 0.5, −∞ → 0.
    @inlinable
    public static func linearGain(fromDB gainDB: Float) -> Float {
        gainDB == -.infinity ? 0 : powf(10, gainDB / 20)
    }

    /// The gain in dB of a linear amplitude factor: 0.5 → −6.02 dB, 0 → −∞.
    @inlinable
    public static func gainDB(fromLinear linearGain: Float) -> Float {
        linearGain <= 0 ? -.infinity : 20 * log10f(linearGain)
    }

    /// The linear amplitude factor of a gain in dB: −6.02 dB → 0.5, −∞ → 0.
    @inlinable
    public static func linearGain(fromDB gainDB: Double) -> Double {
        gainDB == -.infinity ? 0 : pow(10, gainDB / 20)
    }

    /// The gain in dB of a linear amplitude factor: 0.5 → −6.02 dB, 0 → −∞.
    @inlinable
    public static func gainDB(fromLinear linearGain: Double) -> Double {
        linearGain <= 0 ? -.infinity : 20 * log10(linearGain)
    }
}

import AuxChainDSP

/// How a volume in percent maps to a gain in dB.
///
/// - 1 % … 100 %: dB-linear from −``rangeDB`` to 0 dB, so every percent is the same audible
///   step: `gainDB = −rangeDB · (100 − percent) / 99`.
/// - 0 % … 1 %: the amplitude falls linearly from the 1 % level to nothing, steeper and
///   steeper in dB, so 0 % is true silence (−∞ dB) and the curve stays continuous.
///
/// With the default range of 60 dB: 100 % → 0 dB, 50 % → −30.3 dB, 1 % → −60 dB,
/// 0.5 % → −66 dB, 0 % → silence. Percent outside 0…100 is taken as the nearer end.
public struct VolumeCurve: Sendable, Equatable {
    public let rangeDB: Double

    public init(rangeDB: Double) {
        precondition(rangeDB > 0 && rangeDB.isFinite, "VolumeCurve: volume.range_db must be a positive number of dB")
        self.rangeDB = rangeDB
    }

    /// The gain of a volume in percent; −∞ for 0 %.
    public func gainDB(percent: Double) -> Double {
        let clamped = min(max(percent, 0), 100)
        if clamped >= 1 {
            return -rangeDB * (100 - clamped) / 99
        }
        return Decibels.gainDB(fromLinear: clamped) - rangeDB
    }

    /// The percent of a gain: the inverse of ``gainDB(percent:)``; a gain above 0 dB is 100 %.
    public func percent(gainDB: Double) -> Double {
        if gainDB >= 0 { return 100 }
        if gainDB >= -rangeDB {
            return 100 - 99 * -gainDB / rangeDB
        }
        return Decibels.linearGain(fromDB: gainDB + rangeDB)
    }
}

import AuxChainCore
import Testing

@Suite struct VolumeTrackCurveTests {
    let curve = VolumeCurve(rangeDB: 60)

    @Test func endpointsAndDocumentedPoints() {
        #expect(curve.gainDB(percent: 100) == 0)
        #expect(curve.gainDB(percent: 1) == -60)
        #expect(curve.gainDB(percent: 0) == -.infinity)
        #expect(abs(curve.gainDB(percent: 50) - (-30.303)) < 0.001)
        #expect(abs(curve.gainDB(percent: 0.5) - (-66.02)) < 0.01)
        // Outside 0…100 is the nearer end.
        #expect(curve.gainDB(percent: 150) == 0)
        #expect(curve.gainDB(percent: -5) == -.infinity)
    }

    @Test(arguments: [20.0, 60.0, 96.0])
    func theCurveRisesStrictlyEverywhere(rangeDB: Double) {
        let curve = VolumeCurve(rangeDB: rangeDB)
        let percents = stride(from: 0.0, through: 100.0, by: 0.001).map { $0 }
        let gains = percents.map { curve.gainDB(percent: $0) }
        #expect(zip(gains, gains.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func theStepPerPercentIsEqualAboveOnePercent() {
        let steps = (1..<100).map { curve.gainDB(percent: Double($0 + 1)) - curve.gainDB(percent: Double($0)) }
        #expect(steps.allSatisfy { abs($0 - 60.0 / 99) < 1e-9 })
    }

    @Test func percentAndDecibelsRoundTrip() {
        for percent in stride(from: 0.0, through: 100.0, by: 0.01) {
            #expect(abs(curve.percent(gainDB: curve.gainDB(percent: percent)) - percent) < 1e-9)
        }
        for gainDB in stride(from: -140.0, through: 0.0, by: 0.05) {
            #expect(abs(curve.gainDB(percent: curve.percent(gainDB: gainDB)) - gainDB) < 1e-9)
        }
        #expect(curve.percent(gainDB: -.infinity) == 0)
        #expect(curve.percent(gainDB: 6) == 100)
    }
}

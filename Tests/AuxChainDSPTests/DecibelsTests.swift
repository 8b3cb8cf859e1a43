import AuxChainDSP
import Testing

@Suite struct DecibelsTests {
    @Test func halfAmplitudeIsSixDecibelsDown() {
        #expect(abs(Decibels.gainDB(fromLinear: 0.5) - (-6.0206)) < 1e-4)
        #expect(abs(Decibels.linearGain(fromDB: -6.0206) - 0.5) < 1e-5)
        #expect(abs(Decibels.gainDB(fromLinear: Float(0.5)) - (-6.0206)) < 1e-4)
        #expect(abs(Decibels.linearGain(fromDB: Float(-20)) - 0.1) < 1e-6)
    }

    @Test func silenceIsMinusInfinityBothWays() {
        #expect(Decibels.gainDB(fromLinear: 0.0) == -.infinity)
        #expect(Decibels.linearGain(fromDB: -Double.infinity) == 0)
        #expect(Decibels.gainDB(fromLinear: Float(0)) == -.infinity)
        #expect(Decibels.linearGain(fromDB: -Float.infinity) == 0)
    }

    @Test func conversionsRoundTrip() {
        for gainDB in stride(from: -120.0, through: 24.0, by: 0.37) {
            #expect(abs(Decibels.gainDB(fromLinear: Decibels.linearGain(fromDB: gainDB)) - gainDB) < 1e-9)
        }
    }
}

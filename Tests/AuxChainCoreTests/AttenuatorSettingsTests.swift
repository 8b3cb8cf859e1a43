import AuxChainCore
import Testing

@Suite struct AttenuatorSettingsTests {
    @Test func noAttenuatorHasNoDriver() {
        #expect(AttenuatorSettings.none.makeDriver() == nil)
    }

    @Test func aRelayLadderGetsOneRelayPerConfiguredLineLeastSignificantFirst() throws {
        let settings = AttenuatorSettings.relayLadder(
            lines: [.offset(5), .offset(6), .name("PAD_4DB")], stepDB: 2, settle: .milliseconds(8))
        let driver = try #require(settings.makeDriver() as? RelayLadderAttenuator)
        #expect(driver.steps == AttenuatorSteps(levelsDB: [-14, -12, -10, -8, -6, -4, -2, 0], switchingLatency: .milliseconds(16)))
        #expect(driver.lines.map { settings.lineReference(for: $0) } == [.offset(5), .offset(6), .name("PAD_4DB")])
        #expect(settings.lineReference(for: .relay(3)) == nil)
        #expect(settings.lineReference(for: .chipSelect) == nil)
    }

    @Test func aPGA2311MapsItsThreeSerialLines() throws {
        let settings = AttenuatorSettings.pga2311(chipSelect: .offset(8), clock: .offset(11), data: .offset(10), zeroCrossing: false)
        let driver = try #require(settings.makeDriver() as? PGA2311Attenuator)
        #expect(!driver.zeroCrossing)
        #expect(driver.lines.map { settings.lineReference(for: $0) } == [.offset(8), .offset(11), .offset(10)])
        #expect(settings.lineReference(for: .increment) == nil)
    }

    @Test func anX9CMapsChipSelectIncrementAndDirection() throws {
        let settings = AttenuatorSettings.x9c(chipSelect: .offset(5), increment: .offset(6), upDown: .offset(13))
        let driver = try #require(settings.makeDriver() as? X9CAttenuator)
        #expect(driver.lines.map { settings.lineReference(for: $0) } == [.offset(5), .offset(6), .offset(13)])
        #expect(settings.lineReference(for: .serialClock) == nil)
    }
}

import AuxChainTestSupport
import AuxChainCore
import Testing

@Suite struct VolumeTrackCapPropertyTests {
    /// Any command a person, a button, the saved state or a config reload can give.
    enum Command: CaseIterable {
        case percent, decibels, stepUp, stepDown, mute, unmute, toggleMute, reload, transition
    }

    static func randomValue(_ generator: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: [Double.nan, .infinity, -.infinity, 0, 100, -0.0].randomElement(using: &generator)!
        case 1: Double.random(in: -1e6...1e6, using: &generator)
        default: Double.random(in: -150...150, using: &generator)
        }
    }

    static func randomSettings(_ generator: inout SeededGenerator) -> VolumeSettings {
        volumeSettings(
            rangeDB: Double.random(in: 10...120, using: &generator),
            maxDB: Double.random(in: -70...12, using: &generator),
            safeStartPercent: Double.random(in: 0...100, using: &generator),
            stepDB: Double.random(in: 0.1...10, using: &generator))
    }

    @Test func noCommandSequenceEverPassesTheCap() {
        var generator = SeededGenerator(seed: 2026)
        let tables: [AttenuatorSteps?] = [nil, VolumeTrackTables.relayLadder, VolumeTrackTables.pga2311]
        var commands = 0
        for _ in 0..<2_000 {
            var settings = Self.randomSettings(&generator)
            let saved = Bool.random(using: &generator) ? SavedVolume(percent: Self.randomValue(&generator), muted: .random(using: &generator)) : nil
            var track = VolumeTrack(settings: settings, saved: saved, attenuator: tables.randomElement(using: &generator)!)
            var now = Duration.zero
            for _ in 0..<60 {
                switch Command.allCases.randomElement(using: &generator)! {
                case .percent: track.setPercent(Self.randomValue(&generator))
                case .decibels: track.setGainDB(Self.randomValue(&generator))
                case .stepUp: track.stepUp()
                case .stepDown: track.stepDown()
                case .mute: track.mute()
                case .unmute: track.unmute()
                case .toggleMute: track.toggleMute()
                case .reload:
                    settings = Self.randomSettings(&generator)
                    track.updateSettings(settings)
                case .transition:
                    now += .milliseconds(Int.random(in: 0...100, using: &generator))
                    if let transition = track.nextTransition(at: now) {
                        #expect(transition.to.totalDB <= settings.maxDB)
                    }
                }
                commands += 1
                #expect(!track.targetDB.isNaN)
                #expect(track.targetDB <= settings.maxDB)
                #expect(track.effectiveDB <= settings.maxDB)
                #expect(track.split(track.effectiveDB).totalDB <= settings.maxDB + 1e-9)
            }
        }
        #expect(commands == 120_000)
    }
}

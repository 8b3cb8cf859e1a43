import AuxChainTestSupport
import AuxChainCore
import AuxChainDSP
import Testing

@Suite struct VolumeTrackHardwareTests {
    static let ladder = VolumeTrackTables.relayLadder

    @Test func theSplitAddsUpToTheTargetAndTheDigitalPartOnlyAttenuates() {
        let track = VolumeTrack(settings: volumeSettings(maxDB: 6), saved: nil, attenuator: Self.ladder)
        for totalDB in stride(from: -63.0, through: 0, by: 0.13) {
            let split = track.split(totalDB)
            #expect(abs(split.totalDB - totalDB) < 1e-9)
            #expect(Self.ladder.levelsDB.contains(split.hardwareDB))
            #expect(split.digitalDB <= 0 && split.digitalDB > -1)
        }
        // Past the loudest step the digital stage boosts; below the quietest it attenuates more.
        #expect(track.split(4) == GainSplit(hardwareDB: 0, digitalDB: 4))
        #expect(track.split(-80) == GainSplit(hardwareDB: -63, digitalDB: -17))
    }

    @Test func silenceLeavesTheAttenuatorWhereItIs() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil, attenuator: Self.ladder)
        track.setGainDB(-20)
        _ = track.nextTransition(at: .zero)
        track.mute()
        let muting = track.nextTransition(at: .seconds(1))
        #expect(muting?.switchesHardware == false)
        #expect(muting?.to == GainSplit(hardwareDB: -20, digitalDB: -.infinity))
    }

    @Test func aLouderChangeSwitchesFirstAndRampsAfterAQuieterOneTheOtherWayRound() {
        let ramp = Duration.milliseconds(40)
        var track = VolumeTrack(settings: volumeSettings(ramp: ramp), saved: nil, attenuator: Self.ladder)
        track.setGainDB(-30.5)
        _ = track.nextTransition(at: .zero)
        track.setGainDB(-10.25)
        let louder = track.nextTransition(at: .seconds(1))!
        #expect(louder.steps == [
            .init(at: .milliseconds(5), action: .switchHardware(hardwareDB: -10, digitalDB: -20.5)),
            .init(at: .milliseconds(5), action: .rampDigital(toDB: -0.25)),
        ])
        #expect(louder.duration == .milliseconds(45))
        #expect(louder.steps[0].commandTime(switchingLatency: Self.ladder.switchingLatency) == .zero)
        // The attenuator is busy: the next change waits for the last to finish.
        track.setGainDB(-40.75)
        #expect(track.nextTransition(at: .seconds(1) + .milliseconds(44)) == nil)
        let quieter = track.nextTransition(at: .seconds(1) + .milliseconds(45))!
        #expect(quieter.steps == [
            .init(at: .zero, action: .rampDigital(toDB: -30.75)),
            .init(at: ramp, action: .switchHardware(hardwareDB: -40, digitalDB: -0.75)),
        ])
        #expect(quieter.steps[1].commandTime(switchingLatency: Self.ladder.switchingLatency) == .milliseconds(35))
    }

    @Test func theTotalThroughAHardwareStepNeverPassesTheLouderLevel() {
        var generator = SeededGenerator(seed: 77)
        let tables = [VolumeTrackTables.relayLadder, VolumeTrackTables.pga2311, VolumeTrackTables.sixDecibelSteps, VolumeTrackTables.linearPot]
        var switched = 0
        for _ in 0..<300 {
            let table = tables.randomElement(using: &generator)!
            let ramp = Duration.milliseconds(Int.random(in: 1...60, using: &generator))
            var track = VolumeTrack(settings: volumeSettings(maxDB: 6, ramp: ramp), saved: nil, attenuator: table)
            var now = Duration.zero
            for _ in 0..<4 {
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: track.mute()
                case 1: track.unmute()
                default: track.setGainDB(Double.random(in: -70...6, using: &generator))
                }
                guard let transition = track.nextTransition(at: now) else { continue }
                now += transition.duration
                if transition.switchesHardware { switched += 1 }
                let louder = Decibels.linearGain(fromDB: max(transition.from.totalDB, transition.to.totalDB))
                let trajectory = totalGainTrajectory(transition, ramp: ramp)
                // Float ramps: a relative margin of a few parts per million.
                #expect(trajectory.allSatisfy { $0 <= louder * (1 + 1e-5) })
                #expect(abs(trajectory.last! - Decibels.linearGain(fromDB: transition.to.totalDB)) <= louder * 1e-5)
            }
        }
        #expect(switched > 300)
    }

    @Test func theTotalHoldsStillAtTheMomentOfTheSwitch() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil, attenuator: Self.ladder)
        track.setGainDB(-30.5)
        _ = track.nextTransition(at: .zero)
        track.setGainDB(-10.25)
        let louder = track.nextTransition(at: .seconds(1))!
        let trajectory = totalGainTrajectory(louder, ramp: .milliseconds(40))
        // 5 ms at 48 kHz: the switch lands on frame 240. Up to it the total is the old one; from
        // it the ramp rises by one step a frame, with no jump from the swap.
        let old = Decibels.linearGain(fromDB: -30.5)
        let rampStep = (Decibels.linearGain(fromDB: -10.25) - old) / 1_920
        #expect(trajectory[0..<240].allSatisfy { abs($0 - old) < old * 1e-6 })
        #expect(abs(trajectory[240] - (old + rampStep)) < old * 1e-5)
        #expect(abs(trajectory[241] - (old + 2 * rampStep)) < old * 1e-5)
    }
}

import AuxChainCore
import Testing

private func ladder(at step: Int? = nil) -> RelayLadderAttenuator {
    var driver = RelayLadderAttenuator(relayCount: 6, stepDB: 1, settle: .milliseconds(5))
    if let step { _ = driver.moves(toStep: step) }
    return driver
}

/// What a freshly started driver writes to reach `step`: puts a model there.
private func writesReaching(_ step: Int) -> [LineWrite] {
    var driver = ladder()
    return driver.moves(toStep: step)
}

@Suite struct RelayLadderAttenuatorTests {
    @Test func sixOneDecibelRelaysGiveSixtyFourStepsFromMinus63ToZero() {
        let levels = ladder().steps.levelsDB
        #expect(levels.count == 64)
        #expect(levels.first == -63)
        #expect(levels.last == 0)
        #expect(zip(levels, levels.dropFirst()).allSatisfy { $1 - $0 == 1 })
    }

    @Test func switchingLatencyCoversTheLongestMoveFromItsFirstWrite() {
        var longest = Duration.zero
        for from in 0..<64 {
            for to in 0..<64 {
                var driver = ladder(at: from)
                let writes = driver.moves(toStep: to)
                // The last relay moved settles before the gain is in effect.
                let inEffect = writes.reduce(Duration.zero) { $0 + $1.holdAfter } + (writes.isEmpty ? .zero : .milliseconds(5))
                longest = max(longest, inEffect)
            }
        }
        #expect(ladder().steps.switchingLatency == longest)
        #expect(longest == .milliseconds(10))
    }

    @Test func theVolumeTracksLevelsMapBackToSteps() {
        var driver = ladder()
        #expect(driver.currentLevelDB == nil)
        let step = driver.step(atLevelDB: -20)
        #expect(step == 43)
        _ = driver.moves(toStep: 43)
        #expect(driver.currentLevelDB == -20)
        #expect(driver.step(atLevelDB: -20.5) == nil)
    }

    @Test func linesAreRequestedWithEveryPadIn() {
        let driver = ladder()
        #expect(driver.lines == (0..<6).map(AttenuatorLine.relay))
        #expect(driver.lines.allSatisfy { driver.initialLevel(of: $0) })
        #expect(driver.currentStep == nil)
    }

    @Test func oneDecibelLouderAcrossTheMiddlePutsSmallPadsInBeforeTheBigOneComesOut() {
        // Step 31 has only the 32 dB pad in; step 32 has the 16+8+4+2+1 dB pads in.
        var driver = ladder(at: 31)
        #expect(driver.moves(toStep: 32) == [
            LineWrite(.relay(4), true), LineWrite(.relay(3), true), LineWrite(.relay(2), true),
            LineWrite(.relay(1), true), LineWrite(.relay(0), true, holdAfter: .milliseconds(5)),
            LineWrite(.relay(5), false),
        ])
        #expect(driver.currentStep == 32)
    }

    @Test func oneDecibelQuieterAcrossTheMiddlePutsTheBigPadInFirst() {
        var driver = ladder(at: 32)
        #expect(driver.moves(toStep: 31) == [
            LineWrite(.relay(5), true, holdAfter: .milliseconds(5)),
            LineWrite(.relay(0), false), LineWrite(.relay(1), false), LineWrite(.relay(2), false),
            LineWrite(.relay(3), false), LineWrite(.relay(4), false),
        ])
    }

    @Test func aMoveThatOnlyTakesPadsOutNeedsNoSettleBetween() {
        var driver = ladder(at: 60)
        #expect(driver.moves(toStep: 63) == [LineWrite(.relay(0), false), LineWrite(.relay(1), false)])
        #expect(driver.moves(toStep: 63) == [])
    }

    @Test func noMoveBetweenAnyTwoStepsPassesASettingLouderThanBothEnds() {
        for from in 0..<64 {
            for to in 0..<64 {
                var driver = ladder(at: from)
                var model = RelayLadderModel(driver)
                model.play(writesReaching(from))
                #expect(model.attenuationDB == Double(63 - from))
                let startDB = model.attenuationDB
                model.play(driver.moves(toStep: to))
                let targetDB = Double(63 - to)
                #expect(model.attenuationDB == targetDB, "\(from) → \(to)")
                let leastDB = min(startDB, targetDB)
                #expect(model.attenuationsDB.allSatisfy { $0 >= leastDB }, "\(from) → \(to) passed \(model.attenuationsDB)")
                #expect(model.timingFaults.isEmpty, "\(from) → \(to): \(model.timingFaults)")
            }
        }
    }

    @Test func theFirstMoveFromAnUnknownStateGoesThroughMaximumAttenuation() {
        var driver = ladder()
        let writes = driver.moves(toStep: 62)
        #expect(writes == [
            LineWrite(.relay(5), true), LineWrite(.relay(4), true), LineWrite(.relay(3), true),
            LineWrite(.relay(2), true), LineWrite(.relay(1), true), LineWrite(.relay(0), true, holdAfter: .milliseconds(5)),
            LineWrite(.relay(1), false), LineWrite(.relay(2), false), LineWrite(.relay(3), false),
            LineWrite(.relay(4), false), LineWrite(.relay(5), false),
        ])
        #expect(driver.currentStep == 62)
    }

    @Test func maximumAttenuationPutsEveryPadInFromAnyState() {
        for from in [0, 17, 42, 63] {
            var driver = ladder(at: from)
            var model = RelayLadderModel(driver)
            model.play(writesReaching(from))
            model.play(driver.maximumAttenuation())
            #expect(model.attenuationDB == 63)
            #expect(driver.currentStep == 0)
        }
    }
}

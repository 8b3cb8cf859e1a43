import AuxChainCore
import Foundation
import Testing

@Suite struct X9CAttenuatorTests {
    @Test func tapsMapToDecibelsThroughTheLinearTaper() {
        let levels = X9CAttenuator().steps.levelsDB
        #expect(levels.count == 100)
        #expect(levels[99] == 0)
        #expect(levels[0] == -.infinity)
        #expect(abs(levels[1] - -39.9127) < 0.0001)
        #expect(abs(levels[49] - -6.1088) < 0.0001)
        // A linear pot spends half its taps on the top 6 dB.
        #expect(levels[50] > -6.0)
        #expect(zip(levels, levels.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func linesAreRequestedDeselectedWithIncrementResting() {
        let driver = X9CAttenuator()
        #expect(driver.lines == [.chipSelect, .increment, .upDown])
        #expect(driver.initialLevel(of: .chipSelect))
        #expect(!driver.initialLevel(of: .increment))
        #expect(!driver.initialLevel(of: .upDown))
    }

    @Test func switchingLatencyCoversAMoveAcrossAllTapsAndTheWiperSettling() {
        var driver = X9CAttenuator()
        _ = driver.maximumAttenuation()
        let acrossAll = driver.moves(toStep: 99).reduce(Duration.zero) { $0 + $1.holdAfter }
        // U/D setup 3 µs, /CS to INC 1 µs, 99 pulses of 2 µs.
        #expect(acrossAll == .microseconds(202))
        #expect(driver.steps.switchingLatency == acrossAll + .microseconds(500))
    }

    @Test func twoTapsUpIsTwoIncrementPulsesWithUpDownHigh() {
        var driver = X9CAttenuator()
        _ = driver.maximumAttenuation()
        _ = driver.moves(toStep: 40)
        #expect(driver.moves(toStep: 42) == [
            LineWrite(.upDown, true, holdAfter: .microseconds(3)),
            LineWrite(.chipSelect, false, holdAfter: .microseconds(1)),
            LineWrite(.increment, true, holdAfter: .microseconds(1)),
            LineWrite(.increment, false, holdAfter: .microseconds(1)),
            LineWrite(.increment, true, holdAfter: .microseconds(1)),
            LineWrite(.increment, false, holdAfter: .microseconds(1)),
            LineWrite(.chipSelect, true),
        ])
        #expect(driver.moves(toStep: 41) == [
            LineWrite(.upDown, false, holdAfter: .microseconds(3)),
            LineWrite(.chipSelect, false, holdAfter: .microseconds(1)),
            LineWrite(.increment, true, holdAfter: .microseconds(1)),
            LineWrite(.increment, false, holdAfter: .microseconds(1)),
            LineWrite(.chipSelect, true),
        ])
        #expect(driver.moves(toStep: 41) == [])
    }

    @Test func maximumAttenuationReachesTapZeroFromAnyStoredTap() {
        for storedTap in [0, 1, 50, 98, 99] {
            var driver = X9CAttenuator()
            var model = X9CModel(driver, storedTap: storedTap)
            model.play(driver.maximumAttenuation())
            #expect(model.tap == 0, "stored tap \(storedTap)")
            #expect(driver.currentStep == 0)
        }
    }

    @Test func theFirstMoveFromAnUnknownTapGoesDownToZeroFirst() {
        var driver = X9CAttenuator()
        var model = X9CModel(driver, storedTap: 73)
        let writes = driver.moves(toStep: 30)
        model.play(writes)
        #expect(model.tap == 30)
        #expect(writes.filter { $0 == LineWrite(.increment, false, holdAfter: .microseconds(1)) }.count == 99 + 30)
    }

    @Test func movesReachEveryTapAndNeverStoreToEEPROM() {
        var driver = X9CAttenuator()
        var model = X9CModel(driver, storedTap: 57)
        var csRisesWithIncrementHigh = 0
        let play = { (writes: [LineWrite]) in
            for write in writes {
                if write == LineWrite(.chipSelect, true) && model.bench[.increment] { csRisesWithIncrementHigh += 1 }
                model.play([write])
            }
        }
        play(driver.maximumAttenuation())
        var random = SystemRandomNumberGenerator()
        let targets = Array(0..<100) + Array((0..<100).reversed()) + (0..<300).map { _ in Int.random(in: 0..<100, using: &random) }
        for target in targets {
            play(driver.moves(toStep: target))
            #expect(model.tap == target)
        }
        play(driver.maximumAttenuation())
        #expect(model.tap == 0)
        #expect(csRisesWithIncrementHigh == 0)
        #expect(model.stores == 0)
        #expect(model.faults.isEmpty, "\(model.faults)")
    }
}

import AuxChainCore
import Testing

private func compact(_ writes: [LineWrite]) -> String {
    writes.map { "\($0.line)\($0.level ? 1 : 0)" }.joined(separator: " ")
}

@Suite struct PGA2311AttenuatorTests {
    @Test func stepsFollowTheDatasheetCodeMap() {
        let levels = PGA2311Attenuator(zeroCrossing: true).steps.levelsDB
        #expect(levels.count == 256)
        #expect(levels[255] == 31.5)
        #expect(levels[192] == 0)
        #expect(levels[1] == -95.5)
        #expect(levels[0] == -.infinity)
    }

    @Test func switchingLatencyIsTheWordPlusTheZeroCrossingTimeoutWhenEnabled() {
        // /CS low, 16 × (data, clock up, clock down), each held a microsecond; /CS high ends the word.
        let wordTime = Duration.microseconds(49)
        #expect(PGA2311Attenuator(zeroCrossing: true).steps.switchingLatency == wordTime + .milliseconds(16))
        #expect(PGA2311Attenuator(zeroCrossing: false).steps.switchingLatency == wordTime)
        var driver = PGA2311Attenuator(zeroCrossing: false)
        #expect(driver.moves(toStep: 200).reduce(Duration.zero) { $0 + $1.holdAfter } == wordTime)
    }

    @Test func linesAreRequestedDeselectedWithClockAndDataLow() {
        let driver = PGA2311Attenuator(zeroCrossing: true)
        #expect(driver.lines == [.chipSelect, .serialClock, .serialData])
        #expect(driver.initialLevel(of: .chipSelect))
        #expect(!driver.initialLevel(of: .serialClock))
        #expect(!driver.initialLevel(of: .serialData))
    }

    @Test func aMoveSendsTheRightByteThenTheLeftMostSignificantBitFirst() {
        var driver = PGA2311Attenuator(zeroCrossing: true)
        let writes = driver.moves(toStep: 0b1010_0101)
        let one = "sdi1 sclk1 sclk0"
        let zero = "sdi0 sclk1 sclk0"
        let byte = [one, zero, one, zero, zero, one, zero, one]
        #expect(compact(writes) == (["cs0"] + byte + byte + ["cs1"]).joined(separator: " "))
        #expect(writes.dropLast().allSatisfy { $0.holdAfter == .microseconds(1) })
        #expect(writes.last?.holdAfter == .zero)
        #expect(driver.currentStep == 0b1010_0101)
    }

    @Test func everyStepLatchesTheSameCodeOnBothChannels() {
        var driver = PGA2311Attenuator(zeroCrossing: false)
        var model = PGA2311Model(driver)
        model.play(driver.maximumAttenuation())
        #expect(model.rightCode == 0 && model.leftCode == 0)
        for step in [255, 192, 1, 128, 127, 0] + Array(0...255).reversed() {
            model.play(driver.moves(toStep: step))
            #expect(model.rightCode == UInt8(step) && model.leftCode == UInt8(step), "step \(step)")
        }
        #expect(model.faults.isEmpty, "\(model.faults)")
    }

    @Test func aMoveToTheCurrentStepWritesNothing() {
        var driver = PGA2311Attenuator(zeroCrossing: true)
        _ = driver.moves(toStep: 100)
        #expect(driver.moves(toStep: 100) == [])
    }

    @Test func maximumAttenuationMutesWhateverTheChipHeld() {
        var driver = PGA2311Attenuator(zeroCrossing: true)
        var model = PGA2311Model(driver)
        var other = PGA2311Attenuator(zeroCrossing: true)
        model.play(other.moves(toStep: 255))
        let writes = driver.maximumAttenuation()
        model.play(writes)
        #expect(model.rightCode == 0 && model.leftCode == 0)
        #expect(driver.currentStep == 0)
        #expect(driver.maximumAttenuation() == writes)
    }
}

import GPIO
import Testing

/// A Pi 4 header chip: 58 lines named GPIO0...GPIO57.
private func piChip(clock: SimulatedClock) -> SimulatedChip {
    SimulatedChip(
        name: "gpiochip0", label: "pinctrl-bcm2711", lineNames: (0..<58).map { "GPIO\($0)" }, clock: clock)
}

/// Everything an input delivered, once it has been released.
private func deliveredEvents(_ line: any InputLine) async -> [EdgeEvent] {
    line.release()
    var events: [EdgeEvent] = []
    for await event in line.events { events.append(event) }
    return events
}

@Suite struct SimulatedChipOutputTests {
    @Test func anOutputStartsAtItsInitialValueAndTheChangeIsRecorded() throws {
        let clock = SimulatedClock(now: .seconds(5))
        let chip = piChip(clock: clock)

        let relay = try chip.requestOutput(
            17, OutputLineConfig(consumer: "relay", initialValue: .inactive, activeLow: true))

        #expect(relay.value == .inactive)
        #expect(chip.level(of: 17) == .high)
        #expect(chip.outputChanges == [OutputChange(offset: 17, value: .inactive, level: .high, time: .seconds(5))])
    }

    @Test func activeLowDrivesTheOppositeLevelAndOnlyChangesAreRecorded() throws {
        let clock = SimulatedClock()
        let chip = piChip(clock: clock)
        let relay = try chip.requestOutput(
            17, OutputLineConfig(consumer: "relay", initialValue: .inactive, activeLow: true))

        clock.advance(by: .seconds(1))
        try relay.set(.active)
        try relay.set(.active)
        clock.advance(by: .seconds(2))
        try relay.set(.inactive)

        #expect(chip.outputChanges.map(\.level) == [.high, .low, .high])
        #expect(chip.outputChanges.map(\.value) == [.inactive, .active, .inactive])
        #expect(chip.outputChanges.map(\.time) == [.zero, .seconds(1), .seconds(3)])
        #expect(relay.value == .inactive)
    }

    @Test func anActiveHighOutputDrivesHighWhenActive() throws {
        let chip = piChip(clock: SimulatedClock())
        let line = try chip.requestOutput("GPIO5", OutputLineConfig(consumer: "ladder", initialValue: .active))

        #expect(line.offset == 5)
        #expect(chip.level(of: 5) == .high)
    }

    @Test func lineInfoShowsTheHolderAndHowTheLineIsSet() throws {
        let chip = piChip(clock: SimulatedClock())
        let relay = try chip.requestOutput(
            17, OutputLineConfig(consumer: "auxchain relay", initialValue: .inactive, activeLow: true))

        let info = try chip.lineInfo(17)

        #expect(info.name == "GPIO17")
        #expect(info.consumer == "auxchain relay")
        #expect(info.isUsed)
        #expect(info.direction == .output)
        #expect(info.isActiveLow)
        relay.release()
        #expect(try chip.lineInfo(17).isUsed == false)
    }
}

@Suite struct SimulatedChipErrorTests {
    @Test func aLineBeyondTheChipIsOutOfRange() {
        let chip = piChip(clock: SimulatedClock())

        let error = #expect(throws: GPIOError.self) {
            try chip.requestOutput(58, OutputLineConfig(consumer: "relay", initialValue: .inactive))
        }

        #expect(error?.reason == .lineOutOfRange(58, lineCount: 58))
        #expect(error?.description.contains("GPIO line 58 is out of range on gpiochip0 [pinctrl-bcm2711]") == true)
    }

    @Test func aSecondRequestForALineSaysWhoHoldsIt() throws {
        let chip = piChip(clock: SimulatedClock())
        let relay = try chip.requestOutput(17, OutputLineConfig(consumer: "auxchain relay", initialValue: .inactive))

        let error = #expect(throws: GPIOError.self) {
            try chip.requestInput(17, InputLineConfig(consumer: "button"))
        }

        #expect(error?.reason == .lineBusy(17, consumer: "auxchain relay"))
        #expect(
            error?.description.contains("GPIO line 17 on gpiochip0 [pinctrl-bcm2711] is in use by 'auxchain relay'")
                == true)
        #expect(relay.value == .inactive)
    }

    @Test func aNameTheChipDoesNotHaveIsNotFound() {
        let chip = piChip(clock: SimulatedClock())

        let error = #expect(throws: GPIOError.self) {
            try chip.requestInput("GPIO99", InputLineConfig(consumer: "button"))
        }

        #expect(error?.reason == .lineNameNotFound("GPIO99"))
        #expect(error?.description.contains("auxchain devices") == true)
    }

    @Test func aReleasedLineCanBeRequestedAgainButTheOldHandleIsDead() throws {
        let chip = piChip(clock: SimulatedClock())
        let first = try chip.requestOutput(17, OutputLineConfig(consumer: "relay", initialValue: .inactive))
        first.release()
        first.release()

        let second = try chip.requestOutput(17, OutputLineConfig(consumer: "relay", initialValue: .active))
        let error = #expect(throws: GPIOError.self) { try first.set(.inactive) }

        #expect(error?.reason == .released)
        #expect(second.value == .active)
        #expect(chip.level(of: 17) == .high)
    }

    @Test func aLineIsReleasedWhenItsHandleGoesAway() throws {
        let chip = piChip(clock: SimulatedClock())
        do {
            _ = try chip.requestOutput(17, OutputLineConfig(consumer: "relay", initialValue: .inactive))
        }

        let again = try chip.requestOutput(17, OutputLineConfig(consumer: "relay", initialValue: .inactive))

        #expect(again.offset == 17)
    }
}

@Suite struct SimulatedChipInputTests {
    @Test func anUndrivenInputFollowsItsPullBias() throws {
        let chip = piChip(clock: SimulatedClock())

        let pulledUp = try chip.requestInput(22, InputLineConfig(consumer: "button", activeLow: true, bias: .pullUp))
        let pulledDown = try chip.requestInput(23, InputLineConfig(consumer: "trigger", bias: .pullDown))

        #expect(chip.level(of: 22) == .high)
        #expect(try pulledUp.read() == .inactive)
        #expect(chip.level(of: 23) == .low)
        #expect(try pulledDown.read() == .inactive)
    }

    @Test func edgesAreReportedOnlyOnChangesWithTheirTimes() async throws {
        let clock = SimulatedClock()
        let chip = piChip(clock: clock)
        let button = try chip.requestInput(22, InputLineConfig(consumer: "button", activeLow: true, bias: .pullUp))

        clock.advance(to: .milliseconds(100))
        chip.drive(line: 22, to: .low)
        clock.advance(to: .milliseconds(150))
        chip.drive(line: 22, to: .low)
        clock.advance(to: .milliseconds(300))
        chip.drive(line: 22, to: .high)
        chip.drive(line: 22, to: .high)

        #expect(try button.read() == .inactive)
        #expect(
            await deliveredEvents(button) == [
                EdgeEvent(offset: 22, edge: .rising, timestamp: .milliseconds(100)),
                EdgeEvent(offset: 22, edge: .falling, timestamp: .milliseconds(300)),
            ])
    }

    @Test func onlyTheRequestedEdgesAreReported() async throws {
        let chip = piChip(clock: SimulatedClock())
        let trigger = try chip.requestInput(27, InputLineConfig(consumer: "trigger", bias: .pullDown, edges: .falling))

        chip.drive(line: 27, to: .high)
        chip.drive(line: 27, to: .low)
        chip.drive(line: 27, to: .high)

        #expect(try trigger.read() == .active)
        #expect(await deliveredEvents(trigger).map(\.edge) == [.falling])
    }

    @Test func aLineLeftUndrivenReturnsToItsPullBias() async throws {
        let chip = piChip(clock: SimulatedClock())
        let button = try chip.requestInput(22, InputLineConfig(consumer: "button", activeLow: true, bias: .pullUp))

        chip.drive(line: 22, to: .low)
        chip.stopDriving(line: 22)

        #expect(chip.level(of: 22) == .high)
        #expect(await deliveredEvents(button).map(\.edge) == [.rising, .falling])
    }

    @Test func aBouncyPressIsOneEdgeOnceTheLineHasSettled() async throws {
        let clock = SimulatedClock()
        let chip = piChip(clock: clock)
        let button = try chip.requestInput(
            22, InputLineConfig(consumer: "button", activeLow: true, bias: .pullUp, debounce: .milliseconds(30)))

        // Press with contact bounce, held, then released with bounce.
        for (time, level) in [(0, LineLevel.low), (2, .high), (3, .low), (5, .high), (8, .low)] {
            clock.advance(to: .milliseconds(time))
            chip.drive(line: 22, to: level)
        }
        clock.advance(to: .milliseconds(37))
        #expect(try button.read() == .inactive)
        clock.advance(to: .milliseconds(38))
        #expect(try button.read() == .active)
        for (time, level) in [(500, LineLevel.high), (501, .low), (504, .high)] {
            clock.advance(to: .milliseconds(time))
            chip.drive(line: 22, to: level)
        }
        clock.advance(to: .seconds(1))

        #expect(
            await deliveredEvents(button) == [
                EdgeEvent(offset: 22, edge: .rising, timestamp: .milliseconds(38)),
                EdgeEvent(offset: 22, edge: .falling, timestamp: .milliseconds(534)),
            ])
    }

    @Test func aGlitchShorterThanTheDebouncePeriodIsIgnored() async throws {
        let clock = SimulatedClock()
        let chip = piChip(clock: clock)
        let trigger = try chip.requestInput(
            27, InputLineConfig(consumer: "trigger", bias: .pullDown, debounce: .milliseconds(20)))

        clock.advance(to: .milliseconds(10))
        chip.drive(line: 27, to: .high)
        clock.advance(to: .milliseconds(15))
        chip.drive(line: 27, to: .low)
        clock.advance(to: .seconds(1))

        #expect(try trigger.read() == .inactive)
        #expect(await deliveredEvents(trigger).isEmpty)
    }

    @Test func theEventStreamEndsWhenTheLineIsReleased() async throws {
        let chip = piChip(clock: SimulatedClock())
        let button = try chip.requestInput(22, InputLineConfig(consumer: "button", activeLow: true, bias: .pullUp))
        chip.drive(line: 22, to: .low)

        let waiter = Task {
            var count = 0
            for await _ in button.events { count += 1 }
            return count
        }
        button.release()

        #expect(await waiter.value == 1)
        let error = #expect(throws: GPIOError.self) { try button.read() }
        #expect(error?.reason == .released)
    }
}

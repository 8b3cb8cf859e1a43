import GPIO
import Testing

@Suite struct SimulatedClockTests {
    @Test func advancingRunsDueActionsInDeadlineOrderAtTheirDeadlines() {
        let clock = SimulatedClock(now: .seconds(10))
        let seen = Recorder<String>()
        let times = Recorder<Duration>()
        clock.schedule(at: .seconds(13)) { seen.append("late"); times.append(clock.now) }
        clock.schedule(at: .seconds(11)) { seen.append("early"); times.append(clock.now) }
        clock.schedule(at: .seconds(20)) { seen.append("beyond"); times.append(clock.now) }

        clock.advance(by: .seconds(5))

        #expect(seen.values == ["early", "late"])
        #expect(times.values == [.seconds(11), .seconds(13)])
        #expect(clock.now == .seconds(15))
    }

    @Test func anActionScheduledByAnActionRunsInTheSameAdvanceWhenDue() {
        let clock = SimulatedClock()
        let ran = Recorder<Duration>()
        clock.schedule(at: .milliseconds(1)) {
            ran.append(clock.now)
            clock.schedule(at: .milliseconds(3)) { ran.append(clock.now) }
        }

        clock.advance(to: .milliseconds(5))

        #expect(ran.values == [.milliseconds(1), .milliseconds(3)])
    }
}

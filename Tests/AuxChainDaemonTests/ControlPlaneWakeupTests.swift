import Testing

@testable import AuxChainDaemon

/// The audio thread's nudge to the controller's loop.
@Suite struct ControlPlaneWakeupTests {
    @Test func aNudgeEndsAWaitLongBeforeItsTimeout() async {
        let wakeup = ControlPlaneWakeup()
        let started = ContinuousClock.now
        async let waited: Void = wakeup.wait(timeout: .seconds(10))
        try? await Task.sleep(for: .milliseconds(50))
        wakeup.signal()
        await waited
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aNudgeWithNobodyWaitingEndsTheNextWaitAtOnceAndOnlyThatOne() async {
        let wakeup = ControlPlaneWakeup()
        wakeup.signal()
        wakeup.signal()
        try? await Task.sleep(for: .milliseconds(50))  // the read end has drained both
        var started = ContinuousClock.now
        await wakeup.wait(timeout: .seconds(10))
        #expect(ContinuousClock.now - started < .seconds(5), "kept for the next wait")
        started = ContinuousClock.now
        await wakeup.wait(timeout: .milliseconds(200))
        #expect(ContinuousClock.now - started >= .milliseconds(200), "two nudges before a wait count once")
    }

    @Test func withoutANudgeAWaitLastsItsTimeout() async {
        let wakeup = ControlPlaneWakeup()
        let started = ContinuousClock.now
        await wakeup.wait(timeout: .milliseconds(100))
        #expect(ContinuousClock.now - started >= .milliseconds(100))
    }

    @Test func cancellingTheWaitingTaskEndsTheWait() async {
        let wakeup = ControlPlaneWakeup()
        let started = ContinuousClock.now
        let waiting = Task { await wakeup.wait(timeout: .seconds(10)) }
        try? await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await waiting.value
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}

import AuxChainCore
import Testing

extension PowerSequencer.Timing {
    /// The config's defaults.
    static let standard = PowerSequencer.Timing(
        settle: .milliseconds(1500), offDelay: .seconds(600),
        minimumOn: .seconds(60), minimumOff: .seconds(5), rampDownLimit: .milliseconds(500))

    func with(offDelay: Duration? = nil, minimumOn: Duration? = nil) -> Self {
        var timing = self
        if let offDelay { timing.offDelay = offDelay }
        if let minimumOn { timing.minimumOn = minimumOn }
        return timing
    }
}

private typealias Entry = PowerSequencerRig.Entry

private func switches(_ rig: PowerSequencerRig) -> [String] {
    rig.relaySwitches.map { "\($0.isOn ? "on" : "off") at \($0.time)" }
}

private func on(_ time: Duration) -> String { "on at \(time)" }
private func off(_ time: Duration) -> String { "off at \(time)" }

@Suite struct PowerSequencerTests {
    @Test func startSwitchesTheRelayOffBeforeDecidingAnything() {
        let rig = PowerSequencerRig(timing: .standard)
        #expect(rig.actions == [.relayOff])
        #expect(rig.log.last?.action == .publish(PowerStatus(state: .off, mode: .auto, isTriggerHoldingOn: false)))
        #expect(rig.sequencer.nextDeadline == nil)
    }

    @Test func modeOnAtStartWaitsOutTheMinimumOffTimeHoldingAudio() {
        var rig = PowerSequencerRig(timing: .standard, mode: .on)
        #expect(rig.actions == [.relayOff, .holdAudio])
        rig.advance(to: .seconds(10))
        #expect(switches(rig) == [off(.zero), on(.seconds(5))])
        #expect(rig.firstTime(of: .releaseAudio) == .milliseconds(6500))
        #expect(rig.sequencer.state == .on)
    }

    @Test func signalWarmsUpHoldingAudioThenReleasesAfterSettle() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(20))
        #expect(rig.entries(since: .seconds(20)).map(\.action) == [
            .holdAudio, .relayOn, .rampUp,
            .publish(PowerStatus(state: .warming, mode: .auto, isTriggerHoldingOn: false)),
        ])
        #expect(rig.sequencer.nextDeadline == .milliseconds(21500))
        rig.advance(to: .milliseconds(21499))
        #expect(rig.sequencer.state == .warming)
        rig.advance(to: .milliseconds(21500))
        #expect(rig.entries(since: .milliseconds(21500)).map(\.action) == [
            .releaseAudio, .publish(PowerStatus(state: .on, mode: .auto, isTriggerHoldingOn: false)),
        ])
    }

    @Test func musicWithTwoSecondGapsNeverTogglesTheRelay() {
        var rig = PowerSequencerRig(timing: Self.thirtySecondOffDelay)
        var time = Duration.seconds(10)
        for _ in 0..<5 {
            rig.send(.signalPresent, at: time)
            time += .seconds(180)
            rig.send(.signalAbsent, at: time)
            time += .seconds(2)
        }
        // Track skips: the detector drops out for a few hundred milliseconds at a time.
        for _ in 0..<20 {
            rig.send(.signalPresent, at: time)
            time += .seconds(3)
            rig.send(.signalAbsent, at: time)
            time += .milliseconds(300)
        }
        rig.send(.signalPresent, at: time)
        rig.advance(to: time + .seconds(60))
        #expect(switches(rig) == [off(.zero), on(.seconds(10))])
        #expect(!rig.actions.contains(.rampDown))
        #expect(rig.publishedStates.filter { $0 == .idle }.count == 25)
        #expect(rig.sequencer.state == .on)
    }

    @Test func silenceAfterMusicSwitchesOffExactlyAfterTheOffDelay() {
        var rig = PowerSequencerRig(timing: Self.thirtySecondOffDelay)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.signalAbsent, at: .seconds(200))
        #expect(rig.sequencer.state == .idle)
        #expect(rig.sequencer.nextDeadline == .seconds(230))
        rig.advance(to: .seconds(230) - .nanoseconds(1))
        #expect(!rig.actions.contains(.rampDown))
        rig.advance(to: .seconds(231))
        #expect(rig.entries(since: .seconds(200)) == [
            Entry(.seconds(200), .publish(PowerStatus(state: .idle, mode: .auto, isTriggerHoldingOn: false))),
            Entry(.seconds(230), .rampDown),
            Entry(.seconds(230), .publish(PowerStatus(state: .cooling, mode: .auto, isTriggerHoldingOn: false))),
            Entry(.milliseconds(230_040), .relayOff),
            Entry(.milliseconds(230_040), .publish(PowerStatus(state: .off, mode: .auto, isTriggerHoldingOn: false))),
        ])
        #expect(switches(rig) == [off(.zero), on(.seconds(10)), off(.milliseconds(230_040))])
    }

    @Test func relayStaysOnForTheMinimumOnTimeAfterAShortBurst() {
        var rig = PowerSequencerRig(timing: .standard.with(offDelay: .seconds(10), minimumOn: .seconds(60)))
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.signalAbsent, at: .seconds(12))
        rig.advance(to: .seconds(100))
        #expect(rig.firstTime(of: .rampDown) == .seconds(70))
        #expect(switches(rig) == [off(.zero), on(.seconds(10)), off(.milliseconds(70_040))])
    }

    @Test func signalSoonAfterSwitchOffIsHeldUntilTheMinimumOffTimeHasPassed() {
        var rig = PowerSequencerRig(timing: .standard.with(offDelay: .seconds(10), minimumOn: .zero))
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.signalAbsent, at: .seconds(12))
        rig.send(.signalPresent, at: .seconds(24))
        #expect(rig.entries(since: .seconds(24)).map(\.action) == [.holdAudio])
        #expect(rig.sequencer.nextDeadline == .milliseconds(27_040))
        rig.advance(to: .seconds(30))
        #expect(switches(rig) == [off(.zero), on(.seconds(10)), off(.milliseconds(22_040)), on(.milliseconds(27_040))])
        #expect(rig.firstTime(of: .releaseAudio, since: .seconds(24)) == .milliseconds(28_540))
    }

    @Test func signalAbsentBeforeTheMinimumOffTimeEndsDiscardsTheHeldAudio() {
        var rig = PowerSequencerRig(timing: .standard.with(offDelay: .seconds(10), minimumOn: .zero))
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.signalAbsent, at: .seconds(12))
        rig.send(.signalPresent, at: .seconds(24))
        rig.send(.signalAbsent, at: .seconds(25))
        rig.advance(to: .seconds(40))
        #expect(rig.entries(since: .seconds(24)).map(\.action) == [.holdAudio, .discardHeldAudio])
        #expect(switches(rig).count == 3)
    }

    @Test func signalDuringTheRampDownRampsBackUpWithoutTouchingTheRelay() {
        var rig = PowerSequencerRig(timing: Self.thirtySecondOffDelay)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.signalAbsent, at: .seconds(100))
        rig.advance(to: .milliseconds(130_010))
        #expect(rig.sequencer.state == .cooling)
        rig.send(.signalPresent, at: .milliseconds(130_020))
        rig.advance(to: .seconds(200))
        #expect(rig.entries(since: .milliseconds(130_020)).map(\.action) == [
            .rampUp, .publish(PowerStatus(state: .on, mode: .auto, isTriggerHoldingOn: false)),
        ])
        #expect(switches(rig) == [off(.zero), on(.seconds(10))])
    }

    @Test func manualOffDuringMusicRampsDownThenSwitchesOffAndIgnoresTheSignal() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(10))
        // Within the minimum on time: a person's off does not wait for it.
        rig.send(.setMode(.off), at: .seconds(30))
        rig.send(.signalAbsent, at: .seconds(40))
        rig.send(.signalPresent, at: .seconds(41))
        rig.advance(to: .seconds(300))
        #expect(rig.entries(since: .seconds(30)) == [
            Entry(.seconds(30), .rampDown),
            Entry(.seconds(30), .publish(PowerStatus(state: .cooling, mode: .off, isTriggerHoldingOn: false))),
            Entry(.milliseconds(30_040), .relayOff),
            Entry(.milliseconds(30_040), .publish(PowerStatus(state: .off, mode: .off, isTriggerHoldingOn: false))),
        ])
        rig.send(.setMode(.auto), at: .seconds(300))
        #expect(rig.entries(since: .seconds(300)).map(\.action) == [
            .holdAudio, .relayOn, .rampUp,
            .publish(PowerStatus(state: .warming, mode: .auto, isTriggerHoldingOn: false)),
        ])
    }

    @Test func manualOffWhileWarmingDropsTheRelayAtOnceAndDiscardsTheHeldAudio() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.setMode(.off), at: .milliseconds(10_500))
        rig.advance(to: .seconds(20))
        #expect(rig.entries(since: .milliseconds(10_500)).map(\.action) == [
            .relayOff, .rampDown, .discardHeldAudio,
            .publish(PowerStatus(state: .off, mode: .off, isTriggerHoldingOn: false)),
        ])
        #expect(!rig.actions.contains(.releaseAudio))
    }

    @Test func stopDuringPlaybackRampsDownThenSwitchesTheRelayOff() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.stopRequested, at: .seconds(50))
        #expect(!rig.sequencer.hasStopped)
        rig.advance(to: .seconds(51))
        #expect(rig.entries(since: .seconds(50)) == [
            Entry(.seconds(50), .rampDown),
            Entry(.seconds(50), .publish(PowerStatus(state: .cooling, mode: .auto, isTriggerHoldingOn: false))),
            Entry(.milliseconds(50_040), .relayOff),
            Entry(.milliseconds(50_040), .publish(PowerStatus(state: .off, mode: .auto, isTriggerHoldingOn: false))),
        ])
        #expect(rig.sequencer.hasStopped)
        #expect(rig.sequencer.nextDeadline == nil)
        let before = rig.log.count
        rig.send(.setMode(.on), at: .seconds(60))
        rig.send(.triggerHigh, at: .seconds(61))
        rig.advance(to: .seconds(100))
        #expect(rig.log.count == before)
    }

    @Test func stopDropsTheRelayAtTheRampDownLimitWhenTheRampNeverReportsItsEnd() {
        var rig = PowerSequencerRig(timing: .standard, rampTime: .seconds(3600))
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.stopRequested, at: .seconds(50))
        rig.advance(to: .seconds(60))
        #expect(switches(rig) == [off(.zero), on(.seconds(10)), off(.milliseconds(50_500))])
        #expect(rig.sequencer.hasStopped)
    }

    @Test func stopWhileWarmingDropsTheRelayAtOnce() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.stopRequested, at: .seconds(11))
        #expect(rig.entries(since: .seconds(11)).map(\.action).prefix(3) == [.relayOff, .rampDown, .discardHeldAudio])
        #expect(rig.sequencer.hasStopped)
    }

    @Test func stopWhileOffRepeatsRelayOffAndDropsHeldAudio() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(1))
        rig.send(.stopRequested, at: .seconds(2))
        #expect(rig.entries(since: .seconds(2)).map(\.action) == [.relayOff, .discardHeldAudio])
        #expect(rig.sequencer.hasStopped)
    }

    @Test func triggerHighHoldsTheSpeakerOnAndTriggerLowHandsBackToAuto() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.triggerHigh, at: .seconds(10))
        #expect(rig.entries(since: .seconds(10)).map(\.action) == [
            .holdAudio, .relayOn, .rampUp,
            .publish(PowerStatus(state: .warming, mode: .auto, isTriggerHoldingOn: true)),
        ])
        rig.advance(to: .seconds(100))
        #expect(rig.sequencer.state == .on)
        rig.send(.triggerLow, at: .seconds(100))
        #expect(rig.sequencer.status == PowerStatus(state: .idle, mode: .auto, isTriggerHoldingOn: false))
        // Quiet since the start: the off delay runs from there, not from the trigger's fall.
        #expect(rig.sequencer.nextDeadline == .seconds(600))
        rig.advance(to: .seconds(700))
        #expect(switches(rig) == [off(.zero), on(.seconds(10)), off(.milliseconds(600_040))])
    }

    @Test func triggerLowReturnsToTheSavedOffMode() {
        var rig = PowerSequencerRig(timing: .standard, mode: .off)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.triggerHigh, at: .seconds(20))
        rig.send(.triggerLow, at: .seconds(200))
        rig.advance(to: .seconds(300))
        #expect(switches(rig) == [off(.zero), on(.seconds(20)), off(.milliseconds(200_040))])
        #expect(rig.sequencer.mode == .off)
    }

    @Test func aManualCommandWinsOverTheTriggerUntilItsNextRisingEdge() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.triggerHigh, at: .seconds(10))
        rig.send(.setMode(.off), at: .seconds(20))
        // The daemon re-reading a still-high level is no new edge.
        rig.send(.triggerHigh, at: .seconds(25))
        rig.send(.triggerLow, at: .seconds(30))
        #expect(rig.sequencer.status == PowerStatus(state: .off, mode: .off, isTriggerHoldingOn: false))
        rig.send(.triggerHigh, at: .seconds(40))
        #expect(rig.sequencer.status == PowerStatus(state: .warming, mode: .off, isTriggerHoldingOn: true))
        #expect(switches(rig) == [off(.zero), on(.seconds(10)), off(.milliseconds(20_040)), on(.seconds(40))])
    }

    @Test func toggleSwitchesOnWhenOffAndOffWhenOn() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.toggle, at: .seconds(10))
        #expect(rig.sequencer.status == PowerStatus(state: .warming, mode: .on, isTriggerHoldingOn: false))
        rig.send(.toggle, at: .seconds(20))
        #expect(rig.sequencer.status == PowerStatus(state: .cooling, mode: .off, isTriggerHoldingOn: false))
        // Pressed again during the ramp-down: back on without touching the relay.
        rig.send(.toggle, at: .milliseconds(20_010))
        rig.advance(to: .seconds(30))
        #expect(rig.sequencer.status == PowerStatus(state: .on, mode: .on, isTriggerHoldingOn: false))
        #expect(switches(rig) == [off(.zero), on(.seconds(10))])
    }

    @Test func toggleWhileIdleInAutoSwitchesOff() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.signalAbsent, at: .seconds(20))
        rig.send(.toggle, at: .seconds(30))
        rig.advance(to: .seconds(40))
        #expect(rig.sequencer.status == PowerStatus(state: .off, mode: .off, isTriggerHoldingOn: false))
    }

    @Test func aLateRampUpReportDoesNotEndTheRampDown() {
        var rig = PowerSequencerRig(timing: .standard)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.setMode(.off), at: .seconds(20))
        rig.send(.rampFinished(.up), at: .milliseconds(20_010))
        #expect(rig.sequencer.state == .cooling)
        rig.advance(to: .seconds(21))
        #expect(switches(rig) == [off(.zero), on(.seconds(10)), off(.milliseconds(20_040))])
    }

    @Test func publishesEachStateOfAFullCycleOnce() {
        var rig = PowerSequencerRig(timing: Self.thirtySecondOffDelay)
        rig.send(.signalPresent, at: .seconds(10))
        rig.send(.signalPresent, at: .seconds(11))
        rig.send(.signalAbsent, at: .seconds(100))
        rig.advance(to: .seconds(200))
        #expect(rig.publishedStates == [.off, .warming, .on, .idle, .cooling, .off])
    }

    static let thirtySecondOffDelay = PowerSequencer.Timing.standard.with(offDelay: .seconds(30))
}

@Suite struct PowerSequencerTimingTests {
    @Test func timingComesFromThePowerSettingsAndBoundsTheRampDownWait() {
        var power = PowerSettings()
        power.settle = .milliseconds(800)
        power.offDelay = .seconds(120)
        power.minimumOn = .seconds(30)
        power.minimumOff = .seconds(3)
        let timing = PowerSequencer.Timing(power, ramp: .milliseconds(40))
        #expect(timing == PowerSequencer.Timing(
            settle: .milliseconds(800), offDelay: .seconds(120), minimumOn: .seconds(30),
            minimumOff: .seconds(3), rampDownLimit: .milliseconds(290)))
        #expect(timing.longestHold == .milliseconds(3800))
    }
}

import AuxChainCore
import Testing

@Suite struct VolumeTrackTests {
    @Test func aFirstStartUsesTheSafeLevel() {
        let track = VolumeTrack(settings: volumeSettings(), saved: nil)
        #expect(abs(track.targetPercent - 40) < 1e-9)
        #expect(!track.isMuted)
    }

    @Test func aSavedLevelAtOrBelowTheSafeLevelIsRestored() {
        let track = VolumeTrack(settings: volumeSettings(), saved: SavedVolume(percent: 25, muted: true))
        #expect(abs(track.targetPercent - 25) < 1e-9)
        #expect(track.isMuted)
        let atSafe = VolumeTrack(settings: volumeSettings(), saved: SavedVolume(percent: 40, muted: false))
        #expect(abs(atSafe.targetPercent - 40) < 1e-9)
    }

    @Test func aSavedLevelAboveTheSafeLevelStartsAtTheSafeLevel() {
        let track = VolumeTrack(settings: volumeSettings(), saved: SavedVolume(percent: 95, muted: false))
        #expect(abs(track.targetPercent - 40) < 1e-9)
    }

    @Test func theSafeLevelItselfIsCapped() {
        let track = VolumeTrack(settings: volumeSettings(maxDB: -50, safeStartPercent: 40), saved: nil)
        #expect(track.targetDB == -50)
    }

    @Test func whatIsSavedRestoresTheSameTarget() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil)
        track.setPercent(33.3)
        track.mute()
        let restored = VolumeTrack(settings: volumeSettings(), saved: track.saved)
        #expect(abs(restored.targetDB - track.targetDB) < 1e-9)
        #expect(restored.isMuted)
        track.setPercent(0)
        #expect(track.saved.percent == 0)
    }

    @Test func commandsNeverPassTheCap() {
        var track = VolumeTrack(settings: volumeSettings(maxDB: -12), saved: nil)
        track.setPercent(100)
        #expect(track.targetDB == -12)
        track.setGainDB(6)
        #expect(track.targetDB == -12)
        track.stepUp()
        #expect(track.targetDB == -12)
        track.setGainDB(-20)
        track.updateSettings(volumeSettings(maxDB: -30))
        #expect(track.targetDB == -30)
    }

    @Test func muteKeepsTheTargetAndSilencesTheOutput() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil)
        track.setPercent(70)
        let target = track.targetDB
        track.mute()
        #expect(track.effectiveDB == -.infinity)
        #expect(track.targetDB == target)
        track.toggleMute()
        #expect(track.effectiveDB == target)
    }

    @Test func stepsMoveByTheStepSize() {
        var track = VolumeTrack(settings: volumeSettings(stepDB: 3), saved: nil)
        track.setGainDB(-20)
        track.stepUp()
        #expect(track.targetDB == -17)
        track.stepDown()
        track.stepDown()
        #expect(track.targetDB == -23)
    }

    @Test func steppingDownPastTheBottomIsSilenceAndUpFromSilenceIsOnePercent() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil)
        track.setGainDB(-59)
        track.stepDown()
        #expect(track.targetDB == -.infinity)
        track.stepUp()
        #expect(track.targetDB == -60)
    }

    @Test func steppingUpUnmutesAndSteppingDownDoesNot() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil)
        track.mute()
        track.stepDown()
        #expect(track.isMuted)
        track.stepUp()
        #expect(!track.isMuted)
    }

    @Test func notANumberChangesNothing() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil)
        let target = track.targetDB
        track.setPercent(.nan)
        track.setGainDB(.nan)
        #expect(track.targetDB == target)
        let fromBadState = VolumeTrack(settings: volumeSettings(), saved: SavedVolume(percent: .nan, muted: false))
        #expect(abs(fromBadState.targetPercent - 40) < 1e-9)
    }

    @Test func withoutAnAttenuatorEveryChangeIsOneDigitalRampFromSilenceAtStart() {
        var track = VolumeTrack(settings: volumeSettings(), saved: nil)
        let first = track.nextTransition(at: .zero)
        #expect(first?.from == GainSplit(hardwareDB: 0, digitalDB: -.infinity))
        #expect(first?.steps == [.init(at: .zero, action: .rampDigital(toDB: track.targetDB))])
        #expect(track.nextTransition(at: .milliseconds(1)) == nil)
        track.setGainDB(-10)
        // No attenuator: a new ramp may start while the last one runs.
        #expect(track.nextTransition(at: .milliseconds(2))?.steps == [.init(at: .zero, action: .rampDigital(toDB: -10))])
        track.mute()
        #expect(track.nextTransition(at: .milliseconds(3))?.to.digitalDB == -.infinity)
    }
}

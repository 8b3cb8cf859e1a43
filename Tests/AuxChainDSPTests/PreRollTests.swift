import AuxChainDSP
import Foundation
import Testing

/// Runs periods of interleaved stereo through a pre-roll and collects the output.
private struct Feed {
    static let channels = 2
    var output: [Float] = []

    mutating func push(_ input: [Float], through preRoll: inout PreRoll) {
        let frames = input.count / Self.channels
        var period = [Float](repeating: .nan, count: input.count)
        input.withUnsafeBufferPointer { source in
            period.withUnsafeMutableBufferPointer { destination in
                preRoll.process(input: source.baseAddress!, output: destination.baseAddress!, frames: frames)
            }
        }
        output += period
    }
}

/// Stereo frames numbered from `first`: every sample loud (≥ 0.1) and unique, so
/// any dropped, repeated or reordered frame shows.
private func loudFrames(_ first: Int, count: Int) -> [Float] {
    (first..<(first + count)).flatMap { frame -> [Float] in
        let sample = 0.1 + Float(frame) * 1e-4
        return [sample, -sample]
    }
}

/// Stereo frames below −60 dBFS, numbered like ``loudFrames(_:count:)``.
private func quietFrames(_ first: Int, count: Int) -> [Float] {
    (first..<(first + count)).flatMap { frame -> [Float] in
        [Float(frame % 97) * 1e-6, -Float(frame % 89) * 1e-6]
    }
}

private func silence(_ frames: Int) -> [Float] {
    [Float](repeating: 0, count: frames * Feed.channels)
}

@Suite struct PreRollTests {
    @Test func passesAudioStraightThroughWhenNothingIsHeld() {
        var preRoll = PreRoll(capacityFrames: 1000, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        let input = (0..<40).flatMap { loudFrames($0 * 64, count: 64) }
        for period in 0..<40 {
            feed.push(Array(input[(period * 128)..<((period + 1) * 128)]), through: &preRoll)
        }
        #expect(feed.output == input)
        #expect(preRoll.backlogFrames == 0)
    }

    @Test func holdOutputsSilenceAndReleasePlaysFromTheFirstHeldSample() {
        var preRoll = PreRoll(capacityFrames: 1000, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        feed.push(loudFrames(0, count: 64), through: &preRoll)
        preRoll.hold()
        for period in 1...5 { feed.push(loudFrames(period * 64, count: 64), through: &preRoll) }
        #expect(feed.output.suffix(5 * 128) == ArraySlice(silence(5 * 64)))
        #expect(preRoll.backlogFrames == 5 * 64)
        preRoll.release()
        for period in 6...8 { feed.push(loudFrames(period * 64, count: 64), through: &preRoll) }
        // All loud: nothing may be dropped, so the delay stays and the stream is exact.
        #expect(feed.output.suffix(3 * 128) == ArraySlice(loudFrames(64, count: 3 * 64)))
        #expect(preRoll.backlogFrames == 5 * 64)
        #expect(preRoll.droppedFrames == 0)
    }

    @Test func holdReachesBackOverTheLookBackFrames() {
        var preRoll = PreRoll(capacityFrames: 1000, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        for period in 0..<4 { feed.push(loudFrames(period * 64, count: 64), through: &preRoll) }
        preRoll.hold(lookBackFrames: 100)
        feed.push(loudFrames(256, count: 64), through: &preRoll)
        preRoll.release()
        feed.push(loudFrames(320, count: 64), through: &preRoll)
        #expect(feed.output.suffix(128) == ArraySlice(loudFrames(156, count: 64)))
        #expect(preRoll.backlogFrames == 164)
    }

    @Test func lookBackCannotReachBeforeTheFirstFrame() {
        var preRoll = PreRoll(capacityFrames: 1000, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        feed.push(loudFrames(0, count: 10), through: &preRoll)
        preRoll.hold(lookBackFrames: 500)
        preRoll.release()
        feed.push(loudFrames(10, count: 10), through: &preRoll)
        #expect(feed.output.suffix(20) == ArraySlice(loudFrames(0, count: 10)))
    }

    @Test func worksTheBacklogOffByDroppingOnlyQuietRuns() {
        var preRoll = PreRoll(capacityFrames: 4096, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        preRoll.hold()
        var input: [Float] = []
        for period in 0..<20 {
            let period = loudFrames(period * 64, count: 64)
            input += period
            feed.push(period, through: &preRoll)
        }
        preRoll.release()
        // Speech-like: loud bursts with quiet gaps, then silence.
        var frame = 1280
        for _ in 0..<12 {
            let burst = loudFrames(frame, count: 96) + quietFrames(frame + 96, count: 160)
            input += burst
            frame += 256
        }
        input += quietFrames(frame, count: 2048)
        for start in stride(from: 20 * 64 * 2, to: input.count, by: 128) {
            feed.push(Array(input[start..<(start + 128)]), through: &preRoll)
        }
        let heard = feed.output.suffix(feed.output.count - 20 * 128)
        #expect(loud(Array(heard)) == loud(input))
        #expect(preRoll.backlogFrames == 0)
        #expect(preRoll.droppedFrames == 20 * 64)
        // Back to no delay: the last periods come out as they went in.
        #expect(feed.output.suffix(640) == input.suffix(640))
    }

    @Test func neverDropsTheNearZeroSamplesAtAWaveformsZeroCrossings() {
        var preRoll = PreRoll(capacityFrames: 4096, channels: 2, maxPeriodFrames: 512)
        var feed = Feed()
        // A 200 Hz tone at −20 dBFS passes through zero every 120 frames.
        let tone = (0..<(24 * 512)).flatMap { frame -> [Float] in
            let phase = 2 * Double.pi * 200 * Double(frame) / 48_000
            let sample = Float(0.1 * sin(phase))
            return [sample, sample]
        }
        #expect(tone.contains { abs($0) < 0.001 })
        let periodSamples = 512 * 2
        preRoll.hold()
        feed.push(Array(tone[0..<periodSamples]), through: &preRoll)
        preRoll.release()
        for start in stride(from: periodSamples, to: tone.count, by: periodSamples) {
            feed.push(Array(tone[start..<(start + periodSamples)]), through: &preRoll)
        }
        #expect(preRoll.droppedFrames == 0)
        #expect(preRoll.backlogFrames == 512)
        #expect(Array(feed.output[periodSamples...]) == Array(tone[0..<(tone.count - periodSamples)]))
    }

    @Test func aHoldLongerThanTheCapacityKeepsTheOldestAudioAndCountsTheRest() {
        var preRoll = PreRoll(capacityFrames: 300, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        preRoll.hold()
        for period in 0..<6 { feed.push(loudFrames(period * 64, count: 64), through: &preRoll) }
        #expect(preRoll.backlogFrames == 300)
        #expect(preRoll.overflowFrames == 84)
        preRoll.release()
        for period in 6..<11 { feed.push(loudFrames(period * 64, count: 64), through: &preRoll) }
        // The first 300 frames, then a gap where the overflow was, then the audio after the release.
        #expect(feed.output.suffix(5 * 128) == ArraySlice(loudFrames(0, count: 300) + loudFrames(384, count: 20)))
    }

    @Test func discardDropsTheHeldAudioAndPassesStraightThroughAgain() {
        var preRoll = PreRoll(capacityFrames: 1000, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        preRoll.hold()
        for period in 0..<3 { feed.push(loudFrames(period * 64, count: 64), through: &preRoll) }
        preRoll.discard()
        #expect(preRoll.backlogFrames == 0)
        feed.push(loudFrames(192, count: 64), through: &preRoll)
        #expect(feed.output.suffix(128) == ArraySlice(loudFrames(192, count: 64)))
    }

    @Test func holdingAgainDoesNotReplayAudioAlreadyPlayed() {
        var preRoll = PreRoll(capacityFrames: 1000, channels: 2, maxPeriodFrames: 64)
        var feed = Feed()
        preRoll.hold()
        for period in 0..<4 { feed.push(loudFrames(period * 64, count: 64), through: &preRoll) }
        preRoll.release()
        feed.push(loudFrames(256, count: 64), through: &preRoll)
        preRoll.hold(lookBackFrames: 64)
        preRoll.release()
        feed.push(loudFrames(320, count: 64), through: &preRoll)
        // Frames 0..<64 played; the backlog (64..<320) goes on where it was.
        #expect(feed.output.suffix(128) == ArraySlice(loudFrames(64, count: 64)))
    }

    @Test func processesInPlace() {
        var preRoll = PreRoll(capacityFrames: 1000, channels: 2, maxPeriodFrames: 64)
        preRoll.hold()
        var first = loudFrames(0, count: 64)
        first.withUnsafeMutableBufferPointer { preRoll.process(input: $0.baseAddress!, output: $0.baseAddress!, frames: 64) }
        #expect(first == silence(64))
        preRoll.release()
        var second = loudFrames(64, count: 64)
        second.withUnsafeMutableBufferPointer { preRoll.process(input: $0.baseAddress!, output: $0.baseAddress!, frames: 64) }
        #expect(second == loudFrames(0, count: 64))
    }

    @Test func quietThresholdFollowsTheConfiguredLevel() {
        let preRoll = PreRoll(capacityFrames: 10, channels: 1, maxPeriodFrames: 10, quietThresholdDBFS: -40)
        #expect(abs(preRoll.quietThreshold - 0.01) < 1e-6)
    }
}

/// The frames (as stereo pairs) at or above −60 dBFS, in order.
private func loud(_ samples: [Float]) -> [[Float]] {
    stride(from: 0, to: samples.count, by: 2)
        .map { Array(samples[$0..<($0 + 2)]) }
        .filter { $0.contains { abs($0) >= 0.001 } }
}

import AuxChainCore
import AuxChainDSP
import Foundation
import AuxChainTestSupport
import Testing

/// A synthetic Echo line-out at 48 kHz stereo: a noise floor at −80 dBFS, and
/// from `replyStartFrame` a spoken reply: syllables of a few harmonics under a
/// smooth envelope, with the short and long pauses of speech between them.
private struct EchoLineOut {
    static let rate = 48_000
    static let channels = 2
    let samples: [Float]
    let replyStartFrame: Int
    let replyEndFrame: Int

    init(totalSeconds: Int, replyStartFrame: Int, replySeconds: Double) {
        var random = SeededGenerator(seed: 7)
        var samples = (0..<(totalSeconds * Self.rate * Self.channels)).map { _ in Float(random.unit() * 2 - 1) * 1e-4 }
        var frame = replyStartFrame
        var syllable = 0
        let replyLimit = replyStartFrame + Int(replySeconds * Double(Self.rate))
        while frame < replyLimit {
            let length = Int(Double(Self.rate) * (0.09 + 0.17 * random.unit()))
            let fundamentalHz = 110 + 60 * random.unit()
            for offset in 0..<length {
                let time = Double(offset) / Double(Self.rate)
                let envelope = sin(Double.pi * Double(offset) / Double(length))
                let phase = 2 * Double.pi * fundamentalHz * time
                let voice = 0.25 * sin(phase) + 0.12 * sin(2 * phase + 0.3) + 0.06 * sin(3 * phase + 1.1)
                let index = (frame + offset) * Self.channels
                samples[index] += Float(envelope * voice)
                samples[index + 1] += Float(0.9 * envelope * voice)
            }
            frame += length
            syllable += 1
            // Most pauses are short (between syllables), every third one is a word or phrase break.
            let pauseSeconds = syllable % 3 == 0 ? 0.16 + 0.12 * random.unit() : 0.03 + 0.05 * random.unit()
            frame += Int(pauseSeconds * Double(Self.rate))
        }
        self.samples = samples
        self.replyStartFrame = replyStartFrame
        self.replyEndFrame = frame
    }
}

/// Stands in for the audio thread's detector: present when a period peaks above
/// the on threshold, absent after half a second below the off threshold.
private struct PeakDetector {
    let onPeak = Float(pow(10, -50.0 / 20))
    let offPeak = Float(pow(10, -60.0 / 20))
    let releaseFrames = EchoLineOut.rate / 2
    var isPresent = false
    var quietFrames = 0

    mutating func update(_ period: ArraySlice<Float>) -> PowerEvent? {
        let peak = period.reduce(Float(0)) { max($0, abs($1)) }
        let frames = period.count / EchoLineOut.channels
        if !isPresent && peak >= onPeak {
            isPresent = true
            quietFrames = 0
            return .signalPresent
        }
        quietFrames = peak < offPeak ? quietFrames + frames : 0
        if isPresent && quietFrames >= releaseFrames {
            isPresent = false
            return .signalAbsent
        }
        return nil
    }
}

private func time(ofFrame frame: Int) -> Duration {
    .nanoseconds(Int64(frame) * 1_000_000_000 / Int64(EchoLineOut.rate))
}

/// The samples of the frames at or above the threshold, in order.
private func loudFrames(_ samples: ArraySlice<Float>, threshold: Float) -> [Float] {
    var loud: [Float] = []
    for start in stride(from: samples.startIndex, to: samples.endIndex, by: EchoLineOut.channels) {
        let frame = samples[start..<(start + EchoLineOut.channels)]
        if frame.contains(where: { abs($0) >= threshold }) { loud += frame }
    }
    return loud
}

@Suite struct PowerSequencerAlexaReplyTests {
    @Test func alexaReplyAfterLongSilenceIsPlayedWholeAndTheDelayIsGoneByItsEnd() throws {
        let periodFrames = 256
        let lookBackFrames = 2 * periodFrames
        let timing = PowerSequencer.Timing.standard
        // Mid-period onset, long after start: the relay has been off far longer than the minimum.
        let lineOut = EchoLineOut(totalSeconds: 32, replyStartFrame: 20 * EchoLineOut.rate + 77, replySeconds: 8)
        let holdFrames = Int(timing.longestHold / .seconds(1) * Double(EchoLineOut.rate))
        var preRoll = PreRoll(capacityFrames: holdFrames + lookBackFrames + periodFrames,
                              channels: EchoLineOut.channels, maxPeriodFrames: periodFrames)
        var rig = PowerSequencerRig(timing: timing)
        var detector = PeakDetector()
        var heard: [Float] = []
        var isReleased = false
        var appliedEntries = rig.log.count
        var backlogAtReplyEnd: Int?
        var largestBacklog = 0
        var output = [Float](repeating: 0, count: periodFrames * EchoLineOut.channels)

        for period in 0..<(lineOut.samples.count / (periodFrames * EchoLineOut.channels)) {
            let first = period * periodFrames
            let range = (first * EchoLineOut.channels)..<((first + periodFrames) * EchoLineOut.channels)
            lineOut.samples[range].withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    preRoll.process(input: input.baseAddress!, output: output.baseAddress!, frames: periodFrames)
                }
            }
            if isReleased { heard += output }
            largestBacklog = max(largestBacklog, preRoll.backlogFrames)
            if (first..<(first + periodFrames)).contains(lineOut.replyEndFrame) {
                backlogAtReplyEnd = preRoll.backlogFrames
            }

            // The period is known once captured: the detector and the controller answer at its end,
            // and the pre-roll sees their decisions from the next period on.
            let end = time(ofFrame: first + periodFrames)
            if let event = detector.update(lineOut.samples[range]) {
                rig.send(event, at: end)
            } else {
                rig.advance(to: end)
            }
            for entry in rig.log[appliedEntries...] {
                switch entry.action {
                case .holdAudio: preRoll.hold(lookBackFrames: lookBackFrames)
                case .releaseAudio:
                    preRoll.release()
                    isReleased = true
                case .discardHeldAudio: preRoll.discard()
                default: break
                }
            }
            appliedEntries = rig.log.count
        }

        // The onset: the first frame at the detector's on threshold.
        let onPeak = detector.onPeak
        let onsetFrame = try #require(stride(from: 0, to: lineOut.samples.count, by: 2)
            .first { abs(lineOut.samples[$0]) >= onPeak || abs(lineOut.samples[$0 + 1]) >= onPeak }) / 2
        #expect(onsetFrame >= lineOut.replyStartFrame)
        let onset = time(ofFrame: onsetFrame)
        let relayOn = try #require(rig.firstTime(of: .relayOn))
        let periodTime = time(ofFrame: periodFrames)
        #expect(relayOn >= onset && relayOn - onset <= periodTime, "relay on \(relayOn - onset) after the onset")
        #expect(switches(rig) == [false, true], "the relay switched only on during the reply")

        // The gate was fully open before the first held sample played.
        let rampUp = try #require(rig.firstTime(of: .rampUp))
        let release = try #require(rig.firstTime(of: .releaseAudio))
        #expect(rampUp + rig.rampTime <= release)

        // Every frame of the reply above the threshold reached the speaker, in order, unaltered.
        let threshold = preRoll.quietThreshold
        let spoken = loudFrames(lineOut.samples[...], threshold: threshold)
        let played = loudFrames(heard[...], threshold: threshold)
        #expect(spoken.count > EchoLineOut.rate * EchoLineOut.channels)
        #expect(played.count == spoken.count)
        let firstDifference = zip(played, spoken).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "the played reply differs from frame \((firstDifference ?? 0) / EchoLineOut.channels) of its loud frames")
        #expect(preRoll.overflowFrames == 0)

        // The hold added at least the settle time, and all of it was worked off within the reply.
        #expect(largestBacklog >= Int(timing.settle / .seconds(1) * Double(EchoLineOut.rate)))
        #expect(backlogAtReplyEnd == 0)
        #expect(preRoll.droppedFrames == largestBacklog)
    }
}

private func switches(_ rig: PowerSequencerRig) -> [Bool] {
    rig.relaySwitches.map(\.isOn)
}

import AuxChainDSP
import Testing

@Suite struct SignalDetectorTests {
    static let block = 48
    static let attack = 480
    static let hold = 4800

    static func detector() -> SignalDetector {
        SignalDetector(onThresholdDBFS: -50, offThresholdDBFS: -60, attackFrames: attack, holdFrames: hold, blockFrames: block)
    }

    /// Stereo: silence, a −30 dBFS 1 kHz burst over `burst`, silence to `total` frames.
    static func burst(_ burst: Range<Int>, total: Int, amplitude: Float = 0.0316) -> [Float] {
        let tone = sine(amplitude: amplitude, frequency: 1000, frames: total)
        return (0..<(total * 2)).map { burst.contains($0 / 2) ? tone[$0] : 0 }
    }

    /// Feeds `samples` (stereo) in chunks and returns each transition with the frame count fed
    /// by the end of the call that reported it.
    static func transitions(_ detector: inout SignalDetector, _ samples: [Float], chunks: [Int]) -> [(SignalTransition, Int)] {
        var found: [(SignalTransition, Int)] = []
        let frames = samples.count / 2
        var done = 0
        var index = 0
        while done < frames {
            let chunk = min(chunks[index % chunks.count], frames - done)
            index += 1
            let transition = samples.withUnsafeBufferPointer { detector.process($0.baseAddress! + done * 2, frames: chunk, channels: 2) }
            done += chunk
            if let transition { found.append((transition, done)) }
        }
        return found
    }

    @Test(arguments: [1_000, 1_017, 1_047])
    func aBurstSwitchesOnAfterTheAttackAndOffAfterTheHold(start: Int) {
        // Fed one frame at a time, each transition is seen in the frame that completes its block.
        var detector = Self.detector()
        let end = start + 3_000
        let found = Self.transitions(&detector, Self.burst(start..<end, total: end + 8_000), chunks: [1])
        #expect(found.map(\.0) == [.on, .off])
        let onDelay = found[0].1 - start
        let offDelay = found[1].1 - end
        #expect(onDelay > Self.attack - Self.block && onDelay <= Self.attack)
        #expect(offDelay >= Self.hold && offDelay < Self.hold + Self.block)
    }

    @Test func timingDoesNotDependOnThePeriodSize() {
        var oneByOne = Self.detector()
        var inPeriods = Self.detector()
        let samples = Self.burst(2_000..<6_000, total: 16_000)
        let fine = Self.transitions(&oneByOne, samples, chunks: [1])
        let coarse = Self.transitions(&inPeriods, samples, chunks: [256])
        // Reported at the end of the period that holds the transition frame.
        #expect(coarse.map(\.0) == fine.map(\.0))
        for (fineOne, coarseOne) in zip(fine, coarse) {
            #expect(coarseOne.1 == (fineOne.1 + 255) / 256 * 256)
        }
    }

    @Test func aBurstShorterThanTheAttackIsIgnored() {
        var detector = Self.detector()
        let found = Self.transitions(&detector, Self.burst(1_000..<(1_000 + Self.attack - 2 * Self.block), total: 6_000), chunks: [64])
        #expect(found.isEmpty)
        #expect(!detector.isSignalPresent)
    }

    @Test func aGapShorterThanTheHoldKeepsTheSignal() {
        var detector = Self.detector()
        let first = Self.burst(1_000..<3_000, total: 6_000)
        let gap = 3_000..<(3_000 + Self.hold - 2 * Self.block)
        let second = Self.burst(gap.upperBound..<(gap.upperBound + 2_000), total: gap.upperBound + 2_000 + 10_000)
        let samples = (0..<second.count).map { $0 < first.count ? first[$0] + second[$0] : second[$0] }
        let found = Self.transitions(&detector, samples, chunks: [128])
        #expect(found.map(\.0) == [.on, .off])
        #expect(found[1].1 > gap.upperBound + 2_000 + Self.hold)
    }

    @Test func levelsBetweenTheThresholdsChangeNothing() {
        // −55 dBFS sits between −60 (off) and −50 (on).
        let between = sine(amplitude: 0.00178, frequency: 1000, frames: 20_000)
        var off = Self.detector()
        #expect(Self.transitions(&off, between, chunks: [256]).isEmpty)
        var on = Self.detector()
        let loudThenBetween = Self.burst(0..<2_000, total: 2_000) + between
        #expect(Self.transitions(&on, loudThenBetween, chunks: [256]).map(\.0) == [.on])
        #expect(on.isSignalPresent)
    }

    @Test func attackCountsLoudBlocksAcrossBlocksBetweenTheThresholds() {
        // Loud, then between the thresholds, then loud again: the halves of the attack add up.
        var detector = Self.detector()
        let half = Self.attack / 2
        let loud = Self.burst(0..<half, total: half)
        let between = sine(amplitude: 0.00178, frequency: 1000, frames: 960)
        let found = Self.transitions(&detector, loud + between + loud, chunks: [48])
        #expect(found.map(\.0) == [.on])
        #expect(found[0].1 == half + 960 + half)
    }
}

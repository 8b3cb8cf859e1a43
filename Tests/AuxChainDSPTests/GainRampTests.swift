import AuxChainTestSupport
import AuxChainDSP
import Testing

@Suite struct GainRampTests {
    /// The gain applied to each frame: a ramp run over a signal of ones.
    static func gains(_ ramp: inout GainRamp, frames: Int, channels: Int = 1) -> [Float] {
        var buffer = [Float](repeating: 1, count: frames * channels)
        buffer.withUnsafeMutableBufferPointer { ramp.process($0.baseAddress!, frames: frames, channels: channels) }
        return stride(from: 0, to: buffer.count, by: channels).map { buffer[$0] }
    }

    @Test func rampsLinearlyAndLandsExactlyOnTheTarget() {
        var ramp = GainRamp(initialGain: 0, rampFrames: 100)
        ramp.setTarget(1)
        #expect(ramp.isRamping)
        let applied = Self.gains(&ramp, frames: 150)
        for frame in 0..<100 {
            #expect(abs(applied[frame] - Float(frame + 1) / 100) < 1e-6)
        }
        #expect(applied[99] == 1)
        #expect(applied[100...].allSatisfy { $0 == 1 })
        #expect(!ramp.isRamping)
        #expect(ramp.currentGain == 1)
    }

    @Test func everyChannelOfAFrameGetsTheSameGain() {
        var ramp = GainRamp(initialGain: 1, rampFrames: 8)
        ramp.setTarget(0)
        var buffer = [Float](repeating: 1, count: 30)
        buffer.withUnsafeMutableBufferPointer { ramp.process($0.baseAddress!, frames: 10, channels: 3) }
        for frame in 0..<10 {
            #expect(buffer[frame * 3] == buffer[frame * 3 + 1])
            #expect(buffer[frame * 3] == buffer[frame * 3 + 2])
        }
        #expect(buffer[21] == 0)
    }

    @Test func continuityHoldsAcrossRandomRetargetsAndPeriods() {
        // Gains in 0…1, so no ramp moves faster than 1 / rampFrames per frame.
        var generator = SeededGenerator(seed: 42)
        let rampFrames = 480
        var ramp = GainRamp(initialGain: 0, rampFrames: rampFrames)
        var previous: Float = 0
        var largestChange: Float = 0
        for _ in 0..<2_000 {
            if Int.random(in: 0..<3, using: &generator) == 0 {
                ramp.setTarget([0, 1, Float.random(in: 0...1, using: &generator)].randomElement(using: &generator)!)
            }
            for gain in Self.gains(&ramp, frames: Int.random(in: 1...300, using: &generator)) {
                largestChange = max(largestChange, abs(gain - previous))
                previous = gain
            }
        }
        #expect(largestChange > 0)
        #expect(largestChange <= 1 / Float(rampFrames) * 1.0001)
    }

    @Test func aRetargetInMidRampStartsFromTheCurrentGain() {
        var ramp = GainRamp(initialGain: 0, rampFrames: 100)
        ramp.setTarget(1)
        _ = Self.gains(&ramp, frames: 50)
        #expect(abs(ramp.currentGain - 0.5) < 1e-6)
        ramp.setTarget(0)
        let applied = Self.gains(&ramp, frames: 100)
        #expect(abs(applied[0] - 0.495) < 1e-6)
        #expect(applied[99] == 0)
    }

    @Test func jumpSetsTheGainAtOnce() {
        var ramp = GainRamp(initialGain: 0.25, rampFrames: 100)
        ramp.setTarget(1)
        ramp.jump(to: 0.5)
        #expect(!ramp.isRamping)
        #expect(Self.gains(&ramp, frames: 3) == [0.5, 0.5, 0.5])
    }

    @Test func invalidTargetsAreIgnored() {
        var ramp = GainRamp(initialGain: 0.5, rampFrames: 10)
        ramp.setTarget(.nan)
        ramp.setTarget(-1)
        ramp.setTarget(.infinity)
        #expect(ramp.targetGain == 0.5)
        #expect(!ramp.isRamping)
    }
}

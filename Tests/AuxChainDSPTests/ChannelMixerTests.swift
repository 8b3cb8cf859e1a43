import AuxChainDSP
import Testing

@Suite struct ChannelMixerTests {
    func mix(_ samples: [Float], from inputs: Int, to outputs: Int) -> [Float] {
        let frames = samples.count / inputs
        var mixed = [Float](repeating: .nan, count: frames * outputs)
        samples.withUnsafeBufferPointer { source in
            mixed.withUnsafeMutableBufferPointer { destination in
                ChannelMixer(inputChannels: inputs, outputChannels: outputs).mix(source.baseAddress!, frames: frames, into: destination.baseAddress!)
            }
        }
        return mixed
    }

    @Test func equalCountsCopy() {
        let samples: [Float] = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6]
        #expect(mix(samples, from: 2, to: 2) == samples)
        #expect(mix(samples, from: 3, to: 3) == samples)
    }

    @Test func monoFeedsEveryOutput() {
        let expectedStereo: [Float] = [0.25, 0.25, -0.5, -0.5]
        #expect(mix([0.25, -0.5], from: 1, to: 2) == expectedStereo)
        let expectedQuad: [Float] = [0.25, 0.25, 0.25, 0.25]
        #expect(mix([0.25], from: 1, to: 4) == expectedQuad)
    }

    @Test func stereoToMonoAverages() {
        let expected: [Float] = [0.5, 0, -1]
        #expect(mix([1, 0, 0.5, -0.5, -1, -1], from: 2, to: 1) == expected)
    }

    @Test func moreInputsFoldOntoOutputsByAveraging() {
        // Three inputs onto two: out0 = (in0 + in2) / 2, out1 = in1.
        let expected: [Float] = [0.5, 0.2, -0.25, 0]
        #expect(mix([0.4, 0.2, 0.6, -0.5, 0, 0], from: 3, to: 2) == expected)
    }

    @Test func fewerInputsRepeatAcrossOutputs() {
        let expected: [Float] = [0.1, 0.2, 0.1, 0.2]
        #expect(mix([0.1, 0.2], from: 2, to: 4) == expected)
    }

    @Test func onlyUpmixingIsCopyOnly() {
        #expect(ChannelMixer(inputChannels: 1, outputChannels: 2).isCopyOnly)
        #expect(ChannelMixer(inputChannels: 2, outputChannels: 2).isCopyOnly)
        #expect(!ChannelMixer(inputChannels: 2, outputChannels: 1).isCopyOnly)
    }
}

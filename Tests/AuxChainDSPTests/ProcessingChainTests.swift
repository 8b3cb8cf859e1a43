import AuxChainTestSupport
import AuxChainDSP
import Testing
import Foundation

@Suite struct ProcessingChainTests {
    static func configuration(
        _ input: SampleEncoding, _ output: SampleEncoding, inputChannels: Int = 2, outputChannels: Int = 2,
        rampFrames: Int = 300, initialGain: Float = 0, seed: UInt32 = 0x5EED
    ) -> ProcessingChain.Configuration {
        .init(
            inputEncoding: input, inputChannels: inputChannels, outputEncoding: output, outputChannels: outputChannels,
            maximumFrames: 256, rampFrames: rampFrames, meterWindowFrames: 2_400,
            onThresholdDBFS: -50, offThresholdDBFS: -60, attackFrames: 480, holdFrames: 4_800,
            initialGain: initialGain, ditherSeed: seed)
    }

    /// Random device bytes in `encoding` (floats within full scale).
    static func randomInput(_ encoding: SampleEncoding, samples: Int, seed: UInt64, level: Double = 1) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        if encoding == .float32 {
            return (0..<samples).flatMap { _ -> [UInt8] in
                let sample = Float.random(in: -1...1, using: &generator) * Float(level)
                return (0..<4).map { UInt8(truncatingIfNeeded: sample.bitPattern >> (8 * $0)) }
            }
        }
        let scale = Double(SampleCodingTests.fullScale(encoding)) * level
        return deviceBytes((0..<samples).map { _ in Int64(Double.random(in: -scale..<scale, using: &generator)) }, as: encoding)
    }

    @Test(arguments: SampleEncoding.allCases)
    func unityGainWithMatchingFormatsIsBitExact(encoding: SampleEncoding) {
        var chain = ProcessingChain(configuration: Self.configuration(encoding, encoding, initialGain: 1))
        let input = Self.randomInput(encoding, samples: 2 * 1_000, seed: 1)
        #expect(chain.run(input, periods: [256, 77]).output == input)
    }

    @Test(arguments: SampleEncoding.allCases)
    func floatInputOutsideFullScaleNeverReachesTheOutputAtUnity(output: SampleEncoding) {
        // A float source's NaN and overs, at rest at unity: the one state where bytes might be copied.
        let samples: [Float] = [.nan, 2, -.infinity, .infinity, -1.5, 0.5] + [Float](repeating: .nan, count: 250)
        let bytes = samples.flatMap { sample in (0..<4).map { UInt8(truncatingIfNeeded: sample.bitPattern >> (8 * $0)) } }
        var chain = ProcessingChain(configuration: Self.configuration(.float32, output, inputChannels: 1, outputChannels: 1, initialGain: 1))
        let result = chain.run(bytes, periods: [256])
        let played = SampleDecoder(encoding: output, channels: 1).decode(result.output)
        #expect(played.allSatisfy { !$0.isNaN && abs($0) <= 1 })
        // Silence, but for S16's dither (a float source carries more than 16 bits).
        let silence: Float = output == .s16 ? 1 / 32768 : 0
        #expect(abs(played[0]) <= silence && played[6...].allSatisfy { abs($0) <= silence })
        #expect(played[1] > 0.99 && played[2] < -0.99 && played[3] > 0.99 && played[4] < -0.99)
        #expect(abs(played[5] - 0.5) < 0.001)
        // The overs count as clipping, as they would from an integer source at full scale.
        #expect(result.reports.map(\.report.clippedSamples).reduce(0, +) == 4)
    }

    /// Runs `input` through in periods of `period` frames, the nth stretched by `stretches[n]`;
    /// returns what each period wrote, and checks that none wrote past its end.
    static func runStretched(_ chain: inout ProcessingChain, _ input: [UInt8], period: Int, stretches: [Int]) -> [[UInt8]] {
        let inputFrameBytes = chain.configuration.inputChannels * chain.configuration.inputEncoding.bytesPerSample
        let outputFrameBytes = chain.configuration.outputChannels * chain.configuration.outputEncoding.bytesPerSample
        var periods: [[UInt8]] = []
        for (index, stretch) in stretches.enumerated() {
            var output = [UInt8](repeating: 0xAA, count: (period + 2) * outputFrameBytes)
            let report = input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { destination in
                    chain.process(
                        input: source.baseAddress! + index * period * inputFrameBytes, output: destination.baseAddress!,
                        frames: period, stretch: stretch)
                }
            }
            #expect(report.outputFrames == period + stretch)
            let written = (period + stretch) * outputFrameBytes
            #expect(output[written...].allSatisfy { $0 == 0xAA }, "period \(index) wrote past its \(period + stretch) frames")
            periods.append(Array(output[..<written]))
        }
        return periods
    }

    @Test func aStretchedPeriodIsTheSameSoundOneFrameLongerOrShorterAndTheNextFollowsOn() {
        // A 440 Hz sine at −6 dBFS, mono FLOAT in and out, in periods of 128 frames.
        let period = 128
        var generator = SeededGenerator(seed: 9)
        let stretches = (0..<60).map { _ in Int.random(in: -1...1, using: &generator) }
        let omega = 2 * Double.pi * 440 / 48_000
        let input: [Float] = (0..<(stretches.count * period)).map { Float(0.5 * sin(omega * Double($0))) }
        let bytes = input.flatMap { sample in (0..<4).map { UInt8(truncatingIfNeeded: sample.bitPattern >> (8 * $0)) } }
        var chain = ProcessingChain(configuration: Self.configuration(.float32, .float32, inputChannels: 1, outputChannels: 1, initialGain: 1))
        let periods = Self.runStretched(&chain, bytes, period: period, stretches: stretches)
        let decoder = SampleDecoder(encoding: .float32, channels: 1)
        var played: [Float] = []
        for (index, (stretch, output)) in zip(stretches, periods).enumerated() {
            let samples = decoder.decode(output)
            // First frame to first, last to last, evenly between: the sine at those positions.
            // Within linear interpolation's error between two frames, A·ω²/8 (2.1e-4 here).
            let step = Double(period - 1) / Double(period + stretch - 1)
            let interpolationError = 0.5 * omega * omega / 8 + 1e-6
            for (frame, sample) in samples.enumerated() {
                let position = Double(index * period) + Double(frame) * step
                #expect(abs(Double(sample) - 0.5 * sin(omega * position)) <= interpolationError)
            }
            played += samples
        }
        #expect(played.count == stretches.count * period + stretches.reduce(0, +))
        // No jump anywhere, at period boundaries included: no step beyond the sine's steepest,
        // widened by the longest stretch of a step (127/126).
        let steepest = 0.5 * omega * Double(period - 1) / Double(period - 2) + 1e-5
        #expect(zip(played, played.dropFirst()).allSatisfy { Double(abs($1 - $0)) <= steepest })
    }

    @Test func periodsAroundAStretchedOneAreCopiedExactly() {
        let period = 256
        var chain = ProcessingChain(configuration: Self.configuration(.s16, .s16, initialGain: 1))
        let input = Self.randomInput(.s16, samples: 2 * 5 * period, seed: 4, level: 0.5)
        let periods = Self.runStretched(&chain, input, period: period, stretches: [0, 0, 1, 0, -1])
        let frameBytes = 4
        for index in [0, 1, 3] {
            #expect(periods[index] == Array(input[(index * period * frameBytes)..<((index + 1) * period * frameBytes)]))
        }
        #expect(periods[2].count == (period + 1) * frameBytes && periods[4].count == (period - 1) * frameBytes)
    }

    @Test func aPeriodTooShortToInterpolateInIsNotStretched() {
        var chain = ProcessingChain(configuration: Self.configuration(.s16, .s16, inputChannels: 1, outputChannels: 1, initialGain: 1))
        var output = [UInt8](repeating: 0xAA, count: 8)
        let input: [UInt8] = [0x34, 0x12]
        let report = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                chain.process(input: source.baseAddress!, output: destination.baseAddress!, frames: 1, stretch: 1)
            }
        }
        #expect(report.outputFrames == 1)
        #expect(output == [0x34, 0x12, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA])
    }

    /// The same periods through the separate kernels: decode, ramp, encode (the chain's
    /// unity copy and its dither rule included).
    static func reference(_ configuration: ProcessingChain.Configuration, _ input: [UInt8], periods: [Int], targets: [Int: Float]) -> [UInt8] {
        let decoder = SampleDecoder(encoding: configuration.inputEncoding, channels: configuration.inputChannels)
        var encoder = SampleEncoder(encoding: configuration.outputEncoding, channels: configuration.outputChannels, ditherSeed: configuration.ditherSeed)
        var ramp = GainRamp(initialGain: configuration.initialGain, rampFrames: configuration.rampFrames)
        let inputFrameBytes = configuration.inputChannels * configuration.inputEncoding.bytesPerSample
        let frames = input.count / inputFrameBytes
        var output: [UInt8] = []
        var done = 0
        var index = 0
        while done < frames {
            let period = min(periods[index % periods.count], frames - done)
            index += 1
            if let target = targets[done] { ramp.setTarget(target) }
            let bytes = Array(input[(done * inputFrameBytes)..<((done + period) * inputFrameBytes)])
            let resting = !ramp.isRamping
            let gain = ramp.currentGain
            if resting && gain == 1 && configuration.inputEncoding == configuration.outputEncoding {
                output += bytes
            } else {
                var samples = decoder.decode(bytes)
                samples.withUnsafeMutableBufferPointer { ramp.process($0.baseAddress!, frames: period, channels: configuration.inputChannels) }
                let exact = resting && (gain == 0 || (gain == 1 && configuration.inputEncoding == .s16))
                output += encoder.encode(samples, dither: configuration.outputEncoding == .s16 && !exact)
            }
            done += period
        }
        return output
    }

    @Test(arguments: [SampleEncoding.s16, .s32], SampleEncoding.allCases)
    func theChainGivesTheSameBytesAsTheSeparateKernels(input: SampleEncoding, output: SampleEncoding) {
        // Ramps up, across, to unity, down to silence and back, in periods of several sizes.
        let configuration = Self.configuration(input, output, initialGain: 0.1)
        let targets: [Int: Float] = [0: 0.7, 700: 0.2, 1_216: 1, 2_000: 0, 2_752: 0.5]
        let periods = [256, 40, 120]
        let bytes = Self.randomInput(input, samples: 2 * 4_000, seed: 2, level: 0.9)
        var chain = ProcessingChain(configuration: configuration)
        let actual = chain.run(bytes, periods: periods) { chain, frame in
            if let target = targets[frame] { chain.setTargetGain(target) }
        }.output
        #expect(actual == Self.reference(configuration, bytes, periods: periods, targets: targets))
    }

    @Test func s16OutputIsDitheredOnlyWhenTheSamplesCarryMoreThan16Bits() {
        let input = Self.randomInput(.s16, samples: 2 * 4_096, seed: 3, level: 0.5)
        // Unity and silence stay exact.
        var unity = ProcessingChain(configuration: Self.configuration(.s16, .s16, initialGain: 1))
        #expect(unity.run(input, periods: [256]).output == input)
        var silent = ProcessingChain(configuration: Self.configuration(.s16, .s16, initialGain: 0))
        #expect(silent.run(input, periods: [256]).output.allSatisfy { $0 == 0 })
        // At −6 dB the error against the exact value has the dither's statistics.
        var halved = ProcessingChain(configuration: Self.configuration(.s16, .s16, initialGain: 0.5))
        let output = integers(in: halved.run(input, periods: [256]).output, as: .s16)
        let errors = zip(output, integers(in: input, as: .s16)).map { Double($0) - Double($1) * 0.5 }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let variance = errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(errors.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 0.25) < 0.02)
        // From a wider input, even unity gain needs dither into 16 bits.
        var narrowing = ProcessingChain(configuration: Self.configuration(.s32, .s16, initialGain: 1))
        let wide = Self.randomInput(.s32, samples: 2 * 4_096, seed: 4, level: 0.5)
        let narrowed = integers(in: narrowing.run(wide, periods: [256]).output, as: .s16)
        let wideErrors = zip(narrowed, integers(in: wide, as: .s32)).map { Double($0) - Double($1) / 65536 }
        let wideVariance = wideErrors.map { $0 * $0 }.reduce(0, +) / Double(wideErrors.count)
        #expect(abs(wideVariance - 0.25) < 0.02)
    }

    @Test func muteRampsToExactSilenceAndUnmuteRampsBack() {
        let input = deviceBytes([Int64](repeating: 16_384, count: 2 * 2_048), as: .s16)
        var chain = ProcessingChain(configuration: Self.configuration(.s16, .s32, rampFrames: 512, initialGain: 1))
        var samples: [Int64] = []
        for period in 0..<8 {
            if period == 1 { chain.setMuted(true) }
            if period == 5 { chain.setMuted(false) }
            let slice = Array(input[(period * 1_024)..<((period + 1) * 1_024)])
            samples += integers(in: chain.run(slice, periods: [256]).output, as: .s32)
        }
        let left = stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
        #expect(left[0..<256].allSatisfy { $0 == 1 << 30 })
        #expect(zip(left[255..<767], left[256..<768]).allSatisfy { $0 > $1 })
        #expect(left[767..<1_280].allSatisfy { $0 == 0 })
        #expect(zip(left[1_280..<1_791], left[1_281..<1_792]).allSatisfy { $0 < $1 })
        #expect(left[1_791...].allSatisfy { $0 == 1 << 30 })
        let muted = chain.isMuted
        #expect(!muted)
    }

    @Test func meterDetectorAndClippingReportThroughTheChain() {
        // Silence, a −30 dBFS burst with two clipped samples in it, silence.
        var samples = SignalDetectorTests.burst(2_000..<8_000, total: 20_000).map { Int64(($0 * 32768).rounded()) }
        samples[2 * 5_000] = 32767
        samples[2 * 5_001 + 1] = -32768
        let input = deviceBytes(samples, as: .s16)
        var chain = ProcessingChain(configuration: Self.configuration(.s16, .s16, initialGain: 1))
        let reports = chain.run(input, periods: [256]).reports
        let transitions = reports.compactMap { entry in entry.report.signalTransition.map { ($0, entry.frame) } }
        #expect(transitions.map(\.0) == [.on, .off])
        #expect(transitions[0].1 > 2_000 && transitions[0].1 <= 2_000 + 480 + 256)
        #expect(transitions[1].1 > 8_000 + 4_800 && transitions[1].1 <= 8_000 + 4_800 + 48 + 256)
        #expect(reports.map(\.report.clippedSamples).reduce(0, +) == 2)
        let readings = reports.compactMap(\.report.levelReading)
        #expect(readings.count == 20_000 / 2_400)
        // The window 2 400…4 800 lies inside the burst: a −30 dBFS sine reads RMS −33 dBFS.
        #expect(abs(readings[1].rmsDBFS(channel: 0) - (-33.01)) < 0.05)
        #expect(readings[0].peakDBFS(channel: 1) > -31)
        #expect(readings.last!.peakDBFS(channel: 0) == -.infinity)
    }

    @Test func monoInputFeedsBothOutputChannels() {
        let values: [Int64] = (0..<600).map { Int64($0 * 37 - 11_000) }
        var chain = ProcessingChain(configuration: Self.configuration(.s16, .s32, inputChannels: 1, outputChannels: 2, initialGain: 1))
        let output = integers(in: chain.run(deviceBytes(values, as: .s16), periods: [256]).output, as: .s32)
        #expect(output == values.flatMap { [$0 << 16, $0 << 16] })
    }

    @Test func stereoToMonoAveragesAndDithers() {
        var chain = ProcessingChain(configuration: Self.configuration(.s16, .s16, inputChannels: 2, outputChannels: 1, initialGain: 1))
        let input = Self.randomInput(.s16, samples: 2 * 8_192, seed: 6, level: 0.5)
        let output = integers(in: chain.run(input, periods: [256]).output, as: .s16)
        let pairs = integers(in: input, as: .s16)
        let errors = output.indices.map { Double(output[$0]) - Double(pairs[2 * $0] + pairs[2 * $0 + 1]) / 2 }
        #expect(errors.allSatisfy { abs($0) <= 1.5 })
        #expect(abs(errors.reduce(0, +) / Double(errors.count)) < 0.02)
    }

    @Test func jumpGainSetsTheGainForTheNextPeriod() {
        var chain = ProcessingChain(configuration: Self.configuration(.s16, .s32, initialGain: 0.25))
        chain.setTargetGain(1)
        chain.jumpGain(to: 0.5)
        let output = integers(in: chain.run(deviceBytes([Int64](repeating: 1_000, count: 64), as: .s16), periods: [32]).output, as: .s32)
        #expect(output.allSatisfy { $0 == 500 << 16 })
        let ramping = chain.isRamping
        let gain = chain.currentGain
        #expect(!ramping)
        #expect(gain == 0.5)
    }
}

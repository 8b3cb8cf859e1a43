import AuxChainDSP
import Benchmark
import Foundation

// The whole per-period chain (decode, meter, detect, pre-roll, ramp, encode) at 48 kHz stereo
// with the config's default period of 256 frames, set up as the daemon sets it up. One inner iteration is one period, so the scaled
// metrics read per period; "Time per frame (ps)" divides the measured region by its frames.
// Each benchmark sample processes 1000 periods (5.3 s of audio).

let framesPerPeriod = 256
let channels = 2
let sampleRate = 48_000

/// One case: formats in and out, and the gains the volume asks for in even and odd periods
/// (two different gains retarget every period, so a ramp never ends: the dearest case).
struct Scenario: Sendable {
    var name: String
    var input: SampleEncoding
    var output: SampleEncoding
    var evenPeriodGain: Float
    var oddPeriodGain: Float
}

let scenarios = [
    Scenario(name: "S16 to S16, always ramping (dither)", input: .s16, output: .s16, evenPeriodGain: 0.25, oddPeriodGain: 0.5),
    Scenario(name: "S16 to S16, steady -12 dB (dither)", input: .s16, output: .s16, evenPeriodGain: 0.25, oddPeriodGain: 0.25),
    Scenario(name: "S16 to S32, always ramping", input: .s16, output: .s32, evenPeriodGain: 0.25, oddPeriodGain: 0.5),
    Scenario(name: "S32 to S32, steady -12 dB", input: .s32, output: .s32, evenPeriodGain: 0.25, oddPeriodGain: 0.25),
    Scenario(name: "S24_3LE to S24_3LE, steady -12 dB", input: .s24Packed, output: .s24Packed, evenPeriodGain: 0.25, oddPeriodGain: 0.25),
    Scenario(name: "S32 to S32, unity (pass-through)", input: .s32, output: .s32, evenPeriodGain: 1, oddPeriodGain: 1),
]

enum ChainMetric {
    static var timePerFrame: BenchmarkMetric { .custom("Time per frame (ps)", polarity: .prefersSmaller, useScalingFactor: false) }
}

/// Eight periods of programme-like input: a tone plus noise near -20 dBFS, in the device format.
func makeInput(_ encoding: SampleEncoding, periods: Int) -> UnsafeMutableRawPointer {
    let samples = periods * framesPerPeriod * channels
    let floats = UnsafeMutablePointer<Float>.allocate(capacity: samples)
    defer { floats.deallocate() }
    var generator = SystemRandomNumberGenerator()
    for index in 0..<samples {
        let frame = Float(index / channels)
        let tone = 0.08 * sin(2 * Float.pi * 440 * frame / Float(sampleRate))
        floats[index] = tone + Float.random(in: -0.02...0.02, using: &generator)
    }
    let bytes = UnsafeMutableRawPointer.allocate(byteCount: samples * encoding.bytesPerSample, alignment: 64)
    var encoder = SampleEncoder(encoding: encoding, channels: channels)
    encoder.encode(floats, frames: periods * framesPerPeriod, into: bytes, dither: false)
    return bytes
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, ChainMetric.timePerFrame],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 400
    )

    for scenario in scenarios {
        Benchmark("\(scenario.name)") { benchmark in
            let inputPeriods = 8
            let input = makeInput(scenario.input, periods: inputPeriods)
            let output = UnsafeMutableRawPointer.allocate(
                byteCount: framesPerPeriod * channels * scenario.output.bytesPerSample, alignment: 64)
            defer {
                input.deallocate()
                output.deallocate()
            }
            var chain = ProcessingChain(configuration: .init(
                inputEncoding: scenario.input, inputChannels: channels,
                outputEncoding: scenario.output, outputChannels: channels,
                maximumFrames: framesPerPeriod, rampFrames: sampleRate * 40 / 1000,
                meterWindowFrames: sampleRate / 10,
                onThresholdDBFS: -50, offThresholdDBFS: -60,
                attackFrames: sampleRate / 100, holdFrames: sampleRate / 2,
                initialGain: scenario.oddPeriodGain,
                // The daemon always keeps the pre-roll's ring: the default warm-up (min_off 5 s +
                // settle 1.5 s) and its look-back, so every period is copied through it.
                preRollCapacityFrames: sampleRate * 7))
            let inputPeriodBytes = framesPerPeriod * channels * scenario.input.bytesPerSample
            let periods = benchmark.scaledIterations.count

            benchmark.startMeasurement()
            let started = ContinuousClock.now
            for period in benchmark.scaledIterations {
                chain.setTargetGain(period & 1 == 0 ? scenario.evenPeriodGain : scenario.oddPeriodGain)
                let report = chain.process(
                    input: input + (period % inputPeriods) * inputPeriodBytes, output: output, frames: framesPerPeriod)
                blackHole(report)
            }
            let elapsed = ContinuousClock.now - started
            benchmark.stopMeasurement()

            blackHole(output.load(as: UInt8.self))
            let picoseconds = elapsed.components.seconds * 1_000_000_000_000 + elapsed.components.attoseconds / 1_000_000
            benchmark.measurement(ChainMetric.timePerFrame, Int(picoseconds) / (periods * framesPerPeriod))
        }
    }
}

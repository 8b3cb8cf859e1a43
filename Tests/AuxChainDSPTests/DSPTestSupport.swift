import AuxChainDSP

import Foundation

/// Interleaved samples of a sine: `amplitude` at `frequency` Hz and `rate`, the same on every channel.
func sine(amplitude: Float, frequency: Double, rate: Double = 48_000, frames: Int, channels: Int = 2, startFrame: Int = 0) -> [Float] {
    (0..<(frames * channels)).map { index in
        let frame = Double(startFrame + index / channels)
        return amplitude * Float(sin(2 * Double.pi * frequency * frame / rate))
    }
}

/// Device bytes for `samples` in `encoding`, built by hand (not with the encoder under test).
func deviceBytes(_ integers: [Int64], as encoding: SampleEncoding) -> [UInt8] {
    integers.flatMap { value -> [UInt8] in
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        switch encoding {
        case .s16: return Array(bytes[0..<2])
        case .s24Packed: return Array(bytes[0..<3])
        case .s24, .s32: return Array(bytes[0..<4])
        case .float32: fatalError("floats are not integers")
        }
    }
}

/// The integers in device bytes, sign-extended (S24 in a container: from its low three bytes).
func integers(in bytes: [UInt8], as encoding: SampleEncoding) -> [Int64] {
    stride(from: 0, to: bytes.count, by: encoding.bytesPerSample).map { start -> Int64 in
        let width = encoding == .s24 ? 3 : encoding.bytesPerSample
        var value: Int64 = 0
        for byte in 0..<width {
            value |= Int64(bytes[start + byte]) << (8 * byte)
        }
        let shift = 64 - 8 * width
        return (value << shift) >> shift
    }
}

extension SampleDecoder {
    func decode(_ bytes: [UInt8]) -> [Float] {
        let count = bytes.count / encoding.bytesPerSample
        var samples = [Float](repeating: .nan, count: count)
        bytes.withUnsafeBytes { source in
            samples.withUnsafeMutableBufferPointer { destination in
                decode(source.baseAddress!, frames: count / channels, into: destination.baseAddress!)
            }
        }
        return samples
    }
}

extension SampleEncoder {
    mutating func encode(_ samples: [Float], dither: Bool) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xAA, count: samples.count * encoding.bytesPerSample)
        samples.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { destination in
                encode(source.baseAddress!, frames: samples.count / channels, into: destination.baseAddress!, dither: dither)
            }
        }
        return bytes
    }
}

extension ProcessingChain {
    /// Runs `input` (device bytes) through in periods of the given sizes, cycling through them.
    mutating func run(_ input: [UInt8], periods: [Int], before: (inout ProcessingChain, Int) -> Void = { _, _ in })
        -> (output: [UInt8], reports: [(frame: Int, report: PeriodReport)])
    {
        let inputFrameBytes = configuration.inputChannels * configuration.inputEncoding.bytesPerSample
        let outputFrameBytes = configuration.outputChannels * configuration.outputEncoding.bytesPerSample
        let frames = input.count / inputFrameBytes
        var output = [UInt8](repeating: 0xAA, count: frames * outputFrameBytes)
        var reports: [(frame: Int, report: PeriodReport)] = []
        var done = 0
        var index = 0
        while done < frames {
            let period = min(periods[index % periods.count], frames - done)
            index += 1
            before(&self, done)
            let report = input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { destination in
                    process(input: source.baseAddress! + done * inputFrameBytes, output: destination.baseAddress! + done * outputFrameBytes, frames: period)
                }
            }
            done += period
            reports.append((done, report))
        }
        return (output, reports)
    }
}

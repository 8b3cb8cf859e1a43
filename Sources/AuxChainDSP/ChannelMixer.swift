/// Maps interleaved frames from one channel count to another.
///
/// - Equal counts: a copy.
/// - Fewer inputs than outputs: output `j` repeats input `j mod N`, so mono feeds every output
///   and stereo feeds 4 channels as L R L R.
/// - More inputs than outputs: output `j` is the average of the inputs `i` with `i mod M == j`,
///   so stereo → mono is (L + R) / 2 and averaging never raises the level above full scale.
public struct ChannelMixer: Sendable {
    public let inputChannels: Int
    public let outputChannels: Int

    public init(inputChannels: Int, outputChannels: Int) {
        precondition(inputChannels > 0 && outputChannels > 0, "ChannelMixer: channel counts must be positive")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
    }

    /// True when every output sample is a copy of an input sample (no arithmetic, no new bits).
    public var isCopyOnly: Bool { inputChannels <= outputChannels }

    /// Mixes `frames` frames from `source` into `destination`; the buffers must not overlap.
    @_noLocks
    public func mix(_ source: UnsafePointer<Float>, frames: Int, into destination: UnsafeMutablePointer<Float>) {
        let inputs = inputChannels
        let outputs = outputChannels
        if inputs == outputs {
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: frames &* inputs &* MemoryLayout<Float>.stride)
        } else if inputs == 1 && outputs == 2 {
            for frame in 0..<frames {
                let sample = source[frame]
                destination[frame &* 2] = sample
                destination[frame &* 2 &+ 1] = sample
            }
        } else if inputs == 2 && outputs == 1 {
            for frame in 0..<frames {
                destination[frame] = (source[frame &* 2] + source[frame &* 2 &+ 1]) * 0.5
            }
        } else if inputs < outputs {
            for frame in 0..<frames {
                let input = source + frame &* inputs
                let output = destination + frame &* outputs
                for channel in 0..<outputs {
                    output[channel] = input[channel % inputs]
                }
            }
        } else {
            for frame in 0..<frames {
                let input = source + frame &* inputs
                let output = destination + frame &* outputs
                for channel in 0..<outputs {
                    var sum: Float = 0
                    var folded: Float = 0
                    var index = channel
                    while index < inputs {
                        sum += input[index]
                        folded += 1
                        index &+= outputs
                    }
                    output[channel] = sum / folded
                }
            }
        }
    }
}

import Foundation

/// A synthetic stand-in for what an Echo's line-out carries: Alexa's replies, music with a
/// track skip, and silences shorter and longer than the power-off delay. Deterministic, so
/// every `--simulate` run sounds and behaves the same.
public struct EchoProgramme: Sendable {
    public enum Kind: String, Sendable {
        case silence
        case reply = "Alexa reply"
        case music
    }

    public struct Segment: Sendable, Equatable {
        public var kind: Kind
        public var start: Duration
        public var length: Duration
    }

    public let rate: Int
    public let segments: [Segment]

    /// The standard programme, timed against the simulation's power settings so the relay
    /// switches on from cold, stays on through short gaps and switches off after a long one.
    public static func standard(rate: Int, offDelay: Duration) -> EchoProgramme {
        let plan: [(Kind, Duration)] = [
            (.silence, .seconds(2)),
            (.reply, .milliseconds(2600)),
            (.silence, .seconds(3)),
            (.music, .seconds(6)),
            (.silence, .seconds(2)),  // a track skip: far shorter than the off delay
            (.music, .seconds(6)),
            (.silence, offDelay + .seconds(4)),
            (.reply, .milliseconds(2600)),
            (.silence, .seconds(3)),
        ]
        var start = Duration.zero
        var segments: [Segment] = []
        for (kind, length) in plan {
            segments.append(Segment(kind: kind, start: start, length: length))
            start += length
        }
        return EchoProgramme(rate: rate, segments: segments)
    }

    public var length: Duration { segments.last.map { $0.start + $0.length } ?? .zero }

    public var frameCount: Int { frames(length) }

    func frames(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * rate + Int(Double(attoseconds) * 1e-18 * Double(rate))
    }

    /// Interleaved stereo S16_LE samples of the whole programme.
    public func renderS16Stereo() -> [Int16] {
        var samples = [Int16](repeating: 0, count: frameCount * 2)
        var random = SplitMix(seed: 0xEC40)
        for segment in segments {
            let first = frames(segment.start)
            let count = frames(segment.length)
            for frame in 0..<count {
                let t = Double(frame) / Double(rate)
                let value: (Double, Double)
                switch segment.kind {
                case .silence:
                    // The line-out's own noise floor, far below any threshold (about -84 dBFS).
                    let hiss = (random.unit() - 0.5) * 0.0001
                    value = (hiss, hiss)
                case .reply:
                    let mono = speech(t, noise: random.unit() - 0.5)
                    value = (mono, mono)
                case .music:
                    value = music(t)
                }
                let index = (first + frame) * 2
                samples[index] = Int16(max(-1, min(1, value.0)) * 32767)
                samples[index + 1] = Int16(max(-1, min(1, value.1)) * 32767)
            }
        }
        return samples
    }

    /// Syllables of about 180 ms with short gaps: a gliding voiced tone with a breathy edge,
    /// peaking near -12 dBFS like an Echo at a moderate volume.
    private func speech(_ t: Double, noise: Double) -> Double {
        let syllable = 0.24
        let phase = t.truncatingRemainder(dividingBy: syllable) / syllable
        let envelope = phase < 0.75 ? sin(.pi * phase / 0.75) : 0
        let pitch = 150 + 40 * sin(2 * .pi * 0.7 * t)
        let voiced = 0.6 * sin(2 * .pi * pitch * t) + 0.25 * sin(2 * .pi * 2 * pitch * t) + 0.15 * sin(2 * .pi * 3.1 * pitch * t)
        return 0.25 * envelope * (voiced + 0.2 * noise)
    }

    /// Chords changing every two seconds over a bass line, left and right slightly apart.
    private func music(_ t: Double) -> (Double, Double) {
        let chords: [[Double]] = [[220, 277.2, 329.6], [196, 246.9, 293.7], [174.6, 220, 261.6], [196, 246.9, 293.7]]
        let chord = chords[Int(t / 2) % chords.count]
        let beat = 0.6 + 0.4 * exp(-6 * t.truncatingRemainder(dividingBy: 0.5))
        var left = 0.0, right = 0.0
        for (index, frequency) in chord.enumerated() {
            left += sin(2 * .pi * frequency * t) * (index == 0 ? 0.5 : 0.35)
            right += sin(2 * .pi * frequency * 1.002 * t) * (index == 2 ? 0.5 : 0.35)
        }
        let bass = 0.5 * sin(2 * .pi * chord[0] / 2 * t)
        return (0.12 * beat * (left + bass), 0.12 * beat * (right + bass))
    }
}

/// A small deterministic generator (SplitMix64), so the programme needs no global RNG.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// One period of the audio path, from capture bytes to playback bytes:
/// decode → meter → detect → mix → pre-roll → (stretch) → gain ramp → encode (with dither into 16-bit).
///
/// All buffers are allocated in `init` for ``Configuration/maximumFrames``; ``process(input:output:frames:)``
/// does not allocate, lock, log or call through existentials. The type cannot be copied: it owns
/// its buffers and frees them in `deinit`, so exactly one owner (the audio thread) uses them, with
/// no reference counting in the loop.
///
/// The meter and detector see the decoded capture channels before any mixing, so levels and
/// clipping describe what the Echo sends and an averaged downmix cannot hide a clipped channel.
///
/// **Unity pass-through.** When input and output share an integer encoding and channel count and
/// the gain rests at exactly 1, the capture bytes are copied to the output unchanged. That makes
/// unity bit-exact for every integer format, S32 included (Float holds only 24 of its bits), for
/// the price of a copy. FLOAT is never copied: the decoder turns NaN into silence and clips
/// beyond full scale, and a copy would hand both to the speaker; within full scale its decode and
/// encode at gain 1 are exact anyway. Leaving unity starts a ramp; the first ramped samples
/// differ from the copied ones by
/// at most Float's rounding (−144 dBFS), so the switch is inaudible.
///
/// **Dither.** Into S16, TPDF dither is added whenever the samples can carry more than 16 bits:
/// during a ramp, at a gain other than 0 or 1, after a downmix, or from a wider input. Silence
/// (gain resting at 0) and an S16 input copied at unity stay exact.
///
/// **Stretch.** For ``ClockDriftCorrector`` a period may come out one frame longer or shorter than
/// it went in: the period is resampled by linear interpolation from its first frame to its last,
/// a pitch change of one frame in a period (0.8 % for 2.7 ms at 128 frames at 48 kHz) that no one hears,
/// where an xrun would be a dropout. Periods that are not stretched are untouched.
public struct ProcessingChain: ~Copyable {
    public struct Configuration: Sendable, Equatable {
        public var inputEncoding: SampleEncoding
        public var inputChannels: Int
        public var outputEncoding: SampleEncoding
        public var outputChannels: Int
        /// The largest period ``ProcessingChain/process(input:output:frames:)`` accepts.
        public var maximumFrames: Int
        /// Frames a gain ramp takes (`volume.ramp_ms` at the stream's rate).
        public var rampFrames: Int
        /// Frames per level reading.
        public var meterWindowFrames: Int
        public var onThresholdDBFS: Float
        public var offThresholdDBFS: Float
        /// Frames the level must stay above the on threshold (`power.attack_ms`).
        public var attackFrames: Int
        /// Frames the level must stay below the off threshold before the signal counts as gone.
        public var holdFrames: Int
        /// The detector's block: its time resolution.
        public var detectorBlockFrames: Int
        /// The gain at start; 0 so that audio always ramps in.
        public var initialGain: Float
        public var ditherSeed: UInt32
        /// Frames the pre-roll can hold while the speaker warms up (look-back included); 0 for none.
        public var preRollCapacityFrames: Int

        public init(
            inputEncoding: SampleEncoding, inputChannels: Int, outputEncoding: SampleEncoding, outputChannels: Int,
            maximumFrames: Int, rampFrames: Int, meterWindowFrames: Int,
            onThresholdDBFS: Float, offThresholdDBFS: Float, attackFrames: Int, holdFrames: Int,
            detectorBlockFrames: Int = 48, initialGain: Float = 0, ditherSeed: UInt32 = 0x5EED,
            preRollCapacityFrames: Int = 0
        ) {
            self.inputEncoding = inputEncoding
            self.inputChannels = inputChannels
            self.outputEncoding = outputEncoding
            self.outputChannels = outputChannels
            self.maximumFrames = maximumFrames
            self.rampFrames = rampFrames
            self.meterWindowFrames = meterWindowFrames
            self.onThresholdDBFS = onThresholdDBFS
            self.offThresholdDBFS = offThresholdDBFS
            self.attackFrames = attackFrames
            self.holdFrames = holdFrames
            self.detectorBlockFrames = detectorBlockFrames
            self.initialGain = initialGain
            self.ditherSeed = ditherSeed
            self.preRollCapacityFrames = preRollCapacityFrames
        }
    }

    public let configuration: Configuration
    private let decoder: SampleDecoder
    private let mixer: ChannelMixer
    private var encoder: SampleEncoder
    private var meter: LevelMeter
    private var detector: SignalDetector
    private var ramp: GainRamp
    private var volumeGain: Float
    private var muted = false
    /// Holds the audio that arrives while the speaker warms up; between the mix and the gain, so
    /// the detector hears the live input and the held audio is played at the volume of its time.
    private var preRoll: PreRoll
    private let hasPreRoll: Bool
    /// Same integer encoding and channel count in and out: unity gain may copy bytes.
    private let canPassThrough: Bool
    /// S16 in, S16 out, mixing only copies: at unity every sample is already an S16 value.
    private let unityIsExactS16: Bool
    private let inputBytesPerFrame: Int
    private let decoded: UnsafeMutablePointer<Float>
    /// The mixer's output; nil when the channel counts are equal and the decoded buffer is used in place.
    private let mixed: UnsafeMutablePointer<Float>?
    /// One period of dither, drawn in one pass before encoding; nil unless the output is S16.
    private let dither: UnsafeMutablePointer<Float>?
    /// A stretched period: one frame more than the largest.
    private let stretched: UnsafeMutablePointer<Float>

    public init(configuration: Configuration) {
        precondition(configuration.maximumFrames > 0, "ProcessingChain: maximumFrames must be positive")
        self.configuration = configuration
        decoder = SampleDecoder(encoding: configuration.inputEncoding, channels: configuration.inputChannels)
        mixer = ChannelMixer(inputChannels: configuration.inputChannels, outputChannels: configuration.outputChannels)
        encoder = SampleEncoder(encoding: configuration.outputEncoding, channels: configuration.outputChannels, ditherSeed: configuration.ditherSeed)
        meter = LevelMeter(
            channels: configuration.inputChannels, windowFrames: configuration.meterWindowFrames,
            clipLevel: configuration.inputEncoding.largestPositiveSample)
        detector = SignalDetector(
            onThresholdDBFS: configuration.onThresholdDBFS, offThresholdDBFS: configuration.offThresholdDBFS,
            attackFrames: configuration.attackFrames, holdFrames: configuration.holdFrames,
            blockFrames: configuration.detectorBlockFrames)
        ramp = GainRamp(initialGain: configuration.initialGain, rampFrames: configuration.rampFrames)
        hasPreRoll = configuration.preRollCapacityFrames > 0
        preRoll = PreRoll(
            capacityFrames: max(configuration.preRollCapacityFrames, configuration.maximumFrames),
            channels: configuration.outputChannels, maxPeriodFrames: configuration.maximumFrames,
            quietThresholdDBFS: Double(configuration.offThresholdDBFS))
        volumeGain = configuration.initialGain
        canPassThrough = configuration.inputEncoding == configuration.outputEncoding
            && configuration.inputChannels == configuration.outputChannels
            && configuration.inputEncoding != .float32
        unityIsExactS16 = configuration.inputEncoding == .s16 && configuration.outputEncoding == .s16 && mixer.isCopyOnly
        inputBytesPerFrame = configuration.inputChannels * configuration.inputEncoding.bytesPerSample
        let decodedSamples = configuration.maximumFrames * configuration.inputChannels
        decoded = .allocate(capacity: decodedSamples)
        decoded.initialize(repeating: 0, count: decodedSamples)
        if configuration.inputChannels == configuration.outputChannels {
            mixed = nil
        } else {
            let mixedSamples = configuration.maximumFrames * configuration.outputChannels
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: mixedSamples)
            buffer.initialize(repeating: 0, count: mixedSamples)
            mixed = buffer
        }
        let stretchedSamples = (configuration.maximumFrames + 1) * configuration.outputChannels
        stretched = .allocate(capacity: stretchedSamples)
        stretched.initialize(repeating: 0, count: stretchedSamples)
        if configuration.outputEncoding == .s16 {
            // Rounded up: the noise is drawn a whole number of draws at a time.
            let draw = TPDFNoise.samplesPerDraw
            let ditherSamples = ((configuration.maximumFrames + 1) * configuration.outputChannels + draw - 1) / draw * draw
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: ditherSamples)
            buffer.initialize(repeating: 0, count: ditherSamples)
            dither = buffer
        } else {
            dither = nil
        }
    }

    deinit {
        decoded.deallocate()
        mixed?.deallocate()
        dither?.deallocate()
        stretched.deallocate()
    }

    /// The gain applied to the last frame processed.
    public var currentGain: Float { ramp.currentGain }
    /// The gain the ramp is heading to: the volume gain, or 0 while muted.
    public var targetGain: Float { ramp.targetGain }
    public var isRamping: Bool { ramp.isRamping }
    public var isMuted: Bool { muted }
    public var isSignalPresent: Bool { detector.isSignalPresent }

    /// Frames of delay the pre-roll adds now: held audio, or released audio not yet worked off.
    public var preRollBacklogFrames: Int { preRoll.backlogFrames }
    /// Quiet frames the pre-roll dropped to catch up, since the chain was made.
    public var preRollDroppedFrames: Int { preRoll.droppedFrames }
    public var isHoldingAudio: Bool { preRoll.isHolding }

    /// Starts holding audio (the speaker is warming), reaching back over what passed while the
    /// detector and the control plane decided. (Not `@_noLocks`: the pre-roll's argument check
    /// formats a message the checker cannot prove allocation-free; it allocates nothing unless it traps.)
    public mutating func holdAudio(lookBackFrames: Int) {
        if hasPreRoll { preRoll.hold(lookBackFrames: lookBackFrames) }
    }

    /// Plays the held audio from its first sample.
    @_noLocks
    public mutating func releaseHeldAudio() {
        preRoll.release()
    }

    /// Drops the held audio unplayed.
    @_noLocks
    public mutating func discardHeldAudio() {
        preRoll.discard()
    }

    /// Ramps to a new linear gain (from the control plane's atomics, once per period).
    @_noLocks
    public mutating func setTargetGain(_ linearGain: Float) {
        volumeGain = linearGain
        if !muted { ramp.setTarget(linearGain) }
    }

    /// Ramps to silence, or back to the volume gain.
    @_noLocks
    public mutating func setMuted(_ muted: Bool) {
        self.muted = muted
        ramp.setTarget(muted ? 0 : volumeGain)
    }

    /// Sets the gain at once: only to compensate an analogue attenuator switching at this moment.
    @_noLocks
    public mutating func jumpGain(to linearGain: Float) {
        volumeGain = linearGain
        if !muted { ramp.jump(to: linearGain) }
    }

    /// Turns `frames` frames of capture bytes into `frames + stretch` frames of playback bytes;
    /// `stretch` is −1, 0 or +1 (see ``ClockDriftCorrector``).
    @_noLocks
    public mutating func process(input: UnsafeRawPointer, output: UnsafeMutableRawPointer, frames: Int, stretch: Int = 0) -> PeriodReport {
        precondition(frames >= 0 && frames <= configuration.maximumFrames, "ProcessingChain: more frames than maximumFrames")
        precondition(stretch >= -1 && stretch <= 1, "ProcessingChain: a period stretches by one frame at most")
        // A period too short to interpolate in is not stretched.
        let stretch = frames >= 2 ? stretch : 0
        let outputFrames = frames &+ stretch
        decoder.decode(input, frames: frames, into: decoded)
        let wasPresent = detector.isSignalPresent
        var reading: LevelReading?
        var clipped = 0
        var done = 0
        while done < frames {
            // Runs end where a meter window or a detector block ends, so each gets whole statistics.
            let run = min(frames &- done, min(meter.framesLeftInWindow, detector.framesLeftInBlock))
            let samples = decoded + done &* configuration.inputChannels
            let statistics = SampleStatistics.measuring(samples, count: run &* configuration.inputChannels, channels: configuration.inputChannels)
            let peak = statistics.maximumPeak()
            let measured = meter.accumulate(statistics, peak: peak, frames: run, samples: samples)
            if let completed = measured.reading { reading = completed }
            clipped &+= measured.clippedSamples
            detector.accumulate(peak: peak, frames: run)
            done &+= run
        }
        let transition: SignalTransition? = detector.isSignalPresent == wasPresent ? nil : (detector.isSignalPresent ? .on : .off)

        let resting = !ramp.isRamping
        let restingGain = ramp.currentGain
        // The pre-roll's ring sees every period, so a hold can reach back; while it neither holds
        // nor lags, its output is its input and unity may still copy bytes.
        let preRollIdle = !hasPreRoll || (!preRoll.isHolding && preRoll.backlogFrames == 0)
        if canPassThrough && resting && restingGain == 1 && preRollIdle && stretch == 0 {
            if hasPreRoll { preRoll.process(input: decoded, output: decoded, frames: frames) }
            output.copyMemory(from: input, byteCount: frames &* inputBytesPerFrame)
            _ = ramp.advance(frames: frames)
        } else {
            var signal: UnsafeMutablePointer<Float>
            if let mixed {
                mixer.mix(decoded, frames: frames, into: mixed)
                signal = mixed
            } else {
                signal = decoded
            }
            if hasPreRoll { preRoll.process(input: signal, output: signal, frames: frames) }
            if stretch != 0 {
                Self.stretch(signal, frames: frames, channels: configuration.outputChannels, into: stretched, frames: outputFrames)
                signal = stretched
            }
            // Interpolated samples carry more than 16 bits, as a gain does.
            let exact = resting && stretch == 0 && (restingGain == 0 || (restingGain == 1 && unityIsExactS16))
            var noise: UnsafePointer<Float>?
            if let dither, !exact {
                encoder.fillDither(dither, samples: outputFrames &* configuration.outputChannels)
                noise = UnsafePointer(dither)
            }
            encoder.encode(signal, frames: outputFrames, into: output, noise: noise, gain: ramp.advance(frames: outputFrames))
        }
        return PeriodReport(
            signalTransition: transition, levelReading: reading, clippedSamples: clipped,
            isSignalPresent: detector.isSignalPresent, gain: ramp.currentGain, outputFrames: outputFrames)
    }
}

extension ProcessingChain {
    /// Resamples `inputFrames` frames to `outputFrames` by linear interpolation, first frame to
    /// first and last to last, so the step into the next period stays one input frame.
    @_noLocks
    static func stretch(
        _ source: UnsafePointer<Float>, frames inputFrames: Int, channels: Int,
        into destination: UnsafeMutablePointer<Float>, frames outputFrames: Int
    ) {
        let step = Double(inputFrames &- 1) / Double(outputFrames &- 1)
        let last = inputFrames &- 1
        for frame in 0..<outputFrames {
            let position = Double(frame) * step
            let index = min(Int(position), last)
            let next = min(index &+ 1, last)
            let fraction = Float(position - Double(index))
            let from = source + index &* channels
            let to = source + next &* channels
            let into = destination + frame &* channels
            for channel in 0..<channels {
                into[channel] = from[channel] + (to[channel] - from[channel]) * fraction
            }
        }
    }
}

// One owner at a time (the type cannot be copied), so handing it to the audio thread is safe.
extension ProcessingChain: @unchecked Sendable {}

/// What one period produced, for the engine to publish.
public struct PeriodReport: Sendable, Equatable {
    /// Set in the period where the detector changed its mind.
    public var signalTransition: SignalTransition?
    /// Set in the period where a meter window ended.
    public var levelReading: LevelReading?
    /// Input samples at full scale in this period.
    public var clippedSamples: Int
    public var isSignalPresent: Bool
    /// The gain applied to the period's last frame.
    public var gain: Float
    /// Frames written to the output: the input's, stretched or not.
    public var outputFrames: Int

    public init(
        signalTransition: SignalTransition?, levelReading: LevelReading?, clippedSamples: Int, isSignalPresent: Bool, gain: Float,
        outputFrames: Int
    ) {
        self.signalTransition = signalTransition
        self.levelReading = levelReading
        self.clippedSamples = clippedSamples
        self.isSignalPresent = isSignalPresent
        self.gain = gain
        self.outputFrames = outputFrames
    }
}

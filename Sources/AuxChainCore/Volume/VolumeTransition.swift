/// A gain as a hardware attenuator step plus a digital residual.
public struct GainSplit: Sendable, Equatable {
    /// The attenuator's level (0 dB without an attenuator).
    public var hardwareDB: Double
    /// The digital gain on top (−∞ for silence).
    public var digitalDB: Double

    public init(hardwareDB: Double, digitalDB: Double) {
        self.hardwareDB = hardwareDB
        self.digitalDB = digitalDB
    }

    /// What the listener gets: the sum of both stages.
    public var totalDB: Double { hardwareDB + digitalDB }
}

/// How to move the output from one ``GainSplit`` to another without ever being louder than the
/// louder of the two.
///
/// Steps are timed from the moment the transition starts, as the listener hears them. For an
/// attenuator change the step's time is when the new hardware gain takes effect; the command
/// goes out ``AttenuatorSteps/switchingLatency`` before (``Step/commandTime(switchingLatency:)``),
/// and the digital jump must reach the output at the same moment — the engine applies it to
/// the audio that plays then, that is, its output latency ahead.
///
/// - Quieter, or the same attenuator step: the digital gain ramps down (or across) to the new
///   total with the old step, then at the switch the attenuator drops and the digital gain
///   rises by the same amount.
/// - Louder: at the switch the attenuator rises and the digital gain drops by the same amount,
///   so the total holds; then the digital gain ramps up to the new total.
public struct VolumeTransition: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public enum Action: Sendable, Equatable {
            /// Start the digital gain ramp (the engine's ramp time) towards `toDB`.
            case rampDigital(toDB: Double)
            /// The attenuator's gain becomes `hardwareDB` now, and the digital gain jumps (no
            /// ramp) to `digitalDB`, so the total does not move.
            case switchHardware(hardwareDB: Double, digitalDB: Double)
        }

        /// When the step is heard, from the start of the transition.
        public var at: Duration
        public var action: Action

        public init(at: Duration, action: Action) {
            self.at = at
            self.action = action
        }

        /// When to send a hardware command so it takes effect at ``at``.
        public func commandTime(switchingLatency: Duration) -> Duration { at - switchingLatency }
    }

    public var from: GainSplit
    public var to: GainSplit
    public var steps: [Step]
    /// From the start until the last step has finished (ramps included).
    public var duration: Duration

    public init(from: GainSplit, to: GainSplit, steps: [Step], duration: Duration) {
        self.from = from
        self.to = to
        self.steps = steps
        self.duration = duration
    }

    /// Whether the attenuator moves.
    public var switchesHardware: Bool { from.hardwareDB != to.hardwareDB }
}

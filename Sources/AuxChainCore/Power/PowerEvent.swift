/// What can happen to the speaker's power: from the audio thread's signal
/// detector, a person (CLI or button), the 12 V trigger, the daemon's lifecycle
/// and the audio thread's gain ramp.
public enum PowerEvent: Sendable, Equatable, Hashable {
    /// The detector heard the Echo (level above the on threshold for the attack time).
    case signalPresent
    /// The detector lost the signal (level below the off threshold).
    case signalAbsent
    /// A person asked for a mode: `.on` and `.off` override auto until `.auto` is asked for again.
    case setMode(PowerMode)
    /// A power button: manual off if the speaker is on or warming, manual on otherwise.
    case toggle
    /// The 12 V trigger input went high: the speaker is held on, as by manual on.
    case triggerHigh
    /// The 12 V trigger input went low: the person's own mode applies again.
    case triggerLow
    /// The daemon is shutting down: ramp down, then relay off, then nothing more.
    case stopRequested
    /// The audio thread's power gain ramp reached its target.
    case rampFinished(GainRampDirection)
}

/// Which way the audio gate's gain ramp runs.
public enum GainRampDirection: String, Sendable, Equatable, Hashable, Codable {
    case up
    case down
}

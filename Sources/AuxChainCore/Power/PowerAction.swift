/// What the controller must do, in the order given, after a ``PowerSequencer`` step.
public enum PowerAction: Sendable, Equatable, Hashable {
    /// Energise the speaker's power relay.
    case relayOn
    /// Release the speaker's power relay.
    case relayOff
    /// Start holding audio in the pre-roll (output silence), keeping the last
    /// few periods already passed so the onset the detector needed to hear is
    /// not lost. Comes before the relay and gate actions it goes with.
    case holdAudio
    /// Play the held audio from its first sample; the pre-roll then works the
    /// added delay off in quiet stretches.
    case releaseAudio
    /// Drop the held audio unplayed: the speaker was switched off before it
    /// finished warming up.
    case discardHeldAudio
    /// Ramp the audio gate's gain up to the volume track's level. While warming,
    /// this ramps over the pre-roll's held silence, so the first held sample
    /// plays at full level once released.
    case rampUp
    /// Ramp the audio gate's gain down to silence; report
    /// ``PowerEvent/rampFinished(_:)`` with `.down` when it is done.
    case rampDown
    /// The status changed: report it (control socket, state file).
    case publish(PowerStatus)
}

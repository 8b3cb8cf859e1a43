import AuxChainCore

/// What the controller decided, for whoever watches: the simulation's timeline, the control
/// socket's subscribers, the log.
public enum ControllerEvent: Sendable, Equatable {
    case power(PowerStatus)
    case volume(VolumeReport)
    case relay(on: Bool)
    /// The pre-roll started holding audio (the speaker is warming).
    case audioHeld
    /// The held audio plays from its first sample; this much delay is to be worked off.
    case audioReleased(backlogFrames: Int)
    case heldAudioDiscarded
    /// The pre-roll's added delay is gone: latency is back to the engine's own.
    case backlogWorkedOff(droppedQuietFrames: Int)
    /// The signal detector's decision changed.
    case signal(present: Bool)
    /// Xruns were recovered; the total since start.
    case xruns(total: UInt64)
}

/// Where the speaker's power stands.
///
/// The cycle is off → warming → on → idle → cooling → off; idle and cooling can
/// go back to on when the signal returns, without touching the relay.
public enum PowerState: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// Relay off, audio gate closed.
    case off
    /// Relay on, audio held in the pre-roll while the speaker's amplifier settles.
    case warming
    /// Relay on, audio playing.
    case on
    /// Relay on, audio playing, no signal: the off delay is counting (auto mode only).
    case idle
    /// Relay on, audio ramping down; the relay drops when the ramp is done.
    case cooling

    /// Whether the speaker is on or on its way on, as a person pressing a power button sees it.
    public var isSpeakerOn: Bool {
        switch self {
        case .warming, .on, .idle: true
        case .off, .cooling: false
        }
    }
}

/// What the control plane reports: the state, the user's mode and whether the
/// 12 V trigger is holding the speaker on over that mode.
public struct PowerStatus: Sendable, Equatable, Hashable, Codable {
    public var state: PowerState
    /// The mode a person chose (the one to save); the trigger does not change it.
    public var mode: PowerMode
    public var isTriggerHoldingOn: Bool

    public init(state: PowerState, mode: PowerMode, isTriggerHoldingOn: Bool) {
        self.state = state
        self.mode = mode
        self.isTriggerHoldingOn = isTriggerHoldingOn
    }
}

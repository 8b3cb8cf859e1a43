import AuxChainCore

/// What a person or the amplifier chain did on a GPIO input.
public enum InputEvent: Sendable, Hashable {
    /// A button went to its active level (pressed); releases are not events.
    case buttonPressed(ButtonAction)
    /// The 12 V trigger is active (the config's `active_low` taken into account).
    case triggerHigh
    /// The 12 V trigger is inactive.
    case triggerLow

    /// The power sequencer's event for this input; nil for the volume buttons, which are
    /// volume-track commands.
    public var powerEvent: PowerEvent? {
        switch self {
        case .buttonPressed(.powerToggle): .toggle
        case .buttonPressed: nil
        case .triggerHigh: .triggerHigh
        case .triggerLow: .triggerLow
        }
    }
}

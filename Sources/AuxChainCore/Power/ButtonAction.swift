/// What a physical button does when pressed; the raw values are the config's
/// `[[inputs.buttons]] action` names.
///
/// Only `powerToggle` reaches the ``PowerSequencer`` (as ``PowerEvent/toggle``);
/// the other three are volume-track commands.
public enum ButtonAction: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case powerToggle = "power-toggle"
    case muteToggle = "mute-toggle"
    case volumeUp = "volume-up"
    case volumeDown = "volume-down"
}

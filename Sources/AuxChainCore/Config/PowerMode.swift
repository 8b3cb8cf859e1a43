/// How the speaker's power is decided: by the signal, or forced by a person.
public enum PowerMode: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case auto
    case on
    case off
}

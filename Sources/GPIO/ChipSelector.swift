/// How the config's `[gpio] chip` names a chip: by path, kernel name or label.
public enum ChipSelector: Hashable, Sendable, CustomStringConvertible {
    case path(String)
    case name(String)
    case label(String)

    /// Reads `[gpio] chip`: a path when it starts with "/", a name when it looks like
    /// `gpiochipN`, otherwise a label.
    public init(_ text: String) {
        if text.hasPrefix("/") {
            self = .path(text)
        } else if Self.isChipName(text) {
            self = .name(text)
        } else {
            self = .label(text)
        }
    }

    public func matches(_ chip: ChipInfo) -> Bool {
        switch self {
        case .path(let path): chip.path == path
        case .name(let name): chip.name == name
        case .label(let label): chip.label == label
        }
    }

    public var description: String {
        switch self {
        case .path(let text), .name(let text), .label(let text): "'\(text)'"
        }
    }

    /// True for `gpiochip` followed by decimal digits, the kernel's device names.
    static func isChipName(_ text: some StringProtocol) -> Bool {
        guard text.hasPrefix("gpiochip") else { return false }
        let number = text.dropFirst("gpiochip".count)
        return !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

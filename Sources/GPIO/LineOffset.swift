/// A line's offset within its chip; on a Raspberry Pi's header chip, the BCM GPIO number.
public struct LineOffset: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    public static func < (lhs: LineOffset, rhs: LineOffset) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}

/// How the config names a line: `line = 17` (offset) or `line = "GPIO17"` (name).
public enum LineSelector: Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    case offset(LineOffset)
    case name(String)

    public init(integerLiteral value: UInt32) { self = .offset(LineOffset(value)) }
    public init(stringLiteral value: String) { self = .name(value) }

    public var description: String {
        switch self {
        case .offset(let offset): offset.description
        case .name(let name): "'\(name)'"
        }
    }
}

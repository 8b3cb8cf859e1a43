/// A line's logical value: what the program means (relay on, button pressed).
/// With active-low the physical level is the opposite.
public enum LineValue: Hashable, Sendable, CustomStringConvertible {
    case inactive
    case active

    public init(isActive: Bool) { self = isActive ? .active : .inactive }

    public var isActive: Bool { self == .active }

    /// The physical level this value drives or reads as.
    public func level(activeLow: Bool) -> LineLevel {
        (self == .active) != activeLow ? .high : .low
    }

    public var description: String { isActive ? "active" : "inactive" }
}

/// A line's physical level on the wire.
public enum LineLevel: Hashable, Sendable, CustomStringConvertible {
    case low
    case high

    /// The logical value this level means.
    public func value(activeLow: Bool) -> LineValue {
        LineValue(isActive: (self == .high) != activeLow)
    }

    public var description: String { self == .high ? "high" : "low" }
}

/// The pull resistor a request asks for; the raw values are the config's spellings.
public enum Bias: String, Hashable, Sendable, CaseIterable {
    case asIs = "as-is"
    case disabled = "disabled"
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

public enum LineDirection: Hashable, Sendable {
    case input
    case output
}

/// One edge, in logical terms: rising means the line became active.
public enum Edge: Hashable, Sendable {
    case rising
    case falling

    /// The edge that leads to `value`.
    public init(to value: LineValue) { self = value.isActive ? .rising : .falling }

    /// The value the line has after this edge.
    public var value: LineValue { self == .rising ? .active : .inactive }
}

/// Which edges an input request reports.
public enum EdgeDetection: Hashable, Sendable {
    case rising
    case falling
    case both

    public func reports(_ edge: Edge) -> Bool {
        switch (self, edge) {
        case (.both, _), (.rising, .rising), (.falling, .falling): true
        default: false
        }
    }
}

/// An edge on an input line.
public struct EdgeEvent: Hashable, Sendable {
    public var offset: LineOffset
    public var edge: Edge
    /// When it happened, on CLOCK_MONOTONIC (or the simulated chip's clock). With debounce, when the
    /// line had been still for the debounce period, as the kernel stamps it.
    public var timestamp: Duration

    public init(offset: LineOffset, edge: Edge, timestamp: Duration) {
        self.offset = offset
        self.edge = edge
        self.timestamp = timestamp
    }

    /// The line's logical value after the edge.
    public var value: LineValue { edge.value }
}

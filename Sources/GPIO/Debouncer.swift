/// Debounces one input the way the kernel's GPIO character device does, so libgpiod 1.6
/// (no kernel debounce) behaves like 2.x seen from above.
///
/// Every change of the raw line restarts a timer of `period`; when the timer expires the line's
/// current value becomes the debounced value, and if that differs from the previous one it is
/// reported, stamped with the expiry time. A line that bounces and settles back reports nothing.
public struct Debouncer: Hashable, Sendable {
    public let period: Duration
    /// The value last reported, and what a read of the line returns.
    public private(set) var value: LineValue
    /// The line's value as last seen, bounces included.
    public private(set) var rawValue: LineValue
    /// When `settle(at:)` should next be called; nil while the line is still.
    public private(set) var deadline: Duration?

    public init(period: Duration, value: LineValue) {
        precondition(period > .zero, "a debounce period must be positive")
        self.period = period
        self.value = value
        self.rawValue = value
        self.deadline = nil
    }

    /// The line changed (an edge seen without debounce) at `time`.
    public mutating func lineChanged(to raw: LineValue, at time: Duration) {
        rawValue = raw
        deadline = time + period
    }

    /// Called at or after `deadline`: the new debounced value when the line settled on a
    /// different one, otherwise nil. Calls before the deadline change nothing.
    public mutating func settle(at now: Duration) -> LineValue? {
        guard let deadline, now >= deadline else { return nil }
        self.deadline = nil
        guard rawValue != value else { return nil }
        value = rawValue
        return value
    }
}

/// A chip we can request lines from: the kernel's (`CharacterDeviceChip`) or a fake
/// (`SimulatedChip`) that behaves the same, for `--simulate` and tests.
public protocol GPIOChip: AnyObject, Sendable {
    var info: ChipInfo { get }

    func lineInfo(_ offset: LineOffset) throws(GPIOError) -> LineInfo

    /// The offset of a line given by offset (checked against the chip) or by name.
    func offset(of line: LineSelector) throws(GPIOError) -> LineOffset

    /// Requests an output that drives `config.initialValue` from the moment it is granted.
    func requestOutput(_ line: LineSelector, _ config: OutputLineConfig) throws(GPIOError) -> any OutputLine

    /// Requests an input that reports edges on `events`.
    func requestInput(_ line: LineSelector, _ config: InputLineConfig) throws(GPIOError) -> any InputLine
}

extension GPIOChip {
    /// Every line of the chip as it is now.
    public func lines() throws(GPIOError) -> [LineInfo] {
        var lines: [LineInfo] = []
        for offset in 0..<UInt32(info.lineCount) {
            lines.append(try lineInfo(LineOffset(offset)))
        }
        return lines
    }
}

/// A granted output line. The request is released by `release()` or when the object goes away,
/// whichever is first, exactly once.
public protocol OutputLine: AnyObject, Sendable {
    var offset: LineOffset { get }
    /// The logical value last set.
    var value: LineValue { get }
    /// Sets the logical value; with active-low the physical level is the opposite.
    func set(_ value: LineValue) throws(GPIOError)
    func release()
}

/// A granted input line with edge events. The request is released by `release()` or when the
/// object goes away, whichever is first, exactly once.
public protocol InputLine: AnyObject, Sendable {
    var offset: LineOffset { get }
    /// The line's logical value now; debounced when the request has a debounce period.
    func read() throws(GPIOError) -> LineValue
    /// The requested edges, in order, for one consumer. It ends when the line is released or its
    /// device fails (`read()` then says why).
    var events: AsyncStream<EdgeEvent> { get }
    func release()
}

public struct OutputLineConfig: Hashable, Sendable {
    /// The name `gpioinfo` and `auxchain devices` show for the holder.
    public var consumer: String
    /// The logical value driven from the moment of the request: the safe value, so nothing glitches.
    public var initialValue: LineValue
    public var activeLow: Bool
    public var bias: Bias

    public init(consumer: String, initialValue: LineValue, activeLow: Bool = false, bias: Bias = .asIs) {
        self.consumer = consumer
        self.initialValue = initialValue
        self.activeLow = activeLow
        self.bias = bias
    }
}

public struct InputLineConfig: Hashable, Sendable {
    public var consumer: String
    public var activeLow: Bool
    public var bias: Bias
    public var edges: EdgeDetection
    /// How long the line must be still before a change counts; zero for none. The kernel does it
    /// with libgpiod 2.x, `Debouncer` does it in the same way with 1.6.
    public var debounce: Duration

    public init(
        consumer: String, activeLow: Bool = false, bias: Bias = .asIs, edges: EdgeDetection = .both,
        debounce: Duration = .zero
    ) {
        precondition(debounce >= .zero, "a debounce period cannot be negative")
        self.consumer = consumer
        self.activeLow = activeLow
        self.bias = bias
        self.edges = edges
        self.debounce = debounce
    }
}

/// How many edges an input keeps for a consumer that falls behind; the newest are kept.
let edgeEventBufferLimit = 128

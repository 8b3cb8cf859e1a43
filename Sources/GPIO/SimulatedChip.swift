import Synchronization

/// One change of a simulated output line, as the wire saw it.
public struct OutputChange: Hashable, Sendable {
    public var offset: LineOffset
    public var value: LineValue
    public var level: LineLevel
    public var time: Duration

    public init(offset: LineOffset, value: LineValue, level: LineLevel, time: Duration) {
        self.offset = offset
        self.value = value
        self.level = level
        self.time = time
    }
}

/// A GPIO chip in memory that behaves like the kernel's: the same errors for a line out of range,
/// a line already requested or a name that does not exist; outputs start at their initial value;
/// inputs follow their pull bias until driven; edge events only on changes, stamped by `clock`;
/// debounce as the kernel does it.
///
/// For `--simulate` and tests: it records every output change with its time, and `drive(line:to:)`
/// plays the outside world on an input.
public final class SimulatedChip: GPIOChip {
    public let info: ChipInfo
    let clock: any GPIOClock
    private let state: Mutex<State>

    /// - Parameter lineNames: one entry per line, nil for an unnamed line.
    public init(
        name: String = "gpiochip0", label: String = "simulated", lineNames: [String?],
        clock: any GPIOClock = MonotonicGPIOClock()
    ) {
        info = ChipInfo(path: "simulated:\(name)", name: name, label: label, lineCount: lineNames.count)
        self.clock = clock
        state = Mutex(State(lines: lineNames.map { Line(name: $0) }))
    }

    public convenience init(
        name: String = "gpiochip0", label: String = "simulated", lineCount: Int,
        clock: any GPIOClock = MonotonicGPIOClock()
    ) {
        self.init(name: name, label: label, lineNames: Array(repeating: nil, count: lineCount), clock: clock)
    }

    // MARK: The outside world

    /// Every change of an output line's level since the chip was made, the initial value of each
    /// request included.
    public var outputChanges: [OutputChange] { state.withLock { $0.outputChanges } }

    /// The physical level on a line now.
    public func level(of line: LineOffset) -> LineLevel {
        state.withLock { $0.lines[index(line)].level }
    }

    /// Drives a line from outside, as a button or a trigger circuit would. Requested inputs see an
    /// edge when their value changes.
    public func drive(line: LineOffset, to level: LineLevel) {
        state.withLock { state in
            if case .output = state.lines[index(line)].request {
                preconditionFailure("line \(line) of \(info) is an output; only inputs can be driven from outside")
            }
            state.lines[index(line)].driven = level
            settleLevel(line, in: &state)
        }
    }

    /// Stops driving a line: it floats to its pull bias, or keeps its level without one.
    public func stopDriving(line: LineOffset) {
        state.withLock { state in
            state.lines[index(line)].driven = nil
            settleLevel(line, in: &state)
        }
    }

    // MARK: GPIOChip

    public func lineInfo(_ offset: LineOffset) throws(GPIOError) -> LineInfo {
        try checkRange(offset, operation: .readLineInfo)
        return state.withLock { state in
            let line = state.lines[index(offset)]
            switch line.request {
            case nil:
                return LineInfo(
                    offset: offset, name: line.name, consumer: nil, isUsed: false, direction: .input,
                    isActiveLow: false, bias: .asIs)
            case .output(let output):
                return LineInfo(
                    offset: offset, name: line.name, consumer: output.config.consumer, isUsed: true,
                    direction: .output, isActiveLow: output.config.activeLow, bias: output.config.bias)
            case .input(let input):
                return LineInfo(
                    offset: offset, name: line.name, consumer: input.config.consumer, isUsed: true,
                    direction: .input, isActiveLow: input.config.activeLow, bias: input.config.bias)
            }
        }
    }

    public func offset(of line: LineSelector) throws(GPIOError) -> LineOffset {
        switch line {
        case .offset(let offset):
            try checkRange(offset, operation: .findLine)
            return offset
        case .name(let name):
            let found = state.withLock { state in state.lines.firstIndex { $0.name == name } }
            guard let found else {
                throw GPIOError(.lineNameNotFound(name), operation: .findLine, chip: info.description, line: line)
            }
            return LineOffset(UInt32(found))
        }
    }

    public func requestOutput(_ line: LineSelector, _ config: OutputLineConfig) throws(GPIOError) -> any OutputLine {
        let offset = try offset(of: line)
        let id = try state.withLock { state throws(GPIOError) in
            try checkFree(offset, in: state, operation: .requestOutput)
            let id = state.newRequestID()
            state.lines[index(offset)].driven = nil
            state.lines[index(offset)].request = .output(Output(id: id, config: config))
            record(offset, value: config.initialValue, activeLow: config.activeLow, in: &state, always: true)
            return id
        }
        return SimulatedOutputLine(chip: self, offset: offset, id: id, value: config.initialValue)
    }

    public func requestInput(_ line: LineSelector, _ config: InputLineConfig) throws(GPIOError) -> any InputLine {
        let offset = try offset(of: line)
        let (stream, continuation) = AsyncStream.makeStream(
            of: EdgeEvent.self, bufferingPolicy: .bufferingNewest(edgeEventBufferLimit))
        let id = try state.withLock { state throws(GPIOError) in
            try checkFree(offset, in: state, operation: .requestInput)
            let id = state.newRequestID()
            var line = state.lines[index(offset)]
            line.level = line.driven ?? config.bias.pulledLevel ?? line.level
            let value = line.level.value(activeLow: config.activeLow)
            let debouncer = config.debounce > .zero ? Debouncer(period: config.debounce, value: value) : nil
            line.request = .input(Input(id: id, config: config, debouncer: debouncer, continuation: continuation))
            state.lines[index(offset)] = line
            return id
        }
        return SimulatedInputLine(chip: self, offset: offset, id: id, events: stream)
    }

    // MARK: Requests

    func set(_ value: LineValue, output offset: LineOffset, id: UInt64) throws(GPIOError) {
        try state.withLock { state throws(GPIOError) in
            guard case .output(let output) = state.lines[index(offset)].request, output.id == id else {
                throw GPIOError(.released, operation: .setValue, chip: info.description, line: .offset(offset))
            }
            record(offset, value: value, activeLow: output.config.activeLow, in: &state, always: false)
        }
    }

    func read(input offset: LineOffset, id: UInt64) throws(GPIOError) -> LineValue {
        try state.withLock { state throws(GPIOError) in
            let line = state.lines[index(offset)]
            guard case .input(let input) = line.request, input.id == id else {
                throw GPIOError(.released, operation: .readValue, chip: info.description, line: .offset(offset))
            }
            return input.debouncer?.value ?? line.level.value(activeLow: input.config.activeLow)
        }
    }

    func release(_ offset: LineOffset, id: UInt64) {
        state.withLock { state in
            switch state.lines[index(offset)].request {
            case .output(let output) where output.id == id:
                state.lines[index(offset)].request = nil
            case .input(let input) where input.id == id:
                input.continuation.finish()
                state.lines[index(offset)].request = nil
            default:
                break
            }
        }
    }

    // MARK: Internals

    private struct Output {
        var id: UInt64
        var config: OutputLineConfig
    }

    private struct Input {
        var id: UInt64
        var config: InputLineConfig
        var debouncer: Debouncer?
        var continuation: AsyncStream<EdgeEvent>.Continuation
    }

    private enum Request {
        case output(Output)
        case input(Input)
    }

    private struct Line {
        var name: String?
        var level = LineLevel.low
        var driven: LineLevel?
        var request: Request?
    }

    private struct State {
        var lines: [Line]
        var outputChanges: [OutputChange] = []
        var nextRequestID: UInt64 = 1

        mutating func newRequestID() -> UInt64 {
            defer { nextRequestID += 1 }
            return nextRequestID
        }
    }

    private func index(_ offset: LineOffset) -> Int {
        precondition(Int(offset.rawValue) < info.lineCount, "line \(offset) is not on \(info)")
        return Int(offset.rawValue)
    }

    private func checkRange(_ offset: LineOffset, operation: GPIOError.Operation) throws(GPIOError) {
        guard Int(offset.rawValue) < info.lineCount else {
            throw GPIOError(
                .lineOutOfRange(offset, lineCount: info.lineCount), operation: operation, chip: info.description,
                line: .offset(offset))
        }
    }

    private func checkFree(_ offset: LineOffset, in state: State, operation: GPIOError.Operation) throws(GPIOError) {
        let consumer: String
        switch state.lines[index(offset)].request {
        case nil: return
        case .output(let output): consumer = output.config.consumer
        case .input(let input): consumer = input.config.consumer
        }
        throw GPIOError(
            .lineBusy(offset, consumer: consumer), operation: operation, chip: info.description, line: .offset(offset))
    }

    private func record(_ offset: LineOffset, value: LineValue, activeLow: Bool, in state: inout State, always: Bool) {
        let level = value.level(activeLow: activeLow)
        guard always || state.lines[index(offset)].level != level else { return }
        state.lines[index(offset)].level = level
        state.outputChanges.append(OutputChange(offset: offset, value: value, level: level, time: clock.now))
    }

    /// Brings a line's level to what drives it and tells its input request about a change.
    private func settleLevel(_ offset: LineOffset, in state: inout State) {
        var line = state.lines[index(offset)]
        guard case .input(var input) = line.request else {
            line.level = line.driven ?? line.level
            state.lines[index(offset)] = line
            return
        }
        let level = line.driven ?? input.config.bias.pulledLevel ?? line.level
        guard level != line.level else { return }
        line.level = level
        let value = level.value(activeLow: input.config.activeLow)
        let now = clock.now
        if var debouncer = input.debouncer {
            debouncer.lineChanged(to: value, at: now)
            input.debouncer = debouncer
            if let deadline = debouncer.deadline {
                let id = input.id
                clock.schedule(at: deadline) { [weak self] in self?.debounceExpired(offset, id: id) }
            }
        } else if input.config.edges.reports(Edge(to: value)) {
            input.continuation.yield(EdgeEvent(offset: offset, edge: Edge(to: value), timestamp: now))
        }
        line.request = .input(input)
        state.lines[index(offset)] = line
    }

    private func debounceExpired(_ offset: LineOffset, id: UInt64) {
        state.withLock { state in
            guard case .input(var input) = state.lines[index(offset)].request, input.id == id,
                var debouncer = input.debouncer
            else { return }
            let now = clock.now
            if let value = debouncer.settle(at: now), input.config.edges.reports(Edge(to: value)) {
                input.continuation.yield(EdgeEvent(offset: offset, edge: Edge(to: value), timestamp: now))
            }
            input.debouncer = debouncer
            state.lines[index(offset)].request = .input(input)
        }
    }
}

extension Bias {
    /// The level a pull resistor holds an undriven line at.
    var pulledLevel: LineLevel? {
        switch self {
        case .pullUp: .high
        case .pullDown: .low
        case .asIs, .disabled: nil
        }
    }
}

final class SimulatedOutputLine: OutputLine {
    let chip: SimulatedChip
    let offset: LineOffset
    private let id: UInt64
    private let lastValue: Mutex<LineValue>

    init(chip: SimulatedChip, offset: LineOffset, id: UInt64, value: LineValue) {
        self.chip = chip
        self.offset = offset
        self.id = id
        lastValue = Mutex(value)
    }

    deinit { release() }

    var value: LineValue { lastValue.withLock { $0 } }

    func set(_ value: LineValue) throws(GPIOError) {
        try lastValue.withLock { lastValue throws(GPIOError) in
            try chip.set(value, output: offset, id: id)
            lastValue = value
        }
    }

    func release() { chip.release(offset, id: id) }
}

final class SimulatedInputLine: InputLine {
    let chip: SimulatedChip
    let offset: LineOffset
    let events: AsyncStream<EdgeEvent>
    private let id: UInt64

    init(chip: SimulatedChip, offset: LineOffset, id: UInt64, events: AsyncStream<EdgeEvent>) {
        self.chip = chip
        self.offset = offset
        self.id = id
        self.events = events
    }

    deinit { release() }

    func read() throws(GPIOError) -> LineValue { try chip.read(input: offset, id: id) }

    func release() { chip.release(offset, id: id) }
}

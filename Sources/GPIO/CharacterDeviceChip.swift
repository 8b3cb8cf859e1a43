import Synchronization

/// A GPIO chip of the kernel, through its character device (/dev/gpiochipN) and libgpiod.
///
/// A final class rather than a `~Copyable` struct: the daemon keeps chips and lines in services,
/// arrays and tasks, which need copyable `Sendable` references. The owned C handles inside are
/// `~Copyable` with a `deinit`, so each is closed or released exactly once.
public final class CharacterDeviceChip: GPIOChip {
    public let info: ChipInfo
    private let handle: Mutex<ChipHandle>

    /// Opens the chip at `path`, e.g. /dev/gpiochip0. The corresponding C function is `CGPIOD_chip_open`.
    public init(path: String) throws(GPIOError) {
        let handle: ChipHandle
        do {
            handle = try ChipHandle(opening: path)
        } catch {
            throw Self.openError(error, path: path)
        }
        do {
            info = try shim_chipInfo(handle.pointer, path: path)
        } catch {
            throw GPIOError(.system(error), operation: .readChipInfo, chip: path)
        }
        self.handle = Mutex(handle)
    }

    /// Opens the chip `[gpio] chip` names: a path is opened as it is; a name or label is looked up
    /// among the chips in `devDirectory`, never assumed from a number.
    public static func open(_ selector: ChipSelector, devDirectory: String = "/dev") throws(GPIOError)
        -> CharacterDeviceChip
    {
        if case .path(let path) = selector {
            do throws(GPIOError) {
                return try CharacterDeviceChip(path: path)
            } catch {
                guard error.reason == .system(.noSuchFileOrDirectory) else { throw error }
                let listing = (try? list(devDirectory: devDirectory)) ?? ChipListing(chips: [], unreadable: [])
                throw GPIOError(
                    .chipNotFound(selector, present: listing.chips.map(\.info), unreadable: listing.unreadable),
                    operation: .findChip)
            }
        }
        return try CharacterDeviceChip(path: list(devDirectory: devDirectory).find(selector).path)
    }

    /// Every chip in `devDirectory` with its lines, for `auxchain devices` and for finding a chip.
    public static func list(devDirectory: String = "/dev") throws(GPIOError) -> ChipListing {
        let paths = try ChipListing.chipDevicePaths(in: devDirectory)
        return ChipListing.scan(devicePaths: paths) { path throws(Errno) in
            let handle = try ChipHandle(opening: path)
            let info = try shim_chipInfo(handle.pointer, path: path)
            var lines: [LineInfo] = []
            for offset in 0..<UInt32(info.lineCount) {
                lines.append(try shim_lineInfo(handle.pointer, LineOffset(offset)))
            }
            return ListedChip(info: info, lines: lines)
        }
    }

    /// The corresponding C function is `CGPIOD_chip_get_line_info`.
    public func lineInfo(_ offset: LineOffset) throws(GPIOError) -> LineInfo {
        try checkRange(offset, operation: .readLineInfo)
        do {
            return try handle.withLock { handle throws(Errno) in try shim_lineInfo(handle.pointer, offset) }
        } catch {
            throw GPIOError(.system(error), operation: .readLineInfo, chip: info.description, line: .offset(offset))
        }
    }

    /// The corresponding C function is `CGPIOD_chip_find_line`.
    public func offset(of line: LineSelector) throws(GPIOError) -> LineOffset {
        switch line {
        case .offset(let offset):
            try checkRange(offset, operation: .findLine)
            return offset
        case .name(let name):
            do {
                return try handle.withLock { handle throws(Errno) in try shim_findLine(handle.pointer, name: name) }
            } catch {
                let reason: GPIOError.Reason =
                    error == .noSuchFileOrDirectory ? .lineNameNotFound(name) : .system(error)
                throw GPIOError(reason, operation: .findLine, chip: info.description, line: line)
            }
        }
    }

    /// The corresponding C function is `CGPIOD_request_output`.
    public func requestOutput(_ line: LineSelector, _ config: OutputLineConfig) throws(GPIOError) -> any OutputLine {
        let offset = try offset(of: line)
        let request: OpaquePointer
        do {
            request = try handle.withLock { handle throws(Errno) in
                try shim_requestOutput(handle.pointer, offset, config)
            }
        } catch {
            throw requestError(error, offset: offset, operation: .requestOutput)
        }
        return CharacterDeviceOutputLine(
            chip: self, offset: offset, request: LineRequestHandle(taking: request), value: config.initialValue)
    }

    /// The corresponding C function is `CGPIOD_request_input`. With libgpiod 1.6 a debounce period is
    /// applied by `Debouncer` on the event thread instead of the kernel.
    public func requestInput(_ line: LineSelector, _ config: InputLineConfig) throws(GPIOError) -> any InputLine {
        let offset = try offset(of: line)
        let kernelDebounce = config.debounce > .zero && shim_hasKernelDebounce()
        let softwareDebounce = config.debounce > .zero && !kernelDebounce
        let request: OpaquePointer
        do {
            request = try handle.withLock { handle throws(Errno) in
                try shim_requestInput(
                    handle.pointer, offset, consumer: config.consumer, activeLow: config.activeLow,
                    bias: config.bias, edges: softwareDebounce ? .both : config.edges,
                    debounceMicroseconds: kernelDebounce ? Self.wholeMicroseconds(config.debounce) : 0)
            }
        } catch {
            throw requestError(error, offset: offset, operation: .requestInput)
        }
        return try CharacterDeviceInputLine(
            chip: self, offset: offset, request: LineRequestHandle(taking: request), edges: config.edges,
            softwareDebounce: softwareDebounce ? config.debounce : nil)
    }

    private func checkRange(_ offset: LineOffset, operation: GPIOError.Operation) throws(GPIOError) {
        guard Int(offset.rawValue) < info.lineCount else {
            throw GPIOError(
                .lineOutOfRange(offset, lineCount: info.lineCount), operation: operation, chip: info.description,
                line: .offset(offset))
        }
    }

    private func requestError(_ error: Errno, offset: LineOffset, operation: GPIOError.Operation) -> GPIOError {
        let reason: GPIOError.Reason
        switch error {
        case .resourceBusy:
            reason = .lineBusy(offset, consumer: (try? lineInfo(offset))?.consumer)
        case .permissionDenied, .notPermitted:
            reason = .permissionDenied(path: info.path)
        default:
            reason = .system(error)
        }
        return GPIOError(reason, operation: operation, chip: info.description, line: .offset(offset))
    }

    private static func openError(_ error: Errno, path: String) -> GPIOError {
        let reason: GPIOError.Reason
        switch error {
        case .permissionDenied, .notPermitted: reason = .permissionDenied(path: path)
        case .notATerminal, .noSuchDevice: reason = .notAGPIOChip(path: path)
        default: reason = .system(error)
        }
        return GPIOError(reason, operation: .openChip, chip: path)
    }

    /// The kernel counts debounce in microseconds; a period is rounded up so it never shrinks to zero.
    private static func wholeMicroseconds(_ duration: Duration) -> UInt {
        let (seconds, attoseconds) = duration.components
        let perMicrosecond: Int64 = 1_000_000_000_000
        return UInt(seconds) * 1_000_000 + UInt((attoseconds + perMicrosecond - 1) / perMicrosecond)
    }
}

final class CharacterDeviceOutputLine: OutputLine {
    let chip: CharacterDeviceChip
    let offset: LineOffset
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var request: LineRequestHandle?
        var value: LineValue
    }

    init(chip: CharacterDeviceChip, offset: LineOffset, request: consuming LineRequestHandle, value: LineValue) {
        self.chip = chip
        self.offset = offset
        state = Mutex(State(request: request, value: value))
    }

    // Released here, before `chip` can go: libgpiod 1.6 frees a request's line with its chip.
    deinit { release() }

    var value: LineValue { state.withLock { $0.value } }

    /// The corresponding C function is `CGPIOD_request_set_value`.
    func set(_ value: LineValue) throws(GPIOError) {
        try state.withLock { state throws(GPIOError) in
            guard let request = state.request?.pointer else {
                throw GPIOError(.released, operation: .setValue, chip: chip.info.description, line: .offset(offset))
            }
            do throws(Errno) {
                try shim_setValue(request, value)
            } catch {
                throw GPIOError(
                    .system(error), operation: .setValue, chip: chip.info.description, line: .offset(offset))
            }
            state.value = value
        }
    }

    /// The corresponding C function is `CGPIOD_request_release`.
    func release() { state.withLock { $0.request = nil } }
}

final class CharacterDeviceInputLine: InputLine {
    let chip: CharacterDeviceChip
    let offset: LineOffset
    let events: AsyncStream<EdgeEvent>
    private let pump: EventPump

    init(
        chip: CharacterDeviceChip, offset: LineOffset, request: consuming LineRequestHandle, edges: EdgeDetection,
        softwareDebounce: Duration?
    ) throws(GPIOError) {
        self.chip = chip
        self.offset = offset
        let (events, continuation) = AsyncStream.makeStream(
            of: EdgeEvent.self, bufferingPolicy: .bufferingNewest(edgeEventBufferLimit))
        self.events = events
        pump = try EventPump(
            request: request, offset: offset, chip: chip.info.description, edges: edges,
            softwareDebounce: softwareDebounce, continuation: continuation)
        try pump.start()
    }

    // Released here, before `chip` can go: libgpiod 1.6 frees a request's line with its chip.
    deinit { pump.stop() }

    /// The corresponding C function is `CGPIOD_request_get_value`.
    func read() throws(GPIOError) -> LineValue { try pump.read() }

    func release() { pump.stop() }
}

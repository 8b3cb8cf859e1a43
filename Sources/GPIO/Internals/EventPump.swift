import Glibc
import Synchronization

/// Delivers one input request's edges to an AsyncStream from a dedicated thread that blocks in
/// poll() on the request's event descriptor and on a wake-up pipe. With libgpiod 1.6 it also
/// runs the `Debouncer`, using poll()'s timeout as the debounce timer.
final class EventPump: Sendable {
    private struct State: ~Copyable {
        var request: LineRequestHandle?
        var debouncer: Debouncer?
        var thread: pthread_t?
        var stopped = false
    }

    let offset: LineOffset
    private let chip: String
    private let edges: EdgeDetection
    private let eventDescriptor: CInt
    private let wakeReader: CInt
    private let wakeWriter: CInt
    private let continuation: AsyncStream<EdgeEvent>.Continuation
    private let state: Mutex<State>

    init(
        request: consuming LineRequestHandle, offset: LineOffset, chip: String, edges: EdgeDetection,
        softwareDebounce: Duration?, continuation: AsyncStream<EdgeEvent>.Continuation
    ) throws(GPIOError) {
        self.offset = offset
        self.chip = chip
        self.edges = edges
        self.continuation = continuation
        do {
            eventDescriptor = try shim_eventDescriptor(request.pointer)
        } catch {
            throw GPIOError(.system(error), operation: .requestInput, chip: chip, line: .offset(offset))
        }
        var debouncer: Debouncer?
        if let softwareDebounce {
            do {
                debouncer = Debouncer(period: softwareDebounce, value: try shim_getValue(request.pointer))
            } catch {
                throw GPIOError(.system(error), operation: .readValue, chip: chip, line: .offset(offset))
            }
        }
        var pipeEnds: [CInt] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            throw GPIOError(.system(.current), operation: .requestInput, chip: chip, line: .offset(offset))
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        wakeReader = pipeEnds[0]
        wakeWriter = pipeEnds[1]
        state = Mutex(State(request: request, debouncer: debouncer))
    }

    deinit {
        close(wakeReader)
        close(wakeWriter)
    }

    func start() throws(GPIOError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                let pump = Unmanaged<EventPump>.fromOpaque(context!).takeRetainedValue()
                pump.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<EventPump>.fromOpaque(context).release()
            throw GPIOError(
                .system(Errno(rawValue: result)), operation: .requestInput, chip: chip, line: .offset(offset))
        }
        state.withLock { $0.thread = thread }
    }

    /// Stops the thread, then releases the request and ends the stream; once, whoever calls first.
    func stop() {
        let thread: pthread_t?? = state.withLock { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            return .some(state.thread)
        }
        guard case .some(let started) = thread else { return }
        if let started {
            var wake: UInt8 = 1
            _ = write(wakeWriter, &wake, 1)
            pthread_join(started, nil)
        }
        state.withLock { $0.request = nil }
        continuation.finish()
    }

    /// The corresponding C function is `CGPIOD_request_get_value`; with software debounce, the
    /// debounced value, as the kernel gives it.
    func read() throws(GPIOError) -> LineValue {
        try state.withLock { state throws(GPIOError) in
            guard let request = state.request?.pointer else {
                throw GPIOError(.released, operation: .readValue, chip: chip, line: .offset(offset))
            }
            if let debouncer = state.debouncer { return debouncer.value }
            do throws(Errno) {
                return try shim_getValue(request)
            } catch {
                throw GPIOError(.system(error), operation: .readValue, chip: chip, line: .offset(offset))
            }
        }
    }

    private func run() {
        var descriptors = [
            pollfd(fd: eventDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, 2, pollTimeoutMilliseconds())
            if ready < 0 {
                if Errno.current == .interrupted { continue }
                break
            }
            if descriptors[1].revents != 0 { break }
            if descriptors[0].revents & Int16(POLLIN) != 0 {
                guard readEvent() else { break }
            } else if descriptors[0].revents != 0 {
                // POLLERR, POLLHUP or POLLNVAL: the device went away.
                break
            }
            settleDebouncer()
        }
        continuation.finish()
    }

    /// Reads one event; false when the device failed.
    private func readEvent() -> Bool {
        state.withLock { state in
            guard let request = state.request?.pointer else { return false }
            let event: EdgeEvent
            do throws(Errno) {
                event = try shim_readEvent(request)
            } catch {
                return error == .interrupted
            }
            if var debouncer = state.debouncer {
                debouncer.lineChanged(to: event.value, at: event.timestamp)
                state.debouncer = debouncer
            } else {
                continuation.yield(event)
            }
            return true
        }
    }

    private func settleDebouncer() {
        state.withLock { state in
            guard var debouncer = state.debouncer else { return }
            let now = MonotonicGPIOClock().now
            if let value = debouncer.settle(at: now), edges.reports(Edge(to: value)) {
                continuation.yield(EdgeEvent(offset: offset, edge: Edge(to: value), timestamp: now))
            }
            state.debouncer = debouncer
        }
    }

    /// Until the debounce deadline, rounded up to whole milliseconds; -1 (forever) without one.
    private func pollTimeoutMilliseconds() -> CInt {
        guard let deadline = state.withLock({ $0.debouncer?.deadline }) else { return -1 }
        let remaining = deadline - MonotonicGPIOClock().now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        return CInt(clamping: seconds * 1000 + (attoseconds + perMillisecond - 1) / perMillisecond)
    }
}

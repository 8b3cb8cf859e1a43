import Dispatch
import Glibc
import Synchronization

/// The audio thread's nudge to the control plane: a pipe it writes a byte to when something the
/// controller waits for has happened (a signal began or ended, a ramp or a backlog finished, an
/// xrun, the devices opened or closed), so the controller reacts at once instead of polling the
/// atomics hundreds of times a second. A nudge is one non-blocking write(2): no lock, no
/// allocation; a full pipe (nobody reading) just drops it.
public final class ControlPlaneWakeup: @unchecked Sendable {
    // @unchecked: the descriptors and the dispatch source are set once in init; the waiter state
    // is behind its Mutex.
    private let readEnd: Int32
    private let writeEnd: Int32
    private var source: (any DispatchSourceRead)?
    private let state = Mutex(Waiting())

    private struct Waiting {
        /// A nudge arrived while nobody waited: the next wait returns at once.
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Numbers each wait, so a late timeout cannot end a later wait.
        var generation: UInt64 = 0
    }

    public init() {
        var ends: (Int32, Int32) = (-1, -1)
        let made = withUnsafeMutableBytes(of: &ends) { pipe($0.baseAddress!.assumingMemoryBound(to: Int32.self)) }
        precondition(made == 0, "pipe failed: errno \(errno)")
        for end in [ends.0, ends.1] {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (readEnd, writeEnd) = ends
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        let (readEnd, writeEnd) = ends
        source.setEventHandler { [weak self] in
            var drained = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            while withUnsafeMutableBytes(of: &drained, { read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
            self?.resume(generation: nil)
        }
        source.setCancelHandler {
            close(readEnd)
            close(writeEnd)
        }
        self.source = source
        source.resume()
    }

    deinit {
        source?.cancel()
    }

    /// From the audio thread.
    @inline(__always)
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Returns after a nudge (one that came since the last wait counts), after `timeout`, or when
    /// the task is cancelled.
    public func wait(timeout: Duration) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let generation: UInt64? = state.withLock { state in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return nil
                    }
                    state.generation &+= 1
                    state.waiter = continuation
                    return state.generation
                }
                guard let generation else { return continuation.resume() }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval) { [weak self] in
                    self?.resume(generation: generation)
                }
            }
        } onCancel: {
            resume(generation: nil)
        }
    }

    /// Ends the current wait; a nudge (`generation` nil) with nobody waiting is kept for the next.
    private func resume(generation: UInt64?) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let generation, generation != state.generation { return nil }
            guard let waiter = state.waiter else {
                if generation == nil { state.pending = true }
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}

import Dispatch
import GPIO
import Glibc
import Synchronization

/// A thread of its own that runs an actor's jobs one at a time, in the order they come.
///
/// Attenuator moves block while they wait out microsecond holds between line writes: that may
/// not happen on Swift's cooperative pool, and `Task.sleep` is far too coarse for it. With this
/// executor the actor's methods are plain synchronous code on a thread nothing else uses.
///
/// The thread ends after `stop()`; the actor calls it from its `deinit`, when no job of its can come.
final class WriterThread: SerialExecutor {
    private enum Entry {
        case job(UnownedJob)
        case stop
    }

    private let entries = Mutex<[Entry]>([])
    private let entriesWaiting = DispatchSemaphore(value: 0)

    init() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            let executor = Unmanaged<WriterThread>.fromOpaque(context!).takeRetainedValue()
            executor.runJobs()
            return nil
        }, box)
        precondition(created == 0, "pthread_create failed for the attenuator's writer thread: \(created)")
        pthread_detach(thread)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        append(.job(UnownedJob(job)))
    }

    /// Ends the thread once the jobs before have run.
    func stop() {
        append(.stop)
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    private func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
        entriesWaiting.signal()
    }

    /// The thread holds the executor until it ends, so jobs never run on a freed executor.
    private func runJobs() {
        while true {
            entriesWaiting.wait()
            switch entries.withLock({ $0.removeFirst() }) {
            case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
            case .stop: return
            }
        }
    }
}

/// Waits on CLOCK_MONOTONIC, the clock GPIO event timestamps use, on the calling thread.
enum HoldTimer {
    /// Below this a sleep would overshoot by more than the hold itself (timer slack is 50 µs by
    /// default, plus the wake-up), so short holds spin on the clock; a vDSO clock read costs tens of
    /// nanoseconds.
    static let spinLimit = Duration.microseconds(200)

    static var now: Duration { MonotonicGPIOClock().now }

    /// Returns at `deadline` or as soon after as the thread gets to run again; never before.
    static func wait(until deadline: Duration) {
        let remaining = deadline - now
        guard remaining > .zero else { return }
        if remaining >= spinLimit {
            let (seconds, attoseconds) = deadline.components
            var time = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &time, nil) == EINTR {}
        }
        while now < deadline {}
    }
}

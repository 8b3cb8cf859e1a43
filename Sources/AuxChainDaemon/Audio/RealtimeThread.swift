import Glibc

/// A joinable pthread for the audio loop, optionally at SCHED_FIFO priority.
///
/// Foundation's `Thread` cannot be joined or given a real-time policy before its body runs,
/// so the loop gets a plain pthread.
final class RealtimeThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void
    private let priority: Int32

    /// Whether the requested real-time priority was granted (false without CAP_SYS_NICE or
    /// an RLIMIT_RTPRIO that allows it; the loop then runs at normal priority).
    private(set) var isRealtime = false

    init(priority: Int, body: @escaping @Sendable () -> Void) {
        self.body = body
        self.priority = Int32(priority)
        let box = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let me = Unmanaged<RealtimeThread>.fromOpaque(context!).takeRetainedValue()
            me.enterRealtime()
            me.body()
            return nil
        }, box)
        precondition(created == 0, "pthread_create failed: \(created)")
    }

    private func enterRealtime() {
        guard priority > 0 else { return }
        var parameters = sched_param(sched_priority: priority)
        isRealtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters) == 0
        // Page faults in the loop would cost milliseconds; lock what is mapped now and later.
        if isRealtime { mlockall(MCL_CURRENT | MCL_FUTURE) }
    }

    func join() {
        pthread_join(thread, nil)
    }
}

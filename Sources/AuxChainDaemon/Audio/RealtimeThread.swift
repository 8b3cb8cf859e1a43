import Glibc

/// A joinable pthread for the audio loop, optionally at SCHED_FIFO priority.
///
/// Foundation's `Thread` cannot be joined or given a real-time policy before its body runs,
/// so the loop gets a plain pthread.
final class RealtimeThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable (_ isRealtime: Bool) -> Void
    private let priority: Int32

    /// - Parameter body: runs on the new thread, told whether the real-time priority was granted.
    init(priority: Int, body: @escaping @Sendable (_ isRealtime: Bool) -> Void) {
        self.body = body
        self.priority = Int32(priority)
        let box = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let me = Unmanaged<RealtimeThread>.fromOpaque(context!).takeRetainedValue()
            me.body(me.enterRealtime())
            return nil
        }, box)
        precondition(created == 0, "pthread_create failed: \(created)")
    }

    /// Whether the requested real-time priority was granted (false without CAP_SYS_NICE or
    /// an RLIMIT_RTPRIO that allows it; the loop then runs at normal priority).
    private func enterRealtime() -> Bool {
        guard priority > 0 else { return false }
        var parameters = sched_param(sched_priority: priority)
        guard pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters) == 0 else { return false }
        // Page faults in the loop would cost milliseconds; lock what is mapped now and later.
        mlockall(MCL_CURRENT | MCL_FUTURE)
        return true
    }

    func join() {
        pthread_join(thread, nil)
    }
}

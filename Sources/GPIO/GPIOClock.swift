import Dispatch
import Glibc
import Synchronization

/// The time base of the simulated chip: CLOCK_MONOTONIC for `--simulate`, a hand-moved clock in tests.
public protocol GPIOClock: Sendable {
    /// Time since the clock's origin (for CLOCK_MONOTONIC, boot), like an event timestamp.
    var now: Duration { get }
    /// Runs `action` once `now` has reached `deadline`; never before `schedule` returns.
    func schedule(at deadline: Duration, _ action: @escaping @Sendable () -> Void)
}

/// CLOCK_MONOTONIC, the clock the kernel stamps GPIO events with.
public struct MonotonicGPIOClock: GPIOClock {
    public init() {}

    public var now: Duration {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    public func schedule(at deadline: Duration, _ action: @escaping @Sendable () -> Void) {
        let delay = max(deadline - now, .zero)
        let (seconds, attoseconds) = delay.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: action)
    }
}

/// A clock that moves only when told: tests advance it and scheduled actions run, in deadline
/// order, on the advancing thread, each seeing `now` equal to its deadline.
public final class SimulatedClock: GPIOClock {
    private struct Scheduled {
        var deadline: Duration
        var order: Int
        var action: @Sendable () -> Void
    }

    private struct State {
        var now: Duration
        var scheduled: [Scheduled] = []
        var nextOrder = 0
    }

    private let state: Mutex<State>

    public init(now: Duration = .zero) {
        state = Mutex(State(now: now))
    }

    public var now: Duration { state.withLock { $0.now } }

    public func schedule(at deadline: Duration, _ action: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.scheduled.append(Scheduled(deadline: deadline, order: state.nextOrder, action: action))
            state.nextOrder += 1
        }
    }

    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a clock cannot go back")
        advance(to: now + duration)
    }

    public func advance(to target: Duration) {
        while true {
            let due: Scheduled? = state.withLock { state in
                precondition(target >= state.now, "a clock cannot go back")
                let candidates = state.scheduled.indices.filter { state.scheduled[$0].deadline <= target }
                guard let first = candidates.min(by: {
                    (state.scheduled[$0].deadline, state.scheduled[$0].order)
                        < (state.scheduled[$1].deadline, state.scheduled[$1].order)
                }) else {
                    state.now = target
                    return nil
                }
                let due = state.scheduled.remove(at: first)
                state.now = max(state.now, due.deadline)
                return due
            }
            guard let due else { return }
            due.action()
        }
    }
}

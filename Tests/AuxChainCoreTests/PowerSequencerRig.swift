import AuxChainCore

/// Drives a ``PowerSequencer`` on a virtual clock the way the controller does:
/// it ticks at every deadline, and, like the audio thread, reports the end of a
/// ramp-down `rampTime` after it was asked for (a ramp-up in between cancels it).
struct PowerSequencerRig {
    struct Entry: Equatable, CustomStringConvertible {
        var time: Duration
        var action: PowerAction
        var description: String { "\(time): \(action)" }

        init(_ time: Duration, _ action: PowerAction) {
            self.time = time
            self.action = action
        }
    }

    var sequencer: PowerSequencer
    let rampTime: Duration
    private(set) var now = Duration.zero
    private(set) var log: [Entry] = []
    private var rampDownEnds: Duration?

    init(timing: PowerSequencer.Timing, mode: PowerMode = .auto, rampTime: Duration = .milliseconds(40), startAt start: Duration = .zero) {
        sequencer = PowerSequencer(timing: timing, mode: mode)
        self.rampTime = rampTime
        now = start
        record(sequencer.start(at: start))
    }

    mutating func send(_ event: PowerEvent, at time: Duration) {
        advance(to: time)
        record(sequencer.handle(event, at: time))
    }

    /// Moves the virtual clock, running every deadline and ramp end on the way at its exact time.
    mutating func advance(to time: Duration) {
        precondition(time >= now, "the virtual clock only moves forward")
        while true {
            let due = [sequencer.nextDeadline, rampDownEnds].compactMap { $0 }.filter { $0 <= time }.min()
            guard let due else { break }
            now = due
            if due == rampDownEnds {
                rampDownEnds = nil
                record(sequencer.handle(.rampFinished(.down), at: due))
            } else {
                record(sequencer.tick(at: due))
                precondition(sequencer.nextDeadline.map { $0 > due } ?? true, "a deadline came due and nothing moved")
            }
        }
        now = time
    }

    private mutating func record(_ actions: [PowerAction]) {
        for action in actions {
            log.append(Entry(now, action))
            switch action {
            case .rampDown: rampDownEnds = now + rampTime
            case .rampUp: rampDownEnds = nil
            default: break
            }
        }
    }

    /// The relay's switchings, in order: true = on.
    var relaySwitches: [(time: Duration, isOn: Bool)] {
        log.compactMap { entry in
            switch entry.action {
            case .relayOn: (entry.time, true)
            case .relayOff: (entry.time, false)
            default: nil
            }
        }
    }

    /// Every action except status reports, in order.
    var actions: [PowerAction] {
        log.map(\.action).filter { if case .publish = $0 { false } else { true } }
    }

    func entries(since time: Duration) -> [Entry] {
        log.filter { $0.time >= time }
    }

    func firstTime(of action: PowerAction, since time: Duration = .zero) -> Duration? {
        log.first { $0.time >= time && $0.action == action }?.time
    }

    var publishedStates: [PowerState] {
        log.compactMap { if case .publish(let status) = $0.action { status.state } else { nil } }
    }
}

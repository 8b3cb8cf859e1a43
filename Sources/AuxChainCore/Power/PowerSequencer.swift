/// Decides when the speaker's relay switches and when its audio is held, ramped
/// or released. A pure value on a virtual clock: the caller passes the time with
/// every call, carries out the returned ``PowerAction``s in order, and calls
/// ``tick(at:)`` at ``nextDeadline``.
///
/// Times are `Duration`s since an origin the caller picks on a monotonic clock
/// (the daemon: `origin.duration(to: .now)` on `ContinuousClock`); they must
/// never go backwards.
///
/// How it decides:
/// - **Auto** (the usual mode): signal → warming (relay on, audio held) → after
///   `settle`, release → on. No signal → idle; after `offDelay` of quiet →
///   cooling (ramp down) → relay off. A signal during idle or cooling goes back
///   to on without touching the relay, so pauses and track skips never toggle it.
/// - **Manual on / off** (``PowerEvent/setMode(_:)``, ``PowerEvent/toggle``)
///   override auto until auto is asked for again.
/// - **12 V trigger**: high holds the speaker on like manual on, without
///   changing the saved mode; low hands control back to that mode (usually
///   auto, which then switches off after `offDelay` of quiet counted from the
///   last signal, not from the trigger). A manual command while the trigger is
///   high wins: the trigger acts again only on its next rising edge.
/// - **Minimum times**: the relay stays on at least `minimumOn` in auto and
///   stays off at least `minimumOff` whatever asks for it, so the amplifier is
///   never cycled fast. A signal during the minimum off time is held in the
///   pre-roll until the relay may switch. A person switching off (manual off,
///   toggle, trigger low to off) and stop do not wait for `minimumOn`.
/// - **Fail-safe**: ``start(at:)`` switches the relay off and counts as a
///   switch-off for `minimumOff` (a restart may have cut it a moment ago).
///   Stop ramps down, then drops the relay, then ignores everything. If the
///   ramp's end is never reported, the relay drops after `rampDownLimit`.
public struct PowerSequencer: Sendable {
    public struct Timing: Sendable, Equatable, Hashable {
        /// Relay on → audio released: the amplifier's own thump and muting settle.
        public var settle: Duration
        /// Quiet this long in auto → ramp down → relay off.
        public var offDelay: Duration
        /// The least time the relay stays on once switched on in auto.
        public var minimumOn: Duration
        /// The least time the relay stays off once switched off.
        public var minimumOff: Duration
        /// The longest to wait for the gain ramp's end before dropping the relay anyway.
        public var rampDownLimit: Duration

        public init(settle: Duration, offDelay: Duration, minimumOn: Duration, minimumOff: Duration, rampDownLimit: Duration) {
            precondition(settle >= .zero && offDelay >= .zero && minimumOn >= .zero && minimumOff >= .zero && rampDownLimit >= .zero,
                         "PowerSequencer.Timing: durations must not be negative")
            self.settle = settle
            self.offDelay = offDelay
            self.minimumOn = minimumOn
            self.minimumOff = minimumOff
            self.rampDownLimit = rampDownLimit
        }

        /// The config's `[power]` times; `ramp` is the volume track's gain ramp
        /// (`volume.ramp_ms`), which bounds the wait for a ramp-down with a margin
        /// for the audio thread's report to arrive.
        public init(_ power: PowerSettings, ramp: Duration) {
            self.init(settle: power.settle, offDelay: power.offDelay, minimumOn: power.minimumOn,
                      minimumOff: power.minimumOff, rampDownLimit: ramp + .milliseconds(250))
        }

        /// The longest the pre-roll may have to hold audio: a signal just after
        /// a switch-off waits out `minimumOff`, then `settle`. Size the pre-roll
        /// from this plus its look-back and a period of margin.
        public var longestHold: Duration { minimumOff + settle }
    }

    public let timing: Timing
    public private(set) var state = PowerState.off
    /// The mode a person chose; the trigger does not change it.
    public private(set) var mode: PowerMode
    /// The trigger went high and no manual command has come since.
    public private(set) var isTriggerHoldingOn = false
    /// When ``tick(at:)`` must run next; nil when only an event can change anything.
    public private(set) var nextDeadline: Duration?
    /// Stop was requested and the relay is off: the daemon may exit.
    public private(set) var hasStopped = false

    private var hasStarted = false
    private var isStopping = false
    private var isTriggerHigh = false
    private var isSignalPresent = false
    private var quietSince = Duration.zero
    private var relaySwitchedAt = Duration.zero
    private var stateEnteredAt = Duration.zero
    private var isHoldingAudio = false
    private var isRampDownFinished = false
    private var lastTime = Duration.zero
    private var lastPublished: PowerStatus?

    /// - Parameter mode: the saved mode (or the config's `power.mode` at first start).
    public init(timing: Timing, mode: PowerMode) {
        self.timing = timing
        self.mode = mode
    }

    public var status: PowerStatus {
        PowerStatus(state: state, mode: mode, isTriggerHoldingOn: isTriggerHoldingOn)
    }

    /// The mode in force: the trigger's hold, else the person's mode.
    public var effectiveMode: PowerMode { isTriggerHoldingOn ? .on : mode }

    /// Puts the relay in its safe state (off) before anything is decided; with
    /// mode on, warming follows once `minimumOff` has passed.
    public mutating func start(at now: Duration) -> [PowerAction] {
        precondition(!hasStarted, "PowerSequencer.start(at:) runs once")
        hasStarted = true
        lastTime = now
        relaySwitchedAt = now
        quietSince = now
        var actions: [PowerAction] = [.relayOff]
        advance(at: now, into: &actions)
        return actions
    }

    public mutating func handle(_ event: PowerEvent, at now: Duration) -> [PowerAction] {
        enter(now)
        guard !hasStopped else { return [] }
        var actions: [PowerAction] = []
        switch event {
        case .signalPresent:
            isSignalPresent = true
        case .signalAbsent:
            if isSignalPresent {
                isSignalPresent = false
                quietSince = now
            }
        case .setMode(let newMode):
            mode = newMode
            isTriggerHoldingOn = false
        case .toggle:
            mode = state.isSpeakerOn ? .off : .on
            isTriggerHoldingOn = false
        case .triggerHigh:
            if !isTriggerHigh {
                isTriggerHigh = true
                isTriggerHoldingOn = true
            }
        case .triggerLow:
            if isTriggerHigh {
                isTriggerHigh = false
                isTriggerHoldingOn = false
            }
        case .stopRequested:
            if !isStopping {
                isStopping = true
                // Already off: say so again, so the relay is certainly in its safe state.
                if state == .off { actions.append(.relayOff) }
            }
        case .rampFinished(.down):
            // A finished ramp-up that arrives late must not end a ramp-down.
            if state == .cooling { isRampDownFinished = true }
        case .rampFinished(.up):
            break
        }
        advance(at: now, into: &actions)
        return actions
    }

    /// Runs the deadlines that have come due; calling it early or twice is harmless.
    public mutating func tick(at now: Duration) -> [PowerAction] {
        enter(now)
        guard !hasStopped else { return [] }
        var actions: [PowerAction] = []
        advance(at: now, into: &actions)
        return actions
    }

    private mutating func enter(_ now: Duration) {
        precondition(hasStarted, "PowerSequencer.start(at:) must run before events and ticks")
        precondition(now >= lastTime, "PowerSequencer: time went backwards (\(now) after \(lastTime))")
        lastTime = now
    }

    /// Auto wants the speaker on for a signal; on and the trigger always; off and stop never.
    private var isPowerWanted: Bool {
        guard !isStopping else { return false }
        switch effectiveMode {
        case .on: return true
        case .off: return false
        case .auto: return isSignalPresent
        }
    }

    private var isSwitchOffOrdered: Bool { isStopping || effectiveMode == .off }

    private var idleEnds: Duration {
        max(quietSince + timing.offDelay, relaySwitchedAt + timing.minimumOn)
    }

    private mutating func advance(at now: Duration, into actions: inout [PowerAction]) {
        var isSettled = false
        while !isSettled {
            isSettled = true
            switch state {
            case .off:
                if isPowerWanted {
                    if !isHoldingAudio {
                        isHoldingAudio = true
                        actions.append(.holdAudio)
                    }
                    if now >= relaySwitchedAt + timing.minimumOff {
                        actions.append(contentsOf: [.relayOn, .rampUp])
                        relaySwitchedAt = now
                        enterState(.warming, at: now)
                        isSettled = false
                    }
                } else {
                    if isHoldingAudio {
                        isHoldingAudio = false
                        actions.append(.discardHeldAudio)
                    }
                    if isStopping { hasStopped = true }
                }
            case .warming:
                if isSwitchOffOrdered {
                    // Only held silence has reached the speaker, so nothing needs ramping first.
                    actions.append(contentsOf: [.relayOff, .rampDown, .discardHeldAudio])
                    isHoldingAudio = false
                    relaySwitchedAt = now
                    enterState(.off, at: now)
                    isSettled = false
                } else if now >= stateEnteredAt + timing.settle {
                    actions.append(.releaseAudio)
                    isHoldingAudio = false
                    enterState(.on, at: now)
                    isSettled = false
                }
            case .on:
                if isSwitchOffOrdered {
                    enterCooling(at: now, into: &actions)
                } else if effectiveMode == .auto && !isSignalPresent {
                    enterState(.idle, at: now)
                    isSettled = false
                }
            case .idle:
                if isSwitchOffOrdered || now >= idleEnds {
                    enterCooling(at: now, into: &actions)
                } else if effectiveMode == .on || isSignalPresent {
                    enterState(.on, at: now)
                }
            case .cooling:
                if isRampDownFinished || now >= stateEnteredAt + timing.rampDownLimit {
                    actions.append(.relayOff)
                    relaySwitchedAt = now
                    enterState(.off, at: now)
                    isSettled = false
                } else if isPowerWanted {
                    actions.append(.rampUp)
                    enterState(.on, at: now)
                    isSettled = false
                }
            }
        }
        nextDeadline = deadline()
        let current = status
        if current != lastPublished {
            lastPublished = current
            actions.append(.publish(current))
        }
    }

    private mutating func enterState(_ newState: PowerState, at now: Duration) {
        state = newState
        stateEnteredAt = now
    }

    private mutating func enterCooling(at now: Duration, into actions: inout [PowerAction]) {
        actions.append(.rampDown)
        isRampDownFinished = false
        enterState(.cooling, at: now)
    }

    private func deadline() -> Duration? {
        switch state {
        case .off: isHoldingAudio ? relaySwitchedAt + timing.minimumOff : nil
        case .warming: stateEnteredAt + timing.settle
        case .on: nil
        case .idle: idleEnds
        case .cooling: stateEnteredAt + timing.rampDownLimit
        }
    }
}

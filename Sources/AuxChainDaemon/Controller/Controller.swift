import AuxChainCore
import GPIO
import Logging

/// The control plane's decisions. Turns what the audio thread observed (signal, ramp progress)
/// and what people asked for into power-sequencer events, and carries out the sequencer's
/// actions on the relay, the pre-roll gate and the digital gain.
///
/// An actor: the control server, the GPIO inputs and the polling loop all call in.
public actor Controller {
    private var sequencer: PowerSequencer
    private let controls: EngineControls
    private let relay: (any OutputLine)?
    private let logger: Logger
    private let origin = ContinuousClock.now
    private let rate: Int
    private let lookBackFrames: Int
    private var observers: [@Sendable (ControllerEvent) -> Void] = []

    private var seenOnsets: UInt64 = 0
    private var signal = false
    /// The power stage's share of the digital gain: 0 while the speaker is off or ramping down.
    private var powerGain: Float = 0
    private var volumeGain: Float
    private var awaitingRamp: GainRampDirection?
    private var awaitingBacklog = false

    /// - Parameters:
    ///   - relay: the speaker's power relay, already requested at its safe (off) value.
    ///   - volumeGain: the digital volume's linear gain at start.
    public init(
        power: PowerSettings, ramp: Duration, rate: Int, periodFrames: Int, mode: PowerMode,
        volumeGain: Float, controls: EngineControls, relay: (any OutputLine)?, logger: Logger
    ) {
        sequencer = PowerSequencer(timing: .init(power, ramp: ramp), mode: mode)
        self.controls = controls
        self.relay = relay
        self.logger = logger
        self.rate = rate
        self.volumeGain = volumeGain
        lookBackFrames = Self.lookBackFrames(power: power, rate: rate, periodFrames: periodFrames)
    }

    /// The detector needs the attack time to notice an onset (plus a block), the audio thread
    /// publishes once a period, and this loop looks every poll interval: a hold reaches back that far.
    static func lookBackFrames(power: PowerSettings, rate: Int, periodFrames: Int) -> Int {
        Int(Double(rate) * (power.attack + pollInterval).seconds) + 3 * periodFrames
    }

    /// The most audio the pre-roll must hold: the longest warm-up the sequencer can impose, the
    /// look-back, and a period of slack.
    static func preRollFrames(power: PowerSettings, ramp: Duration, rate: Int, periodFrames: Int) -> Int {
        let longestHold = PowerSequencer.Timing(power, ramp: ramp).longestHold
        return Int(Double(rate) * longestHold.seconds) + lookBackFrames(power: power, rate: rate, periodFrames: periodFrames) + periodFrames
    }

    static let pollInterval = Duration.milliseconds(5)

    public func observe(_ observer: @escaping @Sendable (ControllerEvent) -> Void) {
        observers.append(observer)
    }

    private var now: Duration { origin.duration(to: .now) }

    /// Switches the relay off (the safe state) and lets the sequencer decide from there.
    public func start() {
        controls.digitalGain = 0
        apply(sequencer.start(at: now))
    }

    /// Follows the audio thread: called every `pollInterval` by the daemon's loop.
    public func poll() {
        let onsets = controls.onsetCount
        let present = controls.signalPresent
        // An onset counted since the last look is a signal even if it already ended.
        if onsets != seenOnsets || present != signal {
            if onsets != seenOnsets, !signal {
                signal = true
                apply(sequencer.handle(.signalPresent, at: now))
            }
            seenOnsets = onsets
            if present != signal {
                signal = present
                apply(sequencer.handle(present ? .signalPresent : .signalAbsent, at: now))
            }
        }
        if let direction = awaitingRamp {
            let applied = controls.appliedGain
            let target = controls.digitalGain
            if (direction == .down && applied == 0) || (direction == .up && applied == target) {
                awaitingRamp = nil
                apply(sequencer.handle(.rampFinished(direction), at: now))
            }
        }
        if awaitingBacklog, controls.preRollBacklogFrames == 0 {
            awaitingBacklog = false
            emit(.backlogWorkedOff(droppedQuietFrames: Int(controls.droppedQuiet)))
        }
        if let deadline = sequencer.nextDeadline, deadline <= now {
            apply(sequencer.tick(at: now))
        }
    }

    public func handle(_ event: PowerEvent) {
        apply(sequencer.handle(event, at: now))
    }

    /// Ramps down, then switches the relay off; returns when the sequencer has done both (if the
    /// audio thread has already stopped and cannot report the ramp, after the ramp limit).
    public func shutDown() async {
        apply(sequencer.handle(.stopRequested, at: now))
        while !sequencer.hasStopped {
            try? await Task.sleep(for: Self.pollInterval)
            poll()
        }
        awaitingRamp = nil
    }

    public func setVolumeGain(_ gain: Float) {
        volumeGain = gain
        controls.digitalGain = volumeGain * powerGain
    }

    public var powerStatus: PowerStatus { sequencer.status }
    public var isRelayOn: Bool { relay?.value == .active }

    private func apply(_ actions: [PowerAction]) {
        for action in actions {
            switch action {
            case .relayOn:
                setRelay(true)
            case .relayOff:
                setRelay(false)
            case .holdAudio:
                controls.setGate(.holding, lookBackFrames: lookBackFrames)
                emit(.audioHeld)
            case .releaseAudio:
                controls.setGate(.passing)
                emit(.audioReleased(backlogFrames: controls.preRollBacklogFrames))
                awaitingBacklog = true
            case .discardHeldAudio:
                controls.setGate(.discarding)
                emit(.heldAudioDiscarded)
            case .rampUp:
                powerGain = 1
                controls.digitalGain = volumeGain * powerGain
                awaitingRamp = .up
            case .rampDown:
                powerGain = 0
                controls.digitalGain = 0
                awaitingRamp = .down
            case .publish(let status):
                logger.info("speaker power: \(status.state.rawValue) (mode \(status.mode.rawValue)\(status.isTriggerHoldingOn ? ", trigger on" : ""))")
                emit(.power(status))
            }
        }
    }

    private func setRelay(_ on: Bool) {
        guard let relay else {
            emit(.relay(on: on))
            return
        }
        do {
            try relay.set(on ? .active : .inactive)
            emit(.relay(on: on))
        } catch {
            logger.error("speaker relay: \(error)", metadata: ["gpio.line": "\(relay.offset)"])
        }
    }

    private func emit(_ event: ControllerEvent) {
        for observer in observers { observer(event) }
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}

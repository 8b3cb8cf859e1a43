import AuxChainCore
import AuxChainDSP
import GPIO
import Logging

/// The control plane's decisions. Turns what the audio thread observed (signal, ramp progress)
/// and what people asked for into power-sequencer events, and carries out the sequencer's
/// actions on the relay, the pre-roll gate and the digital gain.
///
/// An actor: the control server, the GPIO inputs and the polling loop all call in.
public actor Controller {
    var sequencer: PowerSequencer
    var volume: VolumeTrack
    let controls: EngineControls
    let relay: (any OutputLine)?
    /// The hardware attenuator, when there is one: coarse steps, with the digital stage as residual.
    let attenuator: AttenuatorStage?
    /// Capture to output, in the engine's own terms: a digital change is heard this much later.
    private let outputLatency: Duration
    let identity: Identity
    let logger: Logger
    private let store: StateStore?
    private var pendingSave: Task<Void, Never>?
    let origin = ContinuousClock.now
    private let lookBackFrames: Int
    private var observers: [@Sendable (ControllerEvent) -> Void] = []

    private var started = false
    private var seenOnsets: UInt64 = 0
    private var seenXruns: UInt64 = 0
    private var signal = false
    /// The power stage's share of the digital gain: 0 while the speaker is off or ramping down.
    private var powerGain: Float = 0
    /// The volume track's digital gain, linear.
    private var volumeGain: Float = 0
    private var awaitingRamp: GainRampDirection?
    private var awaitingBacklog = false
    /// The pre-roll's dropped-frame count when the last hold was released.
    private var droppedAtRelease: UInt64 = 0

    /// What the status reports about the setup, fixed for a run.
    public struct Identity: Sendable {
        public var rate: Int
        public var capture: String
        public var playback: String
        public var channels: Int
        /// How the relay's line is named in the config, for the status.
        public var relayLine: String?
    }

    /// - Parameters:
    ///   - relay: the speaker's power relay, already requested at its safe (off) value.
    ///   - store: where volume, mute and power mode are saved; nil saves nothing.
    public init(
        config: AuxChainConfig, saved: SavedState?, store: StateStore?, controls: EngineControls,
        relay: (any OutputLine)?, attenuator: AttenuatorStage? = nil, logger: Logger
    ) {
        let power = config.power
        let periodFrames = config.audio.periodFrames
        let rate = config.audio.rate
        sequencer = PowerSequencer(timing: .init(power, ramp: config.volume.ramp), mode: saved?.powerMode ?? power.mode)
        volume = VolumeTrack(
            settings: config.volume, saved: saved.map { SavedVolume(percent: $0.volumePercent, muted: $0.muted) },
            attenuator: attenuator?.steps)
        self.controls = controls
        self.relay = relay
        self.attenuator = attenuator
        outputLatency = .nanoseconds(Int64(periodFrames * (config.audio.prefillPeriods + 1)) * 1_000_000_000 / Int64(rate))
        self.store = store
        self.logger = logger
        identity = Identity(
            rate: rate, capture: config.audio.capture, playback: config.audio.playback,
            channels: min(config.audio.captureChannels, EngineControls.meteredChannels),
            relayLine: power.relay.map { "\($0.line)" })
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

    var now: Duration { origin.duration(to: .now) }

    /// Switches the relay off (the safe state) and lets the sequencer decide from there.
    /// Idempotent: services start concurrently, so whichever reaches the controller first (an
    /// input's initial level, a socket command, the poll loop) starts it.
    public func start() {
        guard !started else { return }
        started = true
        controls.digitalGain = 0
        apply(sequencer.start(at: now))
        applyVolume(save: false)
    }

    /// Follows the audio thread: called every `pollInterval` by the daemon's loop.
    public func poll() {
        start()
        let onsets = controls.onsetCount
        let present = controls.signalPresent
        // An onset counted since the last look is a signal even if it already ended.
        if onsets != seenOnsets || present != signal {
            if onsets != seenOnsets, !signal {
                signal = true
                emit(.signal(present: true))
                apply(sequencer.handle(.signalPresent, at: now))
            }
            seenOnsets = onsets
            if present != signal {
                signal = present
                emit(.signal(present: present))
                apply(sequencer.handle(present ? .signalPresent : .signalAbsent, at: now))
            }
        }
        let xruns = controls.xruns
        if xruns != seenXruns {
            seenXruns = xruns
            emit(.xruns(total: xruns))
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
            emit(.backlogWorkedOff(droppedQuietFrames: Int(controls.droppedQuiet - droppedAtRelease)))
        }
        if let deadline = sequencer.nextDeadline, deadline <= now {
            apply(sequencer.tick(at: now))
        }
        // A change that arrived while the attenuator was moving is carried out once it settles.
        if let busyUntil = volume.busyUntil, busyUntil <= now {
            applyVolume(save: false)
        }
    }

    public func handle(_ event: PowerEvent) {
        start()
        let mode = sequencer.mode
        apply(sequencer.handle(event, at: now))
        if sequencer.mode != mode { scheduleSave() }
    }

    /// Ramps down, then switches the relay off; returns when the sequencer has done both (if the
    /// audio thread has already stopped and cannot report the ramp, after the ramp limit).
    public func shutDown() async {
        start()
        apply(sequencer.handle(.stopRequested, at: now))
        while !sequencer.hasStopped {
            try? await Task.sleep(for: Self.pollInterval)
            poll()
        }
        awaitingRamp = nil
        await attenuator?.shutDown()
        await flushSave()
    }

    /// Carries out the volume track's transitions, then publishes and (later) saves the target.
    func applyVolume(save: Bool = true) {
        let start = now
        if let transition = volume.nextTransition(at: start) {
            // The transition's actions, each at the moment it must be made, kept in the planned
            // order: a louder move's jump and the ramp after it fall on the same instant.
            var actions: [(time: Duration, action: VolumeAction)] = []
            for step in transition.steps {
                switch step.action {
                case .rampDigital(let gainDB):
                    // A digital change is heard the engine's latency after it is made.
                    actions.append((start + step.at - outputLatency, .digital(gainDB, jump: false)))
                case .switchHardware(let hardwareDB, let digitalDB):
                    guard let attenuator else { break }
                    actions.append((start + step.commandTime(switchingLatency: attenuator.steps.switchingLatency), .hardware(hardwareDB)))
                    actions.append((start + step.at - outputLatency, .digital(digitalDB, jump: true)))
                }
            }
            let ordered = actions.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            if attenuator == nil, ordered.allSatisfy({ $0.time <= start }) {
                for entry in ordered { perform(entry.action) }
            } else {
                let origin = origin
                Task {
                    for entry in ordered {
                        try? await Task.sleep(until: origin + entry.time, clock: .continuous)
                        await self.performLater(entry.action)
                    }
                }
            }
            emit(.volume(volumeReport))
        }
        if save { scheduleSave() }
    }

    enum VolumeAction: Sendable {
        case digital(Double, jump: Bool)
        case hardware(Double)
    }

    private func perform(_ action: VolumeAction) {
        switch action {
        case .digital(let gainDB, let jump):
            volumeGain = Decibels.linearGain(fromDB: Float(gainDB))
            if jump {
                controls.jump(to: volumeGain * powerGain)
            } else {
                controls.digitalGain = volumeGain * powerGain
            }
        case .hardware:
            break  // only from performLater: a move waits for the attenuator
        }
    }

    private func performLater(_ action: VolumeAction) async {
        guard case .hardware(let levelDB) = action, let attenuator else {
            perform(action)
            return
        }
        do {
            try await attenuator.moveTo(levelDB: levelDB)
        } catch {
            logger.error("attenuator: \(error)")
        }
    }

    /// A button other than power: the volume track's commands.
    public func handle(_ button: ButtonAction) {
        start()
        switch button {
        case .powerToggle: handle(.toggle)
        case .muteToggle: volume.toggleMute()
        case .volumeUp: volume.stepUp()
        case .volumeDown: volume.stepDown()
        }
        if button != .powerToggle { applyVolume() }
    }

    /// Saves a second after the last change: a held volume button makes one write, not twenty,
    /// and the fsync (tens of ms on an SD card) never runs on the audio thread.
    func scheduleSave() {
        guard let store else { return }
        pendingSave?.cancel()
        let state = SavedState(
            volumePercent: volume.targetPercent, volumeDB: volume.targetDB.isFinite ? volume.targetDB : nil,
            muted: volume.isMuted, powerMode: sequencer.mode)
        let logger = logger
        pendingSave = Task {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled else { return }
            do {
                try store.save(state)
            } catch {
                logger.error("\(error)")
            }
        }
    }

    /// Writes any pending change now (at shutdown).
    func flushSave() async {
        guard let pending = pendingSave else { return }
        pending.cancel()
        pendingSave = nil
        guard let store else { return }
        do {
            try store.save(SavedState(
                volumePercent: volume.targetPercent, volumeDB: volume.targetDB.isFinite ? volume.targetDB : nil,
                muted: volume.isMuted, powerMode: sequencer.mode))
        } catch {
            logger.error("\(error)")
        }
    }

    /// A reloaded `[volume]`: new cap, curve, step and ramp; the target is re-capped.
    func updateVolumeSettings(_ settings: VolumeSettings) {
        volume.updateSettings(settings)
        applyVolume()
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
                droppedAtRelease = controls.droppedQuiet
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

    func emit(_ event: ControllerEvent) {
        for observer in observers { observer(event) }
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}

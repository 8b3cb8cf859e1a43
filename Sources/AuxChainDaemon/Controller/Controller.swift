import AuxChainCore
import AuxChainDSP
import Dispatch
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
    /// The engine's latency from the config, until the running engine reports what it was granted.
    private let configuredLatencyFrames: Int
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
    private var seenCaptureXruns: UInt64 = 0
    private var seenPlaybackXruns: UInt64 = 0
    private var lastXrunLog: Duration?
    private var signal = false
    /// The power stage's share of the digital gain: 0 while the speaker is off or ramping down.
    private var powerGain: Float = 0
    /// The volume track's digital gain, linear.
    private var volumeGain: Float = 0
    private var awaitingRamp: GainRampDirection?
    /// When the end of a finished ramp-down reaches the speaker: the relay waits for it.
    private var rampDownHeardAt: Duration?
    /// Volume transitions that move the attenuator, carried out one after another.
    private var volumeMoves: Task<Void, Never>?
    private var isStopping = false
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
        configuredLatencyFrames = periodFrames * config.audio.prefillPeriods
        let configuredLatency = Duration.nanoseconds(Int64(configuredLatencyFrames) * 1_000_000_000 / Int64(rate))
        // A ramp-down is over when its end has played out, the engine's latency after it was computed.
        sequencer = PowerSequencer(timing: .init(power, ramp: config.volume.ramp + configuredLatency), mode: saved?.powerMode ?? power.mode)
        volume = VolumeTrack(
            settings: config.volume, saved: saved.map { SavedVolume(percent: $0.volumePercent, muted: $0.muted) },
            attenuator: attenuator?.steps)
        self.controls = controls
        self.relay = relay
        self.attenuator = attenuator
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

    /// The longest the controller takes to notice what the audio thread reported: it is woken
    /// at once (``ControlPlaneWakeup``), and this bounds the wake-up's own delay.
    static let pollInterval = Duration.milliseconds(5)
    /// The longest the daemon's loop sleeps with nothing due: a safety net, since the audio
    /// thread and every command wake it.
    static let idlePollInterval = Duration.milliseconds(100)

    public func observe(_ observer: @escaping @Sendable (ControllerEvent) -> Void) {
        observers.append(observer)
    }

    var now: Duration { origin.duration(to: .now) }

    /// Capture to output: a digital change is heard this much after the audio thread applies it.
    /// The running engine's figure (its granted period), else the config's.
    var outputLatency: Duration {
        let frames = controls.latencyFrames > 0 ? controls.latencyFrames : configuredLatencyFrames
        return .nanoseconds(Int64(frames) * 1_000_000_000 / Int64(identity.rate))
    }

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

    /// How long the daemon's loop may sleep before `poll` has something to do, unless woken: the
    /// sequencer's next deadline, the end of a fade reaching the speaker, the attenuator settling.
    func pollDelay() -> Duration {
        let now = now
        var delay = Self.idlePollInterval
        if let deadline = sequencer.nextDeadline { delay = min(delay, deadline - now) }
        if let heardAt = rampDownHeardAt { delay = min(delay, heardAt - now) }
        if let busyUntil = volume.busyUntil { delay = min(delay, busyUntil - now) }
        // The audio thread wakes the loop when a ramp or a backlog ends; a ramp shorter than a
        // period ends unseen, and a closed device reports nothing, so look again soon.
        if awaitingRamp != nil || awaitingBacklog { delay = min(delay, Self.pollInterval * 4) }
        return max(delay, .zero)
    }

    /// Wakes the daemon's loop: a command may have set a deadline sooner than its sleep.
    private func wakeLoop() {
        controls.wakeup.signal()
    }

    /// Follows the audio thread: called by the daemon's loop when woken, and at `pollDelay()`.
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
            logXruns()
        }
        if let direction = awaitingRamp {
            let applied = controls.appliedGain
            let target = controls.digitalGain
            if direction == .up, applied == target {
                awaitingRamp = nil
                apply(sequencer.handle(.rampFinished(.up), at: now))
            } else if direction == .down, applied == 0 {
                // The relay drops only once the fade's last samples have played, not when they
                // were computed: they are still queued in the playback buffer.
                let heardAt = rampDownHeardAt ?? now + (controls.isRunning ? outputLatency : .zero)
                rampDownHeardAt = heardAt
                if now >= heardAt {
                    awaitingRamp = nil
                    rampDownHeardAt = nil
                    apply(sequencer.handle(.rampFinished(.down), at: now))
                }
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
        wakeLoop()
    }

    /// Ramps down, then switches the relay off; returns when the sequencer has done both (if the
    /// audio thread has already stopped and cannot report the ramp, after the ramp limit).
    public func shutDown() async {
        start()
        isStopping = true
        apply(sequencer.handle(.stopRequested, at: now))
        while !sequencer.hasStopped {
            await Self.pause(Self.pollInterval)
            poll()
        }
        awaitingRamp = nil
        await volumeMoves?.value
        await attenuator?.shutDown()
        await flushSave()
    }

    /// Sleeps even in a cancelled task: the stop sequence must keep its timing when the service
    /// group has cancelled everything, rather than spin.
    static func pause(_ duration: Duration) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + duration.dispatchInterval) { continuation.resume() }
        }
    }

    /// Carries out the volume track's transitions, then publishes and (later) saves the target.
    func applyVolume(save: Bool = true) {
        if let transition = volume.nextTransition(at: now) {
            if let attenuator {
                // One transition at a time: each waits for the hardware and the audio thread.
                let previous = volumeMoves
                volumeMoves = Task {
                    await previous?.value
                    await self.carryOut(transition, on: attenuator)
                }
            } else {
                for step in transition.steps {
                    if case .rampDigital(let gainDB) = step.action { setDigital(gainDB, jump: false) }
                }
            }
            emit(.volume(volumeReport))
        }
        if save { scheduleSave() }
    }

    /// Plays a transition across both stages so the total is never louder than the louder of
    /// its ends, whatever the timing: the digital stage is heard a period or two late at worst,
    /// the attenuator may take up to its switching latency, so each swap puts the quieter stage
    /// in first and the louder one only once the quieter is in effect. The price is a dip of one
    /// hardware step for about the engine's latency.
    private func carryOut(_ transition: VolumeTransition, on attenuator: AttenuatorStage) async {
        let switching = attenuator.steps.switchingLatency
        // Timed from when it is carried out: a transition may have waited behind the one before.
        let started = now
        var rampSetAt = started
        for step in transition.steps {
            guard !isStopping else { return }
            switch step.action {
            case .rampDigital(let gainDB):
                setDigital(gainDB, jump: false)
                rampSetAt = now
            case .switchHardware(let hardwareDB, let digitalDB):
                if hardwareDB > transition.from.hardwareDB {
                    // Louder hardware: the digital stage drops first, and the attenuator rises
                    // only once that drop has reached the speaker.
                    setDigital(digitalDB, jump: true)
                    await waitUntilDigitalChangeIsHeard()
                    _ = await moveAndSettle(attenuator, to: hardwareDB, switching: switching)
                } else {
                    // Quieter hardware: the ramp to the new total on the old step plays out, the
                    // attenuator drops, and only then does the digital stage rise by the step.
                    let rampHeard = rampSetAt + volume.settings.ramp + outputLatency
                    await Self.pause(max(.zero, max(started + step.at, rampHeard) - switching - now))
                    if await moveAndSettle(attenuator, to: hardwareDB, switching: switching) {
                        setDigital(digitalDB, jump: true)
                    }
                }
            }
        }
    }

    /// Moves the attenuator and returns once the new step is surely in effect: its switching
    /// latency after the first write. False when the move failed (the step is then unknown, and
    /// the digital stage stays where it is, the quieter side).
    private func moveAndSettle(_ attenuator: AttenuatorStage, to levelDB: Double, switching: Duration) async -> Bool {
        do {
            let took = try await attenuator.moveTo(levelDB: levelDB)
            let firstWrite = now - took
            await Self.pause(max(.zero, firstWrite + switching - now))
            return true
        } catch {
            if !isStopping { logger.error("attenuator: \(error)") }
            return false
        }
    }

    /// Returns once a digital gain set before the call has been applied by the audio thread and
    /// played out; at once when no audio runs.
    private func waitUntilDigitalChangeIsHeard() async {
        guard controls.isRunning else { return }
        // The period under way may have read the gain before it changed; the one after did not.
        let applied = controls.periods + 2
        let deadline = now + .milliseconds(500)
        while controls.isRunning, controls.periods < applied, now < deadline {
            await Self.pause(.milliseconds(1))
        }
        await Self.pause(outputLatency)
    }

    private func setDigital(_ gainDB: Double, jump: Bool) {
        volumeGain = Decibels.linearGain(fromDB: Float(gainDB))
        if jump {
            controls.jump(to: volumeGain * powerGain)
        } else {
            controls.digitalGain = volumeGain * powerGain
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
        wakeLoop()
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
                // Audio still delayed from the last warm-up is not worth keeping for a speaker
                // that is off; the next warm-up then starts from the look-back alone.
                controls.setGate(.discarding)
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

    /// Names the device that xran, so a person knows which side is too slow; at most once in
    /// 10 s, the xruns in between counted in the next line, so a storm does not flood the journal.
    private func logXruns() {
        let now = now
        if let lastXrunLog, now - lastXrunLog < .seconds(10) { return }
        lastXrunLog = now
        let capture = controls.captureXruns - seenCaptureXruns
        let playback = controls.playbackXruns - seenPlaybackXruns
        seenCaptureXruns += capture
        seenPlaybackXruns += playback
        var parts: [String] = []
        if capture > 0 { parts.append("\(capture) capture overrun\(capture == 1 ? "" : "s") on '\(identity.capture)'") }
        if playback > 0 { parts.append("\(playback) playback underrun\(playback == 1 ? "" : "s") on '\(identity.playback)'") }
        logger.warning(
            "xrun: \(parts.joined(separator: " and ")), recovered with a fresh prefill (\(controls.xruns) since start); if they recur, raise [audio] period_frames or prefill_periods",
            metadata: ["audio.xruns.capture": "\(controls.captureXruns)", "audio.xruns.playback": "\(controls.playbackXruns)"])
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }

    /// For Dispatch's timers; a negative duration is none.
    var dispatchInterval: DispatchTimeInterval {
        let (whole, attoseconds) = components
        return .nanoseconds(max(0, Int(whole) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
    }
}

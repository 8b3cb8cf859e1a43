import AuxChainDSP

/// The level the speaker plays at, standing in for the volume Alexa cannot set on an aux
/// output. A pure value: the controller feeds it commands and carries out its transitions.
///
/// - The target is set in percent (through ``curve``) or in dB, and is never above the cap,
///   `volume.max_db`, whatever the command or the saved state says.
/// - Mute ramps to silence and unmute back to the target; the target survives a mute.
/// - Steps move the target by `volume.step_db`; stepping up also unmutes, so the button a
///   person presses to hear more always brings sound back.
/// - At start a saved level is restored only if it is at or below the safe level
///   (`volume.safe_start_percent`); louder saved levels start at the safe level.
/// - With a hardware attenuator the total gain is split into a hardware step and a digital
///   residual (``split(_:)``), and ``nextTransition(at:)`` plans each change so the total
///   never passes the louder of the old and new levels.
/// - What gets persisted is the target (``saved``).
public struct VolumeTrack: Sendable, Equatable {
    public private(set) var settings: VolumeSettings
    public private(set) var curve: VolumeCurve
    /// The target gain, −∞ for silence; never above ``capDB``.
    public private(set) var targetDB: Double
    public private(set) var isMuted: Bool
    public let attenuator: AttenuatorSteps?
    /// The split the output is at, or heading to through the last transition.
    public private(set) var applied: GainSplit
    /// While a transition that moves the attenuator is under way, the next waits until this time.
    public private(set) var busyUntil: Duration?

    /// - Parameters:
    ///   - saved: what the last run persisted; nil on a first start.
    ///   - attenuator: the hardware stage's steps; nil when the gain is all digital.
    public init(settings: VolumeSettings, saved: SavedVolume?, attenuator: AttenuatorSteps? = nil) {
        self.settings = settings
        curve = VolumeCurve(rangeDB: settings.rangeDB)
        self.attenuator = attenuator
        // The output starts silent with the attenuator at its quietest; the first transition brings it up.
        applied = GainSplit(hardwareDB: attenuator?.quietestLevelDB ?? 0, digitalDB: -.infinity)
        let safeDB = min(curve.gainDB(percent: settings.safeStartPercent), settings.maxDB)
        if let saved, saved.percent.isFinite {
            targetDB = min(curve.gainDB(percent: saved.percent), safeDB)
            isMuted = saved.muted
        } else {
            targetDB = safeDB
            isMuted = false
        }
    }

    /// The hard cap, `volume.max_db`.
    public var capDB: Double { settings.maxDB }

    /// The target in percent of the curve.
    public var targetPercent: Double { curve.percent(gainDB: targetDB) }

    /// The gain the listener should hear: the target, or −∞ while muted.
    public var effectiveDB: Double { isMuted ? -.infinity : targetDB }

    /// What to persist: restoring it with ``init(settings:saved:attenuator:)`` gives this target back
    /// (unless it is above the safe start level).
    public var saved: SavedVolume { SavedVolume(percent: targetPercent, muted: isMuted) }

    // MARK: commands

    /// Sets the target in percent (0…100; outside is taken as the nearer end).
    public mutating func setPercent(_ percent: Double) {
        guard !percent.isNaN else { return }
        setGainDB(curve.gainDB(percent: percent))
    }

    /// Sets the target in dB; above the cap it is the cap, −∞ is silence.
    public mutating func setGainDB(_ gainDB: Double) {
        guard !gainDB.isNaN else { return }
        targetDB = min(gainDB, capDB)
    }

    /// One step louder (`volume.step_db`), from silence to the curve's 1 % level; also unmutes.
    public mutating func stepUp() {
        isMuted = false
        setGainDB(max(targetDB, -curve.rangeDB - settings.stepDB) + settings.stepDB)
    }

    /// One step quieter; below the curve's 1 % level it goes to silence.
    public mutating func stepDown() {
        let lower = targetDB - settings.stepDB
        setGainDB(lower < -curve.rangeDB ? -.infinity : lower)
    }

    public mutating func mute() { isMuted = true }
    public mutating func unmute() { isMuted = false }
    public mutating func toggleMute() { isMuted.toggle() }

    /// Takes new settings (a config reload): a lower cap lowers the target with it.
    public mutating func updateSettings(_ settings: VolumeSettings) {
        self.settings = settings
        curve = VolumeCurve(rangeDB: settings.rangeDB)
        targetDB = min(targetDB, capDB)
    }

    // MARK: the hardware stage

    /// Splits a total gain into an attenuator step and a digital residual that add up to it.
    /// The step is the quietest one at or above the total, so the digital stage only attenuates
    /// (it boosts only past the attenuator's loudest step, and never past the cap). Silence keeps
    /// the attenuator where it is: muting then costs no relay clicks.
    public func split(_ totalDB: Double) -> GainSplit {
        guard let attenuator else { return GainSplit(hardwareDB: 0, digitalDB: totalDB) }
        if totalDB == -.infinity {
            return GainSplit(hardwareDB: applied.hardwareDB, digitalDB: -.infinity)
        }
        let hardwareDB = attenuator.level(atOrAbove: totalDB)
        return GainSplit(hardwareDB: hardwareDB, digitalDB: totalDB - hardwareDB)
    }

    /// The transition from the applied split to the one for ``effectiveDB``, or nil when there is
    /// nothing to do or an attenuator move is still under way (ask again at ``busyUntil``).
    ///
    /// - Parameter now: time since an origin the caller picks on a monotonic clock.
    public mutating func nextTransition(at now: Duration) -> VolumeTransition? {
        if let busyUntil, now < busyUntil { return nil }
        busyUntil = nil
        let from = applied
        let to = split(effectiveDB)
        guard to != from else { return nil }
        let transition = Self.plan(from: from, to: to, ramp: settings.ramp, latency: attenuator?.switchingLatency ?? .zero)
        applied = to
        if attenuator != nil {
            // Without an attenuator a new ramp simply continues from wherever the last one is.
            busyUntil = now + transition.duration
        }
        return transition
    }

    static func plan(from: GainSplit, to: GainSplit, ramp: Duration, latency: Duration) -> VolumeTransition {
        if from.hardwareDB == to.hardwareDB {
            return VolumeTransition(from: from, to: to, steps: [.init(at: .zero, action: .rampDigital(toDB: to.digitalDB))], duration: ramp)
        }
        if to.totalDB <= from.totalDB {
            // Quieter: reach the new total on the old step, then swap the step for digital gain.
            let switchTime = max(ramp, latency)
            return VolumeTransition(
                from: from, to: to,
                steps: [
                    .init(at: .zero, action: .rampDigital(toDB: to.totalDB - from.hardwareDB)),
                    .init(at: switchTime, action: .switchHardware(hardwareDB: to.hardwareDB, digitalDB: to.digitalDB)),
                ],
                duration: switchTime)
        }
        // Louder: swap digital gain for the new step at the old total, then ramp up.
        return VolumeTransition(
            from: from, to: to,
            steps: [
                .init(at: latency, action: .switchHardware(hardwareDB: to.hardwareDB, digitalDB: from.totalDB - to.hardwareDB)),
                .init(at: latency, action: .rampDigital(toDB: to.digitalDB)),
            ],
            duration: latency + ramp)
    }
}

/// The volume as persisted: the target in percent of the curve (0 is silence, so it stays a
/// plain JSON number) and whether it was muted. A target above 0 dB (a cap above 0 dB allows
/// that) is saved as 100 %; a restart starts at the safe level or below anyway.
public struct SavedVolume: Sendable, Equatable, Codable {
    public var percent: Double
    public var muted: Bool

    public init(percent: Double, muted: Bool) {
        self.percent = percent
        self.muted = muted
    }
}

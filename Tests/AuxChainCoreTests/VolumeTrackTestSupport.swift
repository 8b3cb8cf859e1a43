import AuxChainCore
import AuxChainDSP


func volumeSettings(rangeDB: Double = 60, maxDB: Double = 0, safeStartPercent: Double = 40, stepDB: Double = 2, ramp: Duration = .milliseconds(40)) -> VolumeSettings {
    var settings = VolumeSettings()
    settings.rangeDB = rangeDB
    settings.maxDB = maxDB
    settings.safeStartPercent = safeStartPercent
    settings.stepDB = stepDB
    settings.ramp = ramp
    return settings
}

/// Plays a transition frame by frame at `rate` the way the engine and the attenuator would: the
/// digital stage is the engine's own `GainRamp`, the hardware gain changes at its step's time.
/// Returns the total linear gain of every frame.
func totalGainTrajectory(_ transition: VolumeTransition, ramp: Duration, rate: Int = 48_000, tail: Duration = .milliseconds(20)) -> [Double] {
    func frames(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * rate + Int((Double(attoseconds) * 1e-18 * Double(rate)).rounded())
    }
    var digital = GainRamp(initialGain: Float(Decibels.linearGain(fromDB: transition.from.digitalDB)), rampFrames: max(1, frames(ramp)))
    var hardware = Decibels.linearGain(fromDB: transition.from.hardwareDB)
    let steps = transition.steps.map { (frame: frames($0.at), action: $0.action) }
    var totals: [Double] = []
    for frame in 0..<(frames(transition.duration) + frames(tail)) {
        for step in steps where step.frame == frame {
            switch step.action {
            case .rampDigital(let toDB):
                digital.setTarget(Float(Decibels.linearGain(fromDB: toDB)))
            case .switchHardware(let hardwareDB, let digitalDB):
                hardware = Decibels.linearGain(fromDB: hardwareDB)
                digital.jump(to: Float(Decibels.linearGain(fromDB: digitalDB)))
            }
        }
        var one: Float = 1
        digital.process(&one, frames: 1, channels: 1)
        totals.append(hardware * Double(one))
    }
    return totals
}

/// Attenuator tables of the kinds the drivers supply, as a test double would.
enum VolumeTrackTables {
    /// Six relays of 1 dB: 0 … −63 dB.
    static let relayLadder = AttenuatorSteps(levelsDB: (0...63).map { (step: Int) -> Double in -Double(step) }, switchingLatency: .milliseconds(5))
    /// PGA2311: 0.5 dB steps from +31.5 dB, code 0 mutes.
    static let pga2311 = AttenuatorSteps(
        levelsDB: (0...255).map { (code: Int) -> Double in code == 0 ? -.infinity : 31.5 - 0.5 * Double(255 - code) },
        switchingLatency: .milliseconds(16))
    /// Coarse 6 dB steps.
    static let sixDecibelSteps = AttenuatorSteps(levelsDB: [0, -6, -12, -18, -24, -30, -36, -42, -48], switchingLatency: .milliseconds(2))
    /// A linear potentiometer's taps: uneven steps, dense at the top.
    static let linearPot = AttenuatorSteps(
        levelsDB: (1...99).map { (tap: Int) -> Double in Decibels.gainDB(fromLinear: Double(tap) / 99) }, switchingLatency: .zero)
}

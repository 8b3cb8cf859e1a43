import AuxChainDSP
import AuxChainTestSupport
import Testing

/// Two sound cards on two clocks, as the engine meets them: capture's hardware pointer runs at
/// the capture clock, playback's at the playback clock, both moving in steps of `granularity`
/// frames (a USB packet, a timer tick); the engine wakes when a period is ready, a little late,
/// reads it, writes it (stretched as the corrector asks) and measures the frames in flight.
struct TwoClocks {
    let rate = 48_000.0
    var captureRate: Double
    var period = 128
    var prefillPeriods = 3
    var bufferPeriods = 4
    var granularity = 48

    struct Run {
        /// Frames in flight after each period, less the first measured one.
        var deviation: [Int] = []
        var underruns = 0
        var overruns = 0
        var corrections = 0
        var estimatedPPM: Double?
    }

    /// - Parameter restartEvery: restart both streams this often, from a fresh prefill, as after an xrun.
    func run(seconds: Double, correcting: Bool, restartEvery: Double? = nil, seed: UInt64 = 1) -> Run {
        var corrector = ClockDriftCorrector(rate: Int(rate))
        var generator = SeededGenerator(seed: seed)
        var run = Run()
        var captureRead = 0
        var written = prefillPeriods * period
        var stretch = 0
        var first: Int?
        var nextRestart = restartEvery ?? .infinity
        func pointer(_ clockRate: Double, at time: Double) -> Int {
            Int(clockRate * time) / granularity * granularity
        }
        while Double(captureRead) < seconds * captureRate {
            // The period is ready when capture's pointer has passed it; the thread runs up to 0.3 ms later.
            let ready = Double((captureRead + period + granularity - 1) / granularity * granularity) / captureRate
            let now = ready + Double.random(in: 0..<0.000_3, using: &generator)
            let played = pointer(rate, at: now)
            if played > written { run.underruns += 1 }
            let captured = pointer(captureRate, at: now)
            if now >= nextRestart {
                nextRestart += restartEvery!
                captureRead = captured - period
                written = played + prefillPeriods * period - period
                stretch = 0
                corrector.reset()
            }
            captureRead += period
            written += period + stretch
            // Past a full buffer the write would block and capture overrun behind it.
            if written - played > bufferPeriods * period { run.overruns += 1 }
            let inFlight = (captured - captureRead) + (written - played)
            if first == nil { first = inFlight }
            run.deviation.append(inFlight - first!)
            stretch = correcting ? corrector.record(inFlightFrames: inFlight, periodFrames: period) : 0
            if stretch != 0 { run.corrections += 1 }
        }
        run.estimatedPPM = corrector.estimatedPPM
        return run
    }
}

@Suite struct ClockDriftCorrectorTests {
    @Test(arguments: [100.0, -100.0, 30.0, -300.0], [48, 192])
    func theBufferHoldsItsLevelAgainstDrift(ppm: Double, granularity: Int) {
        // The coarser pointer needs the geometry that holds on snd-aloop: prefill 5 of 7 periods.
        let clocks = TwoClocks(
            captureRate: 48_000 * (1 + ppm / 1_000_000), prefillPeriods: granularity > 64 ? 5 : 3,
            bufferPeriods: granularity > 64 ? 7 : 4, granularity: granularity)
        let periodsPerSecond = 48_000 / clocks.period
        // Uncorrected, the level walks off by the drift: 4.8 frames a second at 100 ppm.
        let drifted = ppm * 1e-6 * 48_000 * 120
        let uncorrected = clocks.run(seconds: 120, correcting: false)
        #expect(abs(Double(uncorrected.deviation.last!) - drifted) <= Double(2 * granularity))
        let corrected = clocks.run(seconds: 120, correcting: true)
        #expect(corrected.underruns == 0 && corrected.overruns == 0)
        // After the baseline (0.25 to 1.25 s), the level stays within the pointers' steps of it, plus
        // what the drift adds while the average catches up (two seconds' worth) and the hysteresis.
        let baselinePeriods = corrected.deviation[(periodsPerSecond / 4)..<(periodsPerSecond * 5 / 4)]
        let baseline = Double(baselinePeriods.reduce(0, +)) / Double(baselinePeriods.count)
        let settled = corrected.deviation.dropFirst(2 * periodsPerSecond).map { abs(Double($0) - baseline) }
        let slack = Double(granularity) + abs(ppm) * 1e-6 * 48_000 * 2 + 4
        #expect(settled.allSatisfy { $0 <= slack }, "worst \(settled.max()!) frames, allowed \(slack)")
        // One correction per frame of drift, near enough.
        #expect(abs(Double(corrected.corrections) - abs(drifted)) <= abs(drifted) * 0.1 + 12)
        // The pointers' steps limit what a run can tell: a step's worth over its length.
        let estimate = try! #require(corrected.estimatedPPM)
        let resolution = Double(granularity) / (120 * 48_000) * 1_000_000
        #expect(abs(estimate - ppm) <= max(abs(ppm) * 0.15, resolution), "estimated \(estimate) ppm")
    }

    @Test(arguments: [4.5, 1.0])
    func theEstimateSurvivesRestarts(every seconds: Double) {
        // An xrun restarts the streams every few seconds, or every second, before the baseline
        // is even taken: each run alone is too short for an estimate, together they make one.
        let clocks = TwoClocks(captureRate: 48_000 * (1 - 80 / 1_000_000.0), prefillPeriods: 5, bufferPeriods: 7, granularity: 192)
        let run = clocks.run(seconds: 60, correcting: true, restartEvery: seconds)
        #expect(run.underruns == 0 && run.overruns == 0)
        let estimated = run.estimatedPPM
        let estimate = try! #require(estimated)
        #expect(abs(estimate - -80) <= 16, "estimated \(estimate) ppm")
    }

    @Test(arguments: [48, 192])
    func oneClockGetsNoCorrections(granularity: Int) {
        let run = TwoClocks(captureRate: 48_000, granularity: granularity).run(seconds: 120, correcting: true)
        #expect(run.corrections == 0)
        #expect(abs(try! #require(run.estimatedPPM)) < 1)
    }

    @Test func nothingIsCorrectedBeforeTheBaselineThenAStepIsTakenOutAFrameAPeriod() {
        var corrector = ClockDriftCorrector(rate: 48_000)
        // A level that climbs from the first period: 0.25 s of settling is ignored, then the next
        // second (periods 94 to 469) is averaged into the level to hold, 384 + 281.5.
        var steps: [Int] = []
        for period in 0..<470 {
            steps.append(corrector.record(inFlightFrames: 384 + period, periodFrames: 128))
        }
        #expect(steps.allSatisfy { $0 == 0 })
        #expect(corrector.isTracking)
        #expect(corrector.estimatedPPM == nil)
        // The level then jumps to 1 000: it is taken back to 665.5 a frame a period, each
        // frame taken out lowering the level as it does in the buffers.
        var corrected = 0
        for _ in 0..<3_000 {
            let step = corrector.record(inFlightFrames: 1_000 + corrected, periodFrames: 128)
            #expect(abs(step) <= 1)
            corrected += step
        }
        #expect(abs(Double(1_000 + corrected) - 665.5) <= 2.5, "level \(1_000 + corrected)")
        #expect(corrector.correctedFrames == corrected)
        corrector.reset()
        #expect(!corrector.isTracking && corrector.correctedFrames == 0)
    }
}

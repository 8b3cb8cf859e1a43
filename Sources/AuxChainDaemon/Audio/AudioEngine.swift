import ALSA
import AuxChainDSP
import Glibc
import Logging

/// What the engine needs to run: both devices' names and the geometry to ask for.
public struct EngineSettings: Sendable, Equatable {
    public var capture: String
    public var playback: String
    public var captureParameters: PCMParameters
    public var playbackParameters: PCMParameters
    public var prefillPeriods: Int
    public var realtimePriority: Int
    /// Sleep to the period clock: for PCMs no hardware clocks (file and null plugins).
    public var pacedByWallClock: Bool
    /// Stop after this many frames of audio (the `--duration` of a run); nil runs until stopped.
    public var frameLimit: Int?

    public init(
        capture: String, playback: String, captureParameters: PCMParameters, playbackParameters: PCMParameters,
        prefillPeriods: Int, realtimePriority: Int, pacedByWallClock: Bool = false, frameLimit: Int? = nil
    ) {
        self.capture = capture
        self.playback = playback
        self.captureParameters = captureParameters
        self.playbackParameters = playbackParameters
        self.prefillPeriods = prefillPeriods
        self.realtimePriority = realtimePriority
        self.pacedByWallClock = pacedByWallClock
        self.frameLimit = frameLimit
    }
}

/// The per-period work between capture and playback. Generic, not existential, so the call
/// in the loop is direct. `prepare` runs outside the loop and may allocate; `process` may not.
public protocol PeriodProcessor: ~Copyable, SendableMetatype {
    mutating func prepare(capture: PCMParameters, playback: PCMParameters, controls: EngineControls)
    /// Turns `frames` frames of capture bytes (a period, or up to two when capture held more)
    /// into `frames + stretch` frames of playback bytes, or `frames` when too few to stretch;
    /// `stretch` (−1, 0 or +1) is the clock drift correction. Returns the frames written.
    mutating func process(input: UnsafeRawPointer, output: UnsafeMutableRawPointer, frames: Int, stretch: Int, controls: EngineControls) -> Int
    /// True once the output gain has reached silence, so a stop can close the streams without a click.
    var isSilent: Bool { get }
}

/// How an engine run ended.
public enum EngineOutcome: Sendable, Equatable {
    case stopped
    case reachedFrameLimit
    /// A device refused the configured parameters: a config problem, not a missing device.
    case configurationRefused(String)
    /// A device stayed closed to this user past ``permissionGrace``: waiting will not fix it.
    case permissionDenied(String)
}

/// How long a device may refuse access before the engine gives up: long enough for udev to
/// give a just-plugged card's nodes to group audio, which can lose the race with a reopen.
let permissionGrace = Duration.seconds(5)

/// Capture → process → playback on one real-time thread, with the device life cycle around it:
/// open (retrying with backoff while a device is missing), prefill, run, recover from xruns,
/// reopen after a device disappears. Between two clocks it corrects the drift
/// (``ClockDriftCorrector``), so the playback buffer neither fills nor drains.
public final class AudioEngine<Processor: PeriodProcessor & ~Copyable>: Sendable {
    public let settings: EngineSettings
    public let controls: EngineControls
    private let logger: Logger
    private let processorBox: ProcessorBox<Processor>
    private let outcomeBox = OutcomeBox()
    private let threadBox = ThreadBox()

    public init(settings: EngineSettings, processor: consuming Processor, controls: EngineControls, logger: Logger) {
        self.settings = settings
        self.controls = controls
        self.logger = logger
        self.processorBox = ProcessorBox(processor)
    }

    /// Starts the audio thread. Returns at once.
    public func start() {
        let thread = RealtimeThread(priority: settings.realtimePriority) { [self] isRealtime in
            outcomeBox.value = runThread(isRealtime: isRealtime)
        }
        threadBox.thread = thread
    }

    /// Asks the thread to ramp down and stop, and waits for it.
    @discardableResult
    public func stop() -> EngineOutcome {
        controls.requestStop()
        return wait()
    }

    /// Waits for the thread to end on its own (frame limit reached or refused configuration).
    @discardableResult
    public func wait() -> EngineOutcome {
        threadBox.thread?.join()
        threadBox.thread = nil
        return outcomeBox.value ?? .stopped
    }

    // MARK: the audio thread

    private func runThread(isRealtime: Bool) -> EngineOutcome {
        if settings.realtimePriority > 0, !isRealtime {
            logger.warning(
                "audio thread runs without real-time priority; grant it with LimitRTPRIO (the systemd unit does) or run as root",
                metadata: ["audio.priority": "\(settings.realtimePriority)"])
        }
        var backoff = Duration.milliseconds(100)
        var waitingFor: String?
        var deniedSince: ContinuousClock.Instant?
        var framesDone = 0
        // A run for a set duration ends after that long even if a device never appears.
        let giveUpAt = settings.frameLimit.map { limit in
            ContinuousClock.now + .nanoseconds(Int64(limit) * 1_000_000_000 / Int64(settings.captureParameters.rate))
        }
        while !controls.stopRequested {
            if let giveUpAt, ContinuousClock.now >= giveUpAt { return .reachedFrameLimit }
            let opened: OpenStreams
            do {
                opened = try openDevices()
            } catch {
                if error.kind == .unsupportedConfiguration {
                    logger.error("\(error.message)")
                    return .configurationRefused(error.message)
                }
                if error.kind == .permissionDenied {
                    let since = deniedSince ?? .now
                    deniedSince = since
                    if ContinuousClock.now - since >= permissionGrace {
                        logger.error("\(error.message)", metadata: ["alsa.device": "\(error.device)"])
                        return .permissionDenied(error.message)
                    }
                } else {
                    deniedSince = nil
                }
                if waitingFor != error.device {
                    waitingFor = error.device
                    let present = DeviceCatalog.pcmNames(direction: error.device == settings.capture ? .capture : .playback)
                    logger.warning(
                        "waiting for ALSA device '\(error.device)': \(error.message); retrying until it appears",
                        metadata: ["alsa.device": "\(error.device)", "alsa.present": "\(present.joined(separator: ", "))"])
                }
                sleepUnlessStopped(backoff)
                backoff = min(backoff * 2, .seconds(2))
                continue
            }
            if waitingFor != nil {
                logger.notice("ALSA device '\(waitingFor!)' is back; resuming", metadata: ["alsa.device": "\(waitingFor!)"])
                waitingFor = nil
            }
            backoff = .milliseconds(100)
            deniedSince = nil
            let ending = runStreams(opened, framesDone: &framesDone)
            controls.setRunning(false, latencyFrames: 0)
            switch ending {
            case .deviceFailed(let failure):
                let name = failure.device
                let present = DeviceCatalog.pcmNames(direction: name == settings.capture ? .capture : .playback)
                let reason = PCM.describe(failure.code)
                // Another error on a device still there (an I/O error, a bad state) is met the same
                // way: close both streams and open them again.
                let what = PCM.isDeviceGone(Int(failure.code)) ? "disappeared (\(reason))" : "failed: \(reason) (error \(failure.code))"
                logger.warning(
                    "ALSA device '\(name)' \(what); closing both streams and opening them again when it answers",
                    metadata: ["alsa.device": "\(name)", "alsa.error": "\(failure.code)", "alsa.present": "\(present.joined(separator: ", "))"])
                waitingFor = name
            case .finished(let outcome):
                logger.info("audio stopped; both devices closed", metadata: ["audio.outcome": "\(outcome)"])
                return outcome
            }
        }
        return .stopped
    }

    private func openDevices() throws(ALSAError) -> OpenStreams {
        var capture = try PCM(name: settings.capture, direction: .capture)
        try capture.configure(settings.captureParameters)
        var playback = try PCM(name: settings.playback, direction: .playback)
        try playback.configure(settings.playbackParameters)
        return OpenStreams(capture: capture, playback: playback)
    }

    private enum StreamEnding {
        case deviceFailed(StreamFailure)
        case finished(EngineOutcome)
    }

    private func runStreams(_ streams: consuming OpenStreams, framesDone: inout Int) -> StreamEnding {
        let captureParameters = streams.capture.granted!
        let playbackParameters = streams.playback.granted!
        let period = captureParameters.periodFrames
        // Each period is written whole after the prefill, so the playback buffer must hold both;
        // otherwise the prefill would be cut short and the latency would not be what is reported.
        let needed = period * (settings.prefillPeriods + 1)
        guard playbackParameters.bufferFrames >= needed else {
            return .finished(.configurationRefused(
                "ALSA device '\(settings.playback)' granted a buffer of \(playbackParameters.bufferFrames) frames, less than "
                    + "prefill_periods + 1 = \(settings.prefillPeriods + 1) periods of \(period) frames (\(needed)); "
                    + "raise [audio] buffer_periods or lower prefill_periods"))
        }
        // A period and what capture already held beyond it (at most another period); one frame
        // more on the output for the drift correction's stretch.
        let inputBytes = UnsafeMutableRawPointer.allocate(byteCount: 2 * period * captureParameters.bytesPerFrame, alignment: 16)
        let outputBytes = UnsafeMutableRawPointer.allocate(byteCount: (2 * period + 1) * playbackParameters.bytesPerFrame, alignment: 16)
        let silence = UnsafeMutableRawPointer.allocate(byteCount: period * playbackParameters.bytesPerFrame, alignment: 16)
        silence.initializeMemory(as: UInt8.self, repeating: 0, count: period * playbackParameters.bytesPerFrame)
        defer {
            inputBytes.deallocate()
            outputBytes.deallocate()
            silence.deallocate()
        }
        processorBox.withProcessor { $0.prepare(capture: captureParameters, playback: playbackParameters, controls: controls) }

        // A frame captured at time t is read at the end of its period, when the prefill has
        // drained by that period: it is played prefill periods after it was captured.
        let latency = period * settings.prefillPeriods
        logger.info(
            "audio running: capture '\(settings.capture)' \(captureParameters), playback '\(settings.playback)' \(playbackParameters); added latency \(latency) frames (\(formatMilliseconds(frames: latency, rate: captureParameters.rate)))",
            metadata: ["alsa.capture": "\(settings.capture)", "alsa.playback": "\(settings.playback)"])

        var stopping = false
        // Once silent, the periods still queued (the fade's tail) must play before the close.
        var flushPeriodsLeft = settings.prefillPeriods + 1
        var deadline = ContinuousClock.now
        let periodDuration = Duration.nanoseconds(Int64(period) * 1_000_000_000 / Int64(captureParameters.rate))

        // Two sound cards' clocks drift apart. Paced by the wall clock, both sides keep one clock;
        // file and null PCMs keep none: then there is no drift to correct.
        let clocked = !settings.pacedByWallClock && streams.capture.isClocked && streams.playback.isClocked
        var drift = clocked ? ClockDriftCorrector(rate: captureParameters.rate) : nil
        var stretch = 0
        if let failed = streams.restart(prefillPeriods: settings.prefillPeriods, silence: silence, period: period) { return .deviceFailed(failed) }
        controls.setRunning(true, latencyFrames: latency, correctingDrift: drift != nil)

        /// After an xrun: both streams start again from the prefill, and the drift is measured anew.
        func recoverFromXrun(onCapture: Bool) -> StreamFailure? {
            controls.countXrun(onCapture: onCapture)
            drift?.reset()
            stretch = 0
            return streams.restart(prefillPeriods: settings.prefillPeriods, silence: silence, period: period)
        }

        while true {
            if let limit = settings.frameLimit, framesDone >= limit { return .finished(.reachedFrameLimit) }
            if controls.stopRequested { stopping = true }
            if stopping, processorBox.isSilent {
                if flushPeriodsLeft == 0 { return .finished(.stopped) }
                flushPeriodsLeft -= 1
            }

            var frames = settings.frameLimit.map { min(period, $0 - framesDone) } ?? period
            var read = streams.capture.transfer(inputBytes, frames: frames, bytesPerFrame: captureParameters.bytesPerFrame)
            // What capture already holds beyond the period goes out now too. A device that
            // delivers in steps out of step with the period (USB packets, a timer tick) would
            // otherwise keep up to a period waiting on the capture side, taken from the playback
            // buffer's margin: the frames in flight, and so the latency, are the same either way.
            if read == .done, clocked, let ready = streams.capture.availableAndDelay()?.available, ready > 0 {
                let extra = min(ready, period, settings.frameLimit.map { $0 - framesDone - frames } ?? period)
                if extra > 0 {
                    read = streams.capture.transfer(inputBytes + frames * captureParameters.bytesPerFrame, frames: extra, bytesPerFrame: captureParameters.bytesPerFrame)
                    frames += extra
                }
            }
            if case .failed(let code) = read { return .deviceFailed(StreamFailure(device: settings.capture, code: code)) }
            if read == .xrun {
                if let failed = recoverFromXrun(onCapture: true) { return .deviceFailed(failed) }
                continue
            }

            let outputFrames = processorBox.withProcessor {
                $0.process(input: inputBytes, output: outputBytes, frames: frames, stretch: stretch, controls: controls)
            }

            let written = streams.playback.transfer(outputBytes, frames: outputFrames, bytesPerFrame: playbackParameters.bytesPerFrame)
            if case .failed(let code) = written { return .deviceFailed(StreamFailure(device: settings.playback, code: code)) }
            if written == .xrun {
                if let failed = recoverFromXrun(onCapture: false) { return .deviceFailed(failed) }
                continue
            }
            framesDone += frames
            controls.countPeriod(frames: frames)
            stretch = 0
            if var corrector = drift, let captured = streams.capture.availableAndDelay(), let queued = streams.playback.availableAndDelay() {
                stretch = corrector.record(inFlightFrames: captured.available + queued.delay, periodFrames: frames)
                controls.publishDrift(ppm: corrector.estimatedPPM, step: stretch)
                drift = corrector
            }

            if settings.pacedByWallClock {
                deadline += periodDuration
                let now = ContinuousClock.now
                if deadline > now { sleepPrecisely(until: deadline) } else { deadline = now }
            }
        }
    }

    private func sleepUnlessStopped(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        while !controls.stopRequested, ContinuousClock.now < end {
            controls.beat()
            sleepPrecisely(until: min(end, ContinuousClock.now + .milliseconds(20)))
        }
    }
}

enum TransferOutcome: Equatable {
    case done
    /// An overrun or underrun: the streams need a restart.
    case xrun
    /// Any other error (the device gone, an I/O error): the streams need reopening.
    case failed(Int32)
}

/// Which device failed, and alsa-lib's error code.
struct StreamFailure {
    var device: String
    var code: Int32
}

extension PCM {
    /// Reads (capture) or writes (playback) exactly `frames` frames, blocking as needed and
    /// retrying after a signal.
    @inline(__always)
    func transfer(_ buffer: UnsafeMutableRawPointer, frames: Int, bytesPerFrame: Int) -> TransferOutcome {
        var done = 0
        while done < frames {
            let pointer = buffer + done * bytesPerFrame
            let result = direction == .capture ? read(into: pointer, frames: frames - done) : write(from: pointer, frames: frames - done)
            if result >= 0 {
                done += result
            } else if !PCM.isInterrupted(result) {
                return PCM.isRecoverable(result) ? .xrun : .failed(Int32(truncatingIfNeeded: result))
            }
        }
        return .done
    }
}

/// Both streams of one run, closed together when the run ends.
private struct OpenStreams: ~Copyable {
    var capture: PCM
    var playback: PCM

    /// Starts (and after an xrun, restarts) both streams from a known state: playback holds
    /// exactly the prefill, so the added latency is the same number every time. Returns the
    /// device that failed and how.
    func restart(prefillPeriods: Int, silence: UnsafeRawPointer, period: Int) -> StreamFailure? {
        capture.drop()
        playback.drop()
        do { try capture.prepare() } catch { return StreamFailure(device: capture.name, code: error.code) }
        do { try playback.prepare() } catch { return StreamFailure(device: playback.name, code: error.code) }
        for _ in 0..<prefillPeriods {
            let written = playback.write(from: silence, frames: period)
            if written < 0 { return StreamFailure(device: playback.name, code: Int32(truncatingIfNeeded: written)) }
        }
        do { try playback.start() } catch { return StreamFailure(device: playback.name, code: error.code) }
        do { try capture.start() } catch { return StreamFailure(device: capture.name, code: error.code) }
        return nil
    }
}

/// Blocks the calling thread until `deadline` without allocating.
func sleepPrecisely(until deadline: ContinuousClock.Instant) {
    let remaining = deadline - ContinuousClock.now
    guard remaining > .zero else { return }
    let (seconds, attoseconds) = remaining.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var unslept = timespec()
    while nanosleep(&request, &unslept) != 0, errno == EINTR { request = unslept }
}

func formatMilliseconds(frames: Int, rate: Int) -> String {
    let milliseconds = Double(frames) * 1000 / Double(rate)
    return "\((milliseconds * 100).rounded() / 100) ms"
}

/// The processor lives in the engine but is only touched by the audio thread (and by `prepare`,
/// on the same thread), so unchecked sendability is sound.
private final class ProcessorBox<Processor: PeriodProcessor & ~Copyable>: @unchecked Sendable {
    private var processor: Processor
    init(_ processor: consuming Processor) { self.processor = processor }
    @inline(__always) func withProcessor<Result>(_ body: (inout Processor) -> Result) -> Result { body(&processor) }
    var isSilent: Bool { processor.isSilent }
}

private final class OutcomeBox: @unchecked Sendable {
    // Written by the audio thread before it ends, read after join(): ordered by the join.
    var value: EngineOutcome?
}

private final class ThreadBox: @unchecked Sendable {
    // Set by start() and cleared by wait(), both on the control plane.
    var thread: RealtimeThread?
}

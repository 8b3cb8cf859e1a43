import AuxChainCore
import GPIO
import Logging

/// The configured hardware attenuator on real GPIO lines: plays its driver's line writes, one
/// move at a time in the order asked, with every write's hold kept.
///
/// The stage runs on a thread of its own (``WriterThread``): a move blocks there while it waits
/// out holds of a microsecond (PGA2311 bits, X9C pulses) to milliseconds (relays), spinning on
/// the clock for short ones. Callers just `await`; nothing of it runs on the cooperative pool or
/// the audio thread. None of the parts has a maximum timing, so a preemption mid-move only makes
/// the move slower.
///
/// How the controller uses it: build the ``VolumeTrack`` with ``steps``; for a
/// ``VolumeTransition/Step`` whose action is `switchHardware(hardwareDB:digitalDB:)`, call
/// ``moveTo(levelDB:)`` with `hardwareDB` at `step.commandTime(switchingLatency: stage.steps.switchingLatency)`
/// and set the digital jump itself for `step.at`. At stop, ``shutDown()``.
public actor AttenuatorStage {
    /// The gains the volume track can choose from and how long a move takes, from the driver.
    public nonisolated let steps: AttenuatorSteps

    private let settings: AttenuatorSettings
    private var driver: any AttenuatorDriver
    private var lines: [AttenuatorLine: RequestedLine]
    private let logger: Logger
    private let writerThread: WriterThread
    /// A relay ladder's `settle`: a pad may only come out once every pad put in has had that long
    /// to close, also across moves. Zero for chips, whose writes take effect when written.
    private let padSettle: Duration
    private var lastPadInAt: Duration
    private var isShutDown = false

    public nonisolated var unownedExecutor: UnownedSerialExecutor { writerThread.asUnownedSerialExecutor() }

    /// Requests the attenuator's lines at the part's idle, safe levels and moves it to maximum
    /// attenuation, as the hardware's state is unknown until then; returns nil for `kind = "none"`.
    ///
    /// - Throws: `DaemonError.configuration` naming the config key and the line when a line cannot
    ///   be requested, `DaemonError.failure` when the first move fails.
    public init?(settings: AttenuatorSettings, chip: any GPIOChip, logger: Logger) async throws(DaemonError) {
        guard let driver = settings.makeDriver() else { return nil }
        var lines: [AttenuatorLine: RequestedLine] = [:]
        // Chip select last: a chip must see its other lines settled at their idle levels before
        // it is deselected (an X9C stores its wiper if /CS rises while INC is high).
        for role in driver.lines.filter({ $0 != .chipSelect }) + driver.lines.filter({ $0 == .chipSelect }) {
            guard let reference = settings.lineReference(for: role) else {
                preconditionFailure("AttenuatorStage: the \(settings.kindName) config has no \(role) line")
            }
            let key = RequestedLine.configKey(role)
            do {
                let output = try chip.requestOutput(
                    GPIOSetup.selector(reference),
                    OutputLineConfig(
                        consumer: "auxchain attenuator \(role)", initialValue: LineValue(isActive: driver.initialLevel(of: role)),
                        activeLow: settings.isActiveLow(role)))
                lines[role] = RequestedLine(key: key, reference: reference, output: output)
            } catch {
                throw GPIOSetup.failure(error, setting: "\(key) = \(reference)")
            }
        }
        self.settings = settings
        self.driver = driver
        self.lines = lines
        self.logger = logger
        steps = driver.steps
        writerThread = WriterThread()
        if case .relayLadder(_, _, let settle, _) = settings { padSettle = settle } else { padSettle = .zero }
        // The requests above put every pad in.
        lastPadInAt = HoldTimer.now
        do {
            try maximumAttenuation()
        } catch {
            throw DaemonError.failure("\(error)")
        }
    }

    deinit {
        writerThread.stop()
    }

    /// The gain the hardware is at; nil until a move after a failed one has put it somewhere known.
    public var currentLevelDB: Double? { driver.currentLevelDB }

    /// Moves to the step whose gain is `levelDB`, one of ``steps``' `levelsDB` (as the volume track
    /// picks them). Returns once the writes are done, with how long they took from the first.
    ///
    /// The new gain is in effect `steps.switchingLatency` after the first write, plus what the
    /// writes cost beyond their holds (about 0.2 µs each on the simulated chip here, an ioctl each
    /// on a real one); the returned time shows it. A move waits for the one before it to finish, and
    /// one that has begun finishes even if the caller's task is cancelled: a half-written word or
    /// ladder is worse than a late one.
    ///
    /// - Throws: ``AttenuatorStageError`` naming the line whose write failed; the hardware's step is
    ///   then unknown and the next move starts from maximum attenuation.
    @discardableResult
    public func moveTo(levelDB: Double) throws(AttenuatorStageError) -> Duration {
        guard let step = driver.step(atLevelDB: levelDB) else {
            preconditionFailure("AttenuatorStage: \(levelDB) dB is not one of the attenuator's levels")
        }
        return try moveTo(step: step)
    }

    /// Moves to `step` (0 is the most attenuation); as ``moveTo(levelDB:)``.
    @discardableResult
    public func moveTo(step: Int) throws(AttenuatorStageError) -> Duration {
        guard !isShutDown else { throw .shutDown }
        return try play(driver.moves(toStep: step), what: "step \(step)")
    }

    /// Puts the hardware at maximum attenuation whatever it was at, and returns once that is in
    /// effect (`steps.switchingLatency` after the first write), with how long it took.
    @discardableResult
    public func maximumAttenuation() throws(AttenuatorStageError) -> Duration {
        guard !isShutDown else { throw .shutDown }
        let start = HoldTimer.now
        try play(driver.maximumAttenuation(), what: "maximum attenuation")
        HoldTimer.wait(until: start + steps.switchingLatency)
        return HoldTimer.now - start
    }

    /// Moves to maximum attenuation and releases the lines; later moves throw
    /// ``AttenuatorStageError/shutDown``. A failure is logged: at stop nothing else can be done.
    public func shutDown() {
        guard !isShutDown else { return }
        _ = try? maximumAttenuation()
        isShutDown = true
        for line in lines.values { line.output.release() }
    }

    /// Plays `writes`, keeping each write's hold from the moment the write is done.
    @discardableResult
    private func play(_ writes: [LineWrite], what: String) throws(AttenuatorStageError) -> Duration {
        let start = HoldTimer.now
        for write in writes {
            let line = lines[write.line]!
            if padSettle > .zero, !write.level {
                HoldTimer.wait(until: lastPadInAt + padSettle)
            }
            do {
                try line.output.set(LineValue(isActive: write.level))
            } catch {
                // The hardware is now somewhere between two steps: start afresh from an unknown step.
                driver = settings.makeDriver()!
                let failure = AttenuatorStageError.write(key: line.key, line: line.reference, error)
                logger.error(
                    "attenuator: \(what) failed: \(failure)",
                    metadata: ["gpio.line": "\(line.output.offset)", "attenuator.line": "\(write.line)"])
                throw failure
            }
            let written = HoldTimer.now
            if write.level, padSettle > .zero { lastPadInAt = written }
            if write.holdAfter > .zero { HoldTimer.wait(until: written + write.holdAfter) }
        }
        let elapsed = HoldTimer.now - start
        logger.debug(
            "attenuator: \(what): \(writes.count) writes in \(elapsed)",
            metadata: ["attenuator.level.db": "\(driver.currentLevelDB.map { "\($0)" } ?? "unknown")"])
        return elapsed
    }
}

/// One of the attenuator's lines: where the config puts it, and the granted request.
private struct RequestedLine {
    let key: String
    let reference: LineReference
    let output: any OutputLine

    static func configKey(_ role: AttenuatorLine) -> String {
        switch role {
        case .relay(let bit): "attenuator.lines[\(bit)]"
        case .chipSelect: "attenuator.cs"
        case .serialClock: "attenuator.sclk"
        case .serialData: "attenuator.sdi"
        case .increment: "attenuator.inc"
        case .upDown: "attenuator.ud"
        }
    }
}

/// Why an attenuator move did not happen.
public enum AttenuatorStageError: Error, Sendable, CustomStringConvertible {
    /// Writing one of the attenuator's lines failed; the hardware's step is unknown.
    case write(key: String, line: LineReference, GPIOError)
    /// The stage was shut down; it writes no more.
    case shutDown

    public var description: String {
        switch self {
        case .write(let key, let line, let error):
            "\(error) (\(key) = \(line)); the attenuator's step is unknown until its next move, which starts from maximum attenuation"
        case .shutDown:
            "the attenuator was shut down and takes no more moves"
        }
    }
}

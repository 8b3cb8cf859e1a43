import AuxChainCore
import AuxChainDaemon
import GPIO
import Logging
import Synchronization

/// Attenuator configs on a simulated 28-line header chip, as the sample config wires them.
enum AttenuatorRig {
    static let relayOffsets = [5, 6, 13, 19, 26, 21]
    static let relaySettle = Duration.milliseconds(3)

    static let relayLadder = AttenuatorSettings.relayLadder(
        lines: relayOffsets.map(LineReference.offset), stepDB: 1, settle: relaySettle)
    static let pga2311 = AttenuatorSettings.pga2311(chipSelect: .offset(8), clock: .offset(11), data: .offset(10), zeroCrossing: false)
    static let pga2311ZeroCrossing = AttenuatorSettings.pga2311(
        chipSelect: .offset(8), clock: .offset(11), data: .offset(10), zeroCrossing: true)
    static let x9c = AttenuatorSettings.x9c(chipSelect: .offset(5), increment: .offset(6), upDown: .offset(13))

    static let allKinds = [relayLadder, pga2311, pga2311ZeroCrossing, x9c]

    /// A header chip whose clock is CLOCK_MONOTONIC, the clock the stage holds by, so recorded
    /// change times show the holds.
    static func chip() -> SimulatedChip {
        SimulatedChip(label: "pinctrl-bcm2711", lineNames: (0..<28).map { "GPIO\($0)" })
    }

    static func stage(_ settings: AttenuatorSettings, on chip: any GPIOChip, logger: Logger = silentLogger) async throws -> AttenuatorStage {
        guard let stage = try await AttenuatorStage(settings: settings, chip: chip, logger: logger) else {
            preconditionFailure("\(settings.kindName) has a stage")
        }
        return stage
    }

    /// The role a recorded offset plays in `settings`.
    static func role(of offset: LineOffset, in settings: AttenuatorSettings) -> AttenuatorLine {
        let driver = settings.makeDriver()!
        for role in driver.lines where settings.lineReference(for: role) == .offset(Int(offset.rawValue)) {
            return role
        }
        preconditionFailure("line \(offset) is not one of the \(settings.kindName)'s lines")
    }
}

let silentLogger = Logger(label: "hardware-test", factory: { _ in SwiftLogNoOpLogHandler() })

/// One level change of an attenuator line, by role.
struct RoleChange: Hashable, CustomStringConvertible {
    var role: AttenuatorLine
    var level: Bool

    var description: String { "\(role)=\(level ? 1 : 0)" }
}

extension [OutputChange] {
    func roleChanges(in settings: AttenuatorSettings) -> [RoleChange] {
        map { RoleChange(role: AttenuatorRig.role(of: $0.offset, in: settings), level: $0.level == .high) }
    }
}

/// The wire as the driver's writes leave it: a write to the level a line already has changes
/// nothing, so the simulated chip records only the others.
struct WireModel {
    var levels: [AttenuatorLine: Bool]

    init(_ driver: any AttenuatorDriver) {
        levels = Dictionary(uniqueKeysWithValues: driver.lines.map { ($0, driver.initialLevel(of: $0)) })
    }

    init(levels: [AttenuatorLine: Bool]) {
        self.levels = levels
    }

    /// The changes `writes` make, each with the sum of the holds before its write in the move.
    mutating func changes(_ writes: [LineWrite]) -> [(change: RoleChange, earliest: Duration)] {
        var changes: [(change: RoleChange, earliest: Duration)] = []
        var elapsed = Duration.zero
        for write in writes {
            if levels[write.line] != write.level {
                levels[write.line] = write.level
                changes.append((RoleChange(role: write.line, level: write.level), elapsed))
            }
            elapsed += write.holdAfter
        }
        return changes
    }
}

/// The chip's recorded changes from `start` on, taken after each of a series of moves.
struct MoveRecorder {
    let chip: SimulatedChip
    private var seen: Int

    init(chip: SimulatedChip) {
        self.chip = chip
        seen = chip.outputChanges.count
    }

    /// The changes since the last call.
    mutating func take() -> [OutputChange] {
        let all = chip.outputChanges
        defer { seen = all.count }
        return Array(all[seen...])
    }
}

/// Collects what a swift-log handler was given.
final class CapturedLog: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let storage = Mutex<[Entry]>([])

    var entries: [Entry] { storage.withLock { $0 } }

    var logger: Logger {
        Logger(label: "hardware-test") { _ in Handler(log: self) }
    }

    fileprivate func append(_ entry: Entry) { storage.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append(Entry(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}

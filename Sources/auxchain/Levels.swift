import ArgumentParser
import AuxChainCore
import Dispatch
import Foundation
import Glibc

extension AuxChain {
    struct Levels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "levels",
            abstract: "Show the Echo's input levels, live on a terminal.",
            discussion: """
                On a terminal it draws a meter in place until Ctrl-C: one bar per channel from -60 to 0 dBFS \
                (█ up to the RMS level, ▒ on to the peak, │ at the peak held for 1.5 s, which then falls at \
                20 dB/s), the numbers, and a line with the speaker's state, the relay, the volume and whether \
                the signal detector hears the Echo. Piped, it prints a text snapshot per update instead; with \
                --json one object per line: the daemon's levels object with the speaker's power, the volume \
                and the relay beside it, e.g. {"channels":[{"peak_dbfs":-12.5,"rms_dbfs":-20.1}],\
                "power":{"mode":"auto","state":"on","trigger_holding_on":false},"signal":true,\
                "volume":{"cap_db":0,"db":-24,"muted":false,"percent":40}} ("relay" too when one is \
                configured). --once prints a single snapshot and exits.
                """)

        @OptionGroup var daemon: ControlSocketOptions

        @Flag(help: "Print one snapshot and exit.")
        var once = false

        @Flag(help: "Print the levels as the control protocol's JSON objects, one per line.")
        var json = false

        @Option(help: ArgumentHelp("Updates per second while live (1 to \(Int(ControlRequest.maximumLevelsHz))).", valueName: "Hz"))
        var rate = 15.0

        func validate() throws {
            guard (1...ControlRequest.maximumLevelsHz).contains(rate) else {
                throw ValidationError("--rate \(rate) is outside 1 to \(Int(ControlRequest.maximumLevelsHz)) updates per second")
            }
            if once, rate != 15 {
                throw ValidationError("--rate applies to the live meter, not to --once")
            }
        }

        func run() async throws {
            let output = MeterOutput(json: json, streaming: !once, terminal: !once && isatty(STDOUT_FILENO) == 1)
            try withDaemon(daemon) { connection throws(CLIFailure) in
                if once {
                    try snapshot(connection, output)
                } else {
                    try follow(connection, output)
                }
            }
        }

        private func snapshot(_ connection: ControlConnection, _ output: MeterOutput) throws(CLIFailure) {
            // status carries the levels and what the state line needs, in one reply.
            let reply = try connection.ask(.status)
            guard case .status(let status) = reply else { throw connection.unexpected(reply, to: "status") }
            var hold = PeakHold()
            hold.update(with: status.levels, at: .zero)
            output.show(status.levels, hold: hold, at: .zero, context: MeterContext(status))
        }

        /// Shows every levels event until Ctrl-C (or SIGTERM, SIGHUP), keeping the state line current.
        private func follow(_ connection: ControlConnection, _ output: MeterOutput) throws(CLIFailure) {
            let interrupts = try InterruptPipe(signals: [SIGINT, SIGTERM, SIGHUP])
            let reply = try connection.ask(.status)
            guard case .status(let status) = reply else { throw connection.unexpected(reply, to: "status") }
            _ = try connection.subscribe(levelsHz: rate)

            var context = MeterContext(status)
            var levels = status.levels
            var hold = PeakHold()
            let clock = ContinuousClock()
            let start = clock.now
            var lastLevels = start
            hold.update(with: levels, at: .zero)
            output.begin()
            defer { output.end() }
            if output.isTerminal { output.show(levels, hold: hold, at: .zero, context: context) }
            // On a terminal the hold keeps falling between updates, so redraw at the rate anyway.
            let tick = Duration.seconds(1 / rate)
            while true {
                let deadline = output.isTerminal ? clock.now + tick : nil
                switch try connection.next(until: deadline, orReadable: interrupts.readDescriptor) {
                case .interrupted:
                    return
                case .timedOut:
                    let quiet = clock.now - lastLevels
                    output.show(levels, hold: hold, at: clock.now - start, context: context, quietFor: quiet > .seconds(2) ? quiet : nil)
                case .message(.event(.levels(let report))):
                    levels = report
                    lastLevels = clock.now
                    hold.update(with: report, at: lastLevels - start)
                    output.show(levels, hold: hold, at: lastLevels - start, context: context)
                case .message(.event(let event)):
                    context.apply(event)
                case .message(.reply):
                    continue
                }
            }
        }
    }
}

/// One line of `levels --json`: the daemon's levels object, every field of it as the protocol
/// encodes it, with what the meter's state line shows added beside them.
struct LevelsSnapshot: Encodable {
    var levels: LevelsReport
    var context: MeterContext

    init(_ levels: LevelsReport, context: MeterContext) {
        self.levels = levels
        self.context = context
    }

    private enum AddedKeys: String, CodingKey {
        case power, volume, relay
    }

    func encode(to encoder: any Encoder) throws {
        try levels.encode(to: encoder)
        // The same object: a second keyed container at this level adds to the first.
        var object = encoder.container(keyedBy: AddedKeys.self)
        try object.encode(context.power, forKey: .power)
        try object.encode(context.volume, forKey: .volume)
        try object.encodeIfPresent(context.relay, forKey: .relay)
    }
}

/// Where the meter goes: redrawn in place on a terminal, else appended as text or JSON lines.
final class MeterOutput {
    let isTerminal: Bool
    private let json: Bool
    /// Frames follow one another: a blank line between text frames.
    private let streaming: Bool
    /// Lines of the last frame drawn on the terminal, to move back over.
    private var drawnLines = 0

    private static let escape = "\u{1B}["

    init(json: Bool, streaming: Bool, terminal: Bool) {
        self.json = json
        self.streaming = streaming
        self.isTerminal = terminal && !json
    }

    /// Hides the cursor while the meter redraws.
    func begin() {
        if isTerminal { write(Self.escape + "?25l") }
    }

    /// Shows the cursor again; the last frame stays on screen.
    func end() {
        if isTerminal { write(Self.escape + "?25h") }
    }

    func show(_ levels: LevelsReport, hold: PeakHold, at now: Duration, context: MeterContext, quietFor: Duration? = nil) {
        if json {
            write(ReportText.json(LevelsSnapshot(levels, context: context)) + "\n")
            return
        }
        var lines = LevelsMeter(barCells: barCells()).lines(levels, hold: hold, at: now, context: context)
        guard isTerminal else {
            write(lines.joined(separator: "\n") + (streaming ? "\n\n" : "\n"))
            return
        }
        if let quietFor {
            lines.append("no levels from the daemon for \(Int(quietFor.components.seconds)) s: is its audio running? (see 'auxchain status')")
        }
        lines.append("Ctrl-C to quit")
        var frame = drawnLines > 0 ? Self.escape + "\(drawnLines)A\r" : ""
        for line in lines { frame += line + Self.escape + "K\n" }
        if lines.count < drawnLines { frame += Self.escape + "J" }
        drawnLines = lines.count
        write(frame)
    }

    /// As wide as the terminal allows, up to 40 cells; the numbers after the bar take about 52 columns.
    private func barCells() -> Int {
        guard isTerminal else { return 40 }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 40 }
        return min(max(Int(size.ws_col) - 52, 10), 40)
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Signals turned into a readable descriptor, so a blocking wait for the daemon also wakes for
/// Ctrl-C and the meter can restore the terminal before it exits.
final class InterruptPipe {
    let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let signals: [Int32]
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) throws(CLIFailure) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw CLIFailure(message: "cannot create a pipe for Ctrl-C: \(String(cString: strerror(errno)))", code: CLIFailure.softwareExit)
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        readDescriptor = ends[0]
        writeDescriptor = ends[1]
        self.signals = signals
        let writer = ends[1]
        sources = signals.map { number in
            // The default action would end the process before the cursor is shown again.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                var byte: UInt8 = 1
                _ = Glibc.write(writer, &byte, 1)
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
        close(readDescriptor)
        close(writeDescriptor)
    }
}

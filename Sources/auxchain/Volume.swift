import ArgumentParser
import AuxChainCore
import Foundation

extension AuxChain {
    struct Volume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "volume",
            abstract: "Show or set the speaker volume.",
            discussion: """
                Without a value it prints the volume: percent, gain in dB, the [volume] max_db cap, and \
                whether it is muted. With a value it sets the volume and prints the result:

                  40% or 40    percent of the volume curve, 0 to 100
                  -12dB, 0dB   a gain: at most 0 dB, so written without a +
                  +3dB         this many dB louder (a leading + means louder)
                  up, down     one [volume] step_db step
                  --by -3dB    this many dB quieter (--by 3dB: louder)

                The daemon keeps every change under the cap and ramps it, so it never clicks. \
                Setting the volume does not unmute.
                """)

        @OptionGroup var daemon: ControlSocketOptions

        // allUnrecognized: a gain such as -12dB would otherwise be read as the short options -1 -2 -d -B.
        @Argument(
            parsing: .allUnrecognized,
            help: ArgumentHelp("The volume to set: 40%, 40, -12dB, +3dB, up or down.", valueName: "value"))
        var arguments: [String] = []

        /// The value as given; `--` before it (to keep a gain from looking like an option) is allowed.
        private var values: [String] { arguments.first == "--" ? Array(arguments.dropFirst()) : arguments }

        @Option(
            name: .customLong("by"), parsing: .unconditional,
            help: ArgumentHelp("Change the volume by this many dB, e.g. -3dB or +3dB.", valueName: "dB"))
        var relative: String?

        @Flag(help: "Print the volume as the control protocol's JSON object.")
        var json = false

        func validate() throws {
            _ = try change()
        }

        func run() async throws {
            let change = try change()
            let volume = try withDaemon(daemon) { connection throws(CLIFailure) in
                guard let change else {
                    let reply = try connection.ask(.status)
                    guard case .status(let status) = reply else { throw connection.unexpected(reply, to: "status") }
                    return status.volume
                }
                let reply = try connection.ask(.volume(change))
                guard case .volume(let volume) = reply else { throw connection.unexpected(reply, to: "volume") }
                return volume
            }
            print(json ? ReportText.json(volume) : ReportText.volume(volume))
        }

        /// The change the arguments ask for; nil to print the volume.
        private func change() throws(ValidationError) -> VolumeChange? {
            guard values.count <= 1 else {
                throw ValidationError("give one volume value, not \(values.count) ('\(values.joined(separator: "' '"))'); \(VolumeArgument.forms)")
            }
            if let relative {
                guard values.isEmpty else {
                    throw ValidationError("give a volume value or --by, not both ('\(values[0])' and --by \(relative))")
                }
                return .relativeDB(try VolumeArgument.relativeDB(relative))
            }
            return try values.first.map { value throws(ValidationError) in try VolumeArgument.parse(value) }
        }
    }
}

/// A volume as written on the command line. Every form is unambiguous: a leading `+` means
/// louder, a gain without one is absolute (and so never above 0 dB), a bare number is a percent.
enum VolumeArgument {
    static let forms = "the forms are 40% or 40 (percent, 0 to 100), -12dB (a gain, at most 0 dB), +3dB (louder), up, down, or --by -3dB (quieter)"

    static func parse(_ text: String) throws(ValidationError) -> VolumeChange {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let step = VolumeStep(rawValue: value) { return .step(step) }
        if value.hasSuffix("db") {
            let number = String(value.dropLast(2)).trimmingCharacters(in: .whitespaces)
            guard let gainDB = decimal(number) else { throw invalid(text, "the part before dB is not a number") }
            if number.hasPrefix("+") { return .relativeDB(gainDB) }
            guard gainDB <= 0 else {
                throw invalid(text, "a gain above 0 dB is not possible (0 dB is full volume); for \(number) dB louder write +\(number)dB")
            }
            return .gainDB(gainDB)
        }
        let isPercent = value.hasSuffix("%")
        let number = isPercent ? String(value.dropLast()).trimmingCharacters(in: .whitespaces) : value
        guard let percent = decimal(number) else {
            if value.hasPrefix("-") {
                throw invalid(text, "it is neither a gain in dB nor an option of 'auxchain volume' (see --help)")
            }
            throw invalid(text, "not a percent, a gain in dB, up or down")
        }
        if number.hasPrefix("+") || number.hasPrefix("-") {
            let digits = number.dropFirst()
            throw invalid(
                text,
                number.hasPrefix("-") && !isPercent
                    ? "a percent is never negative; for a gain write \(number)dB, for quieter write --by \(number)dB"
                    : "percent changes are not relative; write a percent such as \(digits)%, or change by dB: --by \(number.first!)\(digits)dB")
        }
        guard (0...100).contains(percent) else { throw invalid(text, "a percent is within 0 to 100") }
        return .percent(percent)
    }

    /// The dB of `--by`: `-3dB`, `+3dB`, `3dB`, or the number alone.
    static func relativeDB(_ text: String) throws(ValidationError) -> Double {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        let number = value.hasSuffix("db") ? String(value.dropLast(2)).trimmingCharacters(in: .whitespaces) : value
        guard let deltaDB = decimal(number) else {
            throw ValidationError("--by '\(text)' is not a change in dB; write e.g. --by -3dB (quieter) or --by +3dB (louder)")
        }
        return deltaDB
    }

    /// A plain decimal with an optional sign: no exponent, hex, infinity or NaN.
    private static func decimal(_ text: String) -> Double? {
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits != ".", digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            digits.filter({ $0 == "." }).count <= 1
        else { return nil }
        return Double(text)
    }

    private static func invalid(_ text: String, _ why: String) -> ValidationError {
        ValidationError("'\(text)' is not a volume: \(why); \(forms)")
    }
}

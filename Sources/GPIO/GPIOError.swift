/// A GPIO failure: what went wrong, what was being done, on which chip and line.
/// Its description is written for the person who has to fix it.
public struct GPIOError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// No chip matched `[gpio] chip`.
        case chipNotFound(ChipSelector, present: [ChipInfo], unreadable: [UnreadableChip])
        /// The chip device exists but this user may not open it.
        case permissionDenied(path: String)
        /// The path is not a GPIO character device.
        case notAGPIOChip(path: String)
        case lineOutOfRange(LineOffset, lineCount: Int)
        case lineNameNotFound(String)
        /// Someone else holds the line; `consumer` is the name they gave, if any.
        case lineBusy(LineOffset, consumer: String?)
        /// The line request was already released.
        case released
        case system(Errno)
    }

    /// What was being done when the failure happened.
    public enum Operation: Hashable, Sendable {
        case listChips
        case findChip
        case openChip
        case readChipInfo
        case readLineInfo
        case findLine
        case requestOutput
        case requestInput
        case setValue
        case readValue
        case readEvent

        func phrase(chip: String, line: String) -> String {
            switch self {
            case .listChips: "listing GPIO chips in \(chip)"
            case .findChip: "finding the GPIO chip"
            case .openChip: "opening GPIO chip \(chip)"
            case .readChipInfo: "reading the info of GPIO chip \(chip)"
            case .readLineInfo: "reading the info of GPIO line \(line) on \(chip)"
            case .findLine: "finding GPIO line \(line) on \(chip)"
            case .requestOutput: "requesting GPIO line \(line) on \(chip) as an output"
            case .requestInput: "requesting GPIO line \(line) on \(chip) as an input"
            case .setValue: "setting GPIO line \(line) on \(chip)"
            case .readValue: "reading GPIO line \(line) on \(chip)"
            case .readEvent: "reading the events of GPIO line \(line) on \(chip)"
            }
        }
    }

    public var reason: Reason
    public var operation: Operation
    /// The chip as people see it ("gpiochip0 [pinctrl-bcm2711]"), or its path before it is open.
    public var chip: String?
    public var line: LineSelector?

    public init(_ reason: Reason, operation: Operation, chip: String? = nil, line: LineSelector? = nil) {
        self.reason = reason
        self.operation = operation
        self.chip = chip
        self.line = line
    }

    /// The error number behind the failure, when the system reported one.
    public var errno: Errno? {
        switch reason {
        case .system(let errno): errno
        case .permissionDenied: .permissionDenied
        case .lineBusy: .resourceBusy
        case .lineOutOfRange: .invalidArgument
        case .lineNameNotFound: .noSuchFileOrDirectory
        case .chipNotFound, .notAGPIOChip, .released: nil
        }
    }

    public var description: String {
        let chipText = chip ?? "the GPIO chip"
        let lineText = line?.description ?? "?"
        switch reason {
        case .chipNotFound(let selector, let present, let unreadable):
            var parts = ["GPIO chip \(selector) not found"]
            if !present.isEmpty {
                parts.append(
                    "chips present: "
                        + present.map { "\($0.name) [\($0.label)] (\($0.lineCount) lines)" }.joined(separator: ", "))
            }
            for chip in unreadable {
                let denied = chip.error == .permissionDenied || chip.error == .notPermitted
                parts.append("could not open \(chip.path): \(chip.error)" + (denied ? " (\(Self.permissionFix))" : ""))
            }
            if present.isEmpty && unreadable.isEmpty {
                parts.append("this machine has no /dev/gpiochip* devices (without GPIO hardware, run with --simulate)")
            }
            if !present.isEmpty {
                parts.append("set [gpio] chip to one of them (a path, name or label)")
            }
            return parts.joined(separator: "; ")
        case .permissionDenied(let path):
            return "GPIO: permission denied opening \(path); \(Self.permissionFix)"
        case .notAGPIOChip(let path):
            return "GPIO: \(path) is not a GPIO chip; set [gpio] chip to a /dev/gpiochip* path, a chip name "
                + "or a label (`auxchain devices` lists them)"
        case .lineOutOfRange(let offset, let lineCount):
            return "GPIO line \(offset) is out of range on \(chipText), which has lines 0-\(lineCount - 1); "
                + "use the line's offset (the BCM number on a Raspberry Pi) or its name"
        case .lineNameNotFound(let name):
            return "GPIO line '\(name)' not found on \(chipText); `auxchain devices` lists the line names, "
                + "or give the line's offset (the BCM number on a Raspberry Pi)"
        case .lineBusy(let offset, let consumer):
            let holder = consumer.map { "'\($0)'" } ?? "another program or the kernel"
            return "GPIO line \(offset) on \(chipText) is in use by \(holder); stop whatever holds it "
                + "(`auxchain devices` shows each line's user) or choose another line"
        case .released:
            return "GPIO: \(operation.phrase(chip: chipText, line: lineText)) failed: the line was already "
                + "released; request it again"
        case .system(let errno):
            return "GPIO: \(operation.phrase(chip: chipText, line: lineText)) failed: \(errno)"
        }
    }

    static let permissionFix =
        "add the user that runs auxchain to group 'gpio' (Raspberry Pi OS has one) or install the project's "
        + "udev rule from udev/, then log in again or restart the service"
}

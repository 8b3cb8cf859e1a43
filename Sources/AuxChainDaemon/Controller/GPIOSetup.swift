import AuxChainCore
import GPIO

/// Opens the GPIO chip and requests the lines the config names.
enum GPIOSetup {
    static func selector(_ line: LineReference) -> LineSelector {
        switch line {
        case .offset(let offset): .offset(LineOffset(rawValue: UInt32(offset)))
        case .name(let name): .name(name)
        }
    }

    /// The chip the config's lines live on, or nil when no line is configured.
    static func openChip(_ config: AuxChainConfig) throws(DaemonError) -> (any GPIOChip)? {
        guard config.power.relay != nil || config.inputs.trigger != nil || !config.inputs.buttons.isEmpty || config.attenuator != .none,
              let chip = config.gpio.resolvedChip
        else { return nil }
        do {
            return try CharacterDeviceChip.open(ChipSelector(chip))
        } catch {
            throw failure(error, setting: "[gpio] chip/board = \"\(chip)\"")
        }
    }

    /// The speaker relay, requested at its safe value (off) so it cannot glitch on at start.
    static func requestRelay(_ settings: OutputLineSettings, on chip: any GPIOChip) throws(DaemonError) -> any OutputLine {
        do {
            return try chip.requestOutput(
                selector(settings.line),
                OutputLineConfig(consumer: "auxchain speaker relay", initialValue: .inactive, activeLow: settings.activeLow))
        } catch {
            throw failure(error, setting: "power.relay.line = \(settings.line)")
        }
    }

    /// A refused chip needs the user's groups fixed (EX_NOPERM), a line another process holds
    /// that process stopped (EX_UNAVAILABLE), anything else the config.
    static func failure(_ error: GPIOError, setting: String) -> DaemonError {
        let message = "\(error) (from \(setting))"
        if error.deniesPermission { return .permissionDenied(message) }
        if case .lineBusy = error.reason { return .unavailable(message) }
        return .configuration(message)
    }
}

extension GPIOError {
    /// The chip is there but this user may not open it. A chip looked up by name or label that
    /// was not found counts when some chip refused to be opened: it may be the one wanted.
    var deniesPermission: Bool {
        switch reason {
        case .permissionDenied:
            true
        case .chipNotFound(_, _, let unreadable):
            unreadable.contains { $0.error == .permissionDenied || $0.error == .notPermitted }
        default:
            false
        }
    }
}

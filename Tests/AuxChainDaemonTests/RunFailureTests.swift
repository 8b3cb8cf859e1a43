import GPIO
import Glibc
import Testing

@testable import AuxChainDaemon

/// Which failures at start are the user's groups (EX_NOPERM), another daemon (EX_UNAVAILABLE) or
/// the config (EX_CONFIG): `auxchain run` exits with the code, and systemd restarts on none of them.
@Suite struct RunFailureTests {
    private func kind(_ error: DaemonError) -> String {
        switch error {
        case .configuration: "configuration"
        case .permissionDenied: "permissionDenied"
        case .unavailable: "unavailable"
        case .failure: "failure"
        }
    }

    @Test("a GPIO chip this user may not open is a permission problem, named with the setting")
    func gpioPermission() {
        let refused = GPIOError(.permissionDenied(path: "/dev/gpiochip0"), operation: .openChip, chip: "/dev/gpiochip0")
        let error = GPIOSetup.failure(refused, setting: "[gpio] chip/board = \"/dev/gpiochip0\"")
        #expect(kind(error) == "permissionDenied")
        #expect(error.description.contains("/dev/gpiochip0"))
        #expect(error.description.contains("group 'gpio'"))
    }

    @Test("a chip label not found while some chip refused to open is a permission problem, a line another holds is unavailable; otherwise the config's")
    func gpioLabelLookup() {
        let hidden = GPIOError(
            .chipNotFound(.label("pinctrl-bcm2711"), present: [], unreadable: [UnreadableChip(path: "/dev/gpiochip0", error: .permissionDenied)]),
            operation: .findChip)
        #expect(kind(GPIOSetup.failure(hidden, setting: "[gpio] board = \"pi4\"")) == "permissionDenied")
        let absent = GPIOError(.chipNotFound(.label("pinctrl-bcm2711"), present: [], unreadable: []), operation: .findChip)
        #expect(kind(GPIOSetup.failure(absent, setting: "[gpio] board = \"pi4\"")) == "configuration")
        let busy = GPIOError(.lineBusy(LineOffset(rawValue: 17), consumer: "gpio-fan"), operation: .requestOutput)
        // Held by another process (a daemon still stopping, gpioset) or a kernel driver: the
        // holder must let go; systemd may retry, which it does not for a config error.
        #expect(kind(GPIOSetup.failure(busy, setting: "power.relay.line = 17")) == "unavailable")
    }

    @Test("a control socket another daemon answers on is EX_UNAVAILABLE; a folder or group this user may not use is EX_NOPERM")
    func controlSocket() {
        let path = "/run/auxchain/control.sock"
        #expect(kind(DaemonError(ControlServerError(.alreadyRunning, socketPath: path))) == "unavailable")
        let denied = SystemError(call: "mkdir", subject: "/run/auxchain", errno: EACCES)
        #expect(kind(DaemonError(ControlServerError(.system(denied), socketPath: path))) == "permissionDenied")
        let chown = SystemError(call: "chown", subject: path, errno: EPERM)
        #expect(kind(DaemonError(ControlServerError(.cannotSetGroup("auxchain", chown), socketPath: path))) == "permissionDenied")
        #expect(kind(DaemonError(ControlServerError(.notAbsolute, socketPath: "control.sock"))) == "configuration")
        #expect(kind(DaemonError(ControlServerError(.groupNotFound("auxchain"), socketPath: path))) == "configuration")
    }
}

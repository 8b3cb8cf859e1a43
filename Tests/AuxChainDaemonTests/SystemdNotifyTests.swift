import Foundation
import Glibc
import Testing

@testable import AuxChainDaemon

/// The notifier against a real datagram socket bound here, the way systemd binds its own.
@Suite struct SystemdNotifyTests {
    /// A bound datagram socket that records what arrives.
    final class Listener {
        let fd: Int32
        let address: String

        init(address: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            self.address = address
            var unixAddress = try UnixAddress(address, call: "bind")
            let bound = unixAddress.withSockaddr { bind(fd, $0, $1) }
            try #require(bound == 0, "bind \(address): errno \(errno)")
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func receive() throws -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            try #require(count >= 0, "nothing arrived: errno \(errno)")
            return String(decoding: buffer[..<count], as: UTF8.self)
        }
    }

    static func temporaryDirectory() -> String {
        var template = Array("/tmp/auxchain-notify-XXXXXX".utf8CString)
        return String(cString: mkdtemp(&template)!)
    }

    @Test("ready, status, watchdog and stopping arrive as datagrams at a path socket")
    func sendsToPathSocket() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = try Listener(address: directory + "/notify")
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address]))

        try notifier.send([.ready, .status("Listening on /run/auxchain/control.sock")])
        #expect(try listener.receive() == "READY=1\nSTATUS=Listening on /run/auxchain/control.sock")
        try notifier.send(.watchdog)
        #expect(try listener.receive() == "WATCHDOG=1")
        try notifier.send([.reloading])
        #expect(try listener.receive() == "RELOADING=1")
        try notifier.send([.stopping, .status("Stopping")])
        #expect(try listener.receive() == "STOPPING=1\nSTATUS=Stopping")
        try notifier.send(.errno(19))
        #expect(try listener.receive() == "ERRNO=19")
    }

    @Test("an @ address reaches a socket in the abstract namespace")
    func sendsToAbstractSocket() throws {
        let name = "@auxchain-notify-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try Listener(address: name)
        try SystemdNotifier(socketAddress: name).send(.ready)
        #expect(try listener.receive() == "READY=1")
    }

    @Test("a status with newlines stays one assignment")
    func statusNewlinesBecomeSpaces() throws {
        #expect(NotifyState.status("capture lost\nwaiting").assignment == "STATUS=capture lost waiting")
    }

    @Test("no notifier without NOTIFY_SOCKET")
    func noSocketNoNotifier() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
    }

    @Test("sending to a socket nobody bound fails and names it")
    func missingSocketThrows() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/absent"
        do {
            try SystemdNotifier(socketAddress: path).send(.ready)
            Issue.record("sent to a missing socket")
        } catch {
            #expect(error.errno == ENOENT)
            #expect(error.description.contains(path))
        }
    }

    @Test("a path longer than a socket address holds is refused")
    func overlongAddressThrows() {
        #expect(throws: SystemError.self) {
            try SystemdNotifier(socketAddress: "/" + String(repeating: "x", count: 200)).send(.ready)
        }
    }

    @Test("the watchdog timeout comes from WATCHDOG_USEC when it is meant for this process")
    func watchdogTimeout() {
        #expect(SystemdNotifier.watchdogTimeout(environment: ["WATCHDOG_USEC": "10000000"]) == .seconds(10))
        #expect(SystemdNotifier.watchdogTimeout(environment: ["WATCHDOG_USEC": "2500"]) == .microseconds(2500))
        #expect(SystemdNotifier.watchdogTimeout(
            environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "\(getpid())"]) == .seconds(10))
        #expect(SystemdNotifier.watchdogTimeout(
            environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"], processID: 4242) == nil)
        #expect(SystemdNotifier.watchdogTimeout(environment: [:]) == nil)
        #expect(SystemdNotifier.watchdogTimeout(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(SystemdNotifier.watchdogTimeout(environment: ["WATCHDOG_USEC": "ten"]) == nil)
    }
}

@Suite struct SystemdWatchdogTests {
    @Test("progress is checked four times per watchdog timeout, so one late check still pings in time")
    func checkedAtAQuarterOfTheTimeout() {
        #expect(SystemdService.checkInterval(watchdogTimeout: .seconds(10)) == .milliseconds(2500))
        #expect(SystemdService.checkInterval(watchdogTimeout: .milliseconds(400)) == .milliseconds(100))
    }
}

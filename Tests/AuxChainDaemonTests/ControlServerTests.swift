import AuxChainCore
import Dispatch
import Foundation
import Glibc
import Logging
import Testing

@testable import AuxChainDaemon

/// The server over real Unix sockets in a temporary directory.
@Suite(.serialized) struct ControlServerTests {
    @Test("every command gets its reply, and the handler sees who asked")
    func commandsAndReplies() async throws {
        let fixture = try ServerFixture()
        try await onThread {
            let client = try fixture.connect()
            #expect(try client.request(.command(.status)) == .reply(.status(RecordingHandler.status)))
            #expect(try client.request(.command(.volume(.percent(50)))) == .reply(.volume(
                VolumeReport(percent: 50, gainDB: -30, capDB: 0, muted: false))))
            #expect(try client.request(.command(.mute)) == .reply(.volume(
                VolumeReport(percent: 40, gainDB: -24, capDB: 0, muted: true))))
            #expect(try client.request(.command(.unmute)) == .reply(.volume(
                VolumeReport(percent: 40, gainDB: -24, capDB: 0, muted: false))))
            #expect(try client.request(.command(.power(.on))) == .reply(.power(
                PowerReport(mode: .on, state: .warming, triggerHoldingOn: false))))
            #expect(try client.request(.command(.levels)) == .reply(.levels(RecordingHandler.status.levels)))
            #expect(try client.request(.command(.volume(.step(.up)))) == .reply(.failure(
                ControlFailure(code: .unavailable, message: "only percent in this test"))))
        }
        #expect(fixture.handler.commands == [
            .status, .volume(.percent(50)), .mute, .unmute, .power(.on), .levels, .volume(.step(.up)),
        ])
        let client = try #require(fixture.handler.clients.first)
        #expect(client.credentials.userID == getuid())
        #expect(client.credentials.processID == getpid())
    }

    @Test("the socket is made with mode 0660 and the control group")
    func socketModeAndGroup() throws {
        let group = try #require(["audio", "daemon", "nogroup", "root"].lazy.compactMap(ControlGroup.lookup).first)
        let fixture = try ServerFixture(group: group.name)
        var status = stat()
        #expect(stat(fixture.socketPath, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFSOCK)
        #expect(status.st_mode & 0o7777 == 0o660)
        #expect(status.st_gid == group.id)
        #expect(status.st_uid == geteuid())
    }

    @Test("without a control group the socket is private to the daemon's user")
    func noGroupMeansPrivate() throws {
        let fixture = try ServerFixture(group: nil)
        var status = stat()
        #expect(stat(fixture.socketPath, &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o600)
    }

    @Test("malformed JSON gets an error reply and the same connection then works")
    func malformedThenValid() async throws {
        let fixture = try ServerFixture()
        try await onThread {
            let client = try fixture.connect()
            try client.send("{\"cmd\": \"status\"\n")
            guard case .failure(let failure) = try client.readReply() else { throw ClientError(description: "not a failure") }
            #expect(failure.code == .malformedJSON)
            #expect(failure.message.contains("commands: status, volume"))
            try client.send("{\"cmd\":\"reboot\"}\n")
            guard case .failure(let unknown) = try client.readReply() else { throw ClientError(description: "not a failure") }
            #expect(unknown.code == .unknownCommand)
            #expect(try client.request(.command(.status)) == .reply(.status(RecordingHandler.status)))
        }
    }

    @Test("an oversized line gets line_too_long, is discarded to its newline, and the connection goes on")
    func oversizedLine() async throws {
        let fixture = try ServerFixture()
        try await onThread {
            let client = try fixture.connect()
            // Sent in pieces, so the server sees the line grow past the limit across reads.
            let long = Array(repeating: UInt8(ascii: "x"), count: 3000)
            for _ in 0..<10 { try client.send(long) }
            try client.send("\n{\"cmd\":\"levels\"}\n")
            guard case .failure(let failure) = try client.readReply() else { throw ClientError(description: "not a failure") }
            #expect(failure.code == .lineTooLong)
            #expect(failure.message.contains("4096 bytes"))
            #expect(try client.readMessage() == .reply(.levels(RecordingHandler.status.levels)))
            // Exactly the limit is still a line (here: valid JSON padded with spaces).
            let padded = "{\"cmd\":\"status\"}" + String(repeating: " ", count: ControlCodec.maximumLineBytes - 16)
            #expect(padded.utf8.count == ControlCodec.maximumLineBytes)
            try client.send(padded + "\n")
            #expect(try client.readMessage() == .reply(.status(RecordingHandler.status)))
        }
    }

    @Test("10 000 junk messages each get an error reply, and the server still answers")
    func junkFlood() async throws {
        let fixture = try ServerFixture()
        let junk: [String] = [
            "garbage", "{\"cmd\":\"nope\"}", "{\"cmd\":5}", "[]", "{\"cmd\":\"volume\",\"set\":{}}",
            "{\"cmd\":\"power\",\"mode\":\"loud\"}", "\u{1}\u{2}\u{3}", "{\"cmd\":\"status\",\"x\":1}",
            String(repeating: "y", count: 5000), "{{{{", "\"cmd\"", "null",
        ]
        let count = 10_000
        let codes = try await onThread {
            let client = try fixture.connect()
            // Written from another thread while this one reads, as a real flood would be.
            let written = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                var batch: [UInt8] = []
                for index in 0..<count {
                    batch += Array(junk[index % junk.count].utf8) + [UInt8(ascii: "\n")]
                    if batch.count > 32 * 1024 || index == count - 1 {
                        try? client.send(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                written.signal()
            }
            var codes: [ControlErrorCode: Int] = [:]
            for _ in 0..<count {
                guard case .failure(let failure) = try client.readReply() else { throw ClientError(description: "junk got ok") }
                codes[failure.code, default: 0] += 1
            }
            written.wait()
            #expect(try client.request(.command(.status)) == .reply(.status(RecordingHandler.status)))
            #expect(try fixture.connect().request(.command(.levels)) == .reply(.levels(RecordingHandler.status.levels)))
            return codes
        }
        #expect(codes.values.reduce(0, +) == count)
        #expect(codes[.malformedJSON, default: 0] > 0)
        #expect(codes[.lineTooLong, default: 0] == count / junk.count + (count % junk.count > 8 ? 1 : 0))
        #expect(fixture.handler.commands.count == 2)
    }

    @Test("requests sent together are answered in order, even behind a slow reply")
    func pipelinedRequestsKeepOrder() async throws {
        let fixture = try ServerFixture(handler: RecordingHandler(slowLevels: .milliseconds(300)))
        try await onThread {
            let client = try fixture.connect()
            try client.send("{\"cmd\":\"levels\"}\n{\"cmd\":\"status\"}\nnot json\n{\"cmd\":\"mute\"}\n")
            #expect(try client.readMessage() == .reply(.levels(RecordingHandler.status.levels)))
            #expect(try client.readMessage() == .reply(.status(RecordingHandler.status)))
            guard case .reply(.failure) = try client.readMessage() else { throw ClientError(description: "not a failure") }
            #expect(try client.readMessage() == .reply(.volume(VolumeReport(percent: 40, gainDB: -24, capDB: 0, muted: true))))
        }
    }

    @Test("a slow command for one client does not hold up another")
    func slowHandlerDoesNotBlockOthers() async throws {
        let fixture = try ServerFixture(handler: RecordingHandler(slowLevels: .seconds(3)))
        try await onThread {
            let slow = try fixture.connect()
            try slow.send(ControlCodec.encodeRequest(.command(.levels)))
            let started = ContinuousClock.now
            #expect(try fixture.connect().request(.command(.status)) == .reply(.status(RecordingHandler.status)))
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(try slow.readMessage() == .reply(.levels(RecordingHandler.status.levels)))
        }
    }

    @Test("a client that sends its requests and shuts its side still gets the replies")
    func halfClosedClientGetsReplies() async throws {
        let fixture = try ServerFixture()
        try await onThread {
            let client = try fixture.connect()
            try client.send("{\"cmd\":\"status\"}\n{\"cmd\":\"unmute\"}")
            client.shutdownSending()
            #expect(try client.readMessage() == .reply(.status(RecordingHandler.status)))
            #expect(try client.readMessage() == .reply(.volume(VolumeReport(percent: 40, gainDB: -24, capDB: 0, muted: false))))
            #expect(try client.readLine() == nil)
        }
    }

    @Test("subscribers get broadcast events; other clients do not")
    func subscribersGetEvents() async throws {
        let fixture = try ServerFixture()
        let (subscriber, bystander) = try await onThread {
            let subscriber = try fixture.connect()
            #expect(try subscriber.request(.subscribe(levelsHz: 0)) == .reply(.subscribed(levelsHz: 0)))
            return (subscriber, try fixture.connect())
        }
        fixture.server.broadcast(.signal(present: true))
        fixture.server.broadcast(.power(PowerReport(mode: .auto, state: .warming, triggerHoldingOn: false)))
        fixture.server.publishLevels(LevelsReport(channels: [], signal: true))
        try await onThread { () throws in
            #expect(try subscriber.readMessage() == .event(.signal(present: true)))
            #expect(try subscriber.readMessage() == .event(.power(PowerReport(mode: .auto, state: .warming, triggerHoldingOn: false))))
            #expect(try bystander.request(.command(.status)) == .reply(.status(RecordingHandler.status)))
            // The subscriber's next line is the reply: no levels were sent to it at 0 Hz.
            #expect(try subscriber.request(.command(.unmute)) == .reply(.volume(
                VolumeReport(percent: 40, gainDB: -24, capDB: 0, muted: false))))
        }
    }

    @Test("levels reach a subscriber at most at its rate")
    func levelsAreThrottled() async throws {
        let fixture = try ServerFixture()
        let subscriber = try await onThread {
            let subscriber = try fixture.connect()
            #expect(try subscriber.request(.subscribe(levelsHz: 10)) == .reply(.subscribed(levelsHz: 10)))
            return subscriber
        }
        try await waitUntil { fixture.server.statistics.requestedLevelsHz == 10 }
        let levels = LevelsReport(channels: [ChannelLevel(peakDBFS: -6, rmsDBFS: -12)], signal: true)
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(1) {
            fixture.server.publishLevels(levels)
            try await Task.sleep(for: .milliseconds(5))
        }
        fixture.server.broadcast(.signal(present: false))
        let received = try await onThread {
            var received = 0
            while case .event(let event) = try subscriber.readMessage() {
                if event == .signal(present: false) { break }
                #expect(event == .levels(levels))
                received += 1
            }
            return received
        }
        // 10 Hz for one second; the 10 % slack and scheduling allow one or two more or fewer.
        #expect((5...12).contains(received), "received \(received) level events")
    }

    @Test("a subscriber that never reads is dropped from, never waited for")
    func stuckSubscriberDoesNotBlockOthers() async throws {
        var limits = ControlServerLimits()
        limits.outputBufferBytes = 16 * 1024
        let fixture = try ServerFixture(limits: limits)
        let (stuck, other) = try await onThread {
            let stuck = try fixture.connect()
            #expect(try stuck.request(.subscribe(levelsHz: 50)) == .reply(.subscribed(levelsHz: 50)))
            return (stuck, try fixture.connect())
        }
        let events = 20_000
        for total in 1...events {
            fixture.server.broadcast(.xrun(total: UInt64(total)))
            if total % 250 == 0 {
                try await Task.sleep(for: .milliseconds(1))
                let started = ContinuousClock.now
                try await onThread { () throws in
                    #expect(try other.request(.command(.status)) == .reply(.status(RecordingHandler.status)))
                }
                #expect(ContinuousClock.now - started < .seconds(2))
            }
        }
        let statistics = fixture.server.statistics
        #expect(statistics.droppedEvents > 0)
        #expect(statistics.largestBacklogBytes <= limits.outputBufferBytes + 1024)

        // Once it reads, it gets what fitted, in order, and is told how many it missed.
        let (received, dropped) = try await onThread {
            var received = 0
            var dropped: UInt64 = 0
            var last: UInt64 = 0
            while UInt64(received) + dropped < UInt64(events) {
                switch try stuck.readMessage() {
                case .event(.xrun(let total)):
                    #expect(total > last)
                    last = total
                    received += 1
                case .event(.dropped(let count)):
                    dropped += count
                default:
                    throw ClientError(description: "unexpected message")
                }
            }
            return (received, dropped)
        }
        #expect(received > 0)
        #expect(dropped > 0)
        #expect(UInt64(received) + dropped == UInt64(events))
    }

    @Test("more clients than the limit get too_many_clients and are closed")
    func tooManyClients() async throws {
        var limits = ControlServerLimits()
        limits.maximumClients = 2
        let fixture = try ServerFixture(limits: limits)
        try await onThread {
            let first = try fixture.connect()
            let second = try fixture.connect()
            #expect(try first.request(.command(.status)).isOK)
            #expect(try second.request(.command(.status)).isOK)
            let third = try fixture.connect()
            guard case .failure(let failure) = try third.readReply() else { throw ClientError(description: "admitted") }
            #expect(failure.code == .tooManyClients)
            #expect(try third.readLine() == nil)
        }
        #expect(fixture.server.statistics.refusedConnections == 1)
    }

    // MARK: idle clients: a short timeout stands in for the 60 s default

    private func idleLimits(clients: Int = 32) -> ControlServerLimits {
        var limits = ControlServerLimits()
        limits.maximumClients = clients
        limits.idleTimeout = .milliseconds(300)
        return limits
    }

    @Test("the default limits: 32 clients, closed after 60 s of silence")
    func defaultLimits() {
        #expect(ControlServerLimits().maximumClients == 32)
        #expect(ControlServerLimits().idleTimeout == .seconds(60))
    }

    @Test("a client silent for the idle timeout is told so and closed, and its slot is free again")
    func idleClientClosed() async throws {
        let fixture = try ServerFixture(limits: idleLimits(clients: 1))
        try await onThread {
            let started = ContinuousClock.now
            let silent = try fixture.connect()
            #expect(try silent.request(.command(.status)).isOK)
            // It holds the only slot...
            let turnedAway = try fixture.connect()
            guard case .failure(let full) = try turnedAway.readReply() else { throw ClientError(description: "admitted") }
            #expect(full.code == .tooManyClients)

            // ...until it has said nothing for 300 ms.
            guard case .failure(let idle) = try silent.readReply() else { throw ClientError(description: "no idle reply") }
            #expect(idle.code == .idleTimeout)
            #expect(idle.message.contains("send one at least that often, or subscribe"))
            #expect(try silent.readLine() == nil)
            #expect(ContinuousClock.now - started >= .milliseconds(300))

            let next = try fixture.connect()
            #expect(try next.request(.command(.status)).isOK)
        }
        #expect(fixture.server.statistics.idleDisconnections == 1)
    }

    @Test("a client that keeps asking, a subscriber that only listens, and a slow answer are never idle")
    func activeClientsStay() async throws {
        let fixture = try ServerFixture(handler: RecordingHandler(slowLevels: .milliseconds(600)), limits: idleLimits())
        let subscriber = try await onThread {
            let subscriber = try fixture.connect()
            #expect(try subscriber.request(.subscribe(levelsHz: 0)) == .reply(.subscribed(levelsHz: 0)))
            return subscriber
        }
        try await onThread {
            // Closed at the end of this block, before it could fall idle.
            do {
                let talker = try fixture.connect()
                for _ in 0..<6 {
                    #expect(try talker.request(.command(.status)).isOK)
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
            // Twice the idle timeout waiting for the daemon, then the answer itself.
            let patient = try fixture.connect()
            #expect(try patient.request(.command(.levels)) == .reply(.levels(RecordingHandler.status.levels)))
        }
        fixture.server.broadcast(.signal(present: true))
        try await onThread { () throws in
            #expect(try subscriber.readMessage() == .event(.signal(present: true)))
        }
        #expect(fixture.server.statistics.idleDisconnections == 0)
    }

    @Test("a stale socket file is replaced")
    func staleSocketReplaced() throws {
        var template = Array("/tmp/auxchain-control-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/control.sock"
        let dead = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = try UnixAddress(path, call: "bind")
        #expect(address.withSockaddr { bind(dead, $0, $1) } == 0)
        close(dead)
        #expect(access(path, F_OK) == 0)

        let server = try ControlServer(socketPath: path, group: nil, handler: RecordingHandler(), logger: quietLogger)
        defer { server.close() }
        #expect(try LineClient(path: path).request(.command(.status)).isOK)
    }

    @Test("a second server on a live socket is refused and the first keeps serving")
    func liveSocketRefused() throws {
        let fixture = try ServerFixture()
        do {
            let second = try ControlServer(
                socketPath: fixture.socketPath, group: "root", handler: RecordingHandler(), logger: quietLogger)
            second.close()
            Issue.record("a second server started")
        } catch {
            #expect(error.reason == .alreadyRunning)
            #expect(error.description.contains("another auxchain daemon is listening on \(fixture.socketPath)"))
        }
        #expect(try fixture.connect().request(.command(.status)).isOK)
    }

    @Test("something that is not a socket in the way is left alone and named")
    func notASocketRefused() throws {
        var template = Array("/tmp/auxchain-control-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/control.sock"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ControlServerError(.notASocket, socketPath: path)) {
            try ControlServer(socketPath: path, group: nil, handler: RecordingHandler(), logger: quietLogger)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test("a missing group is an error that names it and the fix")
    func missingGroup() throws {
        var template = Array("/tmp/auxchain-control-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/control.sock"
        do {
            _ = try ControlServer(socketPath: path, group: "auxchain-test-absent", handler: RecordingHandler(), logger: quietLogger)
            Issue.record("started without the group")
        } catch {
            #expect(error.reason == .groupNotFound("auxchain-test-absent"))
            #expect(error.description.contains("groupadd --system auxchain-test-absent"))
        }
        #expect(access(path, F_OK) != 0)
    }

    @Test("relative and overlong socket paths are refused")
    func badPaths() {
        #expect(throws: ControlServerError(.notAbsolute, socketPath: "control.sock")) {
            try ControlServer(socketPath: "control.sock", group: nil, handler: RecordingHandler(), logger: quietLogger)
        }
        let long = "/tmp/" + String(repeating: "x", count: 120)
        #expect(throws: ControlServerError(.pathTooLong(limit: 107), socketPath: long)) {
            try ControlServer(socketPath: long, group: nil, handler: RecordingHandler(), logger: quietLogger)
        }
        // `config check` refuses exactly what the server would.
        #expect(UnixAddress.capacity - 1 == ControlSettings.maximumSocketPathBytes)
    }

    @Test("closing removes the socket file, once, and only if it is still this server's")
    func closeRemovesOwnSocketOnly() throws {
        let first = try ServerFixture()
        first.server.close()
        first.server.close()
        #expect(access(first.socketPath, F_OK) != 0)
        #expect(throws: ClientError.self) { try first.connect() }

        let old = try ServerFixture()
        unlink(old.socketPath)
        let replacement = try ControlServer(
            socketPath: old.socketPath, group: "root", handler: RecordingHandler(), logger: quietLogger)
        defer { replacement.close() }
        old.server.close()
        #expect(try LineClient(path: old.socketPath).request(.command(.status)).isOK)
    }
}

/// Polls a condition the server's thread updates.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let started = ContinuousClock.now
    while !condition() {
        try #require(ContinuousClock.now - started < timeout, "condition not met in time")
        try await Task.sleep(for: .milliseconds(5))
    }
}

extension ControlMessage {
    var isOK: Bool {
        if case .reply(let reply) = self { return reply.isOK }
        return false
    }
}

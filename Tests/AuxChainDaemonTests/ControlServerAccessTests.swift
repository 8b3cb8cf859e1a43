import AuxChainCore
import Foundation
import Glibc
import Logging
import Testing

@testable import AuxChainDaemon

@Suite struct ControlServerAccessTests {
    static let group = ControlGroup(name: "auxchain", id: 990)
    static let policy = ControlAccessPolicy(daemonUserID: 991, group: group)

    static func peer(uid: UInt32, gid: UInt32, groups: [UInt32] = []) -> PeerCredentials {
        PeerCredentials(processID: 1234, userID: uid, groupID: gid, supplementaryGroupIDs: groups)
    }

    /// An account lookup that must not happen: an admitted client costs none.
    static func noLookup() -> String? {
        Issue.record("the account was looked up for a client that is let in")
        return nil
    }

    @Test("root is allowed whatever its groups")
    func rootAllowed() {
        #expect(Self.policy.decide(Self.peer(uid: 0, gid: 0), userName: Self.noLookup) == .allowed)
        #expect(Self.policy.decide(Self.peer(uid: 0, gid: 5), userName: Self.noLookup) == .allowed)
    }

    @Test("the daemon's own user is allowed")
    func daemonUserAllowed() {
        #expect(Self.policy.decide(Self.peer(uid: 991, gid: 991), userName: Self.noLookup) == .allowed)
    }

    @Test("a peer whose primary group is the control group is allowed")
    func primaryGroupAllowed() {
        #expect(Self.policy.decide(Self.peer(uid: 1000, gid: 990), userName: Self.noLookup) == .allowed)
    }

    @Test("a peer whose process has the control group among its supplementary groups is allowed")
    func supplementaryGroupAllowed() {
        #expect(Self.policy.decide(Self.peer(uid: 1000, gid: 1000, groups: [1000, 29, 990, 997]), userName: Self.noLookup) == .allowed)
    }

    @Test("a peer whose process lacks the group is refused, whatever /etc/group says of its user")
    func processGroupsDecide() {
        // Added to the group in /etc/group since it logged in: its process is not a member yet,
        // so the kernel would not let it open a 0660 socket either.
        #expect(Self.policy.decide(Self.peer(uid: 1000, gid: 1000, groups: [1000, 29]), userName: { "pi" }) == .denied(
            "permission denied: uid 1000 is not in group auxchain; "
                + "add the user with 'usermod -aG auxchain pi' (it applies from the next login)"))
    }

    @Test("a uid without a passwd entry is refused with a placeholder for the user")
    func unknownUserRefused() {
        #expect(Self.policy.decide(Self.peer(uid: 4242, gid: 4242), userName: { nil }) == .denied(
            "permission denied: uid 4242 is not in group auxchain; "
                + "add the user with 'usermod -aG auxchain USER' (it applies from the next login)"))
    }

    @Test("without a control group only root and the daemon's user get in")
    func noGroupConfigured() {
        let policy = ControlAccessPolicy(daemonUserID: 991, group: nil)
        #expect(policy.decide(Self.peer(uid: 0, gid: 0), userName: Self.noLookup) == .allowed)
        #expect(policy.decide(Self.peer(uid: 991, gid: 991), userName: Self.noLookup) == .allowed)
        guard case .denied(let message) = policy.decide(Self.peer(uid: 1000, gid: 990), userName: { "pi" }) else {
            Issue.record("allowed without a group")
            return
        }
        #expect(message.contains("uid 1000"))
        #expect(message.contains("set [control] group"))
    }

    @Test("users and groups come from the system's databases")
    func systemLookups() {
        #expect(SystemUsers.name(of: 0) == "root")
        #expect(SystemUsers.name(of: 65534) == "nobody")
        #expect(SystemUsers.name(of: 4_000_000_000) == nil)
        #expect(ControlGroup.lookup("root") == ControlGroup(name: "root", id: 0))
        #expect(ControlGroup.lookup("auxchain-test-absent") == nil)
    }

    // MARK: end to end, with a client that really runs as another user

    /// A client run as `nobody` by setpriv: connects, optionally sends a status request, prints
    /// the first line it gets (or the connect error).
    static let client = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(sys.argv[1])
        except OSError as error:
            print("connect failed:", error.strerror); sys.exit(0)
        if sys.argv[2] == "ask":
            s.sendall(b'{"cmd":"status"}\\n')
        data = b""
        while not data.endswith(b"\\n"):
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
        print(data.decode().strip())
        """

    static let canDropPrivileges = getuid() == 0
        && access("/usr/bin/setpriv", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0

    /// A server whose socket (mode 0660, group root) sits in a folder uid 65534 may enter: the
    /// folder from mkdtemp is 0700, which would keep nobody out before the socket's mode does.
    func serverNobodyCanReach() throws -> ServerFixture {
        let fixture = try ServerFixture(group: "root", socketName: "control.sock")
        #expect(chmod(fixture.directory, 0o755) == 0)
        return fixture
    }

    /// Runs the client as uid 65534 with the given gid and supplementary groups.
    func runAsNobody(gid: UInt32, groups: [UInt32] = [], socket: String, ask: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=\(gid)",
            groups.isEmpty ? "--clear-groups" : "--groups=" + groups.map(String.init).joined(separator: ","), "--",
            "/usr/bin/python3", "-c", Self.client, socket, ask ? "ask" : "listen",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "a real unprivileged client outside the group is refused with one error line",
        .enabled(if: canDropPrivileges, "needs root, /usr/bin/setpriv and /usr/bin/python3")
    )
    func unprivilegedClientRefused() async throws {
        let fixture = try serverNobodyCanReach()

        // The socket's mode already keeps it out...
        let blocked = try await onThread { try runAsNobody(gid: 65534, socket: fixture.socketPath, ask: true) }
        #expect(blocked == "connect failed: Permission denied")

        // ...and if that mode is loosened by hand, the credential check still refuses it.
        #expect(chmod(fixture.socketPath, 0o666) == 0)
        let refused = try await onThread { try runAsNobody(gid: 65534, socket: fixture.socketPath, ask: false) }
        let reply = try ControlCodec.decodeMessage(Array(refused.utf8))
        #expect(reply == .reply(.failure(ControlFailure(
            code: .permissionDenied,
            message: "permission denied: uid 65534 is not in group root; "
                + "add the user with 'usermod -aG root nobody' (it applies from the next login)"))))
        #expect(fixture.server.statistics.refusedConnections == 1)
        #expect(fixture.handler.commands.isEmpty)
    }

    @Test(
        "a real unprivileged client whose group is the control group is served",
        .enabled(if: canDropPrivileges, "needs root, /usr/bin/setpriv and /usr/bin/python3")
    )
    func unprivilegedClientInGroupServed() async throws {
        let fixture = try serverNobodyCanReach()
        let answer = try await onThread { try runAsNobody(gid: 0, socket: fixture.socketPath, ask: true) }
        #expect(try ControlCodec.decodeMessage(Array(answer.utf8)) == .reply(.status(RecordingHandler.status)))
        let client = try #require(fixture.handler.clients.first)
        #expect(client.credentials.userID == 65534)
        #expect(client.credentials.groupID == 0)
    }

    @Test(
        "a real unprivileged client with the control group among a hundred supplementary groups is served",
        .enabled(if: canDropPrivileges, "needs root, /usr/bin/setpriv and /usr/bin/python3")
    )
    func unprivilegedClientWithManyGroupsServed() async throws {
        let fixture = try serverNobodyCanReach()
        // More groups than the first SO_PEERGROUPS buffer holds, the control group last.
        let groups = Array(UInt32(70_000)..<UInt32(70_099)) + [0]
        let answer = try await onThread { try runAsNobody(gid: 65534, groups: groups, socket: fixture.socketPath, ask: true) }
        #expect(try ControlCodec.decodeMessage(Array(answer.utf8)) == .reply(.status(RecordingHandler.status)))
        let client = try #require(fixture.handler.clients.first)
        #expect(client.credentials.supplementaryGroupIDs.count == 100)
    }
}

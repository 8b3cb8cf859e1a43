import AuxChainCore
import Foundation
import Glibc
import Logging
import Testing

@testable import AuxChainDaemon

@Suite struct ControlServerAccessTests {
    static let group = ControlGroup(name: "auxchain", id: 990)
    static let policy = ControlAccessPolicy(daemonUserID: 991, group: group)

    static func peer(uid: UInt32, gid: UInt32) -> PeerCredentials {
        PeerCredentials(processID: 1234, userID: uid, groupID: gid)
    }

    @Test("root is allowed whatever its groups")
    func rootAllowed() {
        #expect(Self.policy.decide(Self.peer(uid: 0, gid: 0), account: nil) == .allowed)
        #expect(Self.policy.decide(Self.peer(uid: 0, gid: 5), account: PeerAccount(userName: "root", groupIDs: [0])) == .allowed)
    }

    @Test("the daemon's own user is allowed")
    func daemonUserAllowed() {
        #expect(Self.policy.decide(Self.peer(uid: 991, gid: 991), account: nil) == .allowed)
    }

    @Test("a peer whose primary group is the control group is allowed")
    func primaryGroupAllowed() {
        #expect(Self.policy.decide(Self.peer(uid: 1000, gid: 990), account: PeerAccount(userName: "pi", groupIDs: [990])) == .allowed)
        #expect(Self.policy.decide(Self.peer(uid: 1000, gid: 990), account: nil) == .allowed)
    }

    @Test("a user with the control group among its supplementary groups is allowed")
    func supplementaryGroupAllowed() {
        let account = PeerAccount(userName: "pi", groupIDs: [1000, 29, 990, 997])
        #expect(Self.policy.decide(Self.peer(uid: 1000, gid: 1000), account: account) == .allowed)
    }

    @Test("anyone else is refused with the group and the usermod fix")
    func othersRefused() {
        let account = PeerAccount(userName: "guest", groupIDs: [1001, 29])
        #expect(Self.policy.decide(Self.peer(uid: 1001, gid: 1001), account: account) == .denied(
            "permission denied: uid 1001 is not in group auxchain; "
                + "add the user with 'usermod -aG auxchain guest' (it applies from the next login)"))
    }

    @Test("a uid without a passwd entry is refused with a placeholder for the user")
    func unknownUserRefused() {
        #expect(Self.policy.decide(Self.peer(uid: 4242, gid: 4242), account: nil) == .denied(
            "permission denied: uid 4242 is not in group auxchain; "
                + "add the user with 'usermod -aG auxchain USER' (it applies from the next login)"))
    }

    @Test("without a control group only root and the daemon's user get in")
    func noGroupConfigured() {
        let policy = ControlAccessPolicy(daemonUserID: 991, group: nil)
        #expect(policy.decide(Self.peer(uid: 0, gid: 0), account: nil) == .allowed)
        #expect(policy.decide(Self.peer(uid: 991, gid: 991), account: nil) == .allowed)
        guard case .denied(let message) = policy.decide(Self.peer(uid: 1000, gid: 990), account: nil) else {
            Issue.record("allowed without a group")
            return
        }
        #expect(message.contains("uid 1000"))
        #expect(message.contains("set [control] group"))
    }

    @Test("accounts and groups come from the system's databases")
    func systemLookups() throws {
        let root = try #require(PeerAccount.lookup(userID: 0))
        #expect(root.userName == "root")
        #expect(root.groupIDs.contains(0))
        let nobody = try #require(PeerAccount.lookup(userID: 65534))
        #expect(!nobody.groupIDs.contains(0))
        #expect(ControlGroup.lookup("root") == ControlGroup(name: "root", id: 0))
        #expect(ControlGroup.lookup("auxchain-test-absent") == nil)
        #expect(PeerAccount.lookup(userID: 4_000_000_000) == nil)
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

    /// Runs the client as uid 65534 with the given gid and no supplementary groups.
    func runAsNobody(gid: UInt32, socket: String, ask: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=\(gid)", "--clear-groups", "--",
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
        let fixture = try ServerFixture(group: "root", socketName: "control.sock")
        // Let nobody reach the socket at all: the directory from mkdtemp is 0700.
        #expect(chmod(fixture.directory, 0o755) == 0)

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
        let fixture = try ServerFixture(group: "root", socketName: "control.sock")
        #expect(chmod(fixture.directory, 0o755) == 0)
        let answer = try await onThread { try runAsNobody(gid: 0, socket: fixture.socketPath, ask: true) }
        #expect(try ControlCodec.decodeMessage(Array(answer.utf8)) == .reply(.status(RecordingHandler.status)))
        let client = try #require(fixture.handler.clients.first)
        #expect(client.credentials.userID == 65534)
        #expect(client.credentials.groupID == 0)
        #expect(client.userName == "nobody")
    }
}

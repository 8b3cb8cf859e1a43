import AuxChainCore

/// What the daemon implements to answer control commands. The control server calls it
/// once per request, one request at a time per client (so replies keep their order), and
/// concurrently across clients.
///
/// `subscribe` never reaches the handler: the server keeps subscriptions itself and the
/// daemon feeds them through ``ControlServer/broadcast(_:)`` and ``ControlServer/publishLevels(_:)``.
public protocol ControlHandler: Sendable {
    func handle(_ command: ControlCommand, client: ClientInfo) async -> ControlReply
}

/// Who sent a request.
public struct ClientInfo: Sendable, Equatable, Hashable {
    /// Unique for the server's life, in connection order.
    public var id: UInt64
    public var credentials: PeerCredentials

    public init(id: UInt64, credentials: PeerCredentials) {
        self.id = id
        self.credentials = credentials
    }
}

/// The process at the other end of a Unix socket, as the kernel vouches for it (`SO_PEERCRED`,
/// taken when it connected).
public struct PeerCredentials: Sendable, Equatable, Hashable {
    public var processID: Int32
    public var userID: UInt32
    public var groupID: UInt32
    /// The peer process's own supplementary groups (`SO_PEERGROUPS`): what the kernel checks it
    /// against, which may differ from the user's entry in /etc/group (a group added since login,
    /// or one given by systemd's SupplementaryGroups). Empty on kernels before 4.13, which do
    /// not tell: there only the primary group counts.
    public var supplementaryGroupIDs: [UInt32]

    public init(processID: Int32, userID: UInt32, groupID: UInt32, supplementaryGroupIDs: [UInt32] = []) {
        self.processID = processID
        self.userID = userID
        self.groupID = groupID
        self.supplementaryGroupIDs = supplementaryGroupIDs
    }
}

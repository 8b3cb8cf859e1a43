import AuxChainCore
import Glibc

/// Who may use the control socket: root, the daemon's own user, and members of the control
/// group (`[control] group`).
///
/// Decided from the peer's own credentials as the kernel recorded them when it connected
/// (`SO_PEERCRED`, `SO_PEERGROUPS`): the groups its process really has, the ones the socket
/// file's mode was checked against, not what /etc/group says now (a user added there since it
/// logged in is not a member yet). The socket file's mode (0660, that group) already keeps
/// others out; this check also holds when the file's permissions were loosened by hand.
public struct ControlAccessPolicy: Sendable, Equatable {
    public var daemonUserID: UInt32
    /// nil: only root and the daemon's user.
    public var group: ControlGroup?

    public init(daemonUserID: UInt32, group: ControlGroup?) {
        self.daemonUserID = daemonUserID
        self.group = group
    }

    /// Decides for `peer`. `userName` is asked for only to word a refusal, so an admitted client
    /// costs no account lookup.
    public func decide(_ peer: PeerCredentials, userName: () -> String?) -> ControlAccessDecision {
        if peer.userID == 0 || peer.userID == daemonUserID { return .allowed }
        guard let group else {
            return .denied(
                "permission denied: uid \(peer.userID) is not the daemon's user and no control group is set; "
                    + "set [control] group and add the user to it"
            )
        }
        if peer.groupID == group.id || peer.supplementaryGroupIDs.contains(group.id) {
            return .allowed
        }
        let user = userName() ?? "USER"
        return .denied(
            "permission denied: uid \(peer.userID) is not in group \(group.name); "
                + "add the user with 'usermod -aG \(group.name) \(user)' (it applies from the next login)"
        )
    }
}

public enum ControlAccessDecision: Sendable, Equatable {
    case allowed
    /// The line to send the peer before closing.
    case denied(String)
}

/// A group by name and id.
public struct ControlGroup: Sendable, Equatable, Hashable {
    public var name: String
    public var id: UInt32

    public init(name: String, id: UInt32) {
        self.name = name
        self.id = id
    }

    /// The group named `name` in the group database; nil when there is none.
    public static func lookup(_ name: String) -> ControlGroup? {
        SystemGroups.id(named: name).map { ControlGroup(name: name, id: $0) }
    }
}
